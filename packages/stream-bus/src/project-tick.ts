import type { Tick, WsMode, WsTickData } from '@openalgo/shared-types';

/**
 * A tick as the `data` of a `market_data` push for one mode: LTP carries the price and its
 * times, Quote adds OHLC, volume and book totals, Depth adds the book cut to `depth` levels.
 * `mode` is the integer mode; fields the broker did not send stay absent.
 */
export function projectTick(tick: Tick, mode: WsMode, depth: number | undefined): WsTickData {
  const data: WsTickData = {
    symbol: tick.symbol,
    exchange: tick.exchange,
    mode,
    ltp: tick.ltp,
    timestamp: tick.timestamp,
  };
  if (tick.ltt !== undefined) {
    data.ltt = tick.ltt;
  }
  if (mode === 1) {
    return data;
  }
  if (tick.open !== undefined) {
    data.open = tick.open;
  }
  if (tick.high !== undefined) {
    data.high = tick.high;
  }
  if (tick.low !== undefined) {
    data.low = tick.low;
  }
  if (tick.close !== undefined) {
    data.close = tick.close;
  }
  if (tick.volume !== undefined) {
    data.volume = tick.volume;
  }
  if (tick.average_price !== undefined) {
    data.average_price = tick.average_price;
  }
  if (tick.last_quantity !== undefined) {
    data.last_quantity = tick.last_quantity;
  }
  if (tick.total_buy_quantity !== undefined) {
    data.total_buy_quantity = tick.total_buy_quantity;
  }
  if (tick.total_sell_quantity !== undefined) {
    data.total_sell_quantity = tick.total_sell_quantity;
  }
  if (tick.oi !== undefined) {
    data.oi = tick.oi;
  }
  if (tick.upper_circuit !== undefined) {
    data.upper_circuit = tick.upper_circuit;
  }
  if (tick.lower_circuit !== undefined) {
    data.lower_circuit = tick.lower_circuit;
  }
  if (mode === 3 && tick.depth) {
    const levels = depth ?? 5;
    data.depth = {
      buy: tick.depth.buy.length > levels ? tick.depth.buy.slice(0, levels) : tick.depth.buy,
      sell: tick.depth.sell.length > levels ? tick.depth.sell.slice(0, levels) : tick.depth.sell,
    };
  }
  return data;
}
