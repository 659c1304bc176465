import type { Action, PriceType, Product, Tick } from '@openalgo/shared-types';

/**
 * The fill engine's hot path: working orders and GTT legs indexed per symbol, each side kept
 * sorted so a tick looks only at the head of each list. A tick touches nothing but its own
 * symbol's book, and nothing here touches the database: a crossing order leaves the book
 * and becomes a `BookEvent`, which the sandbox then books in one transaction.
 *
 * Prices are compared as JS numbers, never added or multiplied: the decimal strings the
 * orders carry and the tick's number round to the nearest double monotonically, so `≤` and
 * `≥` keep their meaning. Every amount is computed from the decimal strings.
 */

export interface WorkingOrder {
  orderid: string;
  userId: number;
  action: Action;
  priceType: PriceType;
  product: Product;
  status: 'open' | 'trigger pending';
  /** Limit price (LIMIT, SL) as text and as a number for comparisons. */
  limitText: string;
  limit: number;
  triggerText: string;
  trigger: number;
  /** Arrival order: earlier orders fill first at the same price. */
  sequence: number;
}

export interface WorkingGttLeg {
  legId: number;
  gttId: string;
  userId: number;
  direction: 'below' | 'above';
  triggerText: string;
  trigger: number;
  sequence: number;
}

export type BookEvent =
  | { kind: 'fill'; order: WorkingOrder; priceText: string; low: number; high: number }
  | { kind: 'triggered'; order: WorkingOrder }
  | { kind: 'gtt'; leg: WorkingGttLeg; priceText: string };

export interface Touch {
  ltp: number;
  ltpText: string;
  bid?: number;
  bidText?: string;
  ask?: number;
  askText?: string;
  at: number;
}

type Compare<T> = (left: T, right: T) => number;

/** Inserts keeping `list` sorted by `compare`; equal keys keep arrival order. */
function insertSorted<T>(list: T[], item: T, compare: Compare<T>): void {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const existing = list[middle] as T;
    if (compare(existing, item) <= 0) {
      low = middle + 1;
    } else {
      high = middle;
    }
  }
  list.splice(low, 0, item);
}

function removeWhere<T>(list: T[], isTarget: (item: T) => boolean): T | undefined {
  const index = list.findIndex(isTarget);
  if (index < 0) {
    return undefined;
  }
  return list.splice(index, 1)[0];
}

const byLimitDescending: Compare<WorkingOrder> = (a, b) => b.limit - a.limit || a.sequence - b.sequence;
const byLimitAscending: Compare<WorkingOrder> = (a, b) => a.limit - b.limit || a.sequence - b.sequence;
const byTriggerAscending: Compare<WorkingOrder> = (a, b) => a.trigger - b.trigger || a.sequence - b.sequence;
const byTriggerDescending: Compare<WorkingOrder> = (a, b) => b.trigger - a.trigger || a.sequence - b.sequence;
const legAscending: Compare<WorkingGttLeg> = (a, b) => a.trigger - b.trigger || a.sequence - b.sequence;
const legDescending: Compare<WorkingGttLeg> = (a, b) => b.trigger - a.trigger || a.sequence - b.sequence;

/** The touch a market order executes at: best ask for a buy, best bid for a sell, else the LTP. */
export function touchPrice(touch: Touch, action: Action): { price: number; text: string } {
  if (action === 'BUY' && touch.ask !== undefined && touch.askText !== undefined && touch.ask > 0) {
    return { price: touch.ask, text: touch.askText };
  }
  if (action === 'SELL' && touch.bid !== undefined && touch.bidText !== undefined && touch.bid > 0) {
    return { price: touch.bid, text: touch.bidText };
  }
  return { price: touch.ltp, text: touch.ltpText };
}

/**
 * A touch made from a tick. The hot path allocates one small object per tick; the LTP's
 * text (needed only when something fills or a position is marked) is made on first use.
 */
class TickTouch implements Touch {
  readonly ltp: number;
  readonly at: number;
  readonly bid?: number;
  readonly bidText?: string;
  readonly ask?: number;
  readonly askText?: string;
  #ltpText: string | undefined;

  constructor(tick: Tick) {
    this.ltp = tick.ltp;
    this.at = tick.timestamp;
    const depth = tick.depth;
    if (depth) {
      const bid = depth.buy[0]?.price;
      const ask = depth.sell[0]?.price;
      if (bid !== undefined && bid > 0) {
        this.bid = bid;
        this.bidText = String(bid);
      }
      if (ask !== undefined && ask > 0) {
        this.ask = ask;
        this.askText = String(ask);
      }
    }
  }

  get ltpText(): string {
    if (this.#ltpText === undefined) {
      this.#ltpText = String(this.ltp);
    }
    return this.#ltpText;
  }
}

export function touchFromTick(tick: Tick): Touch {
  return new TickTouch(tick);
}

export class SymbolBook {
  readonly buyLimits: WorkingOrder[] = [];
  readonly sellLimits: WorkingOrder[] = [];
  /** Trigger-pending buys fire when the LTP rises to their trigger. */
  readonly buyStops: WorkingOrder[] = [];
  /** Trigger-pending sells fire when the LTP falls to their trigger. */
  readonly sellStops: WorkingOrder[] = [];
  /** Market orders still waiting for a price (a restart, or no quote at placement). */
  readonly markets: WorkingOrder[] = [];
  readonly gttAbove: WorkingGttLeg[] = [];
  readonly gttBelow: WorkingGttLeg[] = [];
  touch: Touch | undefined;

  get size(): number {
    return (
      this.buyLimits.length +
      this.sellLimits.length +
      this.buyStops.length +
      this.sellStops.length +
      this.markets.length +
      this.gttAbove.length +
      this.gttBelow.length
    );
  }

  add(order: WorkingOrder): void {
    if (order.priceType === 'MARKET') {
      this.markets.push(order);
    } else if (order.status === 'trigger pending') {
      if (order.action === 'BUY') {
        insertSorted(this.buyStops, order, byTriggerAscending);
      } else {
        insertSorted(this.sellStops, order, byTriggerDescending);
      }
    } else if (order.action === 'BUY') {
      insertSorted(this.buyLimits, order, byLimitDescending);
    } else {
      insertSorted(this.sellLimits, order, byLimitAscending);
    }
  }

  remove(orderid: string): WorkingOrder | undefined {
    const isTarget = (order: WorkingOrder) => order.orderid === orderid;
    return (
      removeWhere(this.buyLimits, isTarget) ??
      removeWhere(this.sellLimits, isTarget) ??
      removeWhere(this.buyStops, isTarget) ??
      removeWhere(this.sellStops, isTarget) ??
      removeWhere(this.markets, isTarget)
    );
  }

  addLeg(leg: WorkingGttLeg): void {
    if (leg.direction === 'above') {
      insertSorted(this.gttAbove, leg, legAscending);
    } else {
      insertSorted(this.gttBelow, leg, legDescending);
    }
  }

  /** Removes a GTT's legs; returns how many there were. */
  removeLegs(gttId: string): number {
    let removed = 0;
    for (const list of [this.gttAbove, this.gttBelow]) {
      for (let index = list.length - 1; index >= 0; index -= 1) {
        if (list[index]?.gttId === gttId) {
          list.splice(index, 1);
          removed += 1;
        }
      }
    }
    return removed;
  }

  /**
   * Applies one tick: every order or leg it crosses leaves the book and is returned.
   * `previous` is the last price seen before this tick (the range the market traversed).
   */
  match(touch: Touch, events: BookEvent[]): void {
    const previous = this.touch;
    this.touch = touch;
    const ltp = touch.ltp;
    const low = previous ? Math.min(previous.ltp, ltp) : ltp;
    const high = previous ? Math.max(previous.ltp, ltp) : ltp;

    while (this.markets.length > 0) {
      const order = this.markets.shift() as WorkingOrder;
      const fill = touchPrice(touch, order.action);
      events.push({
        kind: 'fill',
        order,
        priceText: fill.text,
        low: Math.min(low, fill.price),
        high: Math.max(high, fill.price),
      });
    }

    // Stops first: a trigger can turn into a limit that the same price does not reach.
    for (let head = this.buyStops[0]; head !== undefined && ltp >= head.trigger; head = this.buyStops[0]) {
      this.buyStops.shift();
      this.#triggered(head, touch, low, high, events);
    }
    for (let head = this.sellStops[0]; head !== undefined && ltp <= head.trigger; head = this.sellStops[0]) {
      this.sellStops.shift();
      this.#triggered(head, touch, low, high, events);
    }

    // A resting limit fills at its own price when the market traded through it; when it was
    // never on the other side of the market (no earlier price), at the better LTP.
    for (let head = this.buyLimits[0]; head !== undefined && ltp <= head.limit; head = this.buyLimits[0]) {
      this.buyLimits.shift();
      const hasCrossed = previous !== undefined && previous.ltp >= head.limit;
      events.push({
        kind: 'fill',
        order: head,
        priceText: hasCrossed ? head.limitText : touch.ltpText,
        low,
        high,
      });
    }
    for (let head = this.sellLimits[0]; head !== undefined && ltp >= head.limit; head = this.sellLimits[0]) {
      this.sellLimits.shift();
      const hasCrossed = previous !== undefined && previous.ltp <= head.limit;
      events.push({
        kind: 'fill',
        order: head,
        priceText: hasCrossed ? head.limitText : touch.ltpText,
        low,
        high,
      });
    }

    for (let head = this.gttAbove[0]; head !== undefined && ltp >= head.trigger; head = this.gttAbove[0]) {
      this.gttAbove.shift();
      events.push({ kind: 'gtt', leg: head, priceText: touch.ltpText });
    }
    for (let head = this.gttBelow[0]; head !== undefined && ltp <= head.trigger; head = this.gttBelow[0]) {
      this.gttBelow.shift();
      events.push({ kind: 'gtt', leg: head, priceText: touch.ltpText });
    }
  }

  #triggered(order: WorkingOrder, touch: Touch, low: number, high: number, events: BookEvent[]): void {
    if (order.priceType === 'SL-M') {
      const fill = touchPrice(touch, order.action);
      events.push({
        kind: 'fill',
        order,
        priceText: fill.text,
        low: Math.min(low, fill.price),
        high: Math.max(high, fill.price),
      });
      return;
    }
    const isWithinLimit = order.action === 'BUY' ? touch.ltp <= order.limit : touch.ltp >= order.limit;
    if (isWithinLimit) {
      events.push({ kind: 'fill', order, priceText: touch.ltpText, low, high });
      return;
    }
    // SL whose limit the market has already passed: it now rests as a limit order.
    const resting: WorkingOrder = { ...order, status: 'open' };
    this.add(resting);
    events.push({ kind: 'triggered', order: resting });
  }
}

/** All books, by exchange then symbol: a tick costs two map lookups and no allocation. */
export class OrderBooks {
  readonly #books = new Map<string, Map<string, SymbolBook>>();

  get(exchange: string, symbol: string): SymbolBook | undefined {
    return this.#books.get(exchange)?.get(symbol);
  }

  ensure(exchange: string, symbol: string): SymbolBook {
    let byExchange = this.#books.get(exchange);
    if (!byExchange) {
      byExchange = new Map();
      this.#books.set(exchange, byExchange);
    }
    let book = byExchange.get(symbol);
    if (!book) {
      book = new SymbolBook();
      byExchange.set(symbol, book);
    }
    return book;
  }

  /** Matches a tick against its symbol's book only. Returns how many events it produced. */
  applyTick(tick: Tick, events: BookEvent[]): number {
    const before = events.length;
    const book = this.#books.get(tick.exchange)?.get(tick.symbol);
    if (book) {
      book.match(touchFromTick(tick), events);
    } else {
      // Remember the price anyway: market orders and MTM read it.
      this.ensure(tick.exchange, tick.symbol).touch = touchFromTick(tick);
    }
    return events.length - before;
  }

  /** Orders and legs held, across all books. */
  get size(): number {
    let total = 0;
    for (const byExchange of this.#books.values()) {
      for (const book of byExchange.values()) {
        total += book.size;
      }
    }
    return total;
  }

  clear(): void {
    this.#books.clear();
  }
}
