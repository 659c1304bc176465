import type { Interval } from '@openalgo/shared-types';

/** Operations a broker meters (rate buckets name them). */
export type BrokerOperation =
  | 'placeOrder'
  | 'modifyOrder'
  | 'cancelOrder'
  | 'fetchOrders'
  | 'fetchOrder'
  | 'fetchTrades'
  | 'fetchPositions'
  | 'fetchHoldings'
  | 'fetchFunds'
  | 'fetchQuotes'
  | 'fetchDepth'
  | 'fetchHistory'
  | 'instruments'
  | 'gtt'
  | 'margin'
  | 'auth'
  | 'other';

export interface RateBucket {
  id: string;
  operations: readonly BrokerOperation[];
  perSecond?: number;
  perMinute?: number;
  perHour?: number;
  perDay?: number;
}

/** Every limit is data; the SDK enforces them (spec/brokers.md §5.2 "Limits"). */
export interface BrokerLimits {
  rate: { scope: 'account' | 'apiKey' | 'ip'; buckets: readonly RateBucket[] };
  maxModificationsPerOrder?: number;
  /** Instruments per quote call. */
  quoteBatch: number;
  /** Longest range (days) one history call may span, per interval. */
  historyMaxDays: Partial<Record<Interval, number>>;
  /** Instruments per streaming connection. */
  instrumentsPerStream: number;
  /** Streaming connections per account. */
  maxStreamConnections: number;
}
