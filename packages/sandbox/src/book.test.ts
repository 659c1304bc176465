import type { Tick } from '@openalgo/shared-types';
import { describe, expect, it } from 'vitest';
import { type BookEvent, OrderBooks, type WorkingOrder } from './book.js';

let sequence = 0;
function working(overrides: Partial<WorkingOrder>): WorkingOrder {
  sequence += 1;
  const limit = overrides.limitText ?? '0';
  const trigger = overrides.triggerText ?? '0';
  return {
    orderid: `o${sequence}`,
    userId: 1,
    action: 'BUY',
    priceType: 'LIMIT',
    product: 'MIS',
    status: 'open',
    limitText: limit,
    limit: Number(limit),
    triggerText: trigger,
    trigger: Number(trigger),
    sequence,
    ...overrides,
  };
}

function tick(symbol: string, ltp: number, depth?: { bid: number; ask: number }): Tick {
  return {
    symbol,
    exchange: 'NSE',
    mode: depth ? 'depth' : 'ltp',
    ltp,
    timestamp: 0,
    ...(depth
      ? {
          depth: {
            buy: [{ price: depth.bid, quantity: 1, orders: 1 }],
            sell: [{ price: depth.ask, quantity: 1, orders: 1 }],
          },
        }
      : {}),
  };
}

function apply(books: OrderBooks, value: Tick): BookEvent[] {
  const events: BookEvent[] = [];
  books.applyTick(value, events);
  return events;
}

describe('order book', () => {
  it('a tick touches only the orders of its own symbol', () => {
    const books = new OrderBooks();
    books.ensure('NSE', 'AAA').add(working({ limitText: '100' }));
    books.ensure('NSE', 'BBB').add(working({ limitText: '100' }));
    apply(books, tick('AAA', 101));
    apply(books, tick('BBB', 101));
    const events = apply(books, tick('AAA', 99));
    expect(events.map((event) => event.kind === 'fill' && event.order.limitText)).toEqual(['100']);
    expect(books.get('NSE', 'BBB')?.size).toBe(1);
  });

  it('fills a traded-through buy limit at its price, best price and earliest first', () => {
    const books = new OrderBooks();
    const book = books.ensure('NSE', 'AAA');
    const low = working({ limitText: '98' });
    const first = working({ limitText: '100' });
    const second = working({ limitText: '100' });
    book.add(low);
    book.add(second);
    book.add(first);
    apply(books, tick('AAA', 102));
    const events = apply(books, tick('AAA', 99.5));
    // Same price: the one created first (lower sequence) fills first, whatever the insert order.
    expect(
      events.map((event) => (event.kind === 'fill' ? [event.order.orderid, event.priceText] : null)),
    ).toEqual([
      [first.orderid, '100'],
      [second.orderid, '100'],
    ]);
    expect(book.buyLimits).toEqual([low]);
  });

  it('fills at the LTP an order that never had the market on its other side', () => {
    const books = new OrderBooks();
    books.ensure('NSE', 'AAA').add(working({ action: 'SELL', limitText: '100' }));
    const events = apply(books, tick('AAA', 103.25));
    expect(events).toEqual([
      expect.objectContaining({ kind: 'fill', priceText: '103.25', low: 103.25, high: 103.25 }),
    ]);
  });

  it('fills MARKET and SL-M orders at the touch: the ask for a buy, the bid for a sell', () => {
    const books = new OrderBooks();
    const book = books.ensure('NSE', 'AAA');
    book.add(working({ priceType: 'SL-M', action: 'SELL', status: 'trigger pending', triggerText: '101' }));
    apply(books, tick('AAA', 105));
    book.add(working({ priceType: 'MARKET' }));
    const events = apply(books, tick('AAA', 100, { bid: 99.95, ask: 100.05 }));
    expect(events.map((event) => (event.kind === 'fill' ? event.priceText : event.kind))).toEqual([
      '100.05',
      '99.95',
    ]);
  });

  it('turns a stop whose limit the market passed into a resting limit', () => {
    const books = new OrderBooks();
    const book = books.ensure('NSE', 'AAA');
    book.add(working({ priceType: 'SL', status: 'trigger pending', triggerText: '105', limitText: '106' }));
    apply(books, tick('AAA', 100));
    const triggered = apply(books, tick('AAA', 108));
    expect(triggered).toEqual([expect.objectContaining({ kind: 'triggered' })]);
    expect(book.buyLimits).toHaveLength(1);
    expect(apply(books, tick('AAA', 107))).toEqual([]);
    expect(apply(books, tick('AAA', 105.5))).toEqual([
      expect.objectContaining({ kind: 'fill', priceText: '106' }),
    ]);
  });

  it('fires GTT legs in their direction only', () => {
    const books = new OrderBooks();
    const book = books.ensure('NSE', 'AAA');
    book.addLeg({
      legId: 1,
      gttId: 'g',
      userId: 1,
      direction: 'below',
      triggerText: '95',
      trigger: 95,
      sequence: 1,
    });
    book.addLeg({
      legId: 2,
      gttId: 'g',
      userId: 1,
      direction: 'above',
      triggerText: '110',
      trigger: 110,
      sequence: 2,
    });
    expect(apply(books, tick('AAA', 100))).toEqual([]);
    expect(apply(books, tick('AAA', 94))).toEqual([
      expect.objectContaining({ kind: 'gtt', priceText: '94' }),
    ]);
    expect(book.removeLegs('g')).toBe(1);
  });

  it('removes an order by id from whichever list holds it', () => {
    const books = new OrderBooks();
    const book = books.ensure('NSE', 'AAA');
    const stop = working({ priceType: 'SL-M', status: 'trigger pending', triggerText: '101' });
    book.add(stop);
    expect(book.remove(stop.orderid)).toBe(stop);
    expect(book.remove(stop.orderid)).toBeUndefined();
    expect(book.size).toBe(0);
  });
});
