import { describe, expect, it } from 'vitest';
import { decodeFrame, priceDivisor } from './ticker-codec.js';

/**
 * Frames built by hand, byte by byte, from Kite's documented layout (not with the fake server's
 * encoder), so the decoder is checked against the documentation itself.
 */

/** Big-endian writer over a fixed buffer. */
class Bytes {
  readonly view: DataView;
  #offset = 0;
  constructor(size: number) {
    this.view = new DataView(new ArrayBuffer(size));
  }
  u16(value: number): this {
    this.view.setUint16(this.#offset, value);
    this.#offset += 2;
    return this;
  }
  u32(value: number): this {
    this.view.setUint32(this.#offset, value);
    this.#offset += 4;
    return this;
  }
  i32(value: number): this {
    this.view.setInt32(this.#offset, value);
    this.#offset += 4;
    return this;
  }
  pad(count: number): this {
    this.#offset += count;
    return this;
  }
  get offset(): number {
    return this.#offset;
  }
  bytes(): Uint8Array {
    return new Uint8Array(this.view.buffer);
  }
}

const INFY = 408_065; // segment 1 (NSE)
const NIFTY_FUT = 12_073_986; // segment 2 (NFO)
const USDINR = 412_675; // 412675 & 0xff = 3 (CDS)
const USDINR_BCD = 1_000_198; // & 0xff = 6 (BCD)
const NIFTY_INDEX = 256_265; // segment 9 (INDICES)

function frame(packets: Array<(bytes: Bytes) => void>, sizes: number[]): Uint8Array {
  const total = 2 + sizes.reduce((sum, size) => sum + 2 + size, 0);
  const bytes = new Bytes(total).u16(packets.length);
  packets.forEach((write, index) => {
    bytes.u16(sizes[index] as number);
    const start = bytes.offset;
    write(bytes);
    expect(bytes.offset - start).toBe(sizes[index]);
  });
  return bytes.bytes();
}

const ltpPacket = (token: number, price: number) => (bytes: Bytes) => bytes.u32(token).i32(price);

const quotePacket = (token: number) => (bytes: Bytes) =>
  bytes
    .u32(token)
    .i32(142_405) // ltp
    .u32(25) // last traded qty
    .i32(141_935) // average
    .u32(1_234_567) // volume
    .u32(591_351) // total buy qty
    .u32(835_701) // total sell qty
    .i32(141_500) // open
    .i32(143_250) // high
    .i32(140_800) // low
    .i32(141_800); // close

const fullPacket = (token: number) => (bytes: Bytes) => {
  quotePacket(token)(bytes);
  bytes
    .u32(1_716_796_245) // last trade time (s)
    .u32(4_100_000) // OI
    .u32(4_200_000) // OI day high
    .u32(3_900_000) // OI day low
    .u32(1_716_796_246); // exchange time (s)
  for (let level = 0; level < 5; level += 1) {
    bytes
      .u32(100 + level)
      .i32(142_400 - level * 5)
      .u16(level + 1)
      .pad(2);
  }
  for (let level = 0; level < 5; level += 1) {
    bytes
      .u32(200 + level)
      .i32(142_410 + level * 5)
      .u16(level + 11)
      .pad(2);
  }
};

describe('Kite ticker frames', () => {
  it('decodes an 8-byte LTP packet', () => {
    const { ticks, problems, isHeartbeat } = decodeFrame(frame([ltpPacket(INFY, 142_405)], [8]));
    expect(problems).toEqual([]);
    expect(isHeartbeat).toBe(false);
    expect(ticks).toEqual([{ instrumentToken: INFY, mode: 'ltp', isTradable: true, lastPrice: 1424.05 }]);
  });

  it('decodes a 44-byte quote packet field by field', () => {
    const { ticks, problems } = decodeFrame(frame([quotePacket(NIFTY_FUT)], [44]));
    expect(problems).toEqual([]);
    expect(ticks).toEqual([
      {
        instrumentToken: NIFTY_FUT,
        mode: 'quote',
        isTradable: true,
        lastPrice: 1424.05,
        lastQuantity: 25,
        averagePrice: 1419.35,
        volume: 1_234_567,
        totalBuyQuantity: 591_351,
        totalSellQuantity: 835_701,
        open: 1415,
        high: 1432.5,
        low: 1408,
        close: 1418,
      },
    ]);
  });

  it('decodes a 184-byte full packet: last trade time at 44, OI at 48–60, exchange time at 60, depth at 64', () => {
    const { ticks, problems } = decodeFrame(frame([fullPacket(NIFTY_FUT)], [184]));
    expect(problems).toEqual([]);
    expect(ticks[0]).toEqual({
      instrumentToken: NIFTY_FUT,
      mode: 'full',
      isTradable: true,
      lastPrice: 1424.05,
      lastQuantity: 25,
      averagePrice: 1419.35,
      volume: 1_234_567,
      totalBuyQuantity: 591_351,
      totalSellQuantity: 835_701,
      open: 1415,
      high: 1432.5,
      low: 1408,
      close: 1418,
      lastTradeTime: 1_716_796_245_000,
      oi: 4_100_000,
      oiDayHigh: 4_200_000,
      oiDayLow: 3_900_000,
      exchangeTime: 1_716_796_246_000,
      depth: {
        buy: [
          { quantity: 100, price: 1424, orders: 1 },
          { quantity: 101, price: 1423.95, orders: 2 },
          { quantity: 102, price: 1423.9, orders: 3 },
          { quantity: 103, price: 1423.85, orders: 4 },
          { quantity: 104, price: 1423.8, orders: 5 },
        ],
        sell: [
          { quantity: 200, price: 1424.1, orders: 11 },
          { quantity: 201, price: 1424.15, orders: 12 },
          { quantity: 202, price: 1424.2, orders: 13 },
          { quantity: 203, price: 1424.25, orders: 14 },
          { quantity: 204, price: 1424.3, orders: 15 },
        ],
      },
    });
  });

  it('decodes 28-byte index quote and 32-byte index full packets (not tradable)', () => {
    const indexQuote = (bytes: Bytes) =>
      bytes
        .u32(NIFTY_INDEX)
        .i32(2_400_050)
        .i32(2_410_000)
        .i32(2_390_000)
        .i32(2_395_000)
        .i32(2_398_000)
        .i32(2_050);
    const indexFull = (bytes: Bytes) => {
      indexQuote(bytes);
      bytes.u32(1_716_796_246);
    };
    const { ticks, problems } = decodeFrame(frame([indexQuote, indexFull], [28, 32]));
    expect(problems).toEqual([]);
    const common = {
      instrumentToken: NIFTY_INDEX,
      isTradable: false,
      lastPrice: 24_000.5,
      high: 24_100,
      low: 23_900,
      open: 23_950,
      close: 23_980,
      change: 20.5,
    };
    expect(ticks).toEqual([
      { ...common, mode: 'quote' },
      { ...common, mode: 'full', exchangeTime: 1_716_796_246_000 },
    ]);
  });

  it('divides currency prices as Kite documents: CDS by 10⁷, BCD by 10⁴', () => {
    expect(priceDivisor(USDINR)).toBe(10_000_000);
    expect(priceDivisor(USDINR_BCD)).toBe(10_000);
    expect(priceDivisor(INFY)).toBe(100);
    const { ticks } = decodeFrame(
      frame([ltpPacket(USDINR, 832_512_500), ltpPacket(USDINR_BCD, 832_525)], [8, 8]),
    );
    expect(ticks.map((tick) => tick.lastPrice)).toEqual([83.25125, 83.2525]);
  });

  it('reads negative prices (int32) and large volumes (uint32)', () => {
    const packet = (bytes: Bytes) => {
      bytes
        .u32(INFY)
        .i32(-3_763)
        .u32(1)
        .i32(-100)
        .u32(3_000_000_000)
        .u32(0)
        .u32(0)
        .i32(0)
        .i32(0)
        .i32(0)
        .i32(0);
    };
    const { ticks } = decodeFrame(frame([packet], [44]));
    expect(ticks[0]?.lastPrice).toBe(-37.63);
    expect(ticks[0]?.volume).toBe(3_000_000_000);
  });

  it('decodes several packets of different modes in one frame', () => {
    const { ticks, problems } = decodeFrame(
      frame([ltpPacket(INFY, 100), quotePacket(NIFTY_FUT), fullPacket(NIFTY_FUT)], [8, 44, 184]),
    );
    expect(problems).toEqual([]);
    expect(ticks.map((tick) => tick.mode)).toEqual(['ltp', 'quote', 'full']);
  });

  it('treats a 1-byte frame as the heartbeat', () => {
    expect(decodeFrame(new Uint8Array([0]))).toEqual({ ticks: [], isHeartbeat: true, problems: [] });
  });

  it('decodes from a Node Buffer view with a non-zero byte offset', () => {
    const bytes = frame([ltpPacket(INFY, 142_405)], [8]);
    const pool = Buffer.alloc(bytes.length + 7);
    pool.set(bytes, 7);
    const { ticks } = decodeFrame(pool.subarray(7));
    expect(ticks[0]?.lastPrice).toBe(1424.05);
  });

  describe('malformed frames never throw', () => {
    it('reports an empty frame', () => {
      expect(decodeFrame(new Uint8Array(0))).toEqual({
        ticks: [],
        isHeartbeat: false,
        problems: ['empty frame'],
      });
    });

    it('keeps the packets before a packet that runs past the frame', () => {
      const whole = frame([ltpPacket(INFY, 100), quotePacket(NIFTY_FUT)], [8, 44]);
      const cut = whole.slice(0, whole.length - 10);
      const { ticks, problems } = decodeFrame(cut);
      expect(ticks).toHaveLength(1);
      expect(problems).toEqual(['packet 1 declares 44 bytes but only 34 remain']);
    });

    it('reports a frame that declares more packets than it holds', () => {
      const bytes = new Bytes(12).u16(3).u16(8).u32(INFY).i32(100);
      const { ticks, problems } = decodeFrame(bytes.bytes());
      expect(ticks).toHaveLength(1);
      expect(problems).toEqual(['frame declares 3 packets but ends after 1 (12 bytes)']);
    });

    it('skips a packet of unknown length and decodes the next one', () => {
      const odd = (bytes: Bytes) => bytes.u32(INFY).u32(1).u32(2);
      const { ticks, problems } = decodeFrame(frame([odd, ltpPacket(INFY, 250)], [12, 8]));
      expect(problems).toEqual(['packet 0 has unknown length 12']);
      expect(ticks).toEqual([{ instrumentToken: INFY, mode: 'ltp', isTradable: true, lastPrice: 2.5 }]);
    });

    it('reports trailing bytes', () => {
      const whole = frame([ltpPacket(INFY, 100)], [8]);
      const longer = new Uint8Array(whole.length + 3);
      longer.set(whole);
      expect(decodeFrame(longer).problems).toEqual(['3 trailing bytes after 1 packets']);
    });

    it('survives random bytes', () => {
      let seed = 7;
      for (let round = 0; round < 2_000; round += 1) {
        const length = round % 300;
        const bytes = new Uint8Array(length);
        for (let index = 0; index < length; index += 1) {
          seed = (seed * 1_103_515_245 + 12_345) >>> 0;
          bytes[index] = seed >>> 24;
        }
        expect(() => decodeFrame(bytes)).not.toThrow();
      }
    });
  });
});
