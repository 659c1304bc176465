import { TZDate } from '@date-fns/tz';
import {
  BadSymbolError,
  InsufficientFundsError,
  InvalidOrderError,
  type Logger,
  OrderNotFoundError,
} from '@openalgo/broker-sdk';
import type { Action, Exchange, OrderStatus, PriceType, Product, Tick } from '@openalgo/shared-types';
import { type DepthLevelPips, isMarketOpen, Market, type MarketState } from './market.js';
import { RestingBook } from './resting-book.js';
import { buildUniverse, PIPS_PER_RUPEE, type SimInstrument } from './universe.js';

/**
 * The simulated exchange and the one account trading on it: orders and their matching
 * against depth (partial fills), stop triggers, GTTs, trades, positions, holdings and funds.
 * All money is integer pips (1/10,000 rupee); conversion to decimal strings happens at the
 * adapter edge.
 */

export interface SimOrder {
  orderId: string;
  clientOrderId: string;
  instrument: SimInstrument;
  action: Action;
  product: Product;
  priceType: PriceType;
  /** Price type after a stop triggered (LIMIT for SL, MARKET for SL-M). */
  activeType: 'MARKET' | 'LIMIT' | null;
  quantity: number;
  filledQuantity: number;
  pricePips: number;
  triggerPips: number;
  filledValuePips: number;
  status: OrderStatus;
  rejectionReason: string;
  variety: string;
  placedAt: number;
  updatedAt: number;
  /** Margin currently blocked for the unfilled part. */
  blockedPips: number;
}

export interface SimTrade {
  tradeId: string;
  orderId: string;
  instrument: SimInstrument;
  action: Action;
  product: Product;
  quantity: number;
  pricePips: number;
  tradedAt: number;
}

export interface SimPosition {
  instrument: SimInstrument;
  product: Product;
  netQuantity: number;
  /** Average price of the open quantity, pips (exact: kept as value / quantity on demand). */
  openValuePips: number;
  buyQuantity: number;
  buyValuePips: number;
  sellQuantity: number;
  sellValuePips: number;
  realizedPips: number;
  /** IST date (YYYY-MM-DD) of the first trade, for T+1 settlement of CNC. */
  tradeDate: string;
}

export interface SimHolding {
  instrument: SimInstrument;
  quantity: number;
  averagePips: number;
}

export interface SimGtt {
  triggerId: string;
  instrument: SimInstrument;
  triggerType: 'single' | 'two-leg';
  status: 'active' | 'triggered' | 'cancelled' | 'expired';
  lastPricePips: number;
  legs: Array<{
    triggerPips: number;
    pricePips: number;
    quantity: number;
    action: Action;
    priceType: 'LIMIT' | 'MARKET';
    product: Product;
  }>;
  createdAt: number;
  expiresAt: number | undefined;
  orderIds: string[];
}

export interface ExchangeOptions {
  seed: number;
  now: () => number;
  /** Ignore market hours (demos, tests). */
  alwaysOpen: boolean;
  /** Starting cash in rupees. */
  startingCash: number;
  logger?: Logger | undefined;
  strikesEachSide?: number | undefined;
}

export interface PlaceInput {
  instrument: SimInstrument;
  action: Action;
  product: Product;
  priceType: PriceType;
  quantity: number;
  pricePips: number;
  triggerPips: number;
  clientOrderId: string;
  amo?: boolean | undefined;
}

export type OrderListener = (order: SimOrder) => void;
export type TickListener = (index: number, state: MarketState) => void;

const INDEX_TYPES = new Set(['INDEX']);

function istDateText(now: number): string {
  const local = new TZDate(now, 'Asia/Kolkata');
  return `${local.getFullYear()}-${String(local.getMonth() + 1).padStart(2, '0')}-${String(local.getDate()).padStart(2, '0')}`;
}

/** Margin rate (percent of notional) by product and instrument kind. */
function marginRatePercent(instrument: SimInstrument, product: Product, action: Action): number {
  const isOption = instrument.instrumentType === 'CE' || instrument.instrumentType === 'PE';
  if (isOption && action === 'BUY') {
    return 100;
  }
  if (instrument.instrumentType === 'EQ') {
    return product === 'MIS' ? 20 : 100;
  }
  // Futures and short options: exchange-style SPAN approximations.
  return product === 'MIS' ? 8 : 15;
}

export class SimExchange {
  readonly market: Market;
  readonly instruments: readonly SimInstrument[];
  readonly #options: ExchangeOptions;
  readonly #bySymbol = new Map<string, SimInstrument>();
  readonly #byToken = new Map<string, SimInstrument>();
  readonly #orders = new Map<string, SimOrder>();
  readonly #orderSequence: string[] = [];
  /** Orders still open or waiting for a trigger: the only ones that block margin. */
  readonly #openOrders = new Set<SimOrder>();
  /** Σ blockedPips of #openOrders, kept as orders change (funds checks are O(1), not O(orders)). */
  #openBlockedPips = 0;
  #idPrefix = { day: '', prefix: '' };
  readonly #restingByInstrument = new Map<number, RestingBook<SimOrder>>();
  readonly #trades: SimTrade[] = [];
  readonly #positions = new Map<string, SimPosition>();
  readonly #holdings = new Map<string, SimHolding>();
  readonly #gtts = new Map<string, SimGtt>();
  readonly #gttsByInstrument = new Map<number, Set<SimGtt>>();
  readonly #orderListeners = new Set<OrderListener>();
  readonly #tickListeners = new Set<TickListener>();
  /** Reference counts of instruments that must tick (subscriptions, resting orders). */
  readonly #activeCounts = new Map<number, number>();
  #active: number[] = [];
  #sequence = 0;
  #cashPips: number;
  #realizedFromSettledPips = 0;
  #timer: NodeJS.Timeout | null = null;

  constructor(options: ExchangeOptions) {
    this.#options = options;
    this.instruments = buildUniverse(options.now(), { strikesEachSide: options.strikesEachSide });
    for (const instrument of this.instruments) {
      this.#bySymbol.set(`${instrument.exchange}|${instrument.symbol}`, instrument);
      this.#byToken.set(instrument.token, instrument);
    }
    this.market = new Market(this.instruments, options.seed, options.now);
    this.#cashPips = Math.round(options.startingCash) * PIPS_PER_RUPEE;
    this.#seedHoldings();
  }

  get now(): number {
    return this.#options.now();
  }

  #seedHoldings(): void {
    for (const [symbol, quantity] of [
      ['INFY', 25],
      ['ITC', 120],
      ['TCS', 5],
    ] as const) {
      const instrument = this.#bySymbol.get(`NSE|${symbol}`);
      if (instrument) {
        const state = this.market.states[instrument.index] as MarketState;
        const averagePips = Math.round((state.prevClose * 0.9) / instrument.tickPips) * instrument.tickPips;
        this.#holdings.set(`NSE|${symbol}`, { instrument, quantity, averagePips });
      }
    }
  }

  findInstrument(symbol: string, exchange: string): SimInstrument | undefined {
    return this.#bySymbol.get(`${exchange}|${symbol}`);
  }

  findByToken(token: string): SimInstrument | undefined {
    return this.#byToken.get(token);
  }

  requireInstrument(symbol: string, exchange: string): SimInstrument {
    const instrument = this.findInstrument(symbol, exchange);
    if (!instrument) {
      throw new BadSymbolError(`Symbol ${symbol} not found on ${exchange}`, {
        context: { symbol, exchange },
      });
    }
    return instrument;
  }

  isOpen(exchange: Exchange): boolean {
    return this.#options.alwaysOpen || isMarketOpen(exchange, this.now);
  }

  #nextId(): string {
    this.#sequence += 1;
    // Ids are <yymmdd IST><sequence>; the date prefix is recomputed only when the day changes.
    const now = this.now;
    const dayKey = String(Math.floor((now + 19_800_000) / 86_400_000));
    if (this.#idPrefix.day !== dayKey) {
      const local = new TZDate(now, 'Asia/Kolkata');
      this.#idPrefix = {
        day: dayKey,
        prefix: `${String(local.getFullYear() % 100).padStart(2, '0')}${String(local.getMonth() + 1).padStart(2, '0')}${String(local.getDate()).padStart(2, '0')}`,
      };
    }
    return `${this.#idPrefix.prefix}${String(this.#sequence).padStart(9, '0')}`;
  }

  // ------------------------------------------------------------------ activity and ticks

  /** Keeps an instrument ticking while something (a subscription, an order) needs it. */
  retain(index: number): void {
    const count = this.#activeCounts.get(index) ?? 0;
    this.#activeCounts.set(index, count + 1);
    if (count === 0) {
      this.#active = [...this.#activeCounts.keys()].sort((left, right) => left - right);
    }
  }

  release(index: number): void {
    const count = this.#activeCounts.get(index) ?? 0;
    if (count <= 1) {
      this.#activeCounts.delete(index);
      this.#active = [...this.#activeCounts.keys()].sort((left, right) => left - right);
    } else {
      this.#activeCounts.set(index, count - 1);
    }
  }

  get activeInstruments(): readonly number[] {
    return this.#active;
  }

  onTick(listener: TickListener): () => void {
    this.#tickListeners.add(listener);
    return () => this.#tickListeners.delete(listener);
  }

  onOrder(listener: OrderListener): () => void {
    this.#orderListeners.add(listener);
    return () => this.#orderListeners.delete(listener);
  }

  /** Generates `count` ticks synchronously (tests, benchmarks, and the timer). */
  advance(count: number): void {
    const now = this.now;
    const active = this.#options.alwaysOpen
      ? this.#active
      : this.#active.filter((index) =>
          isMarketOpen((this.instruments[index] as SimInstrument).exchange, now),
        );
    this.market.advance(active, count, now, (index, state) => {
      this.#matchResting(index);
      this.#checkGtts(index);
      for (const listener of this.#tickListeners) {
        listener(index, state);
      }
    });
  }

  /** Starts generating `ticksPerSecond` ticks in 20 batches a second. */
  start(ticksPerSecond: number): void {
    if (this.#timer) {
      return;
    }
    const perBatch = Math.max(1, Math.round(ticksPerSecond / 20));
    this.#timer = setInterval(() => this.advance(perBatch), 50);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) {
      clearInterval(this.#timer);
      this.#timer = null;
    }
  }

  tickFor(index: number, mode: Tick['mode']): Tick {
    return this.market.toTick(index, mode, this.now);
  }

  // ------------------------------------------------------------------ orders

  #emit(order: SimOrder): void {
    for (const listener of this.#orderListeners) {
      try {
        listener(order);
      } catch (error) {
        this.#options.logger?.warn({ err: error }, 'order listener failed');
      }
    }
  }

  #validate(input: PlaceInput): void {
    const { instrument } = input;
    if (INDEX_TYPES.has(instrument.instrumentType)) {
      throw new InvalidOrderError(`${instrument.symbol} is an index and cannot be traded`);
    }
    if (!Number.isInteger(input.quantity) || input.quantity <= 0) {
      throw new InvalidOrderError('Quantity must be a positive integer');
    }
    if (input.quantity % instrument.lotSize !== 0) {
      throw new InvalidOrderError(
        `Quantity ${input.quantity} is not a multiple of the lot size ${instrument.lotSize}`,
      );
    }
    const isCash = instrument.exchange === 'NSE' || instrument.exchange === 'BSE';
    if (input.product === 'CNC' && !isCash) {
      throw new InvalidOrderError('CNC is only for cash equities; use NRML or MIS for derivatives');
    }
    if (input.product === 'NRML' && isCash) {
      throw new InvalidOrderError('NRML is only for derivatives; use CNC or MIS for equities');
    }
    const needsPrice = input.priceType === 'LIMIT' || input.priceType === 'SL';
    const needsTrigger = input.priceType === 'SL' || input.priceType === 'SL-M';
    if (needsPrice && input.pricePips <= 0) {
      throw new InvalidOrderError(`${input.priceType} orders need a price greater than 0`);
    }
    if (needsTrigger && input.triggerPips <= 0) {
      throw new InvalidOrderError(`${input.priceType} orders need a trigger price greater than 0`);
    }
    for (const [label, pips] of [
      ['price', needsPrice ? input.pricePips : 0],
      ['trigger price', needsTrigger ? input.triggerPips : 0],
    ] as const) {
      if (pips > 0 && pips % instrument.tickPips !== 0) {
        throw new InvalidOrderError(
          `The ${label} ${pips / PIPS_PER_RUPEE} is not a multiple of the tick size ${instrument.tickPips / PIPS_PER_RUPEE}`,
        );
      }
    }
    if (input.priceType === 'SL' && input.action === 'BUY' && input.pricePips < input.triggerPips) {
      throw new InvalidOrderError('For a BUY stop-loss, the price must be at or above the trigger price');
    }
    if (input.priceType === 'SL' && input.action === 'SELL' && input.pricePips > input.triggerPips) {
      throw new InvalidOrderError('For a SELL stop-loss, the price must be at or below the trigger price');
    }
    const band = this.market.circuit(instrument.index);
    for (const pips of [needsPrice ? input.pricePips : 0, needsTrigger ? input.triggerPips : 0]) {
      if (pips > 0 && (pips < band.lower || pips > band.upper)) {
        throw new InvalidOrderError(
          `Price ${pips / PIPS_PER_RUPEE} is outside the circuit limits (${band.lower / PIPS_PER_RUPEE} - ${band.upper / PIPS_PER_RUPEE})`,
        );
      }
    }
    if (instrument.expiry) {
      const local = istDateText(this.now);
      const expiry = `${instrument.expiry.year}-${String(instrument.expiry.month).padStart(2, '0')}-${String(instrument.expiry.day).padStart(2, '0')}`;
      if (local > expiry) {
        throw new InvalidOrderError(`${instrument.symbol} has expired`);
      }
    }
    if (!input.amo && !this.isOpen(instrument.exchange)) {
      throw new InvalidOrderError(`The market for ${instrument.exchange} is closed; place an AMO instead`);
    }
  }

  /** Margin needed for `quantity` more of this order at `pricePips`. */
  #requiredMargin(
    instrument: SimInstrument,
    product: Product,
    action: Action,
    quantity: number,
    pricePips: number,
  ): number {
    const closing = this.#closingQuantity(instrument, product, action, quantity);
    const opening = quantity - closing;
    return Math.ceil((pricePips * opening * marginRatePercent(instrument, product, action)) / 100);
  }

  /** How much of an order reduces an existing position (needs no margin). */
  #closingQuantity(instrument: SimInstrument, product: Product, action: Action, quantity: number): number {
    const position = this.#positions.get(`${instrument.exchange}|${instrument.symbol}|${product}`);
    const net = position?.netQuantity ?? 0;
    if (action === 'SELL' && net > 0) {
      return Math.min(quantity, net);
    }
    if (action === 'BUY' && net < 0) {
      return Math.min(quantity, -net);
    }
    return 0;
  }

  #referencePrice(input: {
    instrument: SimInstrument;
    priceType: PriceType;
    pricePips: number;
    triggerPips: number;
  }): number {
    if (input.priceType === 'LIMIT' || input.priceType === 'SL') {
      return input.pricePips;
    }
    if (input.priceType === 'SL-M') {
      return input.triggerPips;
    }
    return (this.market.states[input.instrument.index] as MarketState).ltp;
  }

  availablePips(): number {
    return this.#cashPips + this.#realizedPips() - this.#usedMarginPips();
  }

  placeOrder(input: PlaceInput): SimOrder {
    this.#validate(input);
    const reference = this.#referencePrice(input);
    const margin = this.#requiredMargin(
      input.instrument,
      input.product,
      input.action,
      input.quantity,
      reference,
    );
    const available = this.availablePips();
    if (margin > available) {
      throw new InsufficientFundsError(
        `Insufficient funds. Required margin is ${margin / PIPS_PER_RUPEE} but available margin is ${available / PIPS_PER_RUPEE}`,
        { context: { required: margin / PIPS_PER_RUPEE, available: available / PIPS_PER_RUPEE } },
      );
    }
    const now = this.now;
    const isStop = input.priceType === 'SL' || input.priceType === 'SL-M';
    const order: SimOrder = {
      orderId: this.#nextId(),
      clientOrderId: input.clientOrderId,
      instrument: input.instrument,
      action: input.action,
      product: input.product,
      priceType: input.priceType,
      activeType: isStop ? null : input.priceType === 'MARKET' ? 'MARKET' : 'LIMIT',
      quantity: input.quantity,
      filledQuantity: 0,
      pricePips: input.priceType === 'MARKET' || input.priceType === 'SL-M' ? 0 : input.pricePips,
      triggerPips: isStop ? input.triggerPips : 0,
      filledValuePips: 0,
      status: isStop ? 'trigger pending' : 'open',
      rejectionReason: '',
      variety: input.amo ? 'amo' : 'regular',
      placedAt: now,
      updatedAt: now,
      blockedPips: margin,
    };
    this.#orders.set(order.orderId, order);
    this.#orderSequence.push(order.orderId);
    this.#emit(order);
    this.#addResting(order);
    if (!isStop && this.isOpen(order.instrument.exchange)) {
      this.#match(order);
    }
    return order;
  }

  #addResting(order: SimOrder): void {
    let book = this.#restingByInstrument.get(order.instrument.index);
    if (!book) {
      book = new RestingBook<SimOrder>();
      this.#restingByInstrument.set(order.instrument.index, book);
    }
    book.add(order);
    if (!this.#openOrders.has(order)) {
      this.#openOrders.add(order);
      this.#openBlockedPips += order.blockedPips;
    }
    this.retain(order.instrument.index);
  }

  /** Changes an order's blocked margin, keeping the open-order total in step. */
  #setBlockedPips(order: SimOrder, pips: number): void {
    if (this.#openOrders.has(order)) {
      this.#openBlockedPips += pips - order.blockedPips;
    }
    order.blockedPips = pips;
  }

  #removeResting(order: SimOrder): void {
    if (this.#openOrders.delete(order)) {
      this.#openBlockedPips -= order.blockedPips;
    }
    if (this.#restingByInstrument.get(order.instrument.index)?.remove(order)) {
      this.release(order.instrument.index);
    }
  }

  /** One tick of an instrument: only the orders its market can move are looked at. */
  #matchResting(index: number): void {
    const book = this.#restingByInstrument.get(index);
    if (!book || book.size === 0) {
      return;
    }
    const state = this.market.states[index] as MarketState;
    const touch = this.market.touch(index);
    const candidates = book.actionable(state.ltp, touch.bid, touch.ask);
    if (candidates.length === 0) {
      return;
    }
    const depth = this.market.depth(index);
    for (const order of candidates) {
      if (order.status === 'trigger pending') {
        const triggered =
          order.action === 'BUY' ? state.ltp >= order.triggerPips : state.ltp <= order.triggerPips;
        if (!triggered) {
          continue;
        }
        order.status = 'open';
        order.activeType = order.priceType === 'SL' ? 'LIMIT' : 'MARKET';
        order.updatedAt = this.now;
        book.refile(order);
        this.#emit(order);
      }
      this.#match(order, depth);
    }
  }

  /** Fills what the current depth allows; the rest keeps resting. */
  #match(
    order: SimOrder,
    depth: { bids: DepthLevelPips[]; asks: DepthLevelPips[] } = this.market.depth(order.instrument.index),
  ): void {
    if (order.status !== 'open' || order.activeType === null) {
      return;
    }
    const levels = order.action === 'BUY' ? depth.asks : depth.bids;
    let remaining = order.quantity - order.filledQuantity;
    let changed = false;
    for (const level of levels) {
      if (remaining <= 0) {
        break;
      }
      if (level.quantity <= 0) {
        continue;
      }
      if (order.activeType === 'LIMIT') {
        const isAcceptable =
          order.action === 'BUY' ? level.price <= order.pricePips : level.price >= order.pricePips;
        if (!isAcceptable) {
          break;
        }
      }
      const fill = Math.min(remaining, level.quantity);
      this.#fill(order, fill, level.price);
      remaining -= fill;
      changed = true;
    }
    if (changed) {
      order.updatedAt = this.now;
      if (order.filledQuantity === order.quantity) {
        order.status = 'complete';
        this.#removeResting(order);
      }
      this.#emit(order);
    }
  }

  #fill(order: SimOrder, quantity: number, pricePips: number): void {
    const now = this.now;
    // Release the margin blocked for this part; the position carries its own margin now.
    const releasedShare = Math.floor(
      (order.blockedPips * quantity) / (order.quantity - order.filledQuantity),
    );
    this.#setBlockedPips(order, order.blockedPips - releasedShare);
    order.filledQuantity += quantity;
    order.filledValuePips += pricePips * quantity;
    this.#trades.push({
      tradeId: this.#nextId(),
      orderId: order.orderId,
      instrument: order.instrument,
      action: order.action,
      product: order.product,
      quantity,
      pricePips,
      tradedAt: now,
    });
    this.#applyToPosition(order.instrument, order.product, order.action, quantity, pricePips, now);
  }

  #applyToPosition(
    instrument: SimInstrument,
    product: Product,
    action: Action,
    quantity: number,
    pricePips: number,
    now: number,
  ): void {
    const key = `${instrument.exchange}|${instrument.symbol}|${product}`;
    let position = this.#positions.get(key);
    if (!position) {
      position = {
        instrument,
        product,
        netQuantity: 0,
        openValuePips: 0,
        buyQuantity: 0,
        buyValuePips: 0,
        sellQuantity: 0,
        sellValuePips: 0,
        realizedPips: 0,
        tradeDate: istDateText(now),
      };
      this.#positions.set(key, position);
    }
    const signed = action === 'BUY' ? quantity : -quantity;
    if (action === 'BUY') {
      position.buyQuantity += quantity;
      position.buyValuePips += pricePips * quantity;
    } else {
      position.sellQuantity += quantity;
      position.sellValuePips += pricePips * quantity;
    }
    const net = position.netQuantity;
    if (net === 0 || Math.sign(net) === Math.sign(signed)) {
      position.openValuePips += pricePips * quantity;
      position.netQuantity = net + signed;
      return;
    }
    // Reducing (and maybe flipping): realise against the average open price.
    const closing = Math.min(Math.abs(net), quantity);
    const averageValueClosed = Math.round((position.openValuePips * closing) / Math.abs(net));
    const closedAtValue = pricePips * closing;
    position.realizedPips +=
      net > 0 ? closedAtValue - averageValueClosed : averageValueClosed - closedAtValue;
    position.openValuePips -= averageValueClosed;
    position.netQuantity = net + signed;
    const opening = quantity - closing;
    if (opening > 0) {
      position.openValuePips = pricePips * opening;
    }
    if (position.netQuantity === 0) {
      position.openValuePips = 0;
    }
  }

  modifyOrder(
    orderId: string,
    change: { quantity: number; pricePips: number; triggerPips: number; priceType: PriceType },
  ): SimOrder {
    const order = this.#requireOrder(orderId);
    if (order.status !== 'open' && order.status !== 'trigger pending') {
      throw new InvalidOrderError(`Order ${orderId} is ${order.status} and cannot be modified`);
    }
    if (change.quantity < order.filledQuantity || change.quantity <= 0) {
      throw new InvalidOrderError(`Quantity cannot be below the filled quantity ${order.filledQuantity}`);
    }
    this.#validate({
      instrument: order.instrument,
      action: order.action,
      product: order.product,
      priceType: change.priceType,
      quantity: change.quantity,
      pricePips: change.pricePips,
      triggerPips: change.triggerPips,
      clientOrderId: order.clientOrderId,
      amo: order.variety === 'amo',
    });
    const unfilled = change.quantity - order.filledQuantity;
    const reference = this.#referencePrice({ instrument: order.instrument, ...change });
    const previousBlock = order.blockedPips;
    const margin = this.#requiredMargin(order.instrument, order.product, order.action, unfilled, reference);
    if (margin - previousBlock > this.availablePips()) {
      throw new InsufficientFundsError('Insufficient funds to modify the order');
    }
    const isStop = change.priceType === 'SL' || change.priceType === 'SL-M';
    order.quantity = change.quantity;
    order.priceType = change.priceType;
    order.pricePips = change.priceType === 'MARKET' || change.priceType === 'SL-M' ? 0 : change.pricePips;
    order.triggerPips = isStop ? change.triggerPips : 0;
    this.#setBlockedPips(order, margin);
    if (order.status === 'trigger pending' && !isStop) {
      order.status = 'open';
    }
    order.activeType =
      order.status === 'trigger pending'
        ? null
        : change.priceType === 'MARKET' || change.priceType === 'SL-M'
          ? 'MARKET'
          : 'LIMIT';
    order.updatedAt = this.now;
    this.#restingByInstrument.get(order.instrument.index)?.refile(order);
    this.#emit(order);
    this.#match(order);
    return order;
  }

  cancelOrder(orderId: string): SimOrder {
    const order = this.#requireOrder(orderId);
    if (order.status !== 'open' && order.status !== 'trigger pending') {
      throw new InvalidOrderError(`Order ${orderId} is ${order.status} and cannot be cancelled`);
    }
    order.status = 'cancelled';
    this.#setBlockedPips(order, 0);
    order.updatedAt = this.now;
    this.#removeResting(order);
    this.#emit(order);
    return order;
  }

  /**
   * Fills `quantity` of a live order at the last traded price, whatever the depth shows: the
   * control surface's "partial fill" switch (fake broker servers have the same).
   */
  fillAtMarket(orderId: string, quantity: number): SimOrder {
    const order = this.#requireOrder(orderId);
    if (order.status !== 'open' && order.status !== 'trigger pending') {
      throw new InvalidOrderError(`Order ${orderId} is ${order.status} and cannot be filled`);
    }
    const remaining = order.quantity - order.filledQuantity;
    if (!Number.isInteger(quantity) || quantity <= 0 || quantity > remaining) {
      throw new InvalidOrderError(`Cannot fill ${quantity} of order ${orderId}: ${remaining} remain`);
    }
    this.#fill(order, quantity, (this.market.states[order.instrument.index] as MarketState).ltp);
    order.status = order.filledQuantity === order.quantity ? 'complete' : 'open';
    order.updatedAt = this.now;
    if (order.status === 'complete') {
      this.#removeResting(order);
    }
    this.#emit(order);
    return order;
  }

  /** Sets the cash so that exactly `pips` is available now (after margin in use and realised P&L). */
  setAvailablePips(pips: number): void {
    this.#cashPips += pips - this.availablePips();
  }

  cancelAll(): SimOrder[] {
    return this.listOrders()
      .filter((order) => order.status === 'open' || order.status === 'trigger pending')
      .map((order) => this.cancelOrder(order.orderId));
  }

  #requireOrder(orderId: string): SimOrder {
    const order = this.#orders.get(orderId);
    if (!order) {
      throw new OrderNotFoundError(`Order ${orderId} not found`, { context: { orderId } });
    }
    return order;
  }

  getOrder(orderId: string): SimOrder {
    return this.#requireOrder(orderId);
  }

  listOrders(): SimOrder[] {
    return this.#orderSequence.map((id) => this.#orders.get(id) as SimOrder);
  }

  listTrades(): readonly SimTrade[] {
    return this.#trades;
  }

  // ------------------------------------------------------------------ portfolio

  /** CNC positions from earlier IST dates settle into holdings (T+1). */
  settle(): void {
    const today = istDateText(this.now);
    for (const [key, position] of this.#positions) {
      if (position.tradeDate >= today) {
        continue;
      }
      if (position.product === 'CNC' && position.netQuantity > 0) {
        const holdingKey = `${position.instrument.exchange}|${position.instrument.symbol}`;
        const holding = this.#holdings.get(holdingKey);
        const addedValue = position.openValuePips;
        if (holding) {
          const totalQuantity = holding.quantity + position.netQuantity;
          holding.averagePips = Math.round(
            (holding.averagePips * holding.quantity + addedValue) / totalQuantity,
          );
          holding.quantity = totalQuantity;
        } else {
          this.#holdings.set(holdingKey, {
            instrument: position.instrument,
            quantity: position.netQuantity,
            averagePips: Math.round(addedValue / position.netQuantity),
          });
        }
      } else if (position.product === 'CNC' && position.netQuantity < 0) {
        // A CNC sell reduces holdings.
        const holding = this.#holdings.get(`${position.instrument.exchange}|${position.instrument.symbol}`);
        if (holding) {
          holding.quantity = Math.max(0, holding.quantity + position.netQuantity);
        }
      }
      if (position.netQuantity === 0 || position.product === 'CNC') {
        this.#realizedFromSettledPips += position.realizedPips;
        this.#positions.delete(key);
      }
    }
    for (const [key, holding] of this.#holdings) {
      if (holding.quantity === 0) {
        this.#holdings.delete(key);
      }
    }
  }

  listPositions(): SimPosition[] {
    this.settle();
    return [...this.#positions.values()];
  }

  listHoldings(): SimHolding[] {
    this.settle();
    return [...this.#holdings.values()];
  }

  #realizedPips(): number {
    let total = this.#realizedFromSettledPips;
    for (const position of this.#positions.values()) {
      total += position.realizedPips;
    }
    return total;
  }

  #unrealizedPips(): number {
    let total = 0;
    for (const position of this.#positions.values()) {
      total += this.unrealizedOf(position);
    }
    return total;
  }

  unrealizedOf(position: SimPosition): number {
    if (position.netQuantity === 0) {
      return 0;
    }
    const ltp = (this.market.states[position.instrument.index] as MarketState).ltp;
    const markValue = ltp * Math.abs(position.netQuantity);
    return position.netQuantity > 0 ? markValue - position.openValuePips : position.openValuePips - markValue;
  }

  #usedMarginPips(): number {
    let used = 0;
    for (const position of this.#positions.values()) {
      if (position.netQuantity !== 0) {
        const average = position.openValuePips / Math.abs(position.netQuantity);
        used += Math.ceil(
          (average *
            Math.abs(position.netQuantity) *
            marginRatePercent(
              position.instrument,
              position.product,
              position.netQuantity > 0 ? 'BUY' : 'SELL',
            )) /
            100,
        );
      }
    }
    return used + this.#openBlockedPips;
  }

  funds(): { availablePips: number; usedPips: number; realizedPips: number; unrealizedPips: number } {
    this.settle();
    return {
      availablePips: this.availablePips(),
      usedPips: this.#usedMarginPips(),
      realizedPips: this.#realizedPips(),
      unrealizedPips: this.#unrealizedPips(),
    };
  }

  /** Margin for a basket, as the margin calculator reports it. */
  marginFor(
    legs: ReadonlyArray<{
      instrument: SimInstrument;
      product: Product;
      action: Action;
      quantity: number;
      pricePips: number;
      priceType: PriceType;
      triggerPips: number;
    }>,
  ): number {
    let total = 0;
    for (const leg of legs) {
      total += this.#requiredMargin(
        leg.instrument,
        leg.product,
        leg.action,
        leg.quantity,
        this.#referencePrice(leg),
      );
    }
    return total;
  }

  // ------------------------------------------------------------------ GTT

  placeGtt(gtt: Omit<SimGtt, 'triggerId' | 'status' | 'createdAt' | 'orderIds'>): SimGtt {
    if (INDEX_TYPES.has(gtt.instrument.instrumentType)) {
      throw new InvalidOrderError('GTT cannot be placed on an index');
    }
    for (const leg of gtt.legs) {
      if (leg.triggerPips % gtt.instrument.tickPips !== 0 || leg.pricePips % gtt.instrument.tickPips !== 0) {
        throw new InvalidOrderError('GTT prices must be multiples of the tick size');
      }
      if (leg.quantity % gtt.instrument.lotSize !== 0) {
        throw new InvalidOrderError(
          `GTT quantity must be a multiple of the lot size ${gtt.instrument.lotSize}`,
        );
      }
    }
    const created: SimGtt = {
      ...gtt,
      triggerId: this.#nextId(),
      status: 'active',
      createdAt: this.now,
      orderIds: [],
    };
    this.#gtts.set(created.triggerId, created);
    let set = this.#gttsByInstrument.get(gtt.instrument.index);
    if (!set) {
      set = new Set();
      this.#gttsByInstrument.set(gtt.instrument.index, set);
    }
    set.add(created);
    this.retain(gtt.instrument.index);
    return created;
  }

  modifyGtt(
    triggerId: string,
    change: Pick<SimGtt, 'legs' | 'lastPricePips' | 'triggerType' | 'expiresAt'>,
  ): SimGtt {
    const gtt = this.getGtt(triggerId);
    if (gtt.status !== 'active') {
      throw new InvalidOrderError(`GTT ${triggerId} is ${gtt.status} and cannot be modified`);
    }
    Object.assign(gtt, change);
    return gtt;
  }

  cancelGtt(triggerId: string): SimGtt {
    const gtt = this.getGtt(triggerId);
    if (gtt.status !== 'active') {
      throw new InvalidOrderError(`GTT ${triggerId} is ${gtt.status} and cannot be cancelled`);
    }
    gtt.status = 'cancelled';
    this.#detachGtt(gtt);
    return gtt;
  }

  getGtt(triggerId: string): SimGtt {
    const gtt = this.#gtts.get(triggerId);
    if (!gtt) {
      throw new OrderNotFoundError(`GTT ${triggerId} not found`);
    }
    return gtt;
  }

  listGtts(): SimGtt[] {
    return [...this.#gtts.values()];
  }

  #detachGtt(gtt: SimGtt): void {
    if (this.#gttsByInstrument.get(gtt.instrument.index)?.delete(gtt)) {
      this.release(gtt.instrument.index);
    }
  }

  #checkGtts(index: number): void {
    const set = this.#gttsByInstrument.get(index);
    if (!set || set.size === 0) {
      return;
    }
    const ltp = (this.market.states[index] as MarketState).ltp;
    for (const gtt of [...set]) {
      if (gtt.expiresAt !== undefined && gtt.expiresAt <= this.now) {
        gtt.status = 'expired';
        this.#detachGtt(gtt);
        continue;
      }
      const hit = gtt.legs.find((leg) =>
        leg.triggerPips >= gtt.lastPricePips ? ltp >= leg.triggerPips : ltp <= leg.triggerPips,
      );
      if (!hit) {
        continue;
      }
      gtt.status = 'triggered';
      this.#detachGtt(gtt);
      try {
        const order = this.placeOrder({
          instrument: gtt.instrument,
          action: hit.action,
          product: hit.product,
          priceType: hit.priceType,
          quantity: hit.quantity,
          pricePips: hit.priceType === 'LIMIT' ? hit.pricePips : 0,
          triggerPips: 0,
          clientOrderId: `gtt${gtt.triggerId}`.slice(0, 20),
        });
        gtt.orderIds.push(order.orderId);
      } catch (error) {
        this.#options.logger?.warn({ err: error, triggerId: gtt.triggerId }, 'gtt order rejected');
      }
    }
  }
}
