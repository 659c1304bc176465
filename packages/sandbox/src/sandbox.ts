import {
  AuthenticationError,
  type BrokerContext,
  type BrokerGtt,
  type BrokerOrders,
  type BrokerPortfolio,
  type BrokerSession,
  type Logger,
  OpenAlgoError,
  OrderNotFoundError,
  RateLimitError,
  type Unsubscribe,
} from '@openalgo/broker-sdk';
import {
  type Database,
  findSandboxFunds,
  findSandboxOrder,
  type Kysely,
  listSandboxFunds,
  listSandboxHoldings,
  listSandboxOrders,
  listSandboxPositions,
  listSandboxTrades,
  markSandboxHoldings,
  markSandboxPositions,
  type SandboxFundsRow,
  type SandboxHoldingRow,
  type SandboxOrderRow,
  type SandboxPositionRow,
  sandboxStore,
  sumSandboxHoldingsCost,
  sumSandboxLedger,
  sumSandboxReservations,
  updateSandboxFunds,
} from '@openalgo/db';
import type { OrderAck, OrderRequest, ResolvedInstrument, Tick } from '@openalgo/shared-types';
import { Dec, toWireNumber } from '@openalgo/shared-types/decimal';
import { z } from 'zod';
import type { Touch } from './book.js';
import { type SandboxCore as Core, SandboxCore, type SandboxEvent, WORKING_STATUSES } from './core.js';
import { GttDesk } from './gtt.js';
import { instrumentOf } from './instruments.js';
import { type JobReport, SandboxJobs } from './jobs.js';
import {
  DEFAULT_SANDBOX_CONFIG,
  RESETTABLE_KEYS,
  type SandboxConfig,
  type SandboxConfigKey,
} from './sandbox-config.js';
import type { TickSource } from './tick-source.js';
import type { PlaceInput } from './validation.js';
import {
  fundsData,
  gttBookRow,
  holdingRow,
  holdingStatistics,
  type MarkedHolding,
  type MarkedPosition,
  orderBookRow,
  orderStatistics,
  orderStatusData,
  positionBookRow,
  toFunds,
  toGtt,
  toHolding,
  toOrder,
  toPosition,
  toTrade,
  tradeBookRow,
} from './views.js';

export interface SandboxSettings {
  /** The database the api uses; the sandbox works in its own schema of it. */
  database: { db: Kysely<Database>; sandboxSchema: string };
  /** Prices: the connected broker's ticks and quotes. */
  ticks: TickSource;
  logger: Logger;
  /** The clock (epoch ms); tests pass a fake one. */
  now?: () => number;
  /** Starting capital seeded on first start (rupees, default 10000000.00). */
  startingCapital?: string;
  /** IST time of the daily session boundary (default `03:00`). */
  sessionExpiryTime?: string;
  quoteRetryDelaysMs?: readonly number[];
  priceFreshnessMs?: number;
  /**
   * Orders and order changes of one account that may wait in its lane at once (default 256);
   * beyond, a new one is refused at once (429) instead of waiting past its deadline.
   */
  maxQueuedWrites?: number;
  /**
   * The longest an order or order change may expect to wait for its turn in the account's
   * lane (default 2500 ms), estimated from how long the lane's recent tasks took and how many
   * wait; beyond, it is refused at once (429). Keep it below the caller's order deadline: an
   * order that waits past it has an unknown outcome.
   */
  maxLaneWaitMs?: number;
  /** Contract value per instrument (crypto contracts); 1 when absent. */
  contractValueOf?: (instrument: ResolvedInstrument) => string | undefined;
  sleep?: (ms: number) => Promise<void>;
  /** Run the scheduled jobs on timers (default true); tests drive `runDueJobs()` themselves. */
  isScheduled?: boolean;
}

/** Extras a sandbox order accepts in `brokerOptions`. */
export const sandboxOrderOptionsSchema = z
  .object({ strategy: z.string().max(100).optional() })
  .passthrough()
  .optional();

export interface Reconciliation {
  isBalanced: boolean;
  cash: string;
  usedMargin: string;
  holdingsCost: string;
  capital: string;
  realizedPnl: string;
  reservations: { orders: string; positions: string; gtts: string };
  problems: string[];
}

export interface CancelAllResult {
  canceled: string[];
  failed: { orderid: string; message: string }[];
}

export interface CloseAllResult {
  closed: { symbol: string; exchange: string; product: string; orderid: string }[];
  failed: { symbol: string; exchange: string; product: string; message: string }[];
}

/** The analyzer-mode bodies of the account routes (api-v1 §4.2), by user. */
export interface SandboxViews {
  funds(userId: number): Promise<ReturnType<typeof fundsData>>;
  orderBook(
    userId: number,
  ): Promise<{ orders: ReturnType<typeof orderBookRow>[]; statistics: ReturnType<typeof orderStatistics> }>;
  tradeBook(userId: number): Promise<ReturnType<typeof tradeBookRow>[]>;
  positionBook(userId: number): Promise<{
    data: ReturnType<typeof positionBookRow>[];
    total_pnl: number;
    total_unrealized_pnl: number;
    total_today_realized_pnl: number;
    total_pnl_today: number;
  }>;
  holdings(
    userId: number,
  ): Promise<{ holdings: ReturnType<typeof holdingRow>[]; statistics: ReturnType<typeof holdingStatistics> }>;
  orderStatus(userId: number, orderid: string): Promise<ReturnType<typeof orderStatusData>>;
  openPosition(userId: number, symbol: string, exchange: string, product: string): Promise<number>;
  gttBook(userId: number): Promise<ReturnType<typeof gttBookRow>[]>;
}

export interface Sandbox {
  readonly orders: Required<BrokerOrders>;
  readonly portfolio: Required<BrokerPortfolio>;
  readonly gtt: BrokerGtt;
  readonly views: SandboxViews;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The tick listener (also fed by the tick source once started). Returns how many orders it touched. */
  processTick(tick: Tick): number;
  /** Runs whatever scheduled work is due at the clock's current time. */
  runDueJobs(): Promise<JobReport>;
  /** Resolves when every queued fill and order operation has finished. */
  idle(): Promise<void>;
  onEvent(listener: (event: SandboxEvent) => void): Unsubscribe;
  config(): SandboxConfig;
  updateConfig(key: SandboxConfigKey, value: string): Promise<void>;
  /** The manual reset: default settings, the account's history wiped, funds back to capital. */
  resetAccount(userId: number): Promise<void>;
  cancelAll(userId: number): Promise<CancelAllResult>;
  closeAll(userId: number, strategy?: string): Promise<CloseAllResult>;
  /** Checks every ledger invariant of an account. */
  reconcile(userId: number): Promise<Reconciliation>;
  /** Working orders and GTT legs held in memory, across all symbols. */
  readonly bookSize: number;
}

/** The broker session the api hands the sandbox: the OpenAlgo user is the account. */
export function sandboxSession(userId: number, now: number): BrokerSession {
  return {
    brokerId: 'sandbox',
    accessToken: `sandbox-${userId}`,
    userId: String(userId),
    issuedAt: now,
    data: {},
  };
}

/** What a write skipped at its deadline did not do, for its answer. */
type LaneWrite =
  | 'the order was not placed'
  | 'the order was not modified'
  | 'the order was not cancelled'
  | 'the GTT was not placed'
  | 'the GTT was not modified'
  | 'the GTT was not cancelled';

/**
 * Runs a write in the account's lane unless its caller's deadline passes while it still
 * waits: then the caller is answered at once that it was not done (429, `neverSent`), and the
 * write is skipped when its turn comes, instead of appearing long after its client gave up.
 */
function inLane<T>(
  core: Core,
  userId: number,
  context: BrokerContext,
  notDone: LaneWrite,
  task: () => Promise<T>,
): Promise<T> {
  // Overload is refused before anything is written, so the caller knows it was not placed (a
  // wait past the order deadline would leave it "unknown" and send it to reconciliation): by
  // the expected wait, from how long this account's recent writes took (a slow or stalled
  // database), and by count, which bounds the memory one account can hold.
  const limit = core.maxQueuedWrites;
  if (core.queue.depth(userId) >= limit) {
    return Promise.reject(
      new RateLimitError(
        `Analyzer mode is busy: ${limit} orders of this account are already waiting. Try again shortly.`,
        { context: { mode: 'analyze' } },
      ),
    );
  }
  const waitMs = core.queue.expectedWaitMs(userId);
  if (waitMs > core.maxLaneWaitMs) {
    return Promise.reject(
      new RateLimitError(
        `Analyzer mode is busy: this account's orders would wait about ${Math.ceil(waitMs)} ms for their turn (the limit is ${core.maxLaneWaitMs} ms). Try again shortly.`,
        { context: { mode: 'analyze' } },
      ),
    );
  }
  const { signal } = context;
  const queuedAt = performance.now();
  let isStarted = false;
  const queued = core.queue.run(userId, () => {
    // Its caller gave up while it waited (answered below): it never runs.
    signal?.throwIfAborted();
    isStarted = true;
    return task();
  });
  if (!signal) {
    return queued;
  }
  return new Promise<T>((resolve, reject) => {
    // The order's deadline passed while it still waited for its turn: it is certain that it
    // was not placed, so the caller hears that now rather than "unconfirmed" (which would send
    // it to reconciliation for the whole window). Once started, its own outcome stands.
    const onAbort = () => {
      if (!isStarted) {
        reject(
          new RateLimitError(
            `Analyzer mode is busy: ${notDone} (it waited ${Math.round(performance.now() - queuedAt)} ms for its turn in this account's queue). Try again shortly.`,
            { context: { mode: 'analyze', mayHaveReachedBroker: false, neverSent: true } },
          ),
        );
      }
    };
    signal.addEventListener('abort', onAbort, { once: true });
    queued.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function accountOf(context: BrokerContext): number {
  const id = Number(context.session.userId);
  if (context.session.brokerId !== 'sandbox' || !Number.isInteger(id) || id <= 0) {
    throw new AuthenticationError('Not a sandbox session', { context: { mode: 'analyze' } });
  }
  return id;
}

function placeInputOf(request: OrderRequest): PlaceInput {
  const options = sandboxOrderOptionsSchema.safeParse(request.brokerOptions);
  return {
    instrument: request.instrument,
    action: request.action,
    quantity: request.quantity,
    product: request.product,
    priceType: request.priceType,
    price: new Dec(request.price),
    trigger: new Dec(request.triggerPrice),
    strategy: (options.success ? options.data?.strategy : undefined) ?? '',
    clientOrderId: request.clientOrderId,
  };
}

function ack(row: SandboxOrderRow): OrderAck {
  return { orderId: row.orderid, raw: { ...orderBookRow(row), mode: 'analyze' } };
}

const MARK_BATCH = 200;

export function createSandbox(settings: SandboxSettings): Sandbox {
  const now = settings.now ?? Date.now;
  const store = sandboxStore(settings.database.db, settings.database.sandboxSchema);
  const core: Core = new SandboxCore({
    store,
    ticks: settings.ticks,
    logger: settings.logger.child({ component: 'sandbox' }),
    now,
    ...(settings.startingCapital ? { startingCapital: settings.startingCapital } : {}),
    sessionExpiryTime: settings.sessionExpiryTime ?? '03:00',
    quoteRetryDelaysMs: settings.quoteRetryDelaysMs ?? [300, 600],
    priceFreshnessMs: settings.priceFreshnessMs ?? 5_000,
    maxQueuedWrites: settings.maxQueuedWrites ?? 256,
    maxLaneWaitMs: settings.maxLaneWaitMs ?? 2_500,
    contractValueOf: (instrument) => settings.contractValueOf?.(instrument) ?? '1',
    sleep: settings.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
  });
  const gttDesk = new GttDesk(core);
  const jobs = new SandboxJobs(core, gttDesk, settings.database.db);
  let timer: NodeJS.Timeout | null = null;
  let isRunning = false;

  async function marks(instruments: readonly ResolvedInstrument[]): Promise<void> {
    const stale = instruments.filter((instrument) => {
      const touch = core.touchOf(instrument.exchange, instrument.symbol);
      return !touch || now() - touch.at > core.settings.priceFreshnessMs;
    });
    for (let start = 0; start < stale.length; start += MARK_BATCH) {
      const batch = stale.slice(start, start + MARK_BATCH);
      try {
        const results = await settings.ticks.fetchQuotes(batch);
        for (const result of results) {
          if (result.ok && new Dec(result.quote.ltp).gt(0)) {
            const book = core.books.ensure(result.instrument.exchange, result.instrument.symbol);
            if (!book.touch || book.touch.at <= now()) {
              const touch: Touch = {
                ltp: Number(result.quote.ltp),
                ltpText: new Dec(result.quote.ltp).toString(),
                at: now(),
              };
              book.touch = touch;
            }
          }
        }
      } catch (error) {
        core.logger.warn({ err: error }, 'sandbox could not fetch quotes to mark positions');
      }
    }
  }

  function todayOf(row: { today_session: Date; today_realized_pnl: string }): Dec {
    return row.today_session.getTime() >= core.sessionStart().getTime()
      ? new Dec(row.today_realized_pnl)
      : new Dec(0);
  }

  async function markedPositions(userId: number): Promise<MarkedPosition[]> {
    const rows = await listSandboxPositions(store.db, { userId });
    const visible = rows.filter((row) => row.quantity !== 0 || !todayOf(row).isZero());
    await marks(visible.filter((row) => row.quantity !== 0).map((row) => instrumentOf(row.instrument)));
    const updates: { id: number; ltp: string }[] = [];
    const result = visible.map((row): MarkedPosition => {
      const instrument = instrumentOf(row.instrument);
      const touch = core.touchOf(row.exchange, row.symbol);
      const ltpText = touch?.ltpText ?? row.ltp;
      const ltp = ltpText ? new Dec(ltpText) : null;
      const contractValue = core.contractValue(instrument);
      const unrealized =
        row.quantity === 0 || !ltp
          ? new Dec(0)
          : ltp.sub(new Dec(row.average_price)).mul(row.quantity).mul(contractValue);
      if (touch && row.quantity !== 0 && touch.ltpText !== row.ltp) {
        updates.push({ id: row.id, ltp: touch.ltpText });
      }
      return { row, ltp, unrealized, todayRealized: todayOf(row), contractValue };
    });
    await markSandboxPositions(store.db, store.schema, updates);
    return result;
  }

  async function markedHoldings(userId: number): Promise<MarkedHolding[]> {
    const rows = (await listSandboxHoldings(store.db, { userId })).filter((row) => row.quantity !== 0);
    await marks(rows.map((row) => instrumentOf(row.instrument)));
    const updates: { id: number; ltp: string }[] = [];
    const result = rows.map((row: SandboxHoldingRow): MarkedHolding => {
      const touch = core.touchOf(row.exchange, row.symbol);
      const ltpText = touch?.ltpText ?? row.ltp;
      if (touch && touch.ltpText !== row.ltp) {
        updates.push({ id: row.id, ltp: touch.ltpText });
      }
      return { row, ltp: ltpText ? new Dec(ltpText) : null };
    });
    await markSandboxHoldings(store.db, store.schema, updates);
    return result;
  }

  async function fundsOf(userId: number): Promise<{ row: SandboxFundsRow; unrealized: Dec; today: Dec }> {
    let row = await findSandboxFunds(store.db, userId);
    if (!row) {
      await core.queue.run(userId, () =>
        core.transaction(async (trx) => {
          const ledger = await core.lockFunds(trx, userId);
          await ledger.flush(trx);
        }),
      );
      row = await findSandboxFunds(store.db, userId);
    }
    if (!row) {
      throw new Error(`sandbox funds of user ${userId} are missing`);
    }
    const positions = await markedPositions(userId);
    const unrealized = positions.reduce((total, position) => total.add(position.unrealized), new Dec(0));
    if (unrealized.toString() !== new Dec(row.unrealized_pnl).toString()) {
      await updateSandboxFunds(store.db, userId, { unrealized_pnl: unrealized.toString() });
    }
    return { row, unrealized, today: todayOf(row) };
  }

  async function sessionOrders(userId: number): Promise<SandboxOrderRow[]> {
    return listSandboxOrders(store.db, { userId, since: core.sessionStart() });
  }

  async function findOrder(userId: number, orderid: string): Promise<SandboxOrderRow> {
    const row = await findSandboxOrder(store.db, userId, orderid);
    if (!row) {
      throw new OrderNotFoundError(`Order ${orderid} not found`, { context: { mode: 'analyze' } });
    }
    return row;
  }

  async function cancelAll(userId: number): Promise<CancelAllResult> {
    const working = await listSandboxOrders(store.db, { userId, statuses: WORKING_STATUSES });
    const result: CancelAllResult = { canceled: [], failed: [] };
    for (const order of working) {
      try {
        await core.queue.run(userId, () => core.cancel(userId, order.orderid));
        result.canceled.push(order.orderid);
      } catch (error) {
        result.failed.push({
          orderid: order.orderid,
          message: error instanceof Error ? error.message : String(error),
        });
      }
    }
    return result;
  }

  async function closeAll(userId: number, strategy = 'Squareoff'): Promise<CloseAllResult> {
    const positions = await listSandboxPositions(store.db, { userId, isOpen: true });
    const result: CloseAllResult = { closed: [], failed: [] };
    for (const position of positions) {
      const key = { symbol: position.symbol, exchange: position.exchange, product: position.product };
      try {
        const order = await core.queue.run(userId, () => closeOne(userId, position, strategy));
        if (order) {
          result.closed.push({ ...key, orderid: order.orderid });
        }
      } catch (error) {
        result.failed.push({ ...key, message: error instanceof Error ? error.message : String(error) });
      }
    }
    return result;
  }

  async function closeOne(userId: number, position: SandboxPositionRow, strategy: string) {
    const current = (await listSandboxPositions(store.db, { userId, isOpen: true })).find(
      (row) => row.id === position.id,
    );
    if (!current) {
      return null;
    }
    return core.place(userId, {
      instrument: instrumentOf(current.instrument),
      action: current.quantity > 0 ? 'SELL' : 'BUY',
      quantity: Math.abs(current.quantity),
      product: current.product,
      priceType: 'MARKET',
      price: new Dec(0),
      trigger: new Dec(0),
      strategy,
      clientOrderId: null,
    });
  }

  function scheduleNext(): void {
    if (!isRunning || settings.isScheduled === false) {
      return;
    }
    const delay = Math.max(50, Math.min(60_000, jobs.nextDueAt() - now() + 1));
    timer = setTimeout(() => {
      timer = null;
      jobs
        .runDue()
        .catch((error: unknown) => core.logger.error({ err: error }, 'sandbox scheduled jobs failed'))
        .finally(scheduleNext);
    }, delay);
    timer.unref?.();
  }

  const orders: Required<BrokerOrders> = {
    placeOrder: async (request, context) => {
      const userId = accountOf(context);
      const row = await inLane(core, userId, context, 'the order was not placed', () =>
        core.place(userId, placeInputOf(request)),
      );
      return ack(row);
    },
    modifyOrder: async (ref, change, context) => {
      const userId = accountOf(context);
      const row = await inLane(core, userId, context, 'the order was not modified', () =>
        core.modify(userId, ref.orderId, {
          quantity: change.quantity,
          price: new Dec(change.price),
          trigger: new Dec(change.triggerPrice),
        }),
      );
      return ack(row);
    },
    cancelOrder: async (ref, context) => {
      const userId = accountOf(context);
      const row = await inLane(core, userId, context, 'the order was not cancelled', () =>
        core.cancel(userId, ref.orderId),
      );
      return ack(row);
    },
    fetchOrders: async (context) => (await sessionOrders(accountOf(context))).map(toOrder),
    fetchOrder: async (ref, context) => toOrder(await findOrder(accountOf(context), ref.orderId)),
    fetchTrades: async (context) =>
      (await listSandboxTrades(store.db, { userId: accountOf(context), since: core.sessionStart() })).map(
        toTrade,
      ),
    cancelAllOrders: async (context) => {
      const userId = accountOf(context);
      const result = await cancelAll(userId);
      return result.canceled.map((orderId) => ({ orderId, raw: { mode: 'analyze' } }));
    },
  };

  const portfolio: Required<BrokerPortfolio> = {
    fetchPositions: async (context) => (await markedPositions(accountOf(context))).map(toPosition),
    fetchHoldings: async (context) => (await markedHoldings(accountOf(context))).map(toHolding),
    fetchFunds: async (context) => {
      const { row, unrealized, today } = await fundsOf(accountOf(context));
      return toFunds(row, today, unrealized);
    },
    closeAllPositions: async (context) => {
      const result = await closeAll(accountOf(context));
      return result.closed.map((entry) => ({ orderId: entry.orderid, raw: { ...entry, mode: 'analyze' } }));
    },
  };

  const gtt: BrokerGtt = {
    placeGtt: async (request, context) => {
      const userId = accountOf(context);
      const options = sandboxOrderOptionsSchema.safeParse(
        (request as { brokerOptions?: unknown }).brokerOptions,
      );
      const strategy = (options.success ? options.data?.strategy : undefined) ?? '';
      const row = await inLane(core, userId, context, 'the GTT was not placed', () =>
        gttDesk.place(userId, request, strategy),
      );
      return { triggerId: row.gtt_id };
    },
    modifyGtt: async (triggerId, request, context) => {
      const userId = accountOf(context);
      const row = await inLane(core, userId, context, 'the GTT was not modified', () =>
        gttDesk.modify(userId, triggerId, request),
      );
      return { triggerId: row.gtt_id };
    },
    cancelGtt: async (triggerId, context) => {
      const userId = accountOf(context);
      const row = await inLane(core, userId, context, 'the GTT was not cancelled', () =>
        gttDesk.cancel(userId, triggerId),
      );
      return { triggerId: row.gtt_id };
    },
    fetchGtts: async (context) =>
      (await gttDesk.list(accountOf(context))).map((entry) => toGtt(entry.gtt, entry.legs)),
  };

  const views: SandboxViews = {
    funds: async (userId) => {
      const { row, unrealized, today } = await fundsOf(userId);
      return fundsData(row, today, unrealized);
    },
    orderBook: async (userId) => {
      const rows = await sessionOrders(userId);
      return { orders: rows.map(orderBookRow), statistics: orderStatistics(rows) };
    },
    tradeBook: async (userId) =>
      (await listSandboxTrades(store.db, { userId, since: core.sessionStart() })).map(tradeBookRow),
    positionBook: async (userId) => {
      const marked = await markedPositions(userId);
      const data = marked.map(positionBookRow);
      const unrealized = marked.reduce((total, row) => total.add(row.unrealized), new Dec(0));
      const today = marked.reduce((total, row) => total.add(row.todayRealized), new Dec(0));
      const total = unrealized.add(today);
      return {
        data,
        total_pnl: toWireNumber(total),
        total_unrealized_pnl: toWireNumber(unrealized),
        total_today_realized_pnl: toWireNumber(today),
        total_pnl_today: toWireNumber(total),
      };
    },
    holdings: async (userId) => {
      const marked = await markedHoldings(userId);
      return { holdings: marked.map(holdingRow), statistics: holdingStatistics(marked) };
    },
    orderStatus: async (userId, orderid) => orderStatusData(await findOrder(userId, orderid)),
    openPosition: async (userId, symbol, exchange, product) => {
      const rows = await listSandboxPositions(store.db, {
        userId,
        products: [product],
        exchanges: [exchange],
      });
      return rows.find((row) => row.symbol === symbol)?.quantity ?? 0;
    },
    gttBook: async (userId) => (await gttDesk.list(userId)).map((entry) => gttBookRow(entry.gtt, entry.legs)),
  };

  return {
    orders,
    portfolio,
    gtt,
    views,
    get bookSize() {
      return core.books.size;
    },
    start: async () => {
      await core.start();
      await gttDesk.load();
      isRunning = true;
      // Catch up with whatever fell due while the process was down, then keep time.
      await jobs.runDue();
      scheduleNext();
    },
    stop: async () => {
      isRunning = false;
      if (timer) {
        clearTimeout(timer);
        timer = null;
      }
      await core.stop();
    },
    processTick: (tick) => core.processTick(tick),
    runDueJobs: () => jobs.runDue(),
    idle: () => core.queue.idle(),
    onEvent: (listener) => core.onEvent(listener),
    config: () => core.config,
    updateConfig: async (key, value) => {
      const before = core.config.starting_capital;
      await core.putConfig(key, value);
      if (key === 'starting_capital') {
        // Every account's capital follows the setting; cash moves by the same amount.
        const delta = new Dec(value).sub(new Dec(before));
        if (!delta.isZero()) {
          for (const funds of await listSandboxFunds(store.db)) {
            await core.queue.run(funds.user_id, () =>
              core.transaction(async (trx) => {
                const ledger = await core.lockFunds(trx, funds.user_id);
                const capitalDelta = new Dec(value).sub(ledger.capital);
                ledger.move({
                  kind: 'capital',
                  cash: capitalDelta,
                  capital: capitalDelta,
                  note: 'starting capital changed',
                });
                await ledger.flush(trx);
              }),
            );
          }
        }
      }
    },
    resetAccount: async (userId) => {
      for (const key of RESETTABLE_KEYS) {
        if (core.config[key] !== DEFAULT_SANDBOX_CONFIG[key]) {
          await core.putConfig(key, DEFAULT_SANDBOX_CONFIG[key]);
        }
      }
      await core.queue.run(userId, () => jobs.resetAccount(userId, { wipeHistory: true }));
    },
    cancelAll,
    closeAll,
    reconcile: async (userId) => {
      const funds = await findSandboxFunds(store.db, userId);
      const reservations = await sumSandboxReservations(store.db, store.schema, userId);
      const holdingsCost = await sumSandboxHoldingsCost(store.db, userId);
      const journal = await sumSandboxLedger(store.db, userId);
      const problems: string[] = [];
      if (!funds) {
        return {
          isBalanced: true,
          cash: '0',
          usedMargin: '0',
          holdingsCost: '0',
          capital: '0',
          realizedPnl: '0',
          reservations,
          problems,
        };
      }
      const cash = new Dec(funds.cash);
      const used = new Dec(funds.used_margin);
      const held = new Dec(funds.holdings_cost);
      const capital = new Dec(funds.capital);
      const realized = new Dec(funds.realized_pnl);
      const reserved = new Dec(reservations.orders).add(reservations.positions).add(reservations.gtts);
      if (!cash.add(used).add(held).eq(capital.add(realized))) {
        problems.push('cash + used margin + holdings cost differs from capital + realised P&L');
      }
      if (!used.eq(reserved)) {
        problems.push(`used margin ${used.toString()} differs from the reservations ${reserved.toString()}`);
      }
      if (!held.eq(new Dec(holdingsCost))) {
        problems.push(`holdings cost ${held.toString()} differs from the holdings ${holdingsCost}`);
      }
      const journalMatches =
        new Dec(journal.cash).eq(cash) &&
        new Dec(journal.margin).eq(used) &&
        new Dec(journal.holdings).eq(held) &&
        new Dec(journal.capital).eq(capital) &&
        new Dec(journal.realized).eq(realized);
      if (!journalMatches) {
        problems.push('the ledger journal does not sum to the funds row');
      }
      return {
        isBalanced: problems.length === 0,
        cash: cash.toString(),
        usedMargin: used.toString(),
        holdingsCost: held.toString(),
        capital: capital.toString(),
        realizedPnl: realized.toString(),
        reservations,
        problems,
      };
    },
  };
}

/** Whether an error came from the sandbox (its responses carry `"mode":"analyze"`). */
export function isSandboxError(error: unknown): error is OpenAlgoError {
  return OpenAlgoError.isInstance(error) && error.context.mode === 'analyze';
}
