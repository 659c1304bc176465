import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RestingBook, type RestingOrder } from './resting-book.js';

interface Order extends RestingOrder {
  id: number;
}

/** What a naive scan over every resting order would consider movable at this market. */
function naiveActionable(orders: readonly Order[], ltp: number, bid: number, ask: number): Set<number> {
  const ids = new Set<number>();
  for (const order of orders) {
    if (order.status === 'trigger pending') {
      if (order.action === 'BUY' ? ltp >= order.triggerPips : ltp <= order.triggerPips) {
        ids.add(order.id);
      }
    } else if (order.activeType === 'LIMIT') {
      if (order.action === 'BUY' ? ask > 0 && order.pricePips >= ask : bid > 0 && order.pricePips <= bid) {
        ids.add(order.id);
      }
    } else {
      ids.add(order.id);
    }
  }
  return ids;
}

const orderArbitrary = fc.record({
  action: fc.constantFrom<'BUY' | 'SELL'>('BUY', 'SELL'),
  kind: fc.constantFrom('stop', 'limit', 'market'),
  pricePips: fc.integer({ min: 90, max: 110 }),
  triggerPips: fc.integer({ min: 90, max: 110 }),
});

type OrderSpec = typeof orderArbitrary extends fc.Arbitrary<infer Spec> ? Spec : never;

const toOrder = (id: number, spec: OrderSpec): Order => ({
  id,
  action: spec.action,
  status: spec.kind === 'stop' ? 'trigger pending' : 'open',
  activeType: spec.kind === 'stop' ? null : spec.kind === 'limit' ? 'LIMIT' : 'MARKET',
  pricePips: spec.pricePips,
  triggerPips: spec.triggerPips,
});

describe('RestingBook', () => {
  it('hands a tick exactly the orders a scan of every order would find, after any adds, changes and removals', () => {
    const step = fc.oneof(
      fc.record({ op: fc.constant('add' as const), order: orderArbitrary }),
      fc.record({ op: fc.constant('remove' as const), pick: fc.nat() }),
      fc.record({ op: fc.constant('change' as const), pick: fc.nat(), order: orderArbitrary }),
      fc.record({
        op: fc.constant('reprice' as const),
        pick: fc.nat(),
        pips: fc.integer({ min: 90, max: 110 }),
      }),
      fc.record({ op: fc.constant('tick' as const), ltp: fc.integer({ min: 85, max: 115 }) }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 120 }), (steps) => {
        const book = new RestingBook<Order>();
        const live: Order[] = [];
        let nextId = 1;
        for (const entry of steps) {
          if (entry.op === 'add') {
            const order = toOrder(nextId, entry.order);
            nextId += 1;
            expect(book.add(order)).toBe(true);
            expect(book.add(order)).toBe(false);
            live.push(order);
          } else if (entry.op === 'remove' && live.length > 0) {
            const [order] = live.splice(entry.pick % live.length, 1) as [Order];
            expect(book.remove(order)).toBe(true);
            expect(book.remove(order)).toBe(false);
          } else if (entry.op === 'change' && live.length > 0) {
            // A modify or a trigger: the order's fields change in place, then it is re-filed.
            const order = live[entry.pick % live.length] as Order;
            Object.assign(order, toOrder(order.id, entry.order));
            book.refile(order);
          } else if (entry.op === 'reprice' && live.length > 0) {
            // A modify that moves only the price and the trigger: same side of the book.
            const order = live[entry.pick % live.length] as Order;
            order.pricePips = entry.pips;
            order.triggerPips = entry.pips;
            book.refile(order);
          } else if (entry.op === 'tick') {
            const bid = entry.ltp - 1;
            const ask = entry.ltp + 1;
            const found = book.actionable(entry.ltp, bid, ask).map((order) => order.id);
            expect(new Set(found).size).toBe(found.length);
            expect(new Set(found)).toEqual(naiveActionable(live, entry.ltp, bid, ask));
          }
          expect(book.size).toBe(live.length);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('orders limits best price first and, at one price, by time; stops from the nearest trigger', () => {
    const book = new RestingBook<Order>();
    const limit = (id: number, action: 'BUY' | 'SELL', pricePips: number): Order => ({
      id,
      action,
      status: 'open',
      activeType: 'LIMIT',
      pricePips,
      triggerPips: 0,
    });
    const stop = (id: number, action: 'BUY' | 'SELL', triggerPips: number): Order => ({
      id,
      action,
      status: 'trigger pending',
      activeType: null,
      pricePips: 0,
      triggerPips,
    });
    for (const order of [
      limit(1, 'BUY', 100),
      limit(2, 'BUY', 102),
      limit(3, 'BUY', 100),
      limit(4, 'SELL', 99),
      limit(5, 'SELL', 97),
      stop(6, 'BUY', 95),
      stop(7, 'BUY', 90),
      stop(8, 'SELL', 105),
      stop(9, 'SELL', 110),
    ]) {
      book.add(order);
    }
    // A market far away moves nothing: the book does not hand out its 9 orders.
    expect(book.actionable(200, 0, 0).map((order) => order.id)).toEqual([7, 6]);
    expect(book.actionable(100, 99, 100).map((order) => order.id)).toEqual([7, 6, 9, 8, 2, 1, 3, 5, 4]);
    expect(book.actionable(101, 100, 102).map((order) => order.id)).toEqual([7, 6, 9, 8, 2, 5, 4]);
  });
});
