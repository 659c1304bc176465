/**
 * The resting orders of one instrument, kept so that a tick looks only at the orders it can
 * move: stops sorted by trigger, limits sorted by price (best first), and open market
 * remainders. A tick with nothing near the market costs O(1) however many orders rest.
 * Within one price, orders keep their time priority.
 */

/** What the book needs of an order; the exchange's orders carry more. */
export interface RestingOrder {
  action: 'BUY' | 'SELL';
  status: string;
  activeType: 'MARKET' | 'LIMIT' | null;
  pricePips: number;
  triggerPips: number;
}

type Side = 'buyStops' | 'sellStops' | 'buyLimits' | 'sellLimits' | 'markets';

interface Placement {
  side: Side;
  key: number;
  sequence: number;
}

/** True when `a` sorts before `b` in a side's list (ties: earlier sequence first). */
function isBefore(side: Side, a: Placement, b: Placement): boolean {
  if (a.key !== b.key) {
    // Buy stops trigger from the lowest trigger up, sell stops from the highest down; buy
    // limits fill from the highest price, sell limits from the lowest.
    return side === 'buyStops' || side === 'sellLimits' ? a.key < b.key : a.key > b.key;
  }
  return a.sequence < b.sequence;
}

export class RestingBook<Order extends RestingOrder> {
  readonly #lists: Record<Side, Order[]> = {
    buyStops: [],
    sellStops: [],
    buyLimits: [],
    sellLimits: [],
    markets: [],
  };
  readonly #placed = new Map<Order, Placement>();
  #sequence = 0;

  get size(): number {
    return this.#placed.size;
  }

  has(order: Order): boolean {
    return this.#placed.has(order);
  }

  /** Files an order under its current state; returns false when it is already in the book. */
  add(order: Order): boolean {
    if (this.#placed.has(order)) {
      return false;
    }
    this.#sequence += 1;
    this.#insert(order, this.#sequence);
    return true;
  }

  /** Removes an order wherever it was filed (its fields may have changed since). */
  remove(order: Order): boolean {
    const placement = this.#placed.get(order);
    if (!placement) {
      return false;
    }
    const list = this.#lists[placement.side];
    const index = this.#indexOf(list, placement.side, placement, order);
    if (index >= 0) {
      list.splice(index, 1);
    }
    this.#placed.delete(order);
    return true;
  }

  /** Re-files an order after its price, trigger or state changed, keeping its time priority. */
  refile(order: Order): void {
    const placement = this.#placed.get(order);
    if (!placement) {
      return;
    }
    const next = this.#placementOf(order, placement.sequence);
    if (next.side === placement.side && next.key === placement.key) {
      return;
    }
    this.remove(order);
    this.#insert(order, placement.sequence);
  }

  /**
   * The orders this market may move, in the order they act: triggered stops first (a trigger
   * can turn into a limit the same price does not reach), then marketable limits best price
   * first, then open market remainders. A superset is fine (the exchange checks depth); an
   * order left out would be a missed fill, so the bounds are the widest the depth allows.
   */
  actionable(ltp: number, bestBid: number, bestAsk: number): Order[] {
    const result: Order[] = [];
    const { buyStops, sellStops, buyLimits, sellLimits, markets } = this.#lists;
    for (const order of buyStops) {
      if (order.triggerPips > ltp) {
        break;
      }
      result.push(order);
    }
    for (const order of sellStops) {
      if (order.triggerPips < ltp) {
        break;
      }
      result.push(order);
    }
    for (const order of buyLimits) {
      if (!(bestAsk > 0) || order.pricePips < bestAsk) {
        break;
      }
      result.push(order);
    }
    for (const order of sellLimits) {
      if (!(bestBid > 0) || order.pricePips > bestBid) {
        break;
      }
      result.push(order);
    }
    result.push(...markets);
    return result;
  }

  #placementOf(order: Order, sequence: number): Placement {
    if (order.status === 'trigger pending') {
      return { side: order.action === 'BUY' ? 'buyStops' : 'sellStops', key: order.triggerPips, sequence };
    }
    if (order.activeType === 'LIMIT') {
      return { side: order.action === 'BUY' ? 'buyLimits' : 'sellLimits', key: order.pricePips, sequence };
    }
    return { side: 'markets', key: 0, sequence };
  }

  #insert(order: Order, sequence: number): void {
    const placement = this.#placementOf(order, sequence);
    const list = this.#lists[placement.side];
    // Binary search for the first position whose order sorts after this one.
    let low = 0;
    let high = list.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const other = this.#placed.get(list[middle] as Order) as Placement;
      if (isBefore(placement.side, other, placement)) {
        low = middle + 1;
      } else {
        high = middle;
      }
    }
    list.splice(low, 0, order);
    this.#placed.set(order, placement);
  }

  #indexOf(list: Order[], side: Side, placement: Placement, order: Order): number {
    let low = 0;
    let high = list.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const other = this.#placed.get(list[middle] as Order) as Placement;
      if (isBefore(side, other, placement)) {
        low = middle + 1;
      } else {
        high = middle;
      }
    }
    return list[low] === order ? low : list.indexOf(order);
  }
}
