import {
  listSandboxHoldings,
  listSandboxLedger,
  listSandboxOrders,
  listSandboxPositions,
  listSandboxTrades,
  sandboxStore,
} from '@openalgo/db';
import { testBackends } from '@openalgo/db/testing';
import type { Action, PriceType, Product, ResolvedInstrument } from '@openalgo/shared-types';
import { Dec } from '@openalgo/shared-types/decimal';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxEvent } from './core.js';
import { addIstDays } from './ist.js';
import { createTestSandbox, orderRequest, TEST_DAY, type TestSandbox } from './test-support.js';
import { testInstrument } from './testing/index.js';

/**
 * Random order and tick sequences against the real sandbox on a real database, checking the
 * invariants after every sequence:
 * - funds reconcile (cash + margin + holdings = capital + realised; margin = Σ reservations;
 *   the journal sums to the funds row) and no reservation ever spent cash the account lacked;
 * - each position (plus holdings, for CNC) equals the signed sum of its trades;
 * - every fill lies within the market it happened in (the previous and current tick);
 * - nothing that cannot be negative is: quantities, reservations, holdings;
 * - the in-memory book holds exactly the orders the tables call working.
 */

const RUNS = Number(process.env.SANDBOX_PROPERTY_RUNS ?? 60);

const SYMBOLS: readonly ResolvedInstrument[] = [
  testInstrument('ALPHA', 'NSE'),
  testInstrument('BETA', 'NSE'),
  testInstrument('GAMMA29DEC26FUT', 'NFO', { lotSize: 50, instrumentType: 'FUT' }),
];

type Command =
  | {
      kind: 'place';
      symbol: number;
      action: Action;
      lots: number;
      product: Product;
      priceType: PriceType;
      /** Offset of the limit / trigger from the last price, in ticks of 0.05. */
      offset: number;
      spread: number;
    }
  | { kind: 'tick'; symbol: number; move: number }
  | { kind: 'cancel'; pick: number }
  | { kind: 'modify'; pick: number; lots: number; offset: number }
  | { kind: 'settle' };

const commandArbitrary: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('place' as const),
      symbol: fc.integer({ min: 0, max: SYMBOLS.length - 1 }),
      action: fc.constantFrom<Action>('BUY', 'SELL'),
      lots: fc.integer({ min: 1, max: 40 }),
      product: fc.constantFrom<Product>('MIS', 'MIS', 'CNC', 'NRML'),
      priceType: fc.constantFrom<PriceType>('MARKET', 'LIMIT', 'LIMIT', 'SL', 'SL-M'),
      offset: fc.integer({ min: -40, max: 40 }),
      spread: fc.integer({ min: 0, max: 20 }),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('tick' as const),
      symbol: fc.integer({ min: 0, max: SYMBOLS.length - 1 }),
      move: fc.integer({ min: -60, max: 60 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('modify' as const),
      pick: fc.nat(),
      lots: fc.integer({ min: 1, max: 40 }),
      offset: fc.integer({ min: -40, max: 40 }),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'settle' as const }) },
);

const BASE_PRICE: Record<string, number> = { ALPHA: 100, BETA: 250, GAMMA29DEC26FUT: 2000 };

/** A price on the 0.05 grid, as JS number and exact text (built from integer ticks). */
function priceOfTicks(ticks: number): { value: number; text: string } {
  const text = new Dec(ticks).mul('0.05').toString();
  return { value: Number(text), text };
}

describe.each(testBackends())('sandbox invariants under random sequences on %s', (backend) => {
  let t: TestSandbox;
  let nextUser = 10_000;
  const fills: SandboxEvent[] = [];

  beforeAll(async () => {
    t = await createTestSandbox(backend);
    t.sandbox.onEvent((event) => {
      if (event.type === 'order_filled') {
        fills.push(event);
      }
    });
    // A small account so that refusals for want of funds happen too.
    await t.sandbox.updateConfig('starting_capital', '200000');
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  it(`holds for ${RUNS} random sequences`, async () => {
    const db = sandboxStore(t.database.db, t.database.sandboxSchema).db;
    await fc.assert(
      fc.asyncProperty(fc.array(commandArbitrary, { minLength: 5, maxLength: 40 }), async (commands) => {
        nextUser += 1;
        const userId = nextUser;
        const context = t.context(userId);
        t.clock.setIst(TEST_DAY, '10:00');
        const priceTicks = SYMBOLS.map((instrument) =>
          Math.round((BASE_PRICE[instrument.symbol] ?? 100) / 0.05),
        );
        const lastPrice = SYMBOLS.map(() => 0);
        const outsideMarket: string[] = [];
        let days = 0;

        const sendTick = async (index: number) => {
          const instrument = SYMBOLS[index] as ResolvedInstrument;
          const price = priceOfTicks(priceTicks[index] as number);
          const previous = lastPrice[index] as number;
          const low = Math.min(previous, price.value);
          const high = Math.max(previous, price.value);
          fills.length = 0;
          t.ticks.tick(instrument.exchange, instrument.symbol, price.value);
          lastPrice[index] = price.value;
          await t.sandbox.idle();
          for (const fill of fills) {
            if (fill.type === 'order_filled' && fill.userId === userId && fill.source === 'tick') {
              const value = Number(fill.price);
              if (value < low || value > high) {
                outsideMarket.push(`${fill.symbol} filled at ${fill.price} outside [${low}, ${high}]`);
              }
            }
          }
        };

        for (let index = 0; index < SYMBOLS.length; index += 1) {
          await sendTick(index);
        }

        for (const command of commands) {
          switch (command.kind) {
            case 'tick': {
              priceTicks[command.symbol] = Math.max(
                20,
                (priceTicks[command.symbol] as number) + command.move,
              );
              await sendTick(command.symbol);
              break;
            }
            case 'place': {
              const instrument = SYMBOLS[command.symbol] as ResolvedInstrument;
              const ticks = priceTicks[command.symbol] as number;
              const limit = priceOfTicks(Math.max(1, ticks + command.offset));
              const stopLimit = priceOfTicks(
                Math.max(
                  1,
                  ticks + command.offset + (command.action === 'BUY' ? command.spread : -command.spread),
                ),
              );
              fills.length = 0;
              await t.sandbox.orders
                .placeOrder(
                  orderRequest(instrument, {
                    action: command.action,
                    quantity: command.lots * instrument.lotSize,
                    product: command.product,
                    priceType: command.priceType,
                    price: command.priceType === 'SL' ? stopLimit.text : limit.text,
                    triggerPrice: limit.text,
                  }),
                  context,
                )
                .catch(() => undefined);
              for (const fill of fills) {
                if (
                  fill.type === 'order_filled' &&
                  fill.userId === userId &&
                  fill.price !== String(lastPrice[command.symbol])
                ) {
                  outsideMarket.push(
                    `${fill.symbol} placement fill at ${fill.price}, market ${lastPrice[command.symbol]}`,
                  );
                }
              }
              break;
            }
            case 'cancel': {
              const working = await listSandboxOrders(db, { userId, statuses: ['open', 'trigger pending'] });
              const target = working[command.pick % Math.max(1, working.length)];
              if (target) {
                await t.sandbox.orders
                  .cancelOrder({ orderId: target.orderid }, context)
                  .catch(() => undefined);
              }
              break;
            }
            case 'modify': {
              const working = await listSandboxOrders(db, { userId, statuses: ['open', 'trigger pending'] });
              const target = working[command.pick % Math.max(1, working.length)];
              if (target) {
                const index = SYMBOLS.findIndex((instrument) => instrument.symbol === target.symbol);
                const instrument = SYMBOLS[index] as ResolvedInstrument;
                const price = priceOfTicks(Math.max(1, (priceTicks[index] as number) + command.offset));
                fills.length = 0;
                await t.sandbox.orders
                  .modifyOrder(
                    { orderId: target.orderid },
                    {
                      instrument,
                      action: target.action,
                      product: target.product,
                      priceType: target.price_type,
                      quantity: command.lots * instrument.lotSize,
                      price: target.price_type === 'LIMIT' || target.price_type === 'SL' ? price.text : '0',
                      triggerPrice:
                        target.price_type === 'SL' || target.price_type === 'SL-M' ? price.text : '0',
                      disclosedQuantity: 0,
                      validity: 'DAY',
                    },
                    context,
                  )
                  .catch(() => undefined);
              }
              break;
            }
            case 'settle': {
              // Midnight: CNC settles into holdings (MIS squared off the evening before).
              days += 1;
              t.clock.setIst(addIstDays(TEST_DAY, days), '00:00');
              await t.sandbox.runDueJobs();
              t.clock.setIst(addIstDays(TEST_DAY, days), '10:00');
              break;
            }
          }
        }
        await t.sandbox.idle();

        // Funds reconcile, every way.
        const report = await t.sandbox.reconcile(userId);
        expect(report.problems).toEqual([]);

        // No reservation ever spent cash the account did not have.
        let cash = new Dec(0);
        for (const entry of await listSandboxLedger(db, userId)) {
          cash = cash.add(new Dec(entry.cash));
          if (entry.kind === 'reserve') {
            expect(cash.gte(0)).toBe(true);
          }
        }

        // Positions (plus holdings for CNC) are the signed sum of trades.
        const trades = await listSandboxTrades(db, { userId });
        const positions = await listSandboxPositions(db, { userId });
        const holdings = await listSandboxHoldings(db, { userId });
        const net = new Map<string, number>();
        for (const trade of trades) {
          const key = `${trade.exchange}:${trade.symbol}:${trade.product}`;
          net.set(key, (net.get(key) ?? 0) + (trade.action === 'BUY' ? trade.quantity : -trade.quantity));
        }
        const held = new Map<string, number>();
        for (const position of positions) {
          const key = `${position.exchange}:${position.symbol}:${position.product}`;
          held.set(key, (held.get(key) ?? 0) + position.quantity);
          expect(new Dec(position.reservation).gte(0)).toBe(true);
        }
        for (const holding of holdings) {
          const key = `${holding.exchange}:${holding.symbol}:CNC`;
          held.set(key, (held.get(key) ?? 0) + holding.quantity);
          expect(holding.quantity).toBeGreaterThanOrEqual(0);
          expect(new Dec(holding.cost).gte(0)).toBe(true);
        }
        for (const key of new Set([...net.keys(), ...held.keys()])) {
          expect([key, held.get(key) ?? 0]).toEqual([key, net.get(key) ?? 0]);
        }

        // Orders: filled means exactly one trade of the whole quantity; working means none.
        const orders = await listSandboxOrders(db, { userId });
        const tradesByOrder = new Map(trades.map((trade) => [trade.orderid, trade]));
        for (const order of orders) {
          expect(order.filled_quantity + order.pending_quantity).toBeLessThanOrEqual(order.quantity);
          expect(new Dec(order.reservation).gte(0)).toBe(true);
          if (order.status === 'complete') {
            expect(tradesByOrder.get(order.orderid)?.quantity).toBe(order.quantity);
          } else {
            expect(tradesByOrder.has(order.orderid)).toBe(false);
            if (order.status !== 'open' && order.status !== 'trigger pending') {
              expect(order.reservation).toBe('0');
            }
          }
        }

        // Fills never left the market.
        expect(outsideMarket).toEqual([]);

        // Memory and tables agree on what is working.
        const workingEverywhere = await listSandboxOrders(db, { statuses: ['open', 'trigger pending'] });
        expect(t.sandbox.bookSize).toBe(workingEverywhere.length);
      }),
      { numRuns: RUNS },
    );
  }, 600_000);
});
