import type { Dec } from '@openalgo/shared-types/decimal';
import { PACKET_LENGTH, priceDivisor } from '../ticker-codec.js';
import type { FakeInstrument } from './instruments.js';
import type { DepthRow, PriceState } from './market.js';

/**
 * Kite ticker packets as Kite documents them (big-endian; prices int32 in paise, CDS × 10⁷,
 * BCD × 10⁴). The decoder in `../ticker-codec.ts` is tested against hand-built bytes, not
 * against this encoder, so a shared mistake cannot hide.
 */

export type KiteWireMode = 'ltp' | 'quote' | 'full';

function scaled(price: Dec, divisor: number): number {
  return Number(price.mul(divisor).toDecimalPlaces(0).toString());
}

export function encodePacket(
  instrument: FakeInstrument,
  state: PriceState,
  depth: { buy: DepthRow[]; sell: DepthRow[] },
  mode: KiteWireMode,
  now: number,
): Buffer {
  const token = instrument.instrumentToken;
  const divisor = priceDivisor(token);
  const isIndex = instrument.segment === 'INDICES';
  const price = (value: Dec) => scaled(value, divisor);
  if (mode === 'ltp') {
    const packet = Buffer.alloc(PACKET_LENGTH.ltp);
    packet.writeUInt32BE(token, 0);
    packet.writeInt32BE(price(state.ltp), 4);
    return packet;
  }
  if (isIndex) {
    const length = mode === 'full' ? PACKET_LENGTH.indexFull : PACKET_LENGTH.indexQuote;
    const packet = Buffer.alloc(length);
    packet.writeUInt32BE(token, 0);
    packet.writeInt32BE(price(state.ltp), 4);
    packet.writeInt32BE(price(state.high), 8);
    packet.writeInt32BE(price(state.low), 12);
    packet.writeInt32BE(price(state.open), 16);
    packet.writeInt32BE(price(state.close), 20);
    packet.writeInt32BE(price(state.ltp.sub(state.close)), 24);
    if (mode === 'full') {
      packet.writeUInt32BE(Math.floor(now / 1000), 28);
    }
    return packet;
  }
  const length = mode === 'full' ? PACKET_LENGTH.full : PACKET_LENGTH.quote;
  const packet = Buffer.alloc(length);
  packet.writeUInt32BE(token, 0);
  packet.writeInt32BE(price(state.ltp), 4);
  packet.writeUInt32BE(state.lastQuantity, 8);
  packet.writeInt32BE(price(state.averagePrice), 12);
  packet.writeUInt32BE(state.volume, 16);
  packet.writeUInt32BE(state.buyQuantity, 20);
  packet.writeUInt32BE(state.sellQuantity, 24);
  packet.writeInt32BE(price(state.open), 28);
  packet.writeInt32BE(price(state.high), 32);
  packet.writeInt32BE(price(state.low), 36);
  packet.writeInt32BE(price(state.close), 40);
  if (mode === 'full') {
    packet.writeUInt32BE(Math.floor(state.lastTradeTime / 1000), 44);
    packet.writeUInt32BE(state.oi, 48);
    packet.writeUInt32BE(state.oi, 52);
    packet.writeUInt32BE(state.oi, 56);
    packet.writeUInt32BE(Math.floor(now / 1000), 60);
    const levels = [...depth.buy.slice(0, 5), ...depth.sell.slice(0, 5)];
    levels.forEach((level, index) => {
      const offset = 64 + index * 12;
      packet.writeUInt32BE(level.quantity, offset);
      packet.writeInt32BE(price(level.price), offset + 4);
      packet.writeUInt16BE(level.orders, offset + 8);
    });
  }
  return packet;
}

/** `uint16 count` then `uint16 length` + packet for each. */
export function encodeFrame(packets: readonly Buffer[]): Buffer {
  const size = 2 + packets.reduce((total, packet) => total + 2 + packet.length, 0);
  const frame = Buffer.alloc(size);
  frame.writeUInt16BE(packets.length, 0);
  let offset = 2;
  for (const packet of packets) {
    frame.writeUInt16BE(packet.length, offset);
    packet.copy(frame, offset + 2);
    offset += 2 + packet.length;
  }
  return frame;
}
