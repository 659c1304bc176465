/**
 * Kite ticker binary frames, decoded as Kite documents them (spec/brokers.md §3.a, matching
 * `zerodha/pykiteconnect` `ticker.py`): a frame is `uint16 count`, then per packet `uint16
 * length` + packet; all integers big-endian; prices int32 in paise (CDS ÷ 10⁷, BCD ÷ 10⁴).
 *
 * | packet      | bytes | layout (offsets)                                                      |
 * |-------------|-------|-----------------------------------------------------------------------|
 * | LTP         | 8     | 0 token · 4 last price                                                |
 * | index quote | 28    | 0 token · 4 ltp · 8 high · 12 low · 16 open · 20 close · 24 change      |
 * | index full  | 32    | index quote + 28 exchange time (epoch s)                              |
 * | quote       | 44    | 0 token · 4 ltp · 8 ltq · 12 avg · 16 volume · 20 buy qty · 24 sell qty · 28 open · 32 high · 36 low · 40 close |
 * | full        | 184   | quote + 44 last trade time · 48 OI · 52 OI high · 56 OI low · 60 exchange time · 64 depth (10 × 12: qty, price, uint16 orders, 2 pad; 5 bids then 5 asks) |
 *
 * OpenAlgo's own parser read OI and the last-trade time at wrong offsets and ignored the
 * currency divisors; these offsets are pinned byte-for-byte by `ticker-codec.test.ts`.
 * No allocation beyond the tick objects, no zod: this is the hot path.
 */

export const SEGMENT = {
  NSE: 1,
  NFO: 2,
  CDS: 3,
  BSE: 4,
  BFO: 5,
  BCD: 6,
  MCX: 7,
  MCXSX: 8,
  INDICES: 9,
} as const;

export const PACKET_LENGTH = { ltp: 8, indexQuote: 28, indexFull: 32, quote: 44, full: 184 } as const;

export interface KiteDepthLevel {
  price: number;
  quantity: number;
  orders: number;
}

export interface KiteTick {
  instrumentToken: number;
  /** `ltp`, `quote` or `full`, as Kite names the modes. */
  mode: 'ltp' | 'quote' | 'full';
  /** Indices are not tradable and send the shorter 28/32-byte packets. */
  isTradable: boolean;
  lastPrice: number;
  lastQuantity?: number;
  averagePrice?: number;
  volume?: number;
  totalBuyQuantity?: number;
  totalSellQuantity?: number;
  open?: number;
  high?: number;
  low?: number;
  /** Previous day's close. */
  close?: number;
  /** Index packets: price change against the previous close. */
  change?: number;
  /** Epoch ms. */
  lastTradeTime?: number;
  oi?: number;
  oiDayHigh?: number;
  oiDayLow?: number;
  /** Epoch ms. */
  exchangeTime?: number;
  depth?: { buy: KiteDepthLevel[]; sell: KiteDepthLevel[] };
}

export interface DecodedFrame {
  ticks: KiteTick[];
  /** A 1-byte frame: Kite's keep-alive. */
  isHeartbeat: boolean;
  /** What was wrong with a malformed frame or packet; the good packets are still returned. */
  problems: string[];
}

/** The price divisor of an instrument token's segment. */
export function priceDivisor(instrumentToken: number): number {
  const segment = instrumentToken & 0xff;
  if (segment === SEGMENT.CDS) {
    return 10_000_000;
  }
  if (segment === SEGMENT.BCD) {
    return 10_000;
  }
  return 100;
}

function decodeDepth(
  view: DataView,
  start: number,
  divisor: number,
): { buy: KiteDepthLevel[]; sell: KiteDepthLevel[] } {
  const buy: KiteDepthLevel[] = new Array(5);
  const sell: KiteDepthLevel[] = new Array(5);
  for (let level = 0; level < 5; level += 1) {
    const bid = start + level * 12;
    buy[level] = {
      quantity: view.getUint32(bid),
      price: view.getInt32(bid + 4) / divisor,
      orders: view.getUint16(bid + 8),
    };
    const ask = start + 60 + level * 12;
    sell[level] = {
      quantity: view.getUint32(ask),
      price: view.getInt32(ask + 4) / divisor,
      orders: view.getUint16(ask + 8),
    };
  }
  return { buy, sell };
}

/** Decodes one packet of a known length starting at `offset`. */
export function decodePacket(view: DataView, offset: number, length: number): KiteTick | undefined {
  const instrumentToken = view.getUint32(offset);
  const divisor = priceDivisor(instrumentToken);
  const isTradable = (instrumentToken & 0xff) !== SEGMENT.INDICES;
  const lastPrice = view.getInt32(offset + 4) / divisor;
  switch (length) {
    case PACKET_LENGTH.ltp:
      return { instrumentToken, mode: 'ltp', isTradable, lastPrice };
    case PACKET_LENGTH.indexQuote:
    case PACKET_LENGTH.indexFull: {
      const tick: KiteTick = {
        instrumentToken,
        mode: length === PACKET_LENGTH.indexFull ? 'full' : 'quote',
        isTradable,
        lastPrice,
        high: view.getInt32(offset + 8) / divisor,
        low: view.getInt32(offset + 12) / divisor,
        open: view.getInt32(offset + 16) / divisor,
        close: view.getInt32(offset + 20) / divisor,
        change: view.getInt32(offset + 24) / divisor,
      };
      if (length === PACKET_LENGTH.indexFull) {
        tick.exchangeTime = view.getUint32(offset + 28) * 1000;
      }
      return tick;
    }
    case PACKET_LENGTH.quote:
    case PACKET_LENGTH.full: {
      const tick: KiteTick = {
        instrumentToken,
        mode: length === PACKET_LENGTH.full ? 'full' : 'quote',
        isTradable,
        lastPrice,
        lastQuantity: view.getUint32(offset + 8),
        averagePrice: view.getInt32(offset + 12) / divisor,
        volume: view.getUint32(offset + 16),
        totalBuyQuantity: view.getUint32(offset + 20),
        totalSellQuantity: view.getUint32(offset + 24),
        open: view.getInt32(offset + 28) / divisor,
        high: view.getInt32(offset + 32) / divisor,
        low: view.getInt32(offset + 36) / divisor,
        close: view.getInt32(offset + 40) / divisor,
      };
      if (length === PACKET_LENGTH.full) {
        tick.lastTradeTime = view.getUint32(offset + 44) * 1000;
        tick.oi = view.getUint32(offset + 48);
        tick.oiDayHigh = view.getUint32(offset + 52);
        tick.oiDayLow = view.getUint32(offset + 56);
        tick.exchangeTime = view.getUint32(offset + 60) * 1000;
        tick.depth = decodeDepth(view, offset + 64, divisor);
      }
      return tick;
    }
    default:
      return undefined;
  }
}

function isKnownLength(length: number): boolean {
  return (
    length === PACKET_LENGTH.ltp ||
    length === PACKET_LENGTH.indexQuote ||
    length === PACKET_LENGTH.indexFull ||
    length === PACKET_LENGTH.quote ||
    length === PACKET_LENGTH.full
  );
}

/**
 * Decodes one binary frame. Never throws: a malformed frame yields the packets that could be
 * read plus a description of each problem (a short header, a packet running past the frame, an
 * unknown packet length).
 */
export function decodeFrame(data: ArrayBuffer | ArrayBufferView): DecodedFrame {
  const view =
    data instanceof ArrayBuffer
      ? new DataView(data)
      : new DataView(data.buffer, data.byteOffset, data.byteLength);
  const size = view.byteLength;
  if (size === 1) {
    return { ticks: [], isHeartbeat: true, problems: [] };
  }
  const ticks: KiteTick[] = [];
  const problems: string[] = [];
  if (size < 2) {
    problems.push('empty frame');
    return { ticks, isHeartbeat: false, problems };
  }
  const count = view.getUint16(0);
  let offset = 2;
  for (let index = 0; index < count; index += 1) {
    if (offset + 2 > size) {
      problems.push(`frame declares ${count} packets but ends after ${index} (${size} bytes)`);
      break;
    }
    const length = view.getUint16(offset);
    offset += 2;
    if (offset + length > size) {
      problems.push(`packet ${index} declares ${length} bytes but only ${size - offset} remain`);
      break;
    }
    if (!isKnownLength(length)) {
      problems.push(`packet ${index} has unknown length ${length}`);
    } else {
      const tick = decodePacket(view, offset, length);
      if (tick) {
        ticks.push(tick);
      }
    }
    offset += length;
  }
  if (problems.length === 0 && offset < size) {
    problems.push(`${size - offset} trailing bytes after ${count} packets`);
  }
  return { ticks, isHeartbeat: false, problems };
}
