import type { BrokerSession, StreamContext } from '@openalgo/broker-sdk';
import { createSimulatorBroker } from '@openalgo/brokers-simulator';
import type { ResolvedInstrument } from '@openalgo/shared-types';
import { Dec } from '@openalgo/shared-types/decimal';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { istInstant } from './ist.js';
import { createTestSandbox, orderRequest, TEST_DAY, type TestSandbox } from './test-support.js';
import { createAdapterTickSource } from './tick-source.js';

const logger = pino({ level: 'silent' });

/** The sandbox fed by the embedded simulator broker: its stream for ticks, its quotes for prices. */
describe('sandbox on the simulator broker', () => {
  const clock = { now: istInstant(TEST_DAY, '10:00') };
  const now = () => clock.now;
  const simulator = createSimulatorBroker({ seed: 11, alwaysOpen: true, now });
  let t: TestSandbox;
  let instrument: ResolvedInstrument;
  let session: BrokerSession;
  let context: StreamContext;
  const feed = () => createAdapterTickSource(simulator, context);
  let source: ReturnType<typeof feed>;

  beforeAll(async () => {
    session = await simulator.auth.completeLogin({}, { redirectUrl: '', state: '', logger, now });
    context = { session, logger, now, resolveBrokerInstrument: () => undefined };
    source = feed();
    await source.connect();
    for await (const batch of simulator.instruments.download({ logger, now })) {
      const row = batch.find((entry) => entry.symbol === 'SBIN' && entry.exchange === 'NSE');
      if (row) {
        instrument = {
          symbol: row.symbol,
          exchange: row.exchange,
          brSymbol: row.brsymbol,
          brExchange: row.brexchange,
          token: row.token,
          name: row.name,
          lotSize: row.lotsize,
          tickSize: row.tick_size,
          instrumentType: row.instrumenttype,
        };
        break;
      }
    }
    t = await createTestSandbox('pglite', { ticks: source, now });
  }, 120_000);

  afterAll(async () => {
    await t?.close();
    await source?.close();
  });

  it('fills a MARKET buy at the simulator’s ask', async () => {
    const [quote] = await simulator.marketData.fetchQuotes([instrument], context);
    if (!quote?.ok) {
      throw new Error('the simulator gave no quote');
    }
    const ack = await t.sandbox.orders.placeOrder(orderRequest(instrument, { quantity: 3 }), t.context(1));
    const status = await t.sandbox.views.orderStatus(1, ack.orderId);
    expect(status.order_status).toBe('complete');
    expect(String(status.average_price)).toBe(new Dec(quote.quote.ask).toString());
  });

  it('fills a resting LIMIT from the simulator’s ticks, at its price, once the market reaches it', async () => {
    const [quote] = await simulator.marketData.fetchQuotes([instrument], context);
    if (!quote?.ok) {
      throw new Error('the simulator gave no quote');
    }
    const limit = new Dec(quote.quote.ltp).mul('0.999').toDecimalPlaces(1).toString();
    const ack = await t.sandbox.orders.placeOrder(
      orderRequest(instrument, { priceType: 'LIMIT', price: limit, quantity: 2 }),
      t.context(1),
    );
    // The sandbox asked the simulator to stream SBIN while the order works.
    let lowest = Number.POSITIVE_INFINITY;
    const off = source.onTick((tick) => {
      if (tick.symbol === 'SBIN') {
        lowest = Math.min(lowest, tick.ltp);
      }
    });
    for (let round = 0; round < 400 && lowest > Number(limit); round += 1) {
      clock.now += 1_000;
      simulator.exchange.advance(20);
    }
    off();
    await t.sandbox.idle();
    expect(lowest).toBeLessThanOrEqual(Number(limit));
    const status = await t.sandbox.views.orderStatus(1, ack.orderId);
    expect(status).toMatchObject({ order_status: 'complete', average_price: Number(limit) });
    expect((await t.sandbox.reconcile(1)).problems).toEqual([]);
  });
});
