import { type QueryClient, useQueryClient } from '@tanstack/react-query';
import {
  createContext,
  type ReactNode,
  useContext,
  useEffect,
  useMemo,
  useState,
  useSyncExternalStore,
} from 'react';
import { useApi } from '../api/api-context.js';
import {
  masterContractEventSchema,
  orderUpdateDataSchema,
  pendingOrderCreatedDataSchema,
} from '../api/contracts/ui-events.js';
import { marketOperations } from '../api/operations.js';
import { toast } from '../components/toasts.js';
import { toWebSocketUrl } from '../config.js';
import { EventSocket, type SocketState, type WatchedSymbol } from './event-socket.js';
import { symbolKey, TickStore, type TickValue } from './tick-store.js';

interface Live {
  socket: EventSocket;
  ticks: TickStore;
}

const LiveContext = createContext<Live | null>(null);

const BOOK_PATHS = [
  '/web/v1/orderbook',
  '/web/v1/tradebook',
  '/web/v1/positionbook',
  '/web/v1/holdings',
  '/web/v1/funds',
  '/web/analyzer/logs',
];

function invalidate(queryClient: QueryClient, paths: readonly string[]): void {
  for (const path of paths) {
    void queryClient.invalidateQueries({ queryKey: [path] });
  }
}

/** What each server event means for the screen: refetch what it changed, tell the trader. */
export function handleUiEvent(queryClient: QueryClient, event: string, data: unknown): void {
  switch (event) {
    case 'order_update': {
      invalidate(queryClient, BOOK_PATHS);
      const update = orderUpdateDataSchema.safeParse(data);
      if (update.success) {
        const { order_status: status, symbol, orderid } = update.data;
        if (status === 'complete') {
          toast.success(`Order ${orderid} filled: ${update.data.action ?? ''} ${symbol}`.replace('  ', ' '));
        } else if (status === 'rejected') {
          toast.error(
            `Order ${orderid} rejected${update.data.rejection_reason ? `: ${update.data.rejection_reason}` : ''}`,
          );
        }
      }
      return;
    }
    case 'order_event':
    case 'modify_order_event':
    case 'cancel_order_event':
    case 'close_position_event':
    case 'analyzer_update':
      invalidate(queryClient, BOOK_PATHS);
      return;
    case 'pending_order_created': {
      invalidate(queryClient, ['/web/action-center']);
      const created = pendingOrderCreatedDataSchema.safeParse(data);
      toast.info(
        created.success && created.data.message
          ? created.data.message
          : 'An order is waiting in the Action Center',
      );
      return;
    }
    case 'pending_order_updated':
      invalidate(queryClient, ['/web/action-center', ...BOOK_PATHS]);
      return;
    case 'master_contract_download': {
      invalidate(queryClient, ['/web/broker/status']);
      const parsed = masterContractEventSchema.safeParse(data);
      if (parsed.success && parsed.data.status === 'error') {
        toast.error(parsed.data.message ?? 'Master contract download failed');
      }
      return;
    }
    case 'app_mode_changed':
      invalidate(queryClient, ['/web/v1/analyzer', ...BOOK_PATHS]);
      return;
    default:
      return;
  }
}

export function LiveProvider({ children }: { children: ReactNode }) {
  const client = useApi();
  const queryClient = useQueryClient();
  const live = useMemo<Live>(() => {
    const ticks = new TickStore();
    const socket = new EventSocket({
      url: toWebSocketUrl(client.baseUrl, '/web/events'),
      ticks,
      onEvent: (event, data) => handleUiEvent(queryClient, event, data),
    });
    return { socket, ticks };
  }, [client, queryClient]);

  useEffect(() => {
    live.socket.start();
    return () => live.socket.stop();
  }, [live]);

  // While the stream gives no price for a watched symbol, poll quotes (OpenAlgo's UI fallback).
  useEffect(() => {
    let cancelled = false;
    const poll = async () => {
      const now = Date.now();
      const stale = live.socket.watchedSymbols().filter((entry) => {
        const value = live.ticks.get(symbolKey(entry.exchange, entry.symbol));
        return !value || value.source === 'quote' || now - value.at > 5_000;
      });
      if (stale.length === 0) {
        return;
      }
      try {
        const answer = await client.call(marketOperations.multiQuotes, {
          symbols: stale.map((entry) => ({ symbol: entry.symbol, exchange: entry.exchange as never })),
        });
        if (cancelled) {
          return;
        }
        for (const result of answer.results) {
          if (result.data) {
            live.ticks.update(symbolKey(result.exchange, result.symbol), {
              ltp: result.data.ltp,
              ...(result.data.prev_close ? { prevClose: result.data.prev_close } : {}),
              at: Date.now(),
              source: 'quote',
            });
          }
        }
      } catch {
        // The stream or the next poll will catch up; errors surface on the pages that need them.
      }
    };
    const timer = setInterval(() => void poll(), 2_000);
    void poll();
    return () => {
      cancelled = true;
      clearInterval(timer);
    };
  }, [client, live]);

  return <LiveContext.Provider value={live}>{children}</LiveContext.Provider>;
}

/** Supplies an existing socket and tick store (tests, embedding). */
export function LiveValuesProvider({ live, children }: { live: Live; children: ReactNode }) {
  return <LiveContext.Provider value={live}>{children}</LiveContext.Provider>;
}

function useLive(): Live {
  const live = useContext(LiveContext);
  if (!live) {
    throw new Error('useLive needs a LiveProvider');
  }
  return live;
}

/** Keeps live prices flowing for these symbols while the component is mounted. */
export function useWatch(symbols: readonly WatchedSymbol[]): void {
  const { socket } = useLive();
  const signature = symbols.map((entry) => symbolKey(entry.exchange, entry.symbol)).join(',');
  // The signature stands for the list: a new array with the same symbols must not resubscribe.
  const stable = useMemo(() => symbols, [signature]);
  useEffect(() => socket.watch(stable), [socket, stable]);
}

export function useTick(exchange: string, symbol: string): TickValue | undefined {
  const { ticks } = useLive();
  const key = symbolKey(exchange, symbol);
  return useSyncExternalStore(
    (listener) => ticks.subscribe(key, listener),
    () => ticks.get(key),
    () => ticks.get(key),
  );
}

/** Re-renders on any tick (for totals over many rows). */
export function useTickVersion(): number {
  const { ticks } = useLive();
  const [version, setVersion] = useState(0);
  useEffect(() => ticks.subscribeAll(() => setVersion((value) => value + 1)), [ticks]);
  return version;
}

export function useTickStore(): TickStore {
  return useLive().ticks;
}

export function useSocketState(): SocketState {
  const { socket } = useLive();
  return useSyncExternalStore(
    (listener) => socket.onState(listener),
    () => socket.state,
    () => socket.state,
  );
}
