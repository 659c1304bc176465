import { type Dec, roundTo, toDecimal } from '@openalgo/shared-types/decimal';
import type { FakeInstrument } from './instruments.js';
import { type FakeMarket, istText, wire } from './market.js';

/**
 * The fake Kite OMS: orders with Kite's status life cycle and per-state history, price-driven
 * matching (MARKET fills at once, marketable LIMITs fill at the last price, stops trigger when
 * the price crosses), trades, net/day positions, margins and GTT triggers. Every order change is
 * announced through `onOrderEvent` (the ticker turns it into a postback text frame).
 */

export class KiteApiError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly errorType: string,
    message: string,
  ) {
    super(message);
    this.name = 'KiteApiError';
  }
}

const input = (message: string) => new KiteApiError(400, 'InputException', message);
const orderError = (message: string) => new KiteApiError(400, 'OrderException', message);

export type FakeOrderStatus =
  | 'PUT ORDER REQ RECEIVED'
  | 'VALIDATION PENDING'
  | 'OPEN PENDING'
  | 'OPEN'
  | 'TRIGGER PENDING'
  | 'AMO REQ RECEIVED'
  | 'MODIFY VALIDATION PENDING'
  | 'MODIFY PENDING'
  | 'CANCEL PENDING'
  | 'COMPLETE'
  | 'CANCELLED'
  | 'REJECTED';

const OPEN_STATUSES: ReadonlySet<FakeOrderStatus> = new Set(['OPEN', 'TRIGGER PENDING', 'AMO REQ RECEIVED']);

/** Intermediate states: kept in the order history, not pushed as updates. */
const TRANSIENT_STATUSES: ReadonlySet<FakeOrderStatus> = new Set([
  'PUT ORDER REQ RECEIVED',
  'VALIDATION PENDING',
  'OPEN PENDING',
  'MODIFY VALIDATION PENDING',
  'MODIFY PENDING',
  'CANCEL PENDING',
]);

export interface FakeOrder {
  orderId: string;
  exchangeOrderId: string | null;
  parentOrderId: string | null;
  variety: string;
  status: FakeOrderStatus;
  statusMessage: string | null;
  instrument: FakeInstrument;
  transactionType: 'BUY' | 'SELL';
  orderType: 'MARKET' | 'LIMIT' | 'SL' | 'SL-M';
  product: string;
  validity: string;
  validityTtl: number | null;
  quantity: number;
  disclosedQuantity: number;
  price: Dec;
  triggerPrice: Dec;
  averagePrice: Dec;
  filledQuantity: number;
  cancelledQuantity: number;
  marketProtection: number;
  tag: string | null;
  auctionNumber: string | null;
  iceberg: { legs: number; legQuantity: number } | null;
  placedAt: number;
  updatedAt: number;
  modifications: number;
  history: Array<Record<string, unknown>>;
}

export interface FakeTrade {
  tradeId: string;
  order: FakeOrder;
  quantity: number;
  price: Dec;
  at: number;
}

export interface FakeGtt {
  id: number;
  type: 'single' | 'two-leg';
  status: string;
  condition: { exchange: string; tradingsymbol: string; trigger_values: number[]; last_price: number };
  orders: Array<Record<string, unknown>>;
  instrument: FakeInstrument;
  createdAt: number;
  updatedAt: number;
  expiresAt: number;
  rejection?: string;
}

export interface FakeHolding {
  instrument: FakeInstrument;
  quantity: number;
  t1Quantity: number;
  averagePrice: Dec;
}

export interface ExchangeOptions {
  market: FakeMarket;
  now: () => number;
  userId: string;
  openingBalance: Dec;
  /** `auto`: prices drive fills; `manual`: orders rest until a test fills them. */
  matching: 'auto' | 'manual';
  onOrderEvent: (row: Record<string, unknown>) => void;
}

const VALID_EXCHANGES = new Set(['NSE', 'BSE', 'NFO', 'BFO', 'CDS', 'BCD', 'MCX', 'NCO']);
const VALID_PRODUCTS = new Set(['CNC', 'NRML', 'MIS', 'MTF']);
const VALID_ORDER_TYPES = new Set(['MARKET', 'LIMIT', 'SL', 'SL-M']);
const VALID_VALIDITIES = new Set(['DAY', 'IOC', 'TTL']);
const MAX_MODIFICATIONS = 25;

function isInteger(text: string | undefined): boolean {
  return text !== undefined && /^\d+$/.test(text);
}

function isDecimal(text: string | undefined): boolean {
  return text !== undefined && /^\d+(\.\d+)?$/.test(text);
}

export class FakeExchange {
  readonly orders = new Map<string, FakeOrder>();
  readonly trades: FakeTrade[] = [];
  readonly gtts = new Map<number, FakeGtt>();
  readonly holdings: FakeHolding[] = [];
  readonly #options: ExchangeOptions;
  #orderCounter = 0;
  #tradeCounter = 0;
  #gttCounter = 100_000;
  #availableCash: Dec;
  #forcedRejections: string[] = [];

  constructor(options: ExchangeOptions) {
    this.#options = options;
    this.#availableCash = options.openingBalance;
  }

  get market(): FakeMarket {
    return this.#options.market;
  }

  setAvailableCash(amount: Dec): void {
    this.#availableCash = amount;
  }

  /** The next placed order is rejected by "RMS" with this reason. */
  rejectNextOrder(reason: string): void {
    this.#forcedRejections.push(reason);
  }

  // ------------------------------------------------------------------ placement

  placeOrder(variety: string, form: URLSearchParams): FakeOrder {
    if (!['regular', 'amo', 'co', 'iceberg', 'auction'].includes(variety)) {
      throw input('Invalid `variety`.');
    }
    const exchange = form.get('exchange') ?? '';
    const tradingsymbol = form.get('tradingsymbol') ?? '';
    if (!VALID_EXCHANGES.has(exchange)) {
      throw input('Invalid `exchange`.');
    }
    const instrument = this.market.find(exchange, tradingsymbol);
    if (!instrument || instrument.segment === 'INDICES') {
      throw input('Invalid `tradingsymbol`.');
    }
    const transactionType = form.get('transaction_type');
    if (transactionType !== 'BUY' && transactionType !== 'SELL') {
      throw input('Invalid `transaction_type`.');
    }
    const orderType = form.get('order_type') ?? '';
    if (!VALID_ORDER_TYPES.has(orderType)) {
      throw input('Invalid `order_type`.');
    }
    const product = form.get('product') ?? '';
    if (!VALID_PRODUCTS.has(product)) {
      throw input('Invalid `product`.');
    }
    if (product === 'CNC' && !['NSE', 'BSE'].includes(exchange)) {
      throw input('CNC orders are only allowed on equity exchanges.');
    }
    const validity = form.get('validity') ?? 'DAY';
    if (!VALID_VALIDITIES.has(validity)) {
      throw input('Invalid `validity`.');
    }
    const quantityText = form.get('quantity') ?? undefined;
    if (!isInteger(quantityText) || Number(quantityText) <= 0) {
      throw input('Invalid `quantity`.');
    }
    const quantity = Number(quantityText);
    if (quantity % instrument.lotSize !== 0) {
      throw input(`Quantity should be a multiple of lot size (${instrument.lotSize}).`);
    }
    const priceText = form.get('price') ?? undefined;
    const triggerText = form.get('trigger_price') ?? undefined;
    const needsPrice = orderType === 'LIMIT' || orderType === 'SL';
    const needsTrigger = orderType === 'SL' || orderType === 'SL-M';
    if (needsPrice && (!isDecimal(priceText) || toDecimal(priceText as string).lte(0))) {
      throw input('Invalid `price`.');
    }
    if (needsTrigger && (!isDecimal(triggerText) || toDecimal(triggerText as string).lte(0))) {
      throw input('Invalid `trigger_price`.');
    }
    const tick = this.market.tickOf(instrument);
    for (const [name, text] of [
      ['price', needsPrice ? priceText : undefined],
      ['trigger_price', needsTrigger ? triggerText : undefined],
    ] as const) {
      if (text !== undefined && !toDecimal(text).mod(tick).isZero()) {
        throw input(
          `Tick size for this script is ${tick.toString()}. Kindly enter ${name} in the multiple of tick size.`,
        );
      }
    }
    const protectionText = form.get('market_protection');
    const marketProtection = protectionText === null ? 0 : Number(protectionText);
    if (
      (orderType === 'MARKET' || orderType === 'SL-M') &&
      (marketProtection === 0 || Number.isNaN(marketProtection))
    ) {
      throw input(
        'Market orders without market protection are not allowed via API. Set `market_protection`.',
      );
    }
    const tag = form.get('tag');
    if (tag !== null && !/^[A-Za-z0-9_-]{1,20}$/.test(tag)) {
      throw input('Invalid `tag`: up to 20 alphanumeric characters.');
    }
    const disclosedText = form.get('disclosed_quantity');
    const disclosedQuantity = disclosedText === null ? 0 : Number(disclosedText);
    if (!Number.isInteger(disclosedQuantity) || disclosedQuantity < 0 || disclosedQuantity > quantity) {
      throw input('Invalid `disclosed_quantity`.');
    }
    let validityTtl: number | null = null;
    if (validity === 'TTL') {
      const ttlText = form.get('validity_ttl') ?? undefined;
      if (!isInteger(ttlText) || Number(ttlText) < 1) {
        throw input('Invalid `validity_ttl`.');
      }
      validityTtl = Number(ttlText);
    }
    let iceberg: FakeOrder['iceberg'] = null;
    if (variety === 'iceberg') {
      const legs = Number(form.get('iceberg_legs'));
      const legQuantity = Number(form.get('iceberg_quantity'));
      if (!Number.isInteger(legs) || legs < 2 || legs > 10) {
        throw input('Invalid `iceberg_legs`: 2 to 10.');
      }
      if (!Number.isInteger(legQuantity) || legQuantity <= 0 || legQuantity * legs < quantity) {
        throw input('Invalid `iceberg_quantity`.');
      }
      iceberg = { legs, legQuantity };
    }
    const auctionNumber = form.get('auction_number');
    if (variety === 'auction' && (auctionNumber === null || !/^\d+$/.test(auctionNumber))) {
      throw input('Invalid `auction_number`.');
    }
    if (variety === 'co' && !needsTrigger && !isDecimal(triggerText)) {
      throw input('Cover orders need a stoploss `trigger_price`.');
    }
    const now = this.#options.now();
    this.#orderCounter += 1;
    const order: FakeOrder = {
      orderId: `${istText(now).slice(2, 10).replace(/-/g, '')}${String(this.#orderCounter).padStart(9, '0')}`,
      exchangeOrderId: null,
      parentOrderId: null,
      variety,
      status: 'PUT ORDER REQ RECEIVED',
      statusMessage: null,
      instrument,
      transactionType,
      orderType: orderType as FakeOrder['orderType'],
      product,
      validity,
      validityTtl,
      quantity,
      disclosedQuantity,
      price: needsPrice ? toDecimal(priceText as string) : toDecimal(0),
      triggerPrice:
        triggerText !== undefined && isDecimal(triggerText) ? toDecimal(triggerText) : toDecimal(0),
      averagePrice: toDecimal(0),
      filledQuantity: 0,
      cancelledQuantity: 0,
      marketProtection,
      tag,
      auctionNumber: variety === 'auction' ? auctionNumber : null,
      iceberg,
      placedAt: now,
      updatedAt: now,
      modifications: 0,
      history: [],
    };
    this.orders.set(order.orderId, order);
    this.#transition(order, 'PUT ORDER REQ RECEIVED');
    this.#transition(order, 'VALIDATION PENDING');
    const forced = this.#forcedRejections.shift();
    const required = this.requiredMargin(
      instrument,
      transactionType,
      product,
      orderType,
      quantity,
      order.price,
    );
    const available = this.availableMargin();
    if (forced !== undefined) {
      order.statusMessage = forced;
      this.#transition(order, 'REJECTED');
      return order;
    }
    if (required.gt(available)) {
      order.statusMessage = `Insufficient funds. Required margin is ${roundTo(required, 2, 'nearest').toString()} but available margin is ${roundTo(available, 2, 'nearest').toString()}. Check the orderbook for open orders.`;
      this.#transition(order, 'REJECTED');
      return order;
    }
    order.exchangeOrderId = `1${String(this.#orderCounter).padStart(15, '0')}`;
    if (variety === 'amo') {
      this.#transition(order, 'AMO REQ RECEIVED');
      return order;
    }
    this.#transition(order, 'OPEN PENDING');
    this.#transition(order, needsTrigger ? 'TRIGGER PENDING' : 'OPEN');
    this.#match(order);
    return order;
  }

  modifyOrder(variety: string, orderId: string, form: URLSearchParams): FakeOrder {
    const order = this.#ownOrder(variety, orderId);
    if (!OPEN_STATUSES.has(order.status)) {
      throw orderError(`Order cannot be modified as it is ${order.status.toLowerCase()}.`);
    }
    if (order.modifications >= MAX_MODIFICATIONS) {
      throw orderError('Maximum allowed order modifications exceeded.');
    }
    const orderType = form.get('order_type') ?? order.orderType;
    if (!VALID_ORDER_TYPES.has(orderType)) {
      throw input('Invalid `order_type`.');
    }
    const quantityText = form.get('quantity');
    const quantity = quantityText === null ? order.quantity : Number(quantityText);
    if (!Number.isInteger(quantity) || quantity <= 0 || quantity % order.instrument.lotSize !== 0) {
      throw input('Invalid `quantity`.');
    }
    if (quantity < order.filledQuantity) {
      throw orderError('Quantity cannot be less than the filled quantity.');
    }
    const priceText = form.get('price');
    const triggerText = form.get('trigger_price');
    if ((orderType === 'LIMIT' || orderType === 'SL') && (priceText === null || !isDecimal(priceText))) {
      throw input('Invalid `price`.');
    }
    if ((orderType === 'SL' || orderType === 'SL-M') && (triggerText === null || !isDecimal(triggerText))) {
      throw input('Invalid `trigger_price`.');
    }
    const validity = form.get('validity') ?? order.validity;
    if (!VALID_VALIDITIES.has(validity)) {
      throw input('Invalid `validity`.');
    }
    // What the order was before the modification: a triggered stop stays triggered.
    const wasTriggered = order.status === 'OPEN' && (order.orderType === 'SL' || order.orderType === 'SL-M');
    const wasOpen = order.status === 'OPEN';
    order.modifications += 1;
    this.#transition(order, 'MODIFY VALIDATION PENDING');
    order.orderType = orderType as FakeOrder['orderType'];
    order.quantity = quantity;
    order.validity = validity;
    order.price =
      priceText !== null && (orderType === 'LIMIT' || orderType === 'SL')
        ? toDecimal(priceText)
        : toDecimal(0);
    order.triggerPrice =
      triggerText !== null && isDecimal(triggerText) ? toDecimal(triggerText) : order.triggerPrice;
    const disclosed = form.get('disclosed_quantity');
    if (disclosed !== null && /^\d+$/.test(disclosed)) {
      order.disclosedQuantity = Number(disclosed);
    }
    this.#transition(order, 'MODIFY PENDING');
    const isStop = order.orderType === 'SL' || order.orderType === 'SL-M';
    this.#transition(
      order,
      order.variety === 'amo' && !wasOpen
        ? 'AMO REQ RECEIVED'
        : isStop && !wasTriggered
          ? 'TRIGGER PENDING'
          : 'OPEN',
    );
    this.#match(order);
    return order;
  }

  cancelOrder(variety: string, orderId: string): FakeOrder {
    const order = this.#ownOrder(variety, orderId);
    if (!OPEN_STATUSES.has(order.status)) {
      throw orderError(`Order cannot be cancelled as it is ${order.status.toLowerCase()}.`);
    }
    this.#transition(order, 'CANCEL PENDING');
    order.cancelledQuantity = order.quantity - order.filledQuantity;
    this.#transition(order, 'CANCELLED');
    return order;
  }

  #ownOrder(variety: string, orderId: string): FakeOrder {
    const order = this.orders.get(orderId);
    if (!order) {
      throw orderError('Order not found.');
    }
    if (order.variety !== variety) {
      // Kite routes by variety: an AMO or iceberg order is not found under `regular`.
      throw orderError(`Order not found for variety ${variety}.`);
    }
    return order;
  }

  // ------------------------------------------------------------------ matching

  /** Fills (part of) an order at a price, as an exchange trade would. */
  fill(order: FakeOrder, quantity: number, price: Dec): void {
    const open = order.quantity - order.filledQuantity;
    const filled = Math.min(open, quantity);
    if (filled <= 0) {
      return;
    }
    const totalValue = order.averagePrice.mul(order.filledQuantity).add(price.mul(filled));
    order.filledQuantity += filled;
    order.averagePrice = totalValue.div(order.filledQuantity);
    this.#tradeCounter += 1;
    this.trades.push({
      tradeId: String(10_000_000 + this.#tradeCounter),
      order,
      quantity: filled,
      price,
      at: this.#options.now(),
    });
    this.market.setPrice(order.instrument, price, filled);
    if (order.filledQuantity >= order.quantity) {
      this.#transition(order, 'COMPLETE');
    } else {
      this.#transition(order, 'OPEN');
    }
  }

  reject(order: FakeOrder, reason: string): void {
    order.statusMessage = reason;
    this.#transition(order, 'REJECTED');
  }

  /** Re-evaluates resting orders of an instrument after its price moved. */
  onPrice(instrument: FakeInstrument): void {
    for (const order of this.orders.values()) {
      if (order.instrument === instrument && OPEN_STATUSES.has(order.status)) {
        this.#match(order);
      }
    }
    for (const gtt of this.gtts.values()) {
      if (gtt.instrument === instrument && gtt.status === 'active') {
        this.#checkGtt(gtt);
      }
    }
  }

  #match(order: FakeOrder): void {
    if (this.#options.matching !== 'auto' || order.status === 'AMO REQ RECEIVED') {
      return;
    }
    const ltp = this.market.state(order.instrument).ltp;
    const isBuy = order.transactionType === 'BUY';
    if (order.status === 'TRIGGER PENDING') {
      const isTriggered = isBuy ? ltp.gte(order.triggerPrice) : ltp.lte(order.triggerPrice);
      if (!isTriggered) {
        return;
      }
      this.#transition(order, 'OPEN');
    }
    if (order.status !== 'OPEN') {
      return;
    }
    const isMarket = order.orderType === 'MARKET' || order.orderType === 'SL-M';
    const isMarketable = isMarket || (isBuy ? order.price.gte(ltp) : order.price.lte(ltp));
    if (isMarketable) {
      this.fill(order, order.quantity - order.filledQuantity, ltp);
    } else if (order.validity === 'IOC') {
      order.cancelledQuantity = order.quantity - order.filledQuantity;
      this.#transition(order, 'CANCELLED');
    }
  }

  #transition(order: FakeOrder, status: FakeOrderStatus): void {
    order.status = status;
    order.updatedAt = this.#options.now();
    const row = this.orderRow(order);
    order.history.push(row);
    if (!TRANSIENT_STATUSES.has(status)) {
      this.#options.onOrderEvent(row);
    }
  }

  /** An order as Kite's order book (and postbacks) show it. */
  orderRow(order: FakeOrder): Record<string, unknown> {
    const isTerminal =
      order.status === 'COMPLETE' || order.status === 'CANCELLED' || order.status === 'REJECTED';
    const row: Record<string, unknown> = {
      placed_by: this.#options.userId,
      order_id: order.orderId,
      exchange_order_id: order.exchangeOrderId,
      parent_order_id: order.parentOrderId,
      status: order.status,
      status_message: order.statusMessage,
      status_message_raw: order.statusMessage,
      order_timestamp: istText(order.placedAt),
      exchange_update_timestamp: order.exchangeOrderId ? istText(order.updatedAt) : null,
      exchange_timestamp: order.exchangeOrderId ? istText(order.placedAt) : null,
      variety: order.variety,
      modified: order.modifications > 0,
      exchange: order.instrument.exchange,
      tradingsymbol: order.instrument.tradingsymbol,
      instrument_token: order.instrument.instrumentToken,
      order_type: order.orderType,
      transaction_type: order.transactionType,
      validity: order.validity,
      validity_ttl: order.validityTtl ?? 0,
      product: order.product,
      quantity: order.quantity,
      disclosed_quantity: order.disclosedQuantity,
      price: wire(order.price),
      trigger_price: wire(order.triggerPrice),
      average_price: wire(roundTo(order.averagePrice, 4, 'nearest')),
      filled_quantity: order.filledQuantity,
      pending_quantity: isTerminal ? 0 : order.quantity - order.filledQuantity,
      cancelled_quantity: order.cancelledQuantity,
      market_protection: order.marketProtection,
      meta: order.iceberg
        ? {
            iceberg: {
              leg: 1,
              legs: order.iceberg.legs,
              leg_quantity: order.iceberg.legQuantity,
              total_quantity: order.quantity,
              remaining_quantity: order.quantity - order.filledQuantity,
            },
          }
        : {},
      tag: order.tag,
      tags: order.tag ? [order.tag] : [],
      guid: `fake-${order.orderId}`,
    };
    if (order.auctionNumber) {
      row.auction_number = order.auctionNumber;
    }
    return row;
  }

  tradeRow(trade: FakeTrade): Record<string, unknown> {
    return {
      trade_id: trade.tradeId,
      order_id: trade.order.orderId,
      exchange_order_id: trade.order.exchangeOrderId,
      tradingsymbol: trade.order.instrument.tradingsymbol,
      exchange: trade.order.instrument.exchange,
      instrument_token: trade.order.instrument.instrumentToken,
      product: trade.order.product,
      average_price: wire(trade.price),
      quantity: trade.quantity,
      fill_timestamp: istText(trade.at),
      order_timestamp: istText(trade.order.placedAt),
      exchange_timestamp: istText(trade.at),
      transaction_type: trade.order.transactionType,
    };
  }

  // ------------------------------------------------------------------ portfolio

  /** Net positions per (instrument, product), from the day's trades. */
  positions(): Array<Record<string, unknown>> {
    const groups = new Map<string, { instrument: FakeInstrument; product: string; trades: FakeTrade[] }>();
    for (const trade of this.trades) {
      const key = `${trade.order.instrument.instrumentToken}|${trade.order.product}`;
      const group = groups.get(key) ?? {
        instrument: trade.order.instrument,
        product: trade.order.product,
        trades: [],
      };
      group.trades.push(trade);
      groups.set(key, group);
    }
    const rows: Array<Record<string, unknown>> = [];
    for (const { instrument, product, trades } of groups.values()) {
      let buyQuantity = 0;
      let sellQuantity = 0;
      let buyValue = toDecimal(0);
      let sellValue = toDecimal(0);
      for (const trade of trades) {
        if (trade.order.transactionType === 'BUY') {
          buyQuantity += trade.quantity;
          buyValue = buyValue.add(trade.price.mul(trade.quantity));
        } else {
          sellQuantity += trade.quantity;
          sellValue = sellValue.add(trade.price.mul(trade.quantity));
        }
      }
      const quantity = buyQuantity - sellQuantity;
      const buyPrice = buyQuantity > 0 ? buyValue.div(buyQuantity) : toDecimal(0);
      const sellPrice = sellQuantity > 0 ? sellValue.div(sellQuantity) : toDecimal(0);
      const matched = Math.min(buyQuantity, sellQuantity);
      const realised = sellPrice.sub(buyPrice).mul(matched);
      const averagePrice = quantity > 0 ? buyPrice : quantity < 0 ? sellPrice : toDecimal(0);
      const ltp = this.market.state(instrument).ltp;
      const unrealised = quantity === 0 ? toDecimal(0) : ltp.sub(averagePrice).mul(quantity);
      const round = (value: Dec) => wire(roundTo(value, 2, 'nearest'));
      rows.push({
        tradingsymbol: instrument.tradingsymbol,
        exchange: instrument.exchange,
        instrument_token: instrument.instrumentToken,
        product,
        quantity,
        overnight_quantity: 0,
        multiplier: 1,
        average_price: wire(roundTo(averagePrice, 4, 'nearest')),
        close_price: wire(this.market.state(instrument).close),
        last_price: wire(ltp),
        value: round(sellValue.sub(buyValue)),
        pnl: round(realised.add(unrealised)),
        m2m: round(realised.add(unrealised)),
        unrealised: round(unrealised),
        realised: round(realised),
        buy_quantity: buyQuantity,
        buy_price: wire(roundTo(buyPrice, 4, 'nearest')),
        buy_value: round(buyValue),
        sell_quantity: sellQuantity,
        sell_price: wire(roundTo(sellPrice, 4, 'nearest')),
        sell_value: round(sellValue),
        day_buy_quantity: buyQuantity,
        day_buy_price: wire(roundTo(buyPrice, 4, 'nearest')),
        day_buy_value: round(buyValue),
        day_sell_quantity: sellQuantity,
        day_sell_price: wire(roundTo(sellPrice, 4, 'nearest')),
        day_sell_value: round(sellValue),
      });
    }
    return rows;
  }

  holdingRows(): Array<Record<string, unknown>> {
    return this.holdings.map((holding) => {
      const state = this.market.state(holding.instrument);
      const quantity = holding.quantity + holding.t1Quantity;
      const pnl = state.ltp.sub(holding.averagePrice).mul(quantity);
      return {
        tradingsymbol: holding.instrument.tradingsymbol,
        exchange: holding.instrument.exchange,
        instrument_token: holding.instrument.instrumentToken,
        isin: `INE${String(holding.instrument.exchangeToken).padStart(6, '0')}01`,
        product: 'CNC',
        price: 0,
        quantity: holding.quantity,
        t1_quantity: holding.t1Quantity,
        realised_quantity: holding.quantity,
        collateral_quantity: 0,
        collateral_type: '',
        average_price: wire(holding.averagePrice),
        last_price: wire(state.ltp),
        close_price: wire(state.close),
        pnl: wire(roundTo(pnl, 2, 'nearest')),
        day_change: wire(state.ltp.sub(state.close)),
        day_change_percentage: state.close.isZero()
          ? 0
          : wire(roundTo(state.ltp.sub(state.close).div(state.close).mul(100), 4, 'nearest')),
      };
    });
  }

  // ------------------------------------------------------------------ margins

  /** A deterministic margin model: CNC 100 %, MIS 20 % of value; derivatives SPAN 12 % + exposure 3 %. */
  marginComponents(
    instrument: FakeInstrument,
    transactionType: string,
    product: string,
    orderType: string,
    quantity: number,
    price: Dec,
  ): { span: Dec; exposure: Dec; optionPremium: Dec; varMargin: Dec; total: Dec } {
    const ltp = this.market.state(instrument).ltp;
    const effective = orderType === 'LIMIT' || orderType === 'SL' ? (price.gt(0) ? price : ltp) : ltp;
    const value = effective.mul(quantity);
    const zero = toDecimal(0);
    if (instrument.instrumentType === 'EQ') {
      const varMargin = product === 'MIS' ? value.mul('0.2') : transactionType === 'SELL' ? zero : value;
      return { span: zero, exposure: zero, optionPremium: zero, varMargin, total: varMargin };
    }
    const isOption = instrument.instrumentType === 'CE' || instrument.instrumentType === 'PE';
    if (isOption && transactionType === 'BUY') {
      return { span: zero, exposure: zero, optionPremium: value, varMargin: zero, total: value };
    }
    const notional = (isOption ? instrument.underlyingPrice : effective).mul(quantity);
    const intraday = product === 'MIS' ? toDecimal('0.4') : toDecimal(1);
    const span = notional.mul('0.12').mul(intraday);
    const exposure = notional.mul('0.03').mul(intraday);
    return { span, exposure, optionPremium: zero, varMargin: zero, total: span.add(exposure) };
  }

  requiredMargin(
    instrument: FakeInstrument,
    transactionType: string,
    product: string,
    orderType: string,
    quantity: number,
    price: Dec,
  ): Dec {
    return this.marginComponents(instrument, transactionType, product, orderType, quantity, price).total;
  }

  /** Margin blocked by open orders and open positions. */
  utilisedMargin(): Dec {
    let total = toDecimal(0);
    for (const order of this.orders.values()) {
      if (OPEN_STATUSES.has(order.status)) {
        const open = order.quantity - order.filledQuantity;
        total = total.add(
          this.requiredMargin(
            order.instrument,
            order.transactionType,
            order.product,
            order.orderType,
            open,
            order.price,
          ),
        );
      }
    }
    for (const row of this.positions()) {
      const quantity = Number(row.quantity);
      if (quantity === 0) {
        continue;
      }
      const instrument = this.market.byToken.get(Number(row.instrument_token)) as FakeInstrument;
      total = total.add(
        this.requiredMargin(
          instrument,
          quantity > 0 ? 'BUY' : 'SELL',
          String(row.product),
          'MARKET',
          Math.abs(quantity),
          toDecimal(0),
        ),
      );
    }
    return total;
  }

  realisedPnl(): Dec {
    return this.positions().reduce((sum, row) => sum.add(toDecimal(String(row.realised))), toDecimal(0));
  }

  availableMargin(): Dec {
    return this.#availableCash.sub(this.utilisedMargin()).add(this.realisedPnl());
  }

  userMargins(): Record<string, unknown> {
    const debits = this.utilisedMargin();
    const realised = this.realisedPnl();
    const net = this.#availableCash.sub(debits).add(realised);
    const round = (value: Dec) => wire(roundTo(value, 2, 'nearest'));
    const equity = {
      enabled: true,
      net: round(net),
      available: {
        adhoc_margin: 0,
        cash: round(this.#availableCash),
        opening_balance: round(this.#availableCash),
        live_balance: round(net),
        collateral: 0,
        intraday_payin: 0,
      },
      utilised: {
        debits: round(debits),
        exposure: 0,
        m2m_realised: 0,
        m2m_unrealised: 0,
        option_premium: 0,
        payout: 0,
        span: 0,
        holding_sales: 0,
        turnover: 0,
        liquid_collateral: 0,
        stock_collateral: 0,
        delivery: 0,
      },
    };
    const commodity = {
      enabled: true,
      net: 0,
      available: {
        adhoc_margin: 0,
        cash: 0,
        opening_balance: 0,
        live_balance: 0,
        collateral: 0,
        intraday_payin: 0,
      },
      utilised: {
        debits: 0,
        exposure: 0,
        m2m_realised: 0,
        m2m_unrealised: 0,
        option_premium: 0,
        payout: 0,
        span: 0,
        holding_sales: 0,
        turnover: 0,
        liquid_collateral: 0,
        stock_collateral: 0,
        delivery: 0,
      },
    };
    return { equity, commodity };
  }

  // ------------------------------------------------------------------ GTT

  placeGtt(form: URLSearchParams, existing?: FakeGtt): FakeGtt {
    const type = form.get('type');
    if (type !== 'single' && type !== 'two-leg') {
      throw input('Invalid `type`.');
    }
    let condition: FakeGtt['condition'];
    let orders: Array<Record<string, unknown>>;
    try {
      condition = JSON.parse(form.get('condition') ?? '');
      orders = JSON.parse(form.get('orders') ?? '');
    } catch {
      throw input('Invalid `condition` or `orders`: not JSON.');
    }
    if (typeof condition !== 'object' || condition === null || !Array.isArray(orders)) {
      throw input('Invalid `condition` or `orders`.');
    }
    const instrument = this.market.find(String(condition.exchange), String(condition.tradingsymbol));
    if (!instrument || instrument.segment === 'INDICES') {
      throw input('Invalid `tradingsymbol`.');
    }
    const expected = type === 'single' ? 1 : 2;
    if (
      !Array.isArray(condition.trigger_values) ||
      condition.trigger_values.length !== expected ||
      orders.length !== expected
    ) {
      throw input(`A ${type} trigger needs ${expected} trigger value(s) and order(s).`);
    }
    if (typeof condition.last_price !== 'number' || condition.last_price <= 0) {
      throw input('Invalid `last_price`.');
    }
    for (const order of orders) {
      if (order.order_type !== 'LIMIT') {
        throw input('GTT orders must be LIMIT orders.');
      }
      if (!Number.isInteger(order.quantity) || (order.quantity as number) <= 0) {
        throw input('Invalid `quantity`.');
      }
    }
    if (type === 'two-leg') {
      const [lower, upper] = condition.trigger_values as [number, number];
      if (!(lower < condition.last_price && upper > condition.last_price)) {
        throw input('Trigger values must lie on either side of the last price.');
      }
    }
    const now = this.#options.now();
    if (!existing) {
      this.#gttCounter += 1;
    }
    const gtt: FakeGtt = existing ?? {
      id: this.#gttCounter,
      type,
      status: 'active',
      condition,
      orders,
      instrument,
      createdAt: now,
      updatedAt: now,
      expiresAt: now + 365 * 86_400_000,
    };
    Object.assign(gtt, { type, condition, orders, instrument, updatedAt: now });
    this.gtts.set(gtt.id, gtt);
    return gtt;
  }

  gttRow(gtt: FakeGtt): Record<string, unknown> {
    return {
      id: gtt.id,
      user_id: this.#options.userId,
      parent_trigger: null,
      type: gtt.type,
      created_at: istText(gtt.createdAt),
      updated_at: istText(gtt.updatedAt),
      expires_at: istText(gtt.expiresAt),
      status: gtt.status,
      condition: { ...gtt.condition, instrument_token: gtt.instrument.instrumentToken },
      orders: gtt.orders.map((order) => ({ ...order, result: null })),
      meta: {},
    };
  }

  /** Fires a GTT when the price crosses a trigger: places its LIMIT order. */
  #checkGtt(gtt: FakeGtt): void {
    const ltp = this.market.state(gtt.instrument).ltp;
    const values = gtt.condition.trigger_values;
    const last = toDecimal(String(gtt.condition.last_price));
    let legIndex = -1;
    values.forEach((value, index) => {
      const trigger = toDecimal(String(value));
      const isCrossed = trigger.lt(last) ? ltp.lte(trigger) : ltp.gte(trigger);
      if (legIndex < 0 && isCrossed) {
        legIndex = index;
      }
    });
    if (legIndex >= 0) {
      this.triggerGtt(gtt, legIndex);
    }
  }

  triggerGtt(gtt: FakeGtt, legIndex = 0): FakeOrder | undefined {
    const leg = gtt.orders[legIndex];
    if (!leg || gtt.status !== 'active') {
      return undefined;
    }
    gtt.status = 'triggered';
    gtt.updatedAt = this.#options.now();
    const form = new URLSearchParams({
      exchange: String(leg.exchange),
      tradingsymbol: String(leg.tradingsymbol),
      transaction_type: String(leg.transaction_type),
      order_type: 'LIMIT',
      quantity: String(leg.quantity),
      product: String(leg.product),
      price: String(leg.price),
      validity: 'DAY',
    });
    try {
      return this.placeOrder('regular', form);
    } catch (error) {
      // The trigger fired but its order was refused: Kite marks the GTT rejected.
      gtt.status = 'rejected';
      gtt.rejection = error instanceof Error ? error.message : String(error);
      return undefined;
    }
  }
}
