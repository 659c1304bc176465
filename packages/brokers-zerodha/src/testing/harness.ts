import type { BrokerAdapter, BrokerContext, BrokerSession, Logger } from '@openalgo/broker-sdk';
import type { InstrumentRow, ResolvedInstrument } from '@openalgo/shared-types';
import {
  type FakeKiteServer,
  type FakeKiteServerOptions,
  startFakeKiteServer,
} from '../fake-server/index.js';
import type { ZerodhaBrokerSettings } from '../settings.js';
import { createZerodhaBroker } from '../zerodha-broker.js';

/**
 * Test wiring: a fake Kite on a loopback port, an adapter pointed at it, a logged-in session and
 * a symbol index built from the adapter's own instrument download (as the core builds its own).
 */

export interface LogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  data: object;
  message: string | undefined;
}

export function createMemoryLogger(entries: LogEntry[] = []): Logger & { entries: LogEntry[] } {
  const make = (bindings: Record<string, unknown>): Logger & { entries: LogEntry[] } => ({
    entries,
    debug: (data, message) => entries.push({ level: 'debug', data: { ...bindings, ...data }, message }),
    info: (data, message) => entries.push({ level: 'info', data: { ...bindings, ...data }, message }),
    warn: (data, message) => entries.push({ level: 'warn', data: { ...bindings, ...data }, message }),
    error: (data, message) => entries.push({ level: 'error', data: { ...bindings, ...data }, message }),
    child: (more) => make({ ...bindings, ...more }),
  });
  return make({});
}

export function toResolved(row: InstrumentRow): ResolvedInstrument {
  const resolved: ResolvedInstrument = {
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
  if (row.expiry) {
    resolved.expiry = row.expiry;
  }
  if (row.instrumenttype === 'CE' || row.instrumenttype === 'PE') {
    resolved.strike = row.strike;
    resolved.optionType = row.instrumenttype;
  }
  return resolved;
}

export interface Harness {
  fake: FakeKiteServer;
  broker: BrokerAdapter;
  session: BrokerSession;
  context: BrokerContext;
  logger: Logger & { entries: LogEntry[] };
  /** Our instrument by OpenAlgo symbol and exchange. */
  instrument(symbol: string, exchange: string): ResolvedInstrument;
  /** The first downloaded instrument that matches. */
  findInstrument(predicate: (instrument: ResolvedInstrument) => boolean): ResolvedInstrument;
  close(): Promise<void>;
}

export interface HarnessOptions {
  fake?: FakeKiteServerOptions;
  settings?: Partial<ZerodhaBrokerSettings>;
  /** Skip the instrument download (faster suites that need no symbol index). */
  withoutInstruments?: boolean;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const fake = await startFakeKiteServer({ instrumentCount: 6_000, heartbeatMs: 200, ...options.fake });
  const logger = createMemoryLogger();
  const now = options.fake?.now ?? Date.now;
  const broker = createZerodhaBroker({
    apiKey: fake.apiKey,
    apiSecret: fake.apiSecret,
    baseUrl: fake.baseUrl,
    loginUrl: fake.loginUrl,
    tickerUrl: fake.tickerUrl,
    logger,
    now,
    retry: { baseDelayMs: 5, maxDelayMs: 50 },
    // Suites fire calls back to back; the limiter itself has its own test (kite-http.test.ts).
    rateLimit: false,
    ...options.settings,
  });
  const session: BrokerSession = {
    brokerId: 'zerodha',
    accessToken: fake.control.createSession(),
    userId: fake.userId,
    issuedAt: now(),
    data: {},
  };
  const bySymbol = new Map<string, ResolvedInstrument>();
  const byBroker = new Map<string, ResolvedInstrument>();
  if (!options.withoutInstruments) {
    for await (const batch of broker.instruments.download({ session, logger, now })) {
      for (const row of batch) {
        const resolved = toResolved(row);
        bySymbol.set(`${row.exchange}:${row.symbol}`, resolved);
        byBroker.set(`${row.brexchange}:${row.brsymbol}`, resolved);
      }
    }
  }
  const context: BrokerContext = {
    session,
    logger,
    now,
    resolveBrokerInstrument: ({ brSymbol, brExchange }) =>
      brSymbol === undefined ? undefined : byBroker.get(`${brExchange}:${brSymbol}`),
  };
  fake.control.clearRequests();
  return {
    fake,
    broker,
    session,
    context,
    logger,
    instrument(symbol, exchange) {
      const resolved = bySymbol.get(`${exchange}:${symbol}`);
      if (!resolved) {
        throw new Error(`no instrument ${exchange}:${symbol} in the downloaded master`);
      }
      return resolved;
    },
    findInstrument(predicate) {
      for (const resolved of bySymbol.values()) {
        if (predicate(resolved)) {
          return resolved;
        }
      }
      throw new Error('no matching instrument in the downloaded master');
    },
    close: () => fake.close(),
  };
}
