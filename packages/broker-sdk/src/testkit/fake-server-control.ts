import type { Exchange, ResolvedInstrument } from '@openalgo/shared-types';
import type { BrokerOperation } from '../limits.js';
import type { BrokerSession } from '../v1/adapter.js';

/** An instrument the suite trades or quotes, by OpenAlgo symbol; it must be in the broker's dump. */
export interface ConformanceInstrument {
  symbol: string;
  exchange: Exchange;
}

/**
 * A transport fault the fake injects:
 * - `server-error`: HTTP 5xx (the broker's own error body for it);
 * - `timeout`: no answer for longer than the adapter's own timeout for the call;
 * - `rate-limit`: HTTP 429 (the broker's rate-limit answer).
 */
export type ConformanceFault = 'server-error' | 'timeout' | 'rate-limit';

export interface FaultRule {
  fault: ConformanceFault;
  /** The adapter operation whose broker calls fail (the fake maps it to its routes). */
  operation: BrokerOperation;
  /** How many matching calls fail. Default: every one, until `clearFaults()`. */
  times?: number;
}

/**
 * What the conformance suite needs from a broker's fake server (or, for an in-process broker,
 * from its control surface). Every broker package implements this over its own fake in its
 * `conformance.test.ts`; the fake decides how (routes, error bodies, delays).
 */
export interface FakeServerControl {
  /** Instruments the suite uses; `equity` must be liquid and tradable intraday (MIS). */
  readonly instruments: {
    equity: ConformanceInstrument;
    index?: ConformanceInstrument;
    future?: ConformanceInstrument;
    option?: ConformanceInstrument;
  };
  /** A session the fake accepts, as a completed login would give one. */
  createSession(): BrokerSession | Promise<BrokerSession>;
  /** The fake's own last traded price of an instrument, as decimal text (the truth quotes are checked against). */
  lastPrice(instrument: ResolvedInstrument): string | Promise<string>;
  /** Sets the account's available cash (decimal text). */
  setAvailableCash(amount: string): void | Promise<void>;
  /** Every session issued so far stops being accepted, as at a broker's daily token expiry. */
  expireSessions(): void | Promise<void>;
  injectFault(rule: FaultRule): void | Promise<void>;
  clearFaults(): void | Promise<void>;
  /**
   * Broker calls the fake received for an operation so far. Brokers that talk to a server
   * implement it; the suite then also proves reads are retried and order writes are not.
   */
  requestCount?(operation: BrokerOperation): number;
  /** Publishes a tick for every subscribed instrument. Required when the broker streams market data. */
  pushTicks?(): void | Promise<void>;
  /** Drops every streaming connection abruptly. Required when the broker streams. */
  dropStreams?(): void | Promise<void>;
  /** Fills `quantity` of an open order at the market (partial-fill checks). */
  fillOrder?(orderId: string, quantity: number): void | Promise<void>;
  /** Adds a delivery holding, so the holdings check has one to read (else the fake must seed one). */
  addHolding?(instrument: ResolvedInstrument, quantity: number, averagePrice: string): void | Promise<void>;
  close(): Promise<void>;
}
