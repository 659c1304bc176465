import { useSyncExternalStore } from 'react';

/** The trader's watchlist, kept in this browser (OpenAlgo has no server-side watchlist). */

export interface WatchlistEntry {
  symbol: string;
  exchange: string;
}

const STORAGE_KEY = 'openalgo.watchlist';
const listeners = new Set<() => void>();
let cache: WatchlistEntry[] | null = null;

function load(): WatchlistEntry[] {
  if (cache) {
    return cache;
  }
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '[]');
    cache = Array.isArray(parsed)
      ? parsed.filter(
          (item): item is WatchlistEntry =>
            !!item && typeof item.symbol === 'string' && typeof item.exchange === 'string',
        )
      : [];
  } catch {
    cache = [];
  }
  return cache;
}

function save(entries: WatchlistEntry[]): void {
  cache = entries;
  localStorage.setItem(STORAGE_KEY, JSON.stringify(entries));
  for (const listener of listeners) {
    listener();
  }
}

export function addToWatchlist(entry: WatchlistEntry): boolean {
  const entries = load();
  if (entries.some((item) => item.symbol === entry.symbol && item.exchange === entry.exchange)) {
    return false;
  }
  save([...entries, { symbol: entry.symbol, exchange: entry.exchange }]);
  return true;
}

export function removeFromWatchlist(entry: WatchlistEntry): void {
  save(load().filter((item) => !(item.symbol === entry.symbol && item.exchange === entry.exchange)));
}

export function useWatchlist(): WatchlistEntry[] {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    load,
    load,
  );
}
