import { randomUUID } from 'node:crypto';
import {
  type AlertStatus,
  claimAlert,
  type Database,
  type DatabaseHandle,
  deleteStrategy,
  deleteStrategySymbol,
  type FinishAlertInput,
  findAlert,
  findStrategy,
  findStrategyByWebhookId,
  finishAlert,
  finishAlerts,
  heartbeatApiInstance,
  insertAlert,
  insertStrategy,
  type JsonValue,
  type Kysely,
  listAlertOrders,
  listAlerts,
  listIntradayStrategies,
  listLiveApiInstances,
  listStrategies,
  listStrategySymbols,
  listUnfinishedAlerts,
  markStrategySquaredOff,
  releaseAlert,
  removeApiInstance,
  type StrategyAlertRow,
  type StrategyRow,
  type StrategySymbolRow,
  updateStrategy,
  upsertStrategySymbols,
} from '@openalgo/db';
import {
  type AlertResponse,
  type ChartinkAlert,
  type CreateStrategyRequest,
  chartinkAlertSchema,
  EXCHANGES,
  type Exchange,
  PRODUCTS,
  type Product,
  type StrategyAlert,
  type StrategySymbolInput,
  strategyAlertSchema,
  toFieldErrors,
  type UpdateStrategyRequest,
} from '@openalgo/shared-types';
import { parse as parseCsv } from 'csv-parse/sync';
import type { Logger } from 'pino';
import { formatIst } from '../../time.js';
import {
  type AlertPlan,
  dedupeKeyFor,
  type PlannedOrder,
  planChartinkAlert,
  planStrategyAlert,
} from './alert-plan.js';

/**
 * Strategies and their webhooks (features.md §4.1–§4.3), done better than the original:
 * every alert is stored before it is acknowledged, executed in-process through the normal
 * order path (analyzer and semi-auto respected), and its outcome recorded; duplicates within
 * a window execute once; alerts a crash left behind are executed or expired on restart.
 */

export interface GatewayOrder {
  userId: number;
  /** The alert the order executes: recorded with it, so a restart never places it again. */
  alertId: string;
  strategy: string;
  symbol: string;
  exchange: Exchange;
  product: Product;
  action: 'BUY' | 'SELL';
  quantity: number;
}

export type GatewayResult =
  | { status: 'success'; orderid?: string; pending_order_id?: number; message?: string; mode?: string }
  | { status: 'error'; message: string };

/** The normal order path, as the strategy engine uses it. */
export interface OrderGateway {
  placeOrder(order: GatewayOrder): Promise<GatewayResult>;
  placeSmartOrder(order: GatewayOrder & { positionSize: number }): Promise<GatewayResult>;
}

export class StrategyError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'StrategyError';
  }
}

export interface StrategyServiceOptions {
  db: Kysely<Database>;
  logger: Logger;
  now: () => number;
  gateway: () => OrderGateway;
  /** Checks a mapping's symbol exists in the master contract. */
  symbolExists: (symbol: string, exchange: Exchange) => Promise<boolean>;
  /** Public base URL used to print webhook URLs. */
  publicUrl: () => string;
  /** Identical alerts within this window execute once. */
  dedupeWindowMs: number;
  /** Alerts older than this when found unprocessed after a restart are expired, not executed. */
  maxAlertAgeMs: number;
  /**
   * Answered alerts' outcomes wait this long (ms) to be written together, one statement for
   * all that arrived meanwhile; 0 writes each at once. Reads of the history write them first.
   */
  outcomeDelayMs?: number;
  /**
   * Where configuration changes are announced, so every instance drops its cached strategies
   * at once (PostgreSQL NOTIFY; in-process on PGlite). Without it only this process's own
   * changes invalidate, and the cache's time to live bounds the rest.
   */
  changes?: Pick<DatabaseHandle, 'listen' | 'notify'>;
  /**
   * Other api processes may share the database (PostgreSQL): each says it is alive every
   * `heartbeatMs`, start-up recovery leaves alone what a live one is executing, and the alerts
   * of one that stopped are recovered by the others once its heartbeat is stale. Without it
   * (the embedded database, one process) whatever another process claimed is abandoned.
   */
  sharedDatabase?: boolean;
  /** Heartbeat period of a process on a shared database (default 5 s); stale after three. */
  heartbeatMs?: number;
  /** This process's name in claims and heartbeats (default: a random one per process). */
  instanceId?: string;
}

const DEFAULT_HEARTBEAT_MS = 5_000;

/** Changed strategies or mappings, announced to every instance. */
export const STRATEGIES_CHANNEL = 'openalgo_strategies';
/** How long a cached strategy (and its mappings) serves alerts before it is read again. */
const STRATEGY_CACHE_TTL_MS = 2_000;
const STRATEGY_CACHE_MAX = 1_000;

interface CachedStrategy {
  strategy: StrategyRow;
  mappings: StrategySymbolRow[];
  at: number;
}

export interface AlertOutcome {
  statusCode: number;
  body: AlertResponse;
}

export class StrategyService {
  readonly #options: StrategyServiceOptions;
  #squareOffTimer: NodeJS.Timeout | null = null;
  /** Webhook id → strategy and mappings: an alert's hot path reads no configuration. */
  readonly #byWebhook = new Map<string, CachedStrategy>();
  #stopListening: (() => Promise<void>) | null = null;
  /** Outcomes of answered alerts not yet written, and the write under way. */
  #finishQueue: FinishAlertInput[] = [];
  #finishWriting: Promise<void> | null = null;
  /** Ends the wait of the pending outcome write (a read or shutdown wants them now). */
  #writeNow: (() => void) | null = null;
  /** This process, as alerts it executes and its heartbeat name it. */
  readonly instanceId: string;
  #heartbeatTimer: NodeJS.Timeout | null = null;
  #sweepTimer: NodeJS.Timeout | null = null;
  #recovering: Promise<{ executed: number; expired: number; interrupted: number }> | null = null;

  constructor(options: StrategyServiceOptions) {
    this.#options = options;
    this.instanceId = options.instanceId ?? `api_${randomUUID()}`;
  }

  get #heartbeatMs(): number {
    return this.#options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
  }

  /** Follows configuration changes made by other instances. */
  async startListening(): Promise<void> {
    if (this.#options.changes && !this.#stopListening) {
      this.#stopListening = await this.#options.changes.listen(STRATEGIES_CHANNEL, () =>
        this.#byWebhook.clear(),
      );
    }
  }

  async stopListening(): Promise<void> {
    await this.#stopListening?.().catch(() => undefined);
    this.#stopListening = null;
  }

  /** Drops cached configuration here and announces it to the other instances. */
  async #changed(): Promise<void> {
    this.#byWebhook.clear();
    await this.#options.changes?.notify(STRATEGIES_CHANNEL, '').catch((error: unknown) => {
      this.#options.logger.warn({ err: error }, 'strategy change not announced');
    });
  }

  async #configurationFor(webhookId: string): Promise<CachedStrategy | undefined> {
    const now = Date.now();
    const cached = this.#byWebhook.get(webhookId);
    if (cached && now - cached.at < STRATEGY_CACHE_TTL_MS) {
      return cached;
    }
    const strategy = await findStrategyByWebhookId(this.#options.db, webhookId);
    if (!strategy) {
      this.#byWebhook.delete(webhookId);
      return undefined;
    }
    const entry = { strategy, mappings: await listStrategySymbols(this.#options.db, strategy.id), at: now };
    if (this.#byWebhook.size >= STRATEGY_CACHE_MAX) {
      this.#byWebhook.clear();
    }
    this.#byWebhook.set(webhookId, entry);
    return entry;
  }

  webhookUrl(strategy: StrategyRow): string {
    const base = this.#options.publicUrl().replace(/\/+$/, '');
    return `${base}/${strategy.kind === 'chartink' ? 'chartink' : 'strategy'}/webhook/${strategy.webhook_id}`;
  }

  // ------------------------------------------------------------------ configuration

  async create(userId: number, input: CreateStrategyRequest): Promise<StrategyRow> {
    const kind = input.platform === 'chartink' ? 'chartink' : 'webhook';
    try {
      const created = await insertStrategy(this.#options.db, {
        user_id: userId,
        name: input.name,
        platform: input.platform,
        kind,
        webhook_id: randomUUID(),
        is_active: input.is_active,
        is_intraday: input.is_intraday,
        trading_mode: kind === 'chartink' ? 'LONG' : input.trading_mode,
        start_time: input.start_time ?? null,
        end_time: input.end_time ?? null,
        squareoff_time: input.squareoff_time ?? null,
      });
      await this.#changed();
      return created;
    } catch (error) {
      if (/unique|duplicate/i.test(String(error))) {
        throw new StrategyError(409, `A strategy named ${input.name} already exists`);
      }
      throw error;
    }
  }

  async update(userId: number, id: number, input: UpdateStrategyRequest): Promise<StrategyRow> {
    const existing = await this.require(userId, id);
    const merged = {
      is_intraday: input.is_intraday ?? existing.is_intraday,
      start_time: input.start_time !== undefined ? input.start_time : existing.start_time,
      end_time: input.end_time !== undefined ? input.end_time : existing.end_time,
      squareoff_time: input.squareoff_time !== undefined ? input.squareoff_time : existing.squareoff_time,
    };
    if (merged.is_intraday) {
      const { start_time: start, end_time: end, squareoff_time: squareoff } = merged;
      if (!start || !end || !squareoff || !(start < end && end <= squareoff)) {
        throw new StrategyError(400, 'Intraday strategies need start < end ≤ square-off times (HH:MM IST)');
      }
    }
    const updated = await updateStrategy(this.#options.db, id, userId, {
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.trading_mode !== undefined && existing.kind === 'webhook'
        ? { trading_mode: input.trading_mode }
        : {}),
      ...(input.is_active !== undefined ? { is_active: input.is_active } : {}),
      ...merged,
    });
    if (!updated) {
      throw new StrategyError(404, 'Strategy not found');
    }
    await this.#changed();
    return updated;
  }

  async remove(userId: number, id: number): Promise<void> {
    if (!(await deleteStrategy(this.#options.db, id, userId))) {
      throw new StrategyError(404, 'Strategy not found');
    }
    await this.#changed();
  }

  async require(userId: number, id: number): Promise<StrategyRow> {
    const strategy = await findStrategy(this.#options.db, id, userId);
    if (!strategy) {
      throw new StrategyError(404, 'Strategy not found');
    }
    return strategy;
  }

  list(userId: number): Promise<StrategyRow[]> {
    return listStrategies(this.#options.db, userId);
  }

  symbols(strategyId: number): Promise<StrategySymbolRow[]> {
    return listStrategySymbols(this.#options.db, strategyId);
  }

  async alerts(strategyId: number, limit?: number): Promise<StrategyAlertRow[]> {
    // This process's outcomes still on their way are part of the history it shows.
    await this.settled();
    return listAlerts(this.#options.db, strategyId, limit);
  }

  /** Waits until the outcomes of answered alerts are written (reads, shutdown). */
  async settled(): Promise<void> {
    while (this.#finishWriting) {
      this.#writeNow?.();
      await this.#finishWriting;
    }
  }

  /** Parses `SYMBOL,EXCHANGE,QTY,PRODUCT` lines (a header line is allowed). */
  parseSymbolCsv(text: string): StrategySymbolInput[] {
    let records: string[][];
    try {
      records = parseCsv(text, {
        skip_empty_lines: true,
        trim: true,
        relax_column_count: true,
      }) as string[][];
    } catch (error) {
      throw new StrategyError(
        400,
        `CSV could not be read: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    const rows: StrategySymbolInput[] = [];
    const problems: string[] = [];
    records.forEach((record, index) => {
      if (index === 0 && record[0]?.toUpperCase() === 'SYMBOL') {
        return;
      }
      const [symbol = '', exchange = '', quantity = '', product = ''] = record.map((cell) =>
        cell.toUpperCase(),
      );
      const line = index + 1;
      if (!symbol) {
        problems.push(`line ${line}: symbol is missing`);
        return;
      }
      if (!(EXCHANGES as readonly string[]).includes(exchange)) {
        problems.push(`line ${line}: exchange ${exchange || '(empty)'} is not valid`);
        return;
      }
      if (!/^\d+$/.test(quantity) || Number(quantity) <= 0) {
        problems.push(`line ${line}: quantity must be a positive whole number`);
        return;
      }
      if (!(PRODUCTS as readonly string[]).includes(product)) {
        problems.push(`line ${line}: product must be CNC, NRML or MIS`);
        return;
      }
      rows.push({
        symbol,
        exchange: exchange as Exchange,
        quantity: Number(quantity),
        product: product as Product,
      });
    });
    if (problems.length > 0) {
      throw new StrategyError(400, `CSV has problems: ${problems.slice(0, 20).join('; ')}`, problems);
    }
    return rows;
  }

  async addSymbols(
    userId: number,
    strategyId: number,
    inputs: readonly StrategySymbolInput[],
  ): Promise<StrategySymbolRow[]> {
    const strategy = await this.require(userId, strategyId);
    const missing: string[] = [];
    for (const input of inputs) {
      if (strategy.kind === 'chartink' && input.exchange !== 'NSE' && input.exchange !== 'BSE') {
        throw new StrategyError(400, 'ChartInk strategies trade NSE and BSE cash only');
      }
      if (strategy.kind === 'chartink' && input.product === 'NRML') {
        throw new StrategyError(400, 'ChartInk strategies use MIS or CNC');
      }
      if (!(await this.#options.symbolExists(input.symbol, input.exchange))) {
        missing.push(`${input.symbol}@${input.exchange}`);
      }
    }
    if (missing.length > 0) {
      throw new StrategyError(400, `Unknown symbols: ${missing.slice(0, 20).join(', ')}`);
    }
    const stored = await upsertStrategySymbols(
      this.#options.db,
      inputs.map((input) => ({
        strategy_id: strategyId,
        symbol: input.symbol,
        exchange: input.exchange,
        quantity: input.quantity,
        product: input.product,
      })),
    );
    await this.#changed();
    return stored;
  }

  async removeSymbol(userId: number, strategyId: number, symbolId: number): Promise<void> {
    await this.require(userId, strategyId);
    if (!(await deleteStrategySymbol(this.#options.db, strategyId, symbolId))) {
      throw new StrategyError(404, 'Symbol mapping not found');
    }
    await this.#changed();
  }

  // ------------------------------------------------------------------ alerts

  /**
   * An inbound webhook: validate, store (before acknowledging), then execute and record the
   * outcome. Unknown webhook id → 404 and nothing stored.
   */
  async receive(kind: 'webhook' | 'chartink', webhookId: string, payload: unknown): Promise<AlertOutcome> {
    const { db, now } = this.#options;
    const configuration = await this.#configurationFor(webhookId);
    if (!configuration || configuration.strategy.kind !== kind) {
      return { statusCode: 404, body: { status: 'error', message: 'Invalid webhook ID' } };
    }
    const { strategy, mappings } = configuration;
    const receivedAt = new Date(now());
    const schema = kind === 'chartink' ? chartinkAlertSchema : strategyAlertSchema;
    const parsed = schema.safeParse(payload);
    const stored = await insertAlert(
      db,
      {
        id: `alr_${receivedAt.getTime().toString(36)}${randomUUID().slice(0, 8)}`,
        strategyId: strategy.id,
        receivedAt,
        payload: sanitizePayload(payload),
        dedupeKey: dedupeKeyFor(parsed.success ? parsed.data : payload),
      },
      this.#options.dedupeWindowMs,
      // Stored already claimed: this request executes it, no second round trip to claim.
      { claim: true, owner: this.instanceId },
    );
    if (stored.status === 'duplicate') {
      return {
        statusCode: 200,
        body: {
          status: 'success',
          message: 'Duplicate alert ignored (already received)',
          alert_id: stored.id,
        },
      };
    }
    if (!parsed.success) {
      const errors = toFieldErrors(parsed.error.issues);
      this.#finishAfterAnswer(stored.id, 'rejected', { errors }, 'invalid payload');
      return {
        statusCode: 400,
        body: {
          status: 'error',
          message: `Invalid alert payload: ${JSON.stringify(errors)}`,
          alert_id: stored.id,
        },
      };
    }
    return this.#process(stored, strategy, parsed.data as StrategyAlert | ChartinkAlert, mappings);
  }

  async #finish(
    id: string,
    status: Exclude<AlertStatus, 'received' | 'processing' | 'duplicate'>,
    outcome: JsonValue | null,
    error: string | null,
  ): Promise<void> {
    await finishAlert(this.#options.db, {
      id,
      status,
      outcome,
      error,
      processedAt: new Date(this.#options.now()),
    });
  }

  /**
   * Writes an alert's outcome without holding its answer: `outcomeDelayMs` later (or when a
   * read of the history wants it), with the outcomes that arrive meanwhile, in one statement.
   * Safe because a lost outcome (a crash before it was written, a failed write) never leads
   * to a second execution: the alert stays unfinished, and recovery finds the orders it
   * recorded (`recoverUnfinished`).
   */
  #finishAfterAnswer(
    id: string,
    status: Exclude<AlertStatus, 'received' | 'processing' | 'duplicate'>,
    outcome: JsonValue | null,
    error: string | null,
  ): void {
    this.#finishQueue.push({ id, status, outcome, error, processedAt: new Date(this.#options.now()) });
    this.#finishWriting ??= this.#writeFinishes();
  }

  async #writeFinishes(): Promise<void> {
    const delayMs = this.#options.outcomeDelayMs ?? 0;
    if (delayMs > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delayMs);
        this.#writeNow = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#writeNow = null;
    }
    try {
      while (this.#finishQueue.length > 0) {
        const batch = this.#finishQueue.splice(0, 500);
        try {
          await finishAlerts(this.#options.db, batch);
        } catch (failure) {
          this.#options.logger.error(
            { err: failure, alerts: batch.map((input) => input.id) },
            'alert outcomes not written; recovery settles them at the next start',
          );
        }
      }
    } finally {
      this.#finishWriting = null;
    }
  }

  async #process(
    alert: StrategyAlertRow,
    strategy: StrategyRow,
    payload: StrategyAlert | ChartinkAlert,
    cachedMappings?: readonly StrategySymbolRow[],
  ): Promise<AlertOutcome> {
    if (alert.status !== 'processing' && !(await claimAlert(this.#options.db, alert.id, this.instanceId))) {
      return {
        statusCode: 200,
        body: { status: 'success', message: 'Alert is already being processed', alert_id: alert.id },
      };
    }
    if (!strategy.is_active) {
      this.#finishAfterAnswer(alert.id, 'ignored', null, 'strategy inactive');
      return {
        statusCode: strategy.kind === 'chartink' ? 200 : 400,
        body: { status: 'error', message: 'Strategy is inactive', alert_id: alert.id },
      };
    }
    const istTime = formatIst(this.#options.now(), 'HH:mm');
    const mappings = cachedMappings ?? (await listStrategySymbols(this.#options.db, strategy.id));
    const plan: AlertPlan =
      strategy.kind === 'chartink'
        ? planChartinkAlert(strategy, mappings, payload as ChartinkAlert, istTime)
        : planStrategyAlert(strategy, mappings, payload as StrategyAlert, istTime);
    if (!plan.ok) {
      this.#finishAfterAnswer(alert.id, 'rejected', null, plan.message);
      return {
        statusCode: plan.status,
        body: { status: 'error', message: plan.message, alert_id: alert.id },
      };
    }
    const results = await this.#execute(strategy, plan.orders, alert.id);
    const failed = results.filter((result) => result.status === 'error').length;
    const status = failed === 0 ? 'executed' : failed === results.length ? 'failed' : 'partial';
    this.#finishAfterAnswer(
      alert.id,
      status,
      { results, skipped: plan.skipped },
      failed > 0 ? `${failed} of ${results.length} orders failed` : null,
    );
    const skippedText = plan.skipped.length > 0 ? ` (unmapped, skipped: ${plan.skipped.join(', ')})` : '';
    return {
      statusCode: 200,
      body: {
        status: failed === results.length ? 'error' : 'success',
        message: `${results.length - failed} of ${results.length} orders accepted${skippedText}`,
        alert_id: alert.id,
        results,
      },
    };
  }

  async #execute(
    strategy: StrategyRow,
    orders: readonly PlannedOrder[],
    alertId: string,
  ): Promise<NonNullable<AlertResponse['results']>> {
    const gateway = this.#options.gateway();
    const results: NonNullable<AlertResponse['results']> = [];
    for (const order of orders) {
      const base: GatewayOrder = {
        userId: strategy.user_id,
        alertId,
        strategy: strategy.name,
        symbol: order.symbol,
        exchange: order.exchange,
        product: order.product,
        action: order.action,
        quantity: order.quantity,
      };
      let result: GatewayResult;
      try {
        result =
          order.kind === 'smart'
            ? await gateway.placeSmartOrder({ ...base, positionSize: order.positionSize })
            : await gateway.placeOrder(base);
      } catch (error) {
        this.#options.logger.error({ err: error, strategy: strategy.id }, 'strategy order failed');
        result = { status: 'error', message: error instanceof Error ? error.message : 'order failed' };
      }
      results.push({
        symbol: order.symbol,
        exchange: order.exchange,
        action: order.action,
        status: result.status,
        ...(result.status === 'success' && result.orderid ? { orderid: result.orderid } : {}),
        ...(result.status === 'success' && result.pending_order_id !== undefined
          ? { pending_order_id: result.pending_order_id }
          : {}),
        ...(result.message ? { message: result.message } : {}),
      });
    }
    return results;
  }

  /**
   * Start-up recovery: alerts stored but not finished (a crash between receipt and execution)
   * are executed when still fresh, expired when older than `maxAlertAgeMs`. An alert that had
   * recorded orders already (a crash during or after its execution, before its outcome was
   * written) is never executed again: it is finished from the order log as `interrupted`.
   * Runs after the order journal recovered what the stopped process had recorded.
   */
  recoverUnfinished(): Promise<{ executed: number; expired: number; interrupted: number }> {
    // One recovery at a time in a process (start-up and the shared database's sweeps).
    this.#recovering ??= this.#recover().finally(() => {
      this.#recovering = null;
    });
    return this.#recovering;
  }

  /** This process, and on a shared database the others whose heartbeat is fresh. */
  async #liveOwners(): Promise<string[]> {
    if (!this.#options.sharedDatabase) {
      return [this.instanceId];
    }
    const since = new Date(this.#options.now() - 3 * this.#heartbeatMs);
    const live = await listLiveApiInstances(this.#options.db, since);
    return [this.instanceId, ...live.filter((id) => id !== this.instanceId)];
  }

  async #recover(): Promise<{ executed: number; expired: number; interrupted: number }> {
    const { db, now } = this.#options;
    let executed = 0;
    let expired = 0;
    let interrupted = 0;
    // This process's own answered alerts are finished, not unfinished: their outcomes first.
    await this.settled();
    const liveOwners = await this.#liveOwners();
    for (const alert of await listUnfinishedAlerts(db, { liveOwners })) {
      const recorded = await listAlertOrders(db, alert.id, alert.received_at);
      if (recorded.length > 0) {
        const isClean = recorded.every((order) => order.status !== 'failed' && order.status !== 'rejected');
        await this.#finish(
          alert.id,
          isClean ? 'executed' : 'partial',
          { interrupted: true, orders: recorded.map((order) => ({ ...order })) },
          `interrupted by a restart after ${recorded.length} of its orders were recorded; not executed again (any order not recorded then was never placed)`,
        );
        interrupted += 1;
        continue;
      }
      // Only while the stopped process still holds it: another may be recovering it too.
      await releaseAlert(db, alert.id, alert.status === 'processing' ? alert.claimed_by : undefined);
      const age = now() - alert.received_at.getTime();
      if (age > this.#options.maxAlertAgeMs) {
        if (await claimAlert(db, alert.id, this.instanceId)) {
          await this.#finish(
            alert.id,
            'expired',
            null,
            `not executed: ${Math.round(age / 1_000)} s old at restart`,
          );
          expired += 1;
        }
        continue;
      }
      const strategy = await db
        .selectFrom('strategies')
        .selectAll()
        .where('id', '=', alert.strategy_id)
        .executeTakeFirst();
      const fresh = await findAlert(db, alert.id);
      if (!strategy || !fresh) {
        continue;
      }
      const schema = strategy.kind === 'chartink' ? chartinkAlertSchema : strategyAlertSchema;
      const parsed = schema.safeParse(fresh.payload);
      if (!parsed.success) {
        if (await claimAlert(db, alert.id, this.instanceId)) {
          await this.#finish(alert.id, 'rejected', null, 'invalid payload');
        }
        continue;
      }
      await this.#process(fresh, strategy, parsed.data as StrategyAlert | ChartinkAlert);
      executed += 1;
    }
    await this.settled();
    return { executed, expired, interrupted };
  }

  // ------------------------------------------------------------------ square-off

  /** Flattens every mapped symbol of intraday strategies whose square-off time has come (once a day). */
  async runSquareOff(): Promise<number> {
    const { db, now } = this.#options;
    const istTime = formatIst(now(), 'HH:mm');
    const istDate = formatIst(now(), 'yyyy-MM-dd');
    let flattened = 0;
    for (const strategy of await listIntradayStrategies(db)) {
      if (!strategy.is_active || !strategy.squareoff_time || istTime < strategy.squareoff_time) {
        continue;
      }
      if (!(await markStrategySquaredOff(db, strategy.id, istDate))) {
        continue;
      }
      const mappings = await listStrategySymbols(db, strategy.id);
      const orders: PlannedOrder[] = mappings.map((mapping) => ({
        kind: 'smart',
        symbol: mapping.symbol,
        exchange: mapping.exchange as Exchange,
        product: mapping.product as Product,
        action: 'SELL',
        quantity: mapping.quantity,
        positionSize: 0,
      }));
      const alertId = `alr_sq_${strategy.id}_${istDate.replace(/-/g, '')}`;
      await insertAlert(
        db,
        {
          id: alertId,
          strategyId: strategy.id,
          receivedAt: new Date(now()),
          payload: { squareoff: istDate },
          dedupeKey: `squareoff:${istDate}`,
        },
        0,
      );
      await claimAlert(db, alertId, this.instanceId);
      const results = await this.#execute(strategy, orders, alertId);
      const failed = results.filter((result) => result.status === 'error').length;
      await this.#finish(
        alertId,
        failed === 0 ? 'executed' : 'partial',
        { results, squareoff: true },
        failed > 0 ? `${failed} square-off orders failed` : null,
      );
      flattened += 1;
      this.#options.logger.info(
        { strategy: strategy.id, symbols: mappings.length },
        'intraday strategy squared off',
      );
    }
    return flattened;
  }

  /** Checks square-off times every `intervalMs` (the injected clock decides what time it is). */
  startScheduler(intervalMs = 15_000): void {
    if (this.#squareOffTimer) {
      return;
    }
    this.#squareOffTimer = setInterval(() => {
      this.runSquareOff().catch((error: unknown) =>
        this.#options.logger.error({ err: error }, 'square-off run failed'),
      );
    }, intervalMs);
    this.#squareOffTimer.unref();
  }

  stopScheduler(): void {
    if (this.#squareOffTimer) {
      clearInterval(this.#squareOffTimer);
      this.#squareOffTimer = null;
    }
  }

  /**
   * On a shared database: the heartbeat (now, then every `heartbeatMs`) and the sweep that
   * recovers the alerts of processes whose heartbeat went stale (every two periods).
   */
  async startHeartbeat(): Promise<void> {
    if (!this.#options.sharedDatabase || this.#heartbeatTimer) {
      return;
    }
    const { db, now, logger } = this.#options;
    const beat = () =>
      heartbeatApiInstance(db, this.instanceId, new Date(now())).catch((error: unknown) =>
        logger.warn({ err: error }, 'api heartbeat not written'),
      );
    await beat();
    this.#heartbeatTimer = setInterval(() => void beat(), this.#heartbeatMs);
    this.#heartbeatTimer.unref();
    this.#sweepTimer = setInterval(() => {
      this.recoverUnfinished()
        .then((counts) => {
          if (counts.executed + counts.expired + counts.interrupted > 0) {
            logger.info(counts, 'strategy alerts of a stopped api process recovered');
          }
        })
        .catch((error: unknown) => logger.warn({ err: error }, 'strategy alerts not recovered'));
    }, 2 * this.#heartbeatMs);
    this.#sweepTimer.unref();
  }

  /** Stops the heartbeat and says this process is gone: its claims are abandoned at once. */
  async stopHeartbeat(): Promise<void> {
    if (!this.#heartbeatTimer) {
      return;
    }
    clearInterval(this.#heartbeatTimer);
    clearInterval(this.#sweepTimer ?? undefined);
    this.#heartbeatTimer = null;
    this.#sweepTimer = null;
    await this.#recovering?.catch(() => undefined);
    await removeApiInstance(this.#options.db, this.instanceId).catch((error: unknown) =>
      this.#options.logger.warn({ err: error }, 'api instance not removed'),
    );
  }
}

/** Stores what came in, bounded: a huge or non-JSON-able payload is truncated, never rejected here. */
function sanitizePayload(payload: unknown): JsonValue {
  try {
    const text = JSON.stringify(payload ?? null);
    if (text.length > 20_000) {
      return { truncated: text.slice(0, 20_000) };
    }
    return JSON.parse(text) as JsonValue;
  } catch {
    return { unreadable: true };
  }
}
