import { randomBytes } from 'node:crypto';
import { type Dec, toDecimal } from '@openalgo/shared-types/decimal';

/**
 * The state behind the fake Paper API: instruments with a settable price, an order book that
 * fills against that price, trades, positions, holdings and cash. Replace it with a model of
 * your broker's real behaviour as you learn it (statuses, rejections, quirks).
 */

export interface PaperInstrument {
  symbol: string;
  exchange: string;
  token: string;
  kind: 'EQ' | 'INDEX';
  lot: number;
  tick: string;
  price: Dec;
}

export interface PaperOrder {
  id: string;
  instrument: PaperInstrument;
  side: 'BUY' | 'SELL';
  qty: number;
  filled: number;
  type: 'MARKET' | 'LIMIT' | 'SL';
  price: Dec;
  trigger: Dec;
  product: string;
  tag: string;
  state: 'OPEN' | 'TRIGGER_PENDING' | 'FILLED' | 'CANCELLED' | 'REJECTED';
  reason: string;
  avg: Dec;
  createdAt: number;
  updatedAt: number;
}

export interface PaperTrade {
  id: string;
  orderId: string;
  instrument: PaperInstrument;
  side: 'BUY' | 'SELL';
  qty: number;
  price: Dec;
  product: string;
  at: number;
}

/** An error the fake API answers with: HTTP status and the API's own error code. */
export class PaperApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class PaperExchange {
  readonly instruments: PaperInstrument[] = [
    {
      symbol: 'SBIN',
      exchange: 'NSE',
      token: '3045',
      kind: 'EQ',
      lot: 1,
      tick: '0.05',
      price: toDecimal('812.35'),
    },
    {
      symbol: 'INFY',
      exchange: 'NSE',
      token: '1594',
      kind: 'EQ',
      lot: 1,
      tick: '0.05',
      price: toDecimal('1500'),
    },
    {
      symbol: 'NIFTY',
      exchange: 'NSE_INDEX',
      token: '26000',
      kind: 'INDEX',
      lot: 1,
      tick: '0.05',
      price: toDecimal('24310.5'),
    },
  ];
  readonly orders = new Map<string, PaperOrder>();
  readonly trades: PaperTrade[] = [];
  readonly holdings: Array<{ instrument: PaperInstrument; qty: number; avg: Dec }> = [];
  cash = toDecimal('1000000');
  #sequence = 0;

  constructor(readonly now: () => number) {
    const infy = this.instruments[1];
    if (infy) {
      this.holdings.push({ instrument: infy, qty: 10, avg: toDecimal('1400') });
    }
  }

  nextId(prefix: string): string {
    this.#sequence += 1;
    return `${prefix}${String(this.#sequence).padStart(6, '0')}${randomBytes(2).toString('hex')}`;
  }

  find(exchange: string, symbol: string): PaperInstrument {
    const instrument = this.instruments.find((row) => row.exchange === exchange && row.symbol === symbol);
    if (!instrument) {
      throw new PaperApiError(400, 'UNKNOWN_SYMBOL', `No instrument ${exchange}:${symbol}`);
    }
    return instrument;
  }

  order(id: string): PaperOrder {
    const order = this.orders.get(id);
    if (!order) {
      throw new PaperApiError(404, 'ORDER_NOT_FOUND', `No order ${id}`);
    }
    return order;
  }

  place(input: {
    symbol: string;
    exchange: string;
    side: 'BUY' | 'SELL';
    qty: number;
    type: PaperOrder['type'];
    price: string;
    trigger: string;
    product: string;
    tag: string;
  }): PaperOrder {
    const instrument = this.find(input.exchange, input.symbol);
    if (instrument.kind === 'INDEX') {
      throw new PaperApiError(400, 'INVALID_ORDER', 'Indices cannot be traded');
    }
    if (!Number.isInteger(input.qty) || input.qty <= 0 || input.qty % instrument.lot !== 0) {
      throw new PaperApiError(
        400,
        'INVALID_ORDER',
        `Quantity must be a positive multiple of ${instrument.lot}`,
      );
    }
    const price = toDecimal(input.type === 'MARKET' ? '0' : input.price);
    const reference = input.type === 'MARKET' ? instrument.price : price;
    if (input.side === 'BUY' && reference.mul(input.qty).gt(this.cash)) {
      throw new PaperApiError(
        400,
        'INSUFFICIENT_FUNDS',
        `Insufficient funds: need ${reference.mul(input.qty).toString()}`,
      );
    }
    const now = this.now();
    const order: PaperOrder = {
      id: this.nextId('P'),
      instrument,
      side: input.side,
      qty: input.qty,
      filled: 0,
      type: input.type,
      price,
      trigger: toDecimal(input.type === 'SL' ? input.trigger : '0'),
      product: input.product,
      tag: input.tag,
      state: input.type === 'SL' ? 'TRIGGER_PENDING' : 'OPEN',
      reason: '',
      avg: toDecimal(0),
      createdAt: now,
      updatedAt: now,
    };
    this.orders.set(order.id, order);
    this.match(order);
    return order;
  }

  modify(
    id: string,
    change: { qty: number; price: string; trigger: string; type: PaperOrder['type'] },
  ): PaperOrder {
    const order = this.order(id);
    if (order.state !== 'OPEN' && order.state !== 'TRIGGER_PENDING') {
      throw new PaperApiError(400, 'INVALID_ORDER', `Order ${id} is ${order.state}`);
    }
    order.qty = change.qty;
    order.type = change.type;
    order.price = toDecimal(change.type === 'MARKET' ? '0' : change.price);
    order.trigger = toDecimal(change.type === 'SL' ? change.trigger : '0');
    order.updatedAt = this.now();
    this.match(order);
    return order;
  }

  cancel(id: string): PaperOrder {
    const order = this.order(id);
    if (order.state !== 'OPEN' && order.state !== 'TRIGGER_PENDING') {
      throw new PaperApiError(400, 'INVALID_ORDER', `Order ${id} is ${order.state}`);
    }
    order.state = 'CANCELLED';
    order.updatedAt = this.now();
    return order;
  }

  fill(order: PaperOrder, qty: number, price: Dec): void {
    order.avg = order.avg
      .mul(order.filled)
      .add(price.mul(qty))
      .div(order.filled + qty);
    order.filled += qty;
    order.updatedAt = this.now();
    this.cash = order.side === 'BUY' ? this.cash.sub(price.mul(qty)) : this.cash.add(price.mul(qty));
    this.trades.push({
      id: this.nextId('T'),
      orderId: order.id,
      instrument: order.instrument,
      side: order.side,
      qty,
      price,
      product: order.product,
      at: order.updatedAt,
    });
    if (order.filled === order.qty) {
      order.state = 'FILLED';
    }
  }

  /** Triggers stop orders and fills marketable ones at the instrument's price. */
  match(order: PaperOrder): void {
    const ltp = order.instrument.price;
    if (order.state === 'TRIGGER_PENDING') {
      const isTriggered = order.side === 'BUY' ? ltp.gte(order.trigger) : ltp.lte(order.trigger);
      if (!isTriggered) {
        return;
      }
      order.state = 'OPEN';
    }
    if (order.state !== 'OPEN') {
      return;
    }
    const isMarketable =
      order.type === 'MARKET' || (order.side === 'BUY' ? order.price.gte(ltp) : order.price.lte(ltp));
    if (isMarketable) {
      this.fill(order, order.qty - order.filled, order.type === 'MARKET' ? ltp : order.price);
    }
  }
}
