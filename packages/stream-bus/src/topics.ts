import type { StreamMode, WsMode } from '@openalgo/shared-types';

/**
 * Topics on the bus. Every topic is a complete `|`-delimited key ending in `|`, so ZeroMQ's
 * prefix matching can never over-match (`…|RELIANCE|1|` is not a prefix of `…|RELIANCEX|1|`),
 * and `|` appears in no exchange or symbol. Frames: `[topic, meta, payload]`.
 *
 * - market data `md|EXCHANGE|SYMBOL|MODE|`, MODE `1`, `2` or `3.<levels>` (Depth with its
 *   depth level); meta is one byte, the richest mode (1–3) of the broker tick it came from;
 *   payload is the tick's JSON `data`, projected to the topic's mode and encoded once at the hub.
 * - order updates `ord|<userId>|`; meta is empty; payload is the ready `order_update` frame.
 * - hub status `sys|feed|`; payload is a {@link FeedStatusMessage} (also a heartbeat).
 */

export const MARKET_PREFIX = 'md|';
export const ORDER_PREFIX = 'ord|';
export const FEED_TOPIC = 'sys|feed|';

export interface MarketTopic {
  exchange: string;
  symbol: string;
  mode: WsMode;
  /** Depth levels, Depth mode only. */
  depth: number | undefined;
}

export const MODE_OF_RANK: Readonly<Record<WsMode, StreamMode>> = { 1: 'ltp', 2: 'quote', 3: 'depth' };
export const RANK_OF_MODE: Readonly<Record<StreamMode, WsMode>> = { ltp: 1, quote: 2, depth: 3 };

export function marketTopic(exchange: string, symbol: string, mode: WsMode, depth?: number): string {
  const modeToken = mode === 3 ? `3.${depth ?? 5}` : String(mode);
  return `${MARKET_PREFIX}${exchange}|${symbol}|${modeToken}|`;
}

/** The instrument part of a market topic (`EXCHANGE|SYMBOL`), the key for per-instrument state. */
export function instrumentKey(exchange: string, symbol: string): string {
  return `${exchange}|${symbol}`;
}

/** Parses a market topic; `undefined` for anything malformed (never throws). */
export function parseMarketTopic(topic: string): MarketTopic | undefined {
  if (!topic.startsWith(MARKET_PREFIX) || !topic.endsWith('|')) {
    return undefined;
  }
  const parts = topic.slice(MARKET_PREFIX.length, -1).split('|');
  if (parts.length !== 3) {
    return undefined;
  }
  const [exchange, symbol, modeToken] = parts as [string, string, string];
  if (exchange.length === 0 || symbol.length === 0) {
    return undefined;
  }
  if (modeToken === '1' || modeToken === '2') {
    return { exchange, symbol, mode: Number(modeToken) as WsMode, depth: undefined };
  }
  const match = /^3\.([1-9]\d{0,2})$/.exec(modeToken);
  if (!match) {
    return undefined;
  }
  return { exchange, symbol, mode: 3, depth: Number(match[1]) };
}

export function orderTopic(userId: number): string {
  return `${ORDER_PREFIX}${userId}|`;
}

export function parseOrderTopic(topic: string): number | undefined {
  const match = /^ord\|(\d+)\|$/.exec(topic);
  return match ? Number(match[1]) : undefined;
}
