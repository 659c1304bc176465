import {
  InsufficientFundsError,
  InvalidOrderError,
  type Logger,
  NetworkError,
  OrderNotFoundError,
  type Unsubscribe,
} from '@openalgo/broker-sdk';
import {
  findSandboxOrder,
  insertSandboxFunds,
  insertSandboxLedger,
  insertSandboxOrder,
  isDatabaseUnavailable,
  listSandboxConfig,
  listSandboxInstruments,
  listSandboxPositions,
  listWorkingSandboxOrderKeys,
  lockSandboxFunds,
  lockSandboxFundsAndPosition,
  lockSandboxHolding,
  lockSandboxOrder,
  lockSandboxPosition,
  nextSandboxSequence,
  nextSandboxSequenceBlock,
  putSandboxConfig,
  type SandboxExecutor,
  type SandboxOrderInsert,
  type SandboxOrderRow,
  type SandboxPositionKey,
  type SandboxPositionRow,
  type SandboxStore,
  seedSandboxConfig,
  sumWorkingCncSellQuantity,
  updateSandboxOrder,
  writeSandboxFill,
  writeSandboxPlacement,
} from '@openalgo/db';
import type { Action, ResolvedInstrument, Tick } from '@openalgo/shared-types';
import { Dec, toDecimal } from '@openalgo/shared-types/decimal';
import { type BookEvent, OrderBooks, type Touch, touchPrice, type WorkingOrder } from './book.js';
import { FundsLedger } from './funds-ledger.js';
import { expiryDateOf, instrumentJson, instrumentOf, isDerivativeSegment, symbolKey } from './instruments.js';
import { formatIst, istClock, lastIstTime } from './ist.js';
import { formatRupees, leverageOf, marginFor, reservesMargin } from './margin.js';
import { applyFill, openingQuantity } from './netting.js';
import {
  DEFAULT_SANDBOX_CONFIG,
  isConfigKey,
  type SandboxConfig,
  type SandboxConfigKey,
  sandboxConfigSchema,
  squareOffTimeOf,
} from './sandbox-config.js';
import type { TickSource } from './tick-source.js';
import { UserQueue } from './user-queue.js';
import { checkModifyPrices, checkOrderShape, normalizePrices, type PlaceInput } from './validation.js';
import { type OrderBookRow, orderBookRow } from './views.js';

export const WORKING_STATUSES = ['open', 'trigger pending'] as const;

export type FillSource = 'placement' | 'tick' | 'square-off' | 'expiry' | 'settlement';

export type SandboxEvent =
  | { type: 'order_update'; userId: number; order: OrderBookRow }
  | {
      type: 'order_filled';
      userId: number;
      orderid: string;
      symbol: string;
      exchange: string;
      action: Action;
      quantity: number;
      price: string;
      /** The range of prices the market covered when the order filled. */
      marketLow: number;
      marketHigh: number;
      source: FillSource;
    }
  | { type: 'auto_squareoff'; exchanges: readonly string[]; cancelledOrders: number; closedPositions: number }
  | { type: 't1_settlement'; settledUsers: number; settledPositions: number }
  | { type: 'expiry_settlement'; settledPositions: number; cancelledOrders: number }
  | { type: 'funds_reset'; userId: number; resetCount: number }
  | { type: 'gtt_update'; userId: number; gttId: string; status: string };

export interface CoreSettings {
  store: SandboxStore;
  ticks: TickSource;
  logger: Logger;
  now: () => number;
  /** Starting capital for the seeded configuration (first start only). */
  startingCapital?: string;
  /** The daily session boundary, IST (default 03:00): books show the current session. */
  sessionExpiryTime: string;
  /** Pauses between quote attempts for a MARKET order without a fresh tick (default 300, 600 ms). */
  quoteRetryDelaysMs: readonly number[];
  /** A tick at most this old prices a placement without asking for a quote (default 5 s). */
  priceFreshnessMs: number;
  /** Writes of one account that may wait in its lane before new ones are refused. */
  maxQueuedWrites: number;
  /** The longest expected wait in an account's lane at which a new write still joins it (ms). */
  maxLaneWaitMs: number;
  contractValueOf: (instrument: ResolvedInstrument) => string;
  sleep: (ms: number) => Promise<void>;
}

/** The result of pricing an order at placement. */
interface Pricing {
  touch: Touch | undefined;
}

/** Order ids fetched from the sequence per round trip. */
const ORDER_ID_BLOCK = 32;

type Refusal = { ok: false; message: string; kind: 'invalid' | 'funds'; rejected: SandboxOrderRow | null };

type StoredOutcome = { ok: true; row: SandboxOrderRow; position: SandboxPositionRow | undefined } | Refusal;

/** An order that passed the stateful checks, not yet stored; `margin` is reserved once it is. */
interface CheckedOrder {
  ok: true;
  values: SandboxOrderInsert;
  margin: Dec;
  position: SandboxPositionRow | undefined;
}

/** What a fill completes: a stored working order, or a new one stored already complete. */
export type FillTarget = { row: SandboxOrderRow } | { insert: SandboxOrderInsert };

/** The fields that decide whether an order fills at once. */
type MarketableFields = Pick<
  SandboxOrderRow,
  'exchange' | 'symbol' | 'action' | 'price' | 'trigger_price' | 'price_type' | 'status'
>;

export class SandboxCore {
  readonly settings: CoreSettings;
  readonly books = new OrderBooks();
  readonly queue = new UserQueue();

  get maxQueuedWrites(): number {
    return this.settings.maxQueuedWrites;
  }

  get maxLaneWaitMs(): number {
    return this.settings.maxLaneWaitMs;
  }
  #config: SandboxConfig = DEFAULT_SANDBOX_CONFIG;
  #configUpdatedAt = new Map<string, number>();
  #listeners = new Set<(event: SandboxEvent) => void>();
  #watched = new Map<string, { instrument: ResolvedInstrument; count: number }>();
  #positionCounts = new Map<string, number>();
  #orderIds: number[] = [];
  #offTick: Unsubscribe | null = null;
  #sequence = 0;
  readonly #pendingEvents: BookEvent[] = [];

  constructor(settings: CoreSettings) {
    this.settings = settings;
  }

  #nextSequence(): number {
    this.#sequence += 1;
    return this.#sequence;
  }

  get logger(): Logger {
    return this.settings.logger;
  }

  get store(): SandboxStore {
    return this.settings.store;
  }

  get config(): SandboxConfig {
    return this.#config;
  }

  now(): number {
    return this.settings.now();
  }

  /** Start of the current session (the last `SESSION_EXPIRY_TIME`, IST). */
  sessionStart(at = this.now()): Date {
    return new Date(lastIstTime(at, this.settings.sessionExpiryTime));
  }

  contractValue(instrument: ResolvedInstrument): Dec {
    return new Dec(this.settings.contractValueOf(instrument));
  }

  onEvent(listener: (event: SandboxEvent) => void): Unsubscribe {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  emit(event: SandboxEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        this.logger.warn({ err: error, event: event.type }, 'sandbox event listener failed');
      }
    }
  }

  /**
   * Runs `work` in one transaction. The connection dropping while the COMMIT was on its way
   * leaves the outcome unknown (the commit may have happened and only its answer was lost):
   * that is a `NetworkError` marked `mayHaveReachedBroker` and `isSettled` (the transaction
   * is over either way, so a read of the books after it tells the truth), never a plain
   * failure a client would retry into a duplicate.
   */
  async transaction<T>(work: (trx: SandboxExecutor) => Promise<T>): Promise<T> {
    let isCommitting = false;
    try {
      return await this.store.db.transaction().execute(async (trx) => {
        const result = await work(trx);
        isCommitting = true;
        return result;
      });
    } catch (error) {
      if (isCommitting && isDatabaseUnavailable(error)) {
        throw new NetworkError(
          'The sandbox lost its database connection while committing: the outcome is unknown',
          {
            cause: error,
            context: { mode: 'analyze', mayHaveReachedBroker: true, isSettled: true },
          },
        );
      }
      throw error;
    }
  }

  // ---------------------------------------------------------------- lifecycle

  async start(): Promise<void> {
    const at = new Date(this.now());
    const defaults: SandboxConfig = {
      ...DEFAULT_SANDBOX_CONFIG,
      ...(this.settings.startingCapital ? { starting_capital: this.settings.startingCapital } : {}),
    };
    await seedSandboxConfig(
      this.store.db,
      Object.entries(defaults).map(([key, value]) => ({ key, value })),
      at,
    );
    await this.reloadConfig();
    this.books.clear();
    this.#watched.clear();
    this.#positionCounts.clear();
    // Only the columns the book needs, and one instrument per symbol: a restart with
    // thousands of working orders loads in a moment.
    const instruments = new Map<string, ResolvedInstrument>();
    for (const row of await listSandboxInstruments(this.store.db, 'orders')) {
      instruments.set(symbolKey(row.exchange, row.symbol), instrumentOf(row.instrument));
    }
    for (const row of await listWorkingSandboxOrderKeys(this.store.db)) {
      const instrument = instruments.get(symbolKey(row.exchange, row.symbol));
      if (instrument) {
        this.#index(row, instrument);
      }
    }
    for (const row of await listSandboxPositions(this.store.db, { isOpen: true })) {
      this.#countPosition(instrumentOf(row.instrument), 1);
    }
    this.#offTick = this.settings.ticks.onTick((tick) => this.processTick(tick));
  }

  async stop(): Promise<void> {
    this.#offTick?.();
    this.#offTick = null;
    await this.queue.idle();
    const instruments = [...this.#watched.values()].map((entry) => entry.instrument);
    if (instruments.length > 0) {
      this.settings.ticks.unwatch(instruments);
    }
    this.#watched.clear();
  }

  async reloadConfig(): Promise<void> {
    const rows = await listSandboxConfig(this.store.db);
    const values: Record<string, string> = { ...DEFAULT_SANDBOX_CONFIG };
    for (const row of rows) {
      if (isConfigKey(row.key)) {
        values[row.key] = row.value;
        this.#configUpdatedAt.set(row.key, row.updated_at.getTime());
      }
    }
    const parsed = sandboxConfigSchema.safeParse(values);
    if (parsed.success) {
      this.#config = parsed.data;
    } else {
      this.logger.warn(
        { issues: parsed.error.issues },
        'sandbox config holds invalid values; using defaults for them',
      );
      const repaired: Record<string, string> = { ...values };
      for (const issue of parsed.error.issues) {
        const key = String(issue.path[0]);
        if (isConfigKey(key)) {
          repaired[key] = DEFAULT_SANDBOX_CONFIG[key];
        }
      }
      this.#config = sandboxConfigSchema.parse(repaired);
    }
  }

  /** Validates and stores one setting; returns the error message when the value is refused. */
  async putConfig(key: SandboxConfigKey, value: string): Promise<void> {
    const candidate = { ...this.#config, [key]: value };
    const parsed = sandboxConfigSchema.safeParse(candidate);
    if (!parsed.success) {
      const issue = parsed.error.issues.find((entry) => entry.path[0] === key) ?? parsed.error.issues[0];
      throw new InvalidOrderError(issue?.message ?? 'Invalid value', { context: { key } });
    }
    const at = this.now();
    await putSandboxConfig(this.store.db, key, value, new Date(at));
    this.#config = parsed.data;
    this.#configUpdatedAt.set(key, at);
  }

  /** When a setting last changed (epoch ms; 0 when unknown). */
  configUpdatedAt(key: SandboxConfigKey): number {
    return this.#configUpdatedAt.get(key) ?? 0;
  }

  // ---------------------------------------------------------------- funds

  /** Locks the user's funds row, creating it at the starting capital on first use. */
  async lockFunds(trx: SandboxExecutor, userId: number): Promise<FundsLedger> {
    const at = new Date(this.now());
    const session = this.sessionStart();
    let row = await lockSandboxFunds(trx, userId);
    if (!row) {
      const capital = new Dec(this.#config.starting_capital).toString();
      const isCreated = await insertSandboxFunds(trx, {
        user_id: userId,
        capital,
        cash: capital,
        used_margin: '0',
        holdings_cost: '0',
        realized_pnl: '0',
        today_realized_pnl: '0',
        today_session: session,
        unrealized_pnl: '0',
        last_reset_at: at,
        created_at: at,
        updated_at: at,
      });
      if (isCreated) {
        await insertSandboxLedger(trx, [
          {
            user_id: userId,
            at,
            kind: 'open',
            owner_kind: null,
            owner_id: null,
            cash: capital,
            margin: '0',
            holdings: '0',
            capital,
            realized: '0',
            note: 'starting capital',
          },
        ]);
      }
      row = await lockSandboxFunds(trx, userId);
    }
    if (!row) {
      throw new Error(`sandbox funds row for user ${userId} could not be created`);
    }
    return new FundsLedger(row, session, at);
  }

  /** `lockFunds`, then the position of `key` locked too: one round trip once the account exists. */
  async lockFundsAndPosition(
    trx: SandboxExecutor,
    key: SandboxPositionKey,
  ): Promise<{ ledger: FundsLedger; position: SandboxPositionRow | undefined }> {
    const at = new Date(this.now());
    const session = this.sessionStart();
    const locked = await lockSandboxFundsAndPosition(trx, this.store.schema, key);
    if (locked.funds) {
      return { ledger: new FundsLedger(locked.funds, session, at), position: locked.position };
    }
    const ledger = await this.lockFunds(trx, key.userId);
    return { ledger, position: await lockSandboxPosition(trx, key) };
  }

  // ---------------------------------------------------------------- ids

  /**
   * A new order id. Sequence values come in blocks (one round trip per ORDER_ID_BLOCK orders,
   * not one per order); they are unique whoever fetched them, so ids never collide across
   * processes, and a block left unused at exit is only a gap.
   */
  async nextOrderId(trx: SandboxExecutor): Promise<string> {
    if (this.#orderIds.length === 0) {
      this.#orderIds = await nextSandboxSequenceBlock(trx, this.store.schema, 'order_id_seq', ORDER_ID_BLOCK);
    }
    const value = this.#orderIds.shift() as number;
    return `${formatIst(this.now(), 'yyMMdd')}${String(value % 100_000_000).padStart(8, '0')}`;
  }

  /** An order fills once, in full: its trade id derives from its (unique) order id. */
  tradeIdOf(orderid: string): string {
    const serial = Number(orderid.slice(-8));
    return `TRADE-${formatIst(this.now(), 'yyyyMMdd-HHmmss')}-${serial.toString(16).padStart(8, '0')}`;
  }

  async nextGttId(trx: SandboxExecutor): Promise<string> {
    const value = await nextSandboxSequence(trx, this.store.schema, 'gtt_id_seq');
    return `GTT-${formatIst(this.now(), 'yyMMdd')}-${(value % 0x1_0000_0000).toString(16).padStart(8, '0')}`;
  }

  // ---------------------------------------------------------------- prices

  /** The latest price this process saw for an instrument (from ticks or quotes). */
  touchOf(exchange: string, symbol: string): Touch | undefined {
    return this.books.get(exchange, symbol)?.touch;
  }

  /**
   * A current price: a fresh tick, else the broker's quote (retried for a MARKET order,
   * which cannot be placed without one). Remembered in the book, like a tick.
   */
  async currentTouch(instrument: ResolvedInstrument, isRequired: boolean): Promise<Touch | undefined> {
    const known = this.touchOf(instrument.exchange, instrument.symbol);
    if (known && this.now() - known.at <= this.settings.priceFreshnessMs) {
      return known;
    }
    const attempts = isRequired ? this.settings.quoteRetryDelaysMs.length + 1 : 1;
    for (let attempt = 0; attempt < attempts; attempt += 1) {
      if (attempt > 0) {
        await this.settings.sleep(this.settings.quoteRetryDelaysMs[attempt - 1] ?? 0);
      }
      try {
        const [result] = await this.settings.ticks.fetchQuotes([instrument]);
        if (result?.ok && new Dec(result.quote.ltp).gt(0)) {
          const touch = quoteTouch(result.quote, this.now());
          const latest = this.touchOf(instrument.exchange, instrument.symbol);
          // A tick that arrived while the quote was on its way is newer: keep it.
          if (!latest || latest.at <= touch.at) {
            this.books.ensure(instrument.exchange, instrument.symbol).touch = touch;
            return touch;
          }
          return latest;
        }
      } catch (error) {
        this.logger.debug({ err: error, symbol: instrument.symbol }, 'sandbox quote attempt failed');
      }
    }
    return known;
  }

  // ---------------------------------------------------------------- the in-memory index

  #index(
    row: IndexedOrder,
    instrument: ResolvedInstrument = instrumentOf((row as SandboxOrderRow).instrument),
  ): void {
    const order: WorkingOrder = {
      orderid: row.orderid,
      userId: row.user_id,
      action: row.action,
      priceType: row.price_type,
      product: row.product,
      status: row.status === 'trigger pending' ? 'trigger pending' : 'open',
      limitText: toDecimal(row.price).toString(),
      limit: Number(row.price),
      triggerText: toDecimal(row.trigger_price).toString(),
      trigger: Number(row.trigger_price),
      sequence: this.#nextSequence(),
    };
    this.books.ensure(row.exchange, row.symbol).add(order);
    this.watch(instrument, 1);
  }

  #unindex(row: SandboxOrderRow): boolean {
    const removed = this.books.get(row.exchange, row.symbol)?.remove(row.orderid);
    if (removed) {
      this.watch(instrumentOf(row.instrument), -1);
    }
    return removed !== undefined;
  }

  /** Keeps ticks coming for an instrument while something needs it (reference counted). */
  watch(instrument: ResolvedInstrument, delta: number): void {
    const key = symbolKey(instrument.exchange, instrument.symbol);
    const entry = this.#watched.get(key);
    const count = (entry?.count ?? 0) + delta;
    if (count <= 0) {
      if (entry) {
        this.#watched.delete(key);
        this.settings.ticks.unwatch([entry.instrument]);
      }
      return;
    }
    if (!entry) {
      this.#watched.set(key, { instrument, count });
      this.settings.ticks.watch([instrument]);
    } else {
      entry.count = count;
    }
  }

  #countPosition(instrument: ResolvedInstrument, delta: number): void {
    const key = symbolKey(instrument.exchange, instrument.symbol);
    const count = (this.#positionCounts.get(key) ?? 0) + delta;
    if (count <= 0) {
      this.#positionCounts.delete(key);
    } else {
      this.#positionCounts.set(key, count);
    }
    this.watch(instrument, delta);
  }

  /** After a position changed from `before` to `after` contracts. */
  positionChanged(instrument: ResolvedInstrument, before: number, after: number): void {
    if (before === 0 && after !== 0) {
      this.#countPosition(instrument, 1);
    } else if (before !== 0 && after === 0) {
      this.#countPosition(instrument, -1);
    }
  }

  get watchedCount(): number {
    return this.#watched.size;
  }

  // ---------------------------------------------------------------- ticks

  /**
   * The tick listener. Synchronous and in memory: the book of the tick's symbol hands back
   * what crossed, and each of those becomes one job in its account's lane.
   */
  processTick(tick: Tick): number {
    const events = this.#pendingEvents;
    events.length = 0;
    const count = this.books.applyTick(tick, events);
    for (let index = 0; index < count; index += 1) {
      const event = events[index] as BookEvent;
      switch (event.kind) {
        case 'fill': {
          const { order } = event;
          void this.queue.run(order.userId, () =>
            this.fillFromBook(order, event.priceText, event.low, event.high),
          );
          break;
        }
        case 'triggered': {
          const { order } = event;
          void this.queue.run(order.userId, () => this.#markTriggered(order));
          break;
        }
        case 'gtt': {
          const { leg } = event;
          void this.queue
            .run(leg.userId, () => this.gttHandler(leg.userId, leg.gttId, leg.legId, event.priceText))
            .catch((error: unknown) =>
              this.logger.error({ err: error, gttId: leg.gttId }, 'sandbox GTT failed'),
            );
          break;
        }
      }
    }
    events.length = 0;
    return count;
  }

  /** Set by the GTT desk: fires a leg whose trigger a tick crossed. */
  gttHandler: (userId: number, gttId: string, legId: number, priceText: string) => Promise<void> =
    async () => {};

  async fillFromBook(order: WorkingOrder, priceText: string, low: number, high: number): Promise<void> {
    try {
      const filled = await this.fill(order.userId, order.orderid, priceText, { low, high, source: 'tick' });
      if (!filled) {
        this.logger.debug({ orderid: order.orderid }, 'sandbox fill skipped: order no longer working');
      }
    } catch (error) {
      await this.rejectAfterError(order.userId, order.orderid, error);
    }
  }

  async #markTriggered(order: WorkingOrder): Promise<void> {
    try {
      const row = await this.transaction(async (trx) => {
        const locked = await lockSandboxOrder(trx, order.orderid);
        if (locked?.status !== 'trigger pending') {
          return undefined;
        }
        return updateSandboxOrder(trx, order.orderid, { status: 'open', updated_at: new Date(this.now()) });
      });
      if (row) {
        this.emit({ type: 'order_update', userId: row.user_id, order: orderBookRow(row) });
      }
    } catch (error) {
      this.logger.error({ err: error, orderid: order.orderid }, 'sandbox could not record a triggered stop');
    }
  }

  // ---------------------------------------------------------------- placement

  /**
   * Places an order: validation, then one transaction (funds lock, position-aware margin,
   * the order row and its reservation), then the immediate fill when the market already
   * allows it. Runs inside the account's lane.
   */
  async place(userId: number, raw: PlaceInput): Promise<SandboxOrderRow> {
    const problem = checkOrderShape(raw);
    if (problem) {
      throw new InvalidOrderError(problem, { context: { mode: 'analyze' } });
    }
    const input = normalizePrices(raw);
    const pricing: Pricing = {
      touch: await this.currentTouch(input.instrument, input.priceType === 'MARKET'),
    };
    const outcome = await this.transaction(async (trx) => {
      const { ledger, position } = await this.lockFundsAndPosition(trx, {
        userId,
        symbol: input.instrument.symbol,
        exchange: input.instrument.exchange,
        product: input.product,
      });
      const checked = await this.checkOrder(trx, ledger, userId, input, pricing.touch, { position });
      if (checked.ok) {
        // A marketable order fills in the same transaction, stored already complete with its
        // trade, position, funds and journal in one statement: placement and fill commit
        // together, and a crash leaves neither half.
        const immediate = this.immediateFill(checked.values);
        if (immediate) {
          this.#reserve(ledger, checked);
          const fill = await this.fillWithin(trx, ledger, { insert: checked.values }, immediate.price.text, {
            position,
          });
          return {
            ok: true as const,
            // The order as it stood between placement and fill, for its `open` update.
            row: {
              ...fill.order,
              status: checked.values.status,
              average_price: null,
              filled_quantity: 0,
              pending_quantity: checked.values.pending_quantity,
              reservation: checked.values.reservation,
              updated_at: fill.order.placed_at,
            },
            position,
            fill: { result: fill, market: immediate.market },
          };
        }
        // The order, its reservation and journal in one statement.
        this.#reserve(ledger, checked);
        const { funds, entries } = ledger.takeWrites();
        const row = await writeSandboxPlacement(trx, this.store.schema, {
          order: checked.values,
          funds,
          ledger: entries,
        });
        return { ok: true as const, row, position, fill: null };
      }
      if (checked.rejected) {
        await ledger.flush(trx);
        return { ...checked, fill: null };
      }
      // Nothing is written for a refused order (except a CNC sell shortfall, stored above).
      throw checked.kind === 'funds'
        ? new InsufficientFundsError(checked.message, { context: { mode: 'analyze' } })
        : new InvalidOrderError(checked.message, { context: { mode: 'analyze' } });
    });
    if (!outcome.ok) {
      if (outcome.rejected) {
        this.emit({ type: 'order_update', userId, order: orderBookRow(outcome.rejected) });
      }
      throw new InvalidOrderError(outcome.message, {
        context: { mode: 'analyze', ...(outcome.rejected ? { orderId: outcome.rejected.orderid } : {}) },
      });
    }
    this.emit({ type: 'order_update', userId, order: orderBookRow(outcome.row) });
    if (outcome.fill) {
      this.#afterFill(outcome.fill.result, outcome.fill.market);
      return outcome.fill.result.order;
    }
    return this.route(outcome.row);
  }

  /** The price a just-stored order fills at now, when the latest touch allows it at once. */
  immediateFill(row: MarketableFields): {
    price: { text: string; value: number };
    market: { low: number; high: number; source: FillSource };
  } | null {
    const touch = this.touchOf(row.exchange, row.symbol);
    const price = touch ? this.#immediatePrice(row, touch) : null;
    if (!touch || !price) {
      return null;
    }
    return {
      price,
      market: {
        low: Math.min(touch.ltp, price.value),
        high: Math.max(touch.ltp, price.value),
        source: 'placement',
      },
    };
  }

  /**
   * The stateful checks and the insert, inside the caller's transaction (sandbox.md §4 steps
   * 7–9). `touch` prices a MARKET order and decides whether a stop starts triggered.
   */
  async storeOrder(
    trx: SandboxExecutor,
    ledger: FundsLedger,
    userId: number,
    input: PlaceInput,
    touch: Touch | undefined,
  ): Promise<StoredOutcome> {
    const checked = await this.checkOrder(trx, ledger, userId, input, touch);
    if (!checked.ok) {
      return checked;
    }
    return { ok: true, row: await this.#insertChecked(trx, ledger, checked), position: checked.position };
  }

  async #insertChecked(
    trx: SandboxExecutor,
    ledger: FundsLedger,
    checked: CheckedOrder,
  ): Promise<SandboxOrderRow> {
    const row = await insertSandboxOrder(trx, checked.values);
    this.#reserve(ledger, checked);
    return row;
  }

  #reserve(ledger: FundsLedger, checked: CheckedOrder): void {
    const { values, margin } = checked;
    if (margin.gt(0)) {
      ledger.reserve(
        'order',
        values.orderid,
        margin,
        `${values.action} ${values.quantity} ${values.symbol} ${values.price_type}`,
      );
    }
  }

  /**
   * The stateful checks of a placement (sandbox.md §4 steps 7–8), inside the caller's
   * transaction: the order's values when it may be stored, or why not. `locked`: the
   * position as the caller already locked it (else it is locked here).
   */
  async checkOrder(
    trx: SandboxExecutor,
    ledger: FundsLedger,
    userId: number,
    input: PlaceInput,
    touch: Touch | undefined,
    locked?: { position: SandboxPositionRow | undefined },
  ): Promise<CheckedOrder | Refusal> {
    const { instrument, action, product, priceType, quantity } = input;
    const at = new Date(this.now());
    const position = locked
      ? locked.position
      : await lockSandboxPosition(trx, {
          userId,
          symbol: instrument.symbol,
          exchange: instrument.exchange,
          product,
        });
    const held = position?.quantity ?? 0;
    const signed = action === 'BUY' ? quantity : -quantity;
    const opening = openingQuantity(held, signed);

    let reference = input.price;
    if (priceType === 'MARKET') {
      const fallback = position?.ltp ? new Dec(position.ltp) : null;
      const ltp = touch ? new Dec(touch.ltpText) : fallback;
      if (!ltp?.gt(0)) {
        return {
          ok: false,
          kind: 'invalid',
          rejected: null,
          message: `Cannot place MARKET order for ${instrument.symbol} - unable to fetch current price. Please try again later or use LIMIT order with a specific price.`,
        };
      }
      reference = ltp;
    }

    if (product === 'MIS') {
      const cutoff = squareOffTimeOf(this.#config, instrument.exchange);
      if (cutoff) {
        const clock = istClock(this.now());
        const isBlocked = clock >= cutoff || clock < '09:00';
        if (isBlocked && opening > 0) {
          return {
            ok: false,
            kind: 'invalid',
            rejected: null,
            message: `MIS orders cannot be placed after square-off time (${cutoff} IST). Trading resumes at 09:00 AM IST.`,
          };
        }
      }
    }

    const base = {
      user_id: userId,
      strategy: input.strategy,
      symbol: instrument.symbol,
      exchange: instrument.exchange,
      instrument: instrumentJson(instrument),
      action,
      quantity,
      price: reference.toString(),
      trigger_price: input.trigger.toString(),
      price_type: priceType,
      product,
      expiry_date: expiryDateOf(instrument),
      gtt_leg_id: input.gttLegId ?? null,
      client_order_id: input.clientOrderId,
      placed_at: at,
      updated_at: at,
    } as const;

    if (action === 'SELL' && product === 'CNC') {
      const holding = await lockSandboxHolding(trx, userId, instrument.symbol, instrument.exchange);
      const positionQuantity = Math.max(0, held);
      const holdingsQuantity = Math.max(0, holding?.quantity ?? 0);
      const promised = await sumWorkingCncSellQuantity(trx, userId, instrument.symbol, instrument.exchange);
      const available = positionQuantity + holdingsQuantity - promised;
      let reason: string | null = null;
      if (available <= 0) {
        reason = `Cannot sell ${instrument.symbol} in CNC. No positions or holdings available. CNC (delivery) requires existing shares. Use MIS for intraday short selling.`;
      } else if (quantity > available) {
        reason = `Cannot sell ${quantity} shares of ${instrument.symbol} in CNC. Only ${available} shares available (Position: ${positionQuantity}, Holdings: ${holdingsQuantity}${promised > 0 ? `, in open sell orders: ${promised}` : ''})`;
      }
      if (reason) {
        const rejected = await insertSandboxOrder(trx, {
          ...base,
          orderid: await this.nextOrderId(trx),
          status: 'rejected',
          pending_quantity: 0,
          rejection_reason: reason,
          margin_blocked: '0',
          reservation: '0',
          margin_quantity: 0,
        });
        return { ok: false, kind: 'invalid', rejected, message: reason };
      }
    }

    const isReserving = reservesMargin(instrument, product, action) && opening > 0;
    const basis = priceType === 'MARKET' || priceType === 'LIMIT' ? reference : input.trigger;
    const margin = isReserving
      ? marginFor(
          opening,
          basis,
          leverageOf(this.#config, instrument, product, action),
          this.contractValue(instrument),
        )
      : new Dec(0);
    if (margin.gt(ledger.available)) {
      return {
        ok: false,
        kind: 'funds',
        rejected: null,
        message: `Insufficient funds. Required: ₹${formatRupees(margin)}, Available: ₹${formatRupees(ledger.available)}, Shortage: ₹${formatRupees(margin.sub(ledger.available))}`,
      };
    }

    const isStop = priceType === 'SL' || priceType === 'SL-M';
    const isTriggered =
      isStop &&
      touch !== undefined &&
      (action === 'BUY' ? touch.ltp >= Number(input.trigger) : touch.ltp <= Number(input.trigger));
    const values: SandboxOrderInsert = {
      ...base,
      orderid: await this.nextOrderId(trx),
      status: isStop && !isTriggered ? 'trigger pending' : 'open',
      pending_quantity: quantity,
      rejection_reason: null,
      margin_blocked: margin.toString(),
      reservation: margin.toString(),
      margin_quantity: isReserving ? opening : 0,
    };
    return { ok: true, values, margin, position };
  }

  /**
   * Decides what a working order does now: fills at once when the market allows it (MARKET
   * at the touch; a marketable LIMIT or a triggered stop at the LTP), else rests in the book.
   * Returns the order's latest row.
   */
  async route(row: SandboxOrderRow): Promise<SandboxOrderRow> {
    const immediate = this.immediateFill(row);
    if (immediate) {
      try {
        const filled = await this.fill(row.user_id, row.orderid, immediate.price.text, immediate.market);
        if (filled) {
          return filled;
        }
      } catch (error) {
        return (await this.rejectAfterError(row.user_id, row.orderid, error)) ?? row;
      }
    }
    this.#index(row);
    return row;
  }

  #immediatePrice(row: MarketableFields, touch: Touch): { text: string; value: number } | null {
    const isBuy = row.action === 'BUY';
    const ltp = { text: touch.ltpText, value: touch.ltp };
    const limit = Number(row.price);
    const trigger = Number(row.trigger_price);
    switch (row.price_type) {
      case 'MARKET': {
        const price = touchPrice(touch, row.action);
        return { text: price.text, value: price.price };
      }
      case 'LIMIT':
        return (isBuy ? touch.ltp <= limit : touch.ltp >= limit) ? ltp : null;
      case 'SL-M': {
        const isTriggered = row.status === 'open' || (isBuy ? touch.ltp >= trigger : touch.ltp <= trigger);
        return isTriggered ? ltp : null;
      }
      case 'SL': {
        const isTriggered = row.status === 'open' || (isBuy ? touch.ltp >= trigger : touch.ltp <= trigger);
        const isWithinLimit = isBuy ? touch.ltp <= limit : touch.ltp >= limit;
        return isTriggered && isWithinLimit ? ltp : null;
      }
    }
  }

  // ---------------------------------------------------------------- fills

  /**
   * One fill, one transaction: the order completes, its trade is written, the position nets
   * and the ledger moves the margin and books the P&L. Returns `null` when the order was no
   * longer working (a cancel won the race).
   */
  async fill(
    userId: number,
    orderid: string,
    priceText: string,
    market: { low: number; high: number; source: FillSource },
  ): Promise<SandboxOrderRow | null> {
    const result = await this.transaction(async (trx) => {
      // Lock order everywhere: the account's funds row first, then what it owns.
      const ledger = await this.lockFunds(trx, userId);
      const order = await lockSandboxOrder(trx, orderid);
      if (!order || order.user_id !== userId || !isWorking(order)) {
        return null;
      }
      return this.fillWithin(trx, ledger, { row: order }, priceText);
    });
    if (!result) {
      return null;
    }
    this.#afterFill(result, market);
    return result.order;
  }

  /**
   * The body of a fill inside an open transaction whose funds row is locked: the netting and
   * the ledger's movements in memory, then one statement that writes the order (completed, or
   * stored already complete), its trade, the position, the funds row and the journal — the
   * ledger's earlier movements of this transaction (a placement's reservation) included.
   * `locked`: the order's position as this transaction already locked it (`undefined`: none).
   */
  async fillWithin(
    trx: SandboxExecutor,
    ledger: FundsLedger,
    target: FillTarget,
    priceText: string,
    locked?: { position: SandboxPositionRow | undefined },
  ): Promise<FillResult> {
    const order = 'row' in target ? target.row : target.insert;
    const at = new Date(this.now());
    const session = this.sessionStart();
    const price = new Dec(priceText);
    const instrument = instrumentOf(order.instrument);
    const contractValue = this.contractValue(instrument);
    const key = {
      userId: order.user_id,
      symbol: order.symbol,
      exchange: order.exchange,
      product: order.product,
    };
    const position = locked ? locked.position : await lockSandboxPosition(trx, key);
    const before = position?.quantity ?? 0;
    const signed = order.action === 'BUY' ? order.quantity : -order.quantity;
    const basis =
      order.price_type === 'SL' || order.price_type === 'SL-M' ? order.trigger_price : order.price;
    const leverage = leverageOf(this.#config, instrument, order.product, order.action);
    const isReserving = reservesMargin(instrument, order.product, order.action);
    const netting = applyFill(
      {
        quantity: before,
        averagePrice: new Dec(position?.average_price ?? '0'),
        reservation: new Dec(position?.reservation ?? '0'),
      },
      {
        signedQuantity: signed,
        price,
        contractValue,
        orderReservation: new Dec(order.reservation),
        orderMarginQuantity: order.margin_quantity,
        marginToOpen: (quantity) =>
          isReserving ? marginFor(quantity, basis, leverage, contractValue) : new Dec(0),
      },
    );

    ledger.move({
      kind: 'fill',
      ownerKind: 'order',
      ownerId: order.orderid,
      cash: netting.marginReleased,
      margin: netting.marginReleased.neg(),
      note: `${order.action} ${order.quantity} ${order.symbol} @ ${price.toString()}`,
    });
    if (!netting.realizedPnl.isZero()) {
      ledger.realize('position', `${order.exchange}:${order.symbol}:${order.product}`, netting.realizedPnl);
    }

    const completion = {
      status: 'complete',
      average_price: price.toString(),
      filled_quantity: order.quantity,
      pending_quantity: 0,
      reservation: '0',
      updated_at: at,
    } as const;
    const tradeid = this.tradeIdOf(order.orderid);
    const isSameSession = position !== undefined && position.today_session.getTime() >= session.getTime();
    const todayBefore = isSameSession ? new Dec(position.today_realized_pnl) : new Dec(0);
    const positionValues = {
      quantity: netting.quantity,
      average_price: netting.averagePrice.toString(),
      reservation: netting.reservation.toString(),
      today_realized_pnl: todayBefore.add(netting.realizedPnl).toString(),
      today_session: session,
      ltp: price.toString(),
      expiry_date: expiryDateOf(instrument),
      updated_at: at,
    };
    const writes = ledger.takeWrites();
    const completed = await writeSandboxFill(trx, this.store.schema, {
      order:
        'row' in target
          ? { orderid: order.orderid, update: completion }
          : { insert: { ...target.insert, ...completion } },
      trade: {
        tradeid,
        orderid: order.orderid,
        user_id: order.user_id,
        strategy: order.strategy,
        symbol: order.symbol,
        exchange: order.exchange,
        action: order.action,
        quantity: order.quantity,
        price: price.toString(),
        product: order.product,
        realized_pnl: netting.realizedPnl.toString(),
        traded_at: at,
      },
      position: position
        ? {
            id: position.id,
            update: {
              ...positionValues,
              realized_pnl: new Dec(position.realized_pnl).add(netting.realizedPnl).toString(),
              ...(before === 0 || Math.sign(before) !== Math.sign(netting.quantity) ? { opened_at: at } : {}),
            },
          }
        : {
            insert: {
              ...positionValues,
              user_id: order.user_id,
              symbol: order.symbol,
              exchange: order.exchange,
              product: order.product,
              instrument: order.instrument as SandboxOrderInsert['instrument'],
              realized_pnl: netting.realizedPnl.toString(),
              opened_at: at,
              created_at: at,
            },
          },
      funds: writes.funds,
      ledger: writes.entries,
    });
    return { order: completed, trade: tradeid, before, after: netting.quantity, instrument };
  }

  #afterFill(result: FillResult, market: { low: number; high: number; source: FillSource }): void {
    const { order } = result;
    // A book event already took it out of the book; a placement fill never put it there.
    this.#unindex(order);
    this.positionChanged(result.instrument, result.before, result.after);
    this.emit({ type: 'order_update', userId: order.user_id, order: orderBookRow(order) });
    this.emit({
      type: 'order_filled',
      userId: order.user_id,
      orderid: order.orderid,
      symbol: order.symbol,
      exchange: order.exchange,
      action: order.action,
      quantity: order.quantity,
      price: toDecimal(order.average_price ?? '0').toString(),
      marketLow: market.low,
      marketHigh: market.high,
      source: market.source,
    });
  }

  /** Any failure while filling: the order is rejected "Execution error: …" and its margin released. */
  async rejectAfterError(userId: number, orderid: string, error: unknown): Promise<SandboxOrderRow | null> {
    this.logger.error({ err: error, orderid }, 'sandbox fill failed');
    try {
      const row = await this.transaction(async (trx) => {
        const ledger = await this.lockFunds(trx, userId);
        const order = await lockSandboxOrder(trx, orderid);
        if (!order || order.user_id !== userId || !isWorking(order)) {
          return null;
        }
        const rejected = await updateSandboxOrder(trx, orderid, {
          status: 'rejected',
          pending_quantity: 0,
          reservation: '0',
          rejection_reason: `Execution error: ${error instanceof Error ? error.message : String(error)}`,
          updated_at: new Date(this.now()),
        });
        ledger.release('order', orderid, order.reservation, 'execution error');
        await ledger.flush(trx);
        return rejected;
      });
      if (row) {
        this.#unindex(row);
        this.emit({ type: 'order_update', userId: row.user_id, order: orderBookRow(row) });
      }
      return row;
    } catch (secondError) {
      this.logger.error({ err: secondError, orderid }, 'sandbox could not reject a failed fill');
      return null;
    }
  }

  // ---------------------------------------------------------------- cancel and modify

  async cancel(userId: number, orderid: string, reason = 'cancelled'): Promise<SandboxOrderRow> {
    const row = await this.transaction(async (trx) => {
      const ledger = await this.lockFunds(trx, userId);
      const order = await lockSandboxOrder(trx, orderid);
      if (!order || order.user_id !== userId) {
        throw new OrderNotFoundError(`Order ${orderid} not found`, { context: { mode: 'analyze' } });
      }
      if (!isWorking(order)) {
        throw new InvalidOrderError(`Cannot cancel order in ${order.status} status`, {
          context: { mode: 'analyze' },
        });
      }
      const cancelled = await updateSandboxOrder(trx, orderid, {
        status: 'cancelled',
        pending_quantity: 0,
        reservation: '0',
        updated_at: new Date(this.now()),
      });
      ledger.release('order', orderid, order.reservation, reason);
      await ledger.flush(trx);
      return cancelled;
    });
    this.#unindex(row);
    this.emit({ type: 'order_update', userId, order: orderBookRow(row) });
    return row;
  }

  /**
   * Changes quantity, price and trigger of a working order and re-reserves its margin for the
   * new values (the original kept the old reservation). The order leaves the book while it
   * changes, so no tick can fill it half-modified.
   */
  async modify(
    userId: number,
    orderid: string,
    change: { quantity: number; price: Dec; trigger: Dec },
  ): Promise<SandboxOrderRow> {
    const current = await findSandboxOrder(this.store.db, userId, orderid);
    if (!current) {
      throw new OrderNotFoundError(`Order ${orderid} not found`, { context: { mode: 'analyze' } });
    }
    if (!isWorking(current)) {
      throw new InvalidOrderError(`Cannot modify order in ${current.status} status`, {
        context: { mode: 'analyze' },
      });
    }
    const priceProblem = checkModifyPrices(current.price_type, change.price, change.trigger);
    if (priceProblem) {
      throw new InvalidOrderError(priceProblem, { context: { mode: 'analyze' } });
    }
    const instrument = instrumentOf(current.instrument);
    if (!Number.isInteger(change.quantity) || change.quantity <= 0) {
      throw new InvalidOrderError('Quantity must be positive', { context: { mode: 'analyze' } });
    }
    if (isDerivativeSegment(current.exchange) && change.quantity % instrument.lotSize !== 0) {
      throw new InvalidOrderError(`Quantity must be in multiples of lot size ${instrument.lotSize}`, {
        context: { mode: 'analyze' },
      });
    }

    const wasIndexed = this.#unindex(current);
    try {
      const row = await this.transaction(async (trx) => {
        const ledger = await this.lockFunds(trx, userId);
        const order = await lockSandboxOrder(trx, orderid);
        if (!order || !isWorking(order)) {
          throw new InvalidOrderError(`Cannot modify order in ${order?.status ?? 'unknown'} status`, {
            context: { mode: 'analyze' },
          });
        }
        const position = await lockSandboxPosition(trx, {
          userId,
          symbol: order.symbol,
          exchange: order.exchange,
          product: order.product,
        });
        const price =
          order.price_type === 'LIMIT' || order.price_type === 'SL' ? change.price : new Dec(order.price);
        const trigger =
          order.price_type === 'SL' || order.price_type === 'SL-M' ? change.trigger : new Dec(0);
        if ((order.price_type === 'LIMIT' || order.price_type === 'SL') && !price.gt(0)) {
          throw new InvalidOrderError(`${order.price_type} orders require price`, {
            context: { mode: 'analyze' },
          });
        }
        if ((order.price_type === 'SL' || order.price_type === 'SL-M') && !trigger.gt(0)) {
          throw new InvalidOrderError(`${order.price_type} orders require trigger_price`, {
            context: { mode: 'analyze' },
          });
        }
        const signed = order.action === 'BUY' ? change.quantity : -change.quantity;
        const opening = openingQuantity(position?.quantity ?? 0, signed);
        const isReserving = reservesMargin(instrument, order.product, order.action) && opening > 0;
        const basis = order.price_type === 'SL' || order.price_type === 'SL-M' ? trigger : price;
        const margin = isReserving
          ? marginFor(
              opening,
              basis,
              leverageOf(this.#config, instrument, order.product, order.action),
              this.contractValue(instrument),
            )
          : new Dec(0);
        const delta = margin.sub(new Dec(order.reservation));
        if (delta.gt(ledger.available)) {
          throw new InsufficientFundsError(
            `Insufficient funds. Required: ₹${formatRupees(delta)}, Available: ₹${formatRupees(ledger.available)}, Shortage: ₹${formatRupees(delta.sub(ledger.available))}`,
            { context: { mode: 'analyze' } },
          );
        }
        const updated = await updateSandboxOrder(trx, orderid, {
          quantity: change.quantity,
          pending_quantity: change.quantity,
          price: price.toString(),
          trigger_price: trigger.toString(),
          margin_blocked: margin.toString(),
          reservation: margin.toString(),
          margin_quantity: isReserving ? opening : 0,
          updated_at: new Date(this.now()),
        });
        if (delta.gt(0)) {
          ledger.reserve('order', orderid, delta, 'modify');
        } else if (delta.lt(0)) {
          ledger.release('order', orderid, delta.neg(), 'modify');
        }
        await ledger.flush(trx);
        return updated;
      });
      this.emit({ type: 'order_update', userId, order: orderBookRow(row) });
      return this.route(row);
    } catch (error) {
      if (wasIndexed) {
        const latest = await findSandboxOrder(this.store.db, userId, orderid);
        if (latest && isWorking(latest)) {
          this.#index(latest);
        }
      }
      throw error;
    }
  }

  /**
   * Closes a position outside the normal order path (square-off of a stale session, expiry):
   * a completed order and trade at `priceText`, in one transaction like any fill.
   */
  async forceClose(
    position: SandboxPositionRow,
    priceText: string,
    strategy: string,
    source: FillSource,
  ): Promise<SandboxOrderRow | null> {
    const result = await this.transaction(async (trx) => {
      const ledger = await this.lockFunds(trx, position.user_id);
      const current = await lockSandboxPosition(trx, {
        userId: position.user_id,
        symbol: position.symbol,
        exchange: position.exchange,
        product: position.product,
      });
      if (!current || current.quantity === 0) {
        return null;
      }
      const at = new Date(this.now());
      const action: Action = current.quantity > 0 ? 'SELL' : 'BUY';
      const instrument = instrumentOf(current.instrument);
      const values: SandboxOrderInsert = {
        orderid: await this.nextOrderId(trx),
        user_id: current.user_id,
        strategy,
        symbol: current.symbol,
        exchange: current.exchange,
        instrument: current.instrument,
        action,
        quantity: Math.abs(current.quantity),
        price: priceText,
        trigger_price: '0',
        price_type: 'MARKET',
        product: current.product,
        status: 'open',
        pending_quantity: Math.abs(current.quantity),
        rejection_reason: null,
        margin_blocked: '0',
        reservation: '0',
        margin_quantity: 0,
        expiry_date: expiryDateOf(instrument),
        gtt_leg_id: null,
        client_order_id: null,
        placed_at: at,
        updated_at: at,
      };
      // Stored already complete, with its trade and the closed position, in one statement.
      return this.fillWithin(trx, ledger, { insert: values }, priceText, { position: current });
    });
    if (!result) {
      return null;
    }
    const price = Number(priceText);
    this.#afterFill(result, { low: price, high: price, source });
    return result.order;
  }

  /** Takes orders that stopped working outside the normal path (fund resets) out of memory. */
  forgetOrders(orders: readonly SandboxOrderRow[]): void {
    for (const order of orders) {
      this.#unindex(order);
      this.emit({ type: 'order_update', userId: order.user_id, order: orderBookRow(order) });
    }
  }

  /** Stores a refused order as `rejected` (a GTT leg whose order could not be placed). */
  async storeRejected(
    trx: SandboxExecutor,
    userId: number,
    input: PlaceInput,
    reason: string,
  ): Promise<SandboxOrderRow> {
    const at = new Date(this.now());
    return insertSandboxOrder(trx, {
      orderid: await this.nextOrderId(trx),
      user_id: userId,
      strategy: input.strategy,
      symbol: input.instrument.symbol,
      exchange: input.instrument.exchange,
      instrument: instrumentJson(input.instrument),
      action: input.action,
      quantity: input.quantity,
      price: input.price.toString(),
      trigger_price: input.trigger.toString(),
      price_type: input.priceType,
      product: input.product,
      status: 'rejected',
      pending_quantity: 0,
      rejection_reason: reason,
      margin_blocked: '0',
      reservation: '0',
      margin_quantity: 0,
      expiry_date: expiryDateOf(input.instrument),
      gtt_leg_id: input.gttLegId ?? null,
      client_order_id: input.clientOrderId,
      placed_at: at,
      updated_at: at,
    });
  }
}

export function isWorking(order: { status: string }): boolean {
  return order.status === 'open' || order.status === 'trigger pending';
}

/** What the book needs of a working order. */
type IndexedOrder = Pick<
  SandboxOrderRow,
  | 'orderid'
  | 'user_id'
  | 'symbol'
  | 'exchange'
  | 'action'
  | 'price_type'
  | 'product'
  | 'status'
  | 'price'
  | 'trigger_price'
>;

export interface FillResult {
  order: SandboxOrderRow;
  trade: string;
  before: number;
  after: number;
  instrument: ResolvedInstrument;
}

function quoteTouch(
  quote: { ltp: string; bid: string; ask: string; lastTradeTime?: number | undefined },
  at: number,
): Touch {
  const ltp = toDecimal(quote.ltp);
  const bid = toDecimal(quote.bid);
  const ask = toDecimal(quote.ask);
  return {
    ltp: Number(quote.ltp),
    ltpText: ltp.toString(),
    ...(bid.gt(0) ? { bid: Number(quote.bid), bidText: bid.toString() } : {}),
    ...(ask.gt(0) ? { ask: Number(quote.ask), askText: ask.toString() } : {}),
    at,
  };
}
