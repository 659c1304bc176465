import type { BrokerContext } from '@openalgo/broker-sdk';
import { toResolvedInstrument } from '../mapping.js';
import { createSimulatorBroker } from '../simulator-broker.js';

/**
 * `pnpm bench` in packages/brokers-simulator: sustainable tick generation rate (ticks/s,
 * with every instrument of the universe active) and order-match latency (place → matched,
 * median and p99 over many MARKET and marketable LIMIT orders). Prints a table.
 */

function percentile(sorted: readonly number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? Number.NaN;
}

function printTable(title: string, headers: string[], rows: Array<Array<string | number>>): void {
  const widths = headers.map((header, index) =>
    Math.max(header.length, ...rows.map((row) => String(row[index]).length)),
  );
  const line = (cells: Array<string | number>) =>
    `| ${cells.map((cell, index) => String(cell).padStart(widths[index] ?? 0)).join(' | ')} |`;
  console.log(`\n${title}`);
  console.log(line(headers));
  console.log(`|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`);
  for (const row of rows) {
    console.log(line(row));
  }
}

const now = Date.UTC(2026, 10, 24, 4, 30);
const broker = createSimulatorBroker({ seed: 1, now: () => now, alwaysOpen: true, startingCash: 1e12 });
const exchange = broker.exchange;
const context: BrokerContext = {
  session: { brokerId: 'simulator', accessToken: broker.control.issueToken(), issuedAt: now, data: {} },
  logger: {
    debug() {},
    info() {},
    warn() {},
    error() {},
    child() {
      return this;
    },
  },
  now: () => now,
  resolveBrokerInstrument: () => undefined,
};

// 1. Tick generation: every instrument active, a listener consuming each tick.
for (const instrument of exchange.instruments) {
  exchange.retain(instrument.index);
}
let consumed = 0;
const off = exchange.onTick(() => {
  consumed += 1;
});
const tickRows: Array<Array<string | number>> = [];
for (const [label, count] of [
  ['warm-up', 100_000],
  ['run 1', 1_000_000],
  ['run 2', 1_000_000],
  ['run 3', 1_000_000],
] as const) {
  const started = performance.now();
  exchange.advance(count);
  const seconds = (performance.now() - started) / 1_000;
  if (label !== 'warm-up') {
    tickRows.push([label, exchange.instruments.length, count, Math.round(count / seconds)]);
  }
}
off();
for (const instrument of exchange.instruments) {
  exchange.release(instrument.index);
}

// 2. Order matching latency: place → fully matched against depth, measured per order.
const instrument = exchange.findInstrument('SBIN', 'NSE');
if (!instrument) {
  throw new Error('SBIN missing from the universe');
}
const sbin = toResolvedInstrument(instrument);
const samples: number[] = [];
for (let index = 0; index < 50_000; index += 1) {
  const started = process.hrtime.bigint();
  await broker.orders.placeOrder(
    {
      instrument: sbin,
      action: index % 2 === 0 ? 'BUY' : 'SELL',
      quantity: 1,
      product: 'MIS',
      priceType: 'MARKET',
      price: '0',
      triggerPrice: '0',
      disclosedQuantity: 0,
      validity: 'DAY',
      clientOrderId: 'bench',
    },
    context,
  );
  samples.push(Number(process.hrtime.bigint() - started) / 1_000);
}
const measured = samples.slice(5_000).sort((left, right) => left - right);
const engineSamples: number[] = [];
for (let index = 0; index < 50_000; index += 1) {
  const started = process.hrtime.bigint();
  exchange.placeOrder({
    instrument,
    action: index % 2 === 0 ? 'BUY' : 'SELL',
    product: 'MIS',
    priceType: 'MARKET',
    quantity: 1,
    pricePips: 0,
    triggerPips: 0,
    clientOrderId: 'bench',
  });
  engineSamples.push(Number(process.hrtime.bigint() - started) / 1_000);
}
const engine = engineSamples.slice(5_000).sort((left, right) => left - right);

// 3. Ticks of one instrument while many orders rest away from its market: a tick must touch
// only the orders it can move, so the rate should not depend on the book's size.
const restingRows: Array<Array<string | number>> = [];
const itc = exchange.findInstrument('ITC', 'NSE');
if (!itc) {
  throw new Error('ITC missing from the universe');
}
// Just inside the lower circuit: the random walk does not get there within the run.
const farPips = (Math.ceil(exchange.market.circuit(itc.index).lower / itc.tickPips) + 1) * itc.tickPips;
exchange.retain(itc.index);
for (const resting of [0, 50_000]) {
  for (let index = 0; index < resting; index += 1) {
    // Half deep buy limits, half far sell stops: none of them near the market.
    const isBuy = index % 2 === 0;
    exchange.placeOrder({
      instrument: itc,
      action: isBuy ? 'BUY' : 'SELL',
      product: 'CNC',
      priceType: isBuy ? 'LIMIT' : 'SL-M',
      quantity: 1,
      pricePips: isBuy ? farPips : 0,
      triggerPips: isBuy ? 0 : farPips,
      clientOrderId: 'bench',
    });
  }
  exchange.advance(20_000);
  const started = performance.now();
  exchange.advance(200_000);
  const seconds = (performance.now() - started) / 1_000;
  restingRows.push([
    resting === 0 ? 'empty book' : 'resting far from the market',
    resting,
    Math.round(200_000 / seconds),
  ]);
}
exchange.release(itc.index);

printTable(
  `Simulator tick generation (all instruments active, ${consumed} ticks consumed)`,
  ['run', 'instruments', 'ticks', 'ticks/s'],
  tickRows,
);
printTable(
  'Order match latency (MARKET, 1 lot, matched against 5-level depth), µs',
  ['path', 'orders', 'p50', 'p90', 'p99'],
  [
    [
      'adapter placeOrder (decimal → pips, validation, margin, match)',
      measured.length,
      percentile(measured, 0.5).toFixed(1),
      percentile(measured, 0.9).toFixed(1),
      percentile(measured, 0.99).toFixed(1),
    ], // check-boundaries: allow toFixed (report formatting)
    [
      'exchange engine (validation, margin, match)',
      engine.length,
      percentile(engine, 0.5).toFixed(1),
      percentile(engine, 0.9).toFixed(1),
      percentile(engine, 0.99).toFixed(1),
    ],
  ],
);
printTable(
  'Ticks of one instrument (ITC) against its resting orders',
  ['book', 'resting orders', 'ticks/s'],
  restingRows,
);
