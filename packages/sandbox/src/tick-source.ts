import type {
  BrokerAdapter,
  MarketDataStream,
  QuoteResult,
  StreamContext,
  Unsubscribe,
} from '@openalgo/broker-sdk';
import type { ResolvedInstrument, Tick } from '@openalgo/shared-types';

/**
 * Where the sandbox's prices come from: the connected broker's tick stream and REST quotes.
 * The sandbox asks to `watch` the instruments it holds orders, GTTs or positions on, and
 * stops when it no longer needs them.
 */
export interface TickSource {
  onTick(listener: (tick: Tick) => void): Unsubscribe;
  fetchQuotes(instruments: readonly ResolvedInstrument[]): Promise<readonly QuoteResult[]>;
  watch(instruments: readonly ResolvedInstrument[]): void;
  unwatch(instruments: readonly ResolvedInstrument[]): void;
}

export interface AdapterTickSource extends TickSource {
  connect(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A tick source over a broker adapter: its market-data stream (LTP mode) for ticks, its
 * quotes for prices on demand. Quote calls are batched to the adapter's `quoteBatch`.
 */
export function createAdapterTickSource(adapter: BrokerAdapter, context: StreamContext): AdapterTickSource {
  const factory = adapter.streams.marketData;
  const stream: MarketDataStream | null = factory ? factory.create(context) : null;
  return {
    connect: async () => {
      await stream?.connect();
    },
    close: async () => {
      await stream?.close();
    },
    onTick: (listener) => (stream ? stream.onTick(listener) : () => {}),
    fetchQuotes: async (instruments) => {
      const results: QuoteResult[] = [];
      const batch = Math.max(1, adapter.limits.quoteBatch);
      for (let start = 0; start < instruments.length; start += batch) {
        results.push(
          ...(await adapter.marketData.fetchQuotes(instruments.slice(start, start + batch), context)),
        );
      }
      return results;
    },
    watch: (instruments) => {
      stream?.subscribe(instruments.map((instrument) => ({ instrument, mode: 'ltp' as const })));
    },
    unwatch: (instruments) => {
      stream?.unsubscribe(instruments.map((instrument) => ({ instrument, mode: 'ltp' as const })));
    },
  };
}
