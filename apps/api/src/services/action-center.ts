import {
  claimPendingOrder,
  type Database,
  deletePendingOrder,
  expirePendingOrders,
  findPendingOrder,
  finishPendingOrder,
  insertPendingOrder,
  insertPendingOrderEvent,
  type JsonValue,
  type Kysely,
  listPendingOrders,
  listStalePendingExecutions,
  type PendingOrderApiType,
  type PendingOrderRow,
  type PendingOrderStatus,
  rejectPendingOrder,
} from '@openalgo/db';
import type { Logger } from 'pino';
import { formatIst } from '../time.js';

/**
 * The Action Center (sandbox.md §15): in semi-auto mode order requests wait for the owner's
 * approval. Fixed against the original:
 * - approval is one conditional UPDATE (`pending` → `executing` … RETURNING): a double click
 *   or two approvers can never place an order twice;
 * - a pending order has a time to live and expires instead of executing hours later;
 * - a failed execution is `failed`, not left "approved";
 * - every step is in an append-only audit trail with IST timestamps.
 */

export const QUEUEABLE_API_TYPES: readonly PendingOrderApiType[] = [
  'placeorder',
  'smartorder',
  'basketorder',
  'splitorder',
  'optionsorder',
  'optionsmultiorder',
  'placegttorder',
];

/** 403 messages of the operations semi-auto mode refuses outright (api-v1 §2.8). */
export const SEMI_AUTO_BLOCKED: Readonly<Record<string, string>> = {
  modifyorder:
    'Modify order operation is not allowed in Semi-Auto mode. Please switch to Auto mode to modify orders.',
  cancelorder:
    'Cancel order operation is not allowed in Semi-Auto mode. Please switch to Auto mode to cancel orders.',
  cancelallorder:
    'Cancel all orders operation is not allowed in Semi-Auto mode. Please switch to Auto mode to cancel orders.',
  closeposition:
    'Close position operation is not allowed in Semi-Auto mode. Please switch to Auto mode to close positions.',
  modifygttorder: 'Modify GTT order is not allowed in Semi-Auto mode. Switch to Auto mode.',
  cancelgttorder: 'Cancel GTT order is not allowed in Semi-Auto mode. Switch to Auto mode.',
  'analyzer/toggle':
    'Analyzer mode can only be changed from the web app in Semi-Auto mode (the API toggle is client-only).',
};

/** What the normal order path answered when an approved order ran through it. */
export interface ExecutionOutcome {
  statusCode: number;
  body: Record<string, unknown>;
  /** `live` or `analyze`: the mode in force at execution (not at queueing). */
  mode: 'live' | 'analyze';
  /** The order's status after it ran, when the path looked it up. */
  brokerStatus?: string;
}

export type ExecutePendingOrder = (input: {
  userId: number;
  apiType: PendingOrderApiType;
  orderData: Record<string, unknown>;
  /** The request id of the call that queued it: the order log's `request_id` of the placement. */
  requestId: string | null;
}) => Promise<ExecutionOutcome>;

export type ActionCenterEvent =
  | { type: 'pending_order_created'; userId: number; pendingOrderId: number; apiType: string }
  | {
      type: 'pending_order_updated';
      userId: number;
      pendingOrderId: number;
      action: 'approved' | 'rejected' | 'executed' | 'failed' | 'expired' | 'deleted';
    }
  | { type: 'pending_order_updated'; userId: number; action: 'batch_approved'; count: number };

export interface ActionCenterOptions {
  db: Kysely<Database>;
  now: () => number;
  logger: Logger;
  execute: ExecutePendingOrder;
  /** How long a queued order may wait for approval (default 15 minutes). */
  ttlMs?: number;
  onEvent?: (event: ActionCenterEvent) => void;
}

export type ActionCenterFilter = 'pending' | 'approved' | 'rejected' | 'expired' | 'all';

const FILTERS: Record<Exclude<ActionCenterFilter, 'all'>, readonly PendingOrderStatus[]> = {
  pending: ['pending'],
  approved: ['executing', 'executed', 'failed'],
  rejected: ['rejected'],
  expired: ['expired'],
};

/** The OpenAlgo status a row shows: executing/executed/failed were all "approved". */
function displayStatus(status: PendingOrderStatus): string {
  return status === 'executing' || status === 'executed' || status === 'failed' ? 'approved' : status;
}

function ist(at: Date | null): string | null {
  return at ? `${formatIst(at.getTime())} IST` : null;
}

function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function field(data: Record<string, unknown>, name: string): string | number | null {
  const value = data[name];
  return typeof value === 'string' || typeof value === 'number' ? value : null;
}

/** Display fields of a queued request, per operation (what the original's list shows). */
function summarize(apiType: string, data: Record<string, unknown>) {
  const list = (name: string) => (Array.isArray(data[name]) ? (data[name] as unknown[]).map(asRecord) : []);
  const base = {
    symbol: field(data, 'symbol'),
    exchange: field(data, 'exchange'),
    action: field(data, 'action'),
    quantity: field(data, 'quantity'),
    price: field(data, 'price'),
    trigger_price: field(data, 'trigger_price'),
    price_type: field(data, 'pricetype'),
    product_type: field(data, 'product'),
    strategy: field(data, 'strategy'),
  };
  switch (apiType) {
    case 'basketorder': {
      const orders = list('orders');
      return {
        ...base,
        symbol: `${orders.length} orders`,
        exchange: field(orders[0] ?? {}, 'exchange'),
        action: [...new Set(orders.map((order) => field(order, 'action')))].join('/') || null,
        quantity: orders.reduce((total, order) => total + Number(field(order, 'quantity') ?? 0), 0),
      };
    }
    case 'optionsorder':
      return {
        ...base,
        symbol:
          `${String(field(data, 'underlying') ?? '')} ${String(field(data, 'offset') ?? '')} ${String(field(data, 'option_type') ?? '')}`.trim(),
      };
    case 'optionsmultiorder': {
      const legs = list('legs');
      return {
        ...base,
        symbol: `${String(field(data, 'underlying') ?? '')} (${legs.length} legs)`,
        action: [...new Set(legs.map((leg) => field(leg, 'action')))].join('/') || null,
        quantity: legs.reduce((total, leg) => total + Number(field(leg, 'quantity') ?? 0), 0),
      };
    }
    case 'placegttorder':
      return {
        ...base,
        trigger_price: field(data, 'triggerprice_sl') ?? field(data, 'triggerprice_tg'),
        price_type: field(data, 'pricetype') ?? 'LIMIT',
      };
    default:
      return base;
  }
}

export function pendingOrderView(row: PendingOrderRow) {
  const data = asRecord(row.order_data);
  return {
    id: row.id,
    api_type: row.api_type,
    request_id: row.request_id,
    status: displayStatus(row.status),
    execution_status: row.status,
    ...summarize(row.api_type, data),
    order_data: data,
    raw_order_data: JSON.stringify(data),
    created_at: row.created_at.getTime(),
    created_at_ist: ist(row.created_at),
    expires_at: row.expires_at.getTime(),
    expires_at_ist: ist(row.expires_at),
    approved_at: row.approved_at?.getTime() ?? null,
    approved_at_ist: ist(row.approved_at),
    approved_by: row.approved_by,
    rejected_at: row.rejected_at?.getTime() ?? null,
    rejected_at_ist: ist(row.rejected_at),
    rejected_by: row.rejected_by,
    rejected_reason: row.rejected_reason,
    executed_at: row.executed_at?.getTime() ?? null,
    executed_at_ist: ist(row.executed_at),
    execution_mode: row.execution_mode,
    broker_order_id: row.broker_order_id,
    broker_status: row.broker_status,
    error: row.error,
  };
}
export type PendingOrderView = ReturnType<typeof pendingOrderView>;

/** Order ids an execution produced: one id, child ids joined ("id (+N more)" past 255 chars), or a GTT id. */
export function brokerOrderIdOf(body: Record<string, unknown>): string | null {
  if (typeof body.orderid === 'string') {
    return body.orderid;
  }
  if (typeof body.trigger_id === 'string') {
    return body.trigger_id;
  }
  const ids: string[] = [];
  const collect = (value: unknown) => {
    for (const item of Array.isArray(value) ? value : []) {
      const record = asRecord(item);
      if (typeof record.orderid === 'string') {
        ids.push(record.orderid);
      }
      collect(record.split_results);
    }
  };
  collect(body.results);
  if (ids.length === 0) {
    return null;
  }
  let text = ids.join(',');
  if (text.length > 255) {
    const [first] = ids;
    text = `${first} (+${ids.length - 1} more)`;
  }
  return text;
}

function hasFailures(body: Record<string, unknown>): boolean {
  const results = Array.isArray(body.results) ? body.results.map(asRecord) : [];
  return results.some((result) => result.status === 'error');
}

export interface ApprovalResult {
  statusCode: number;
  body: Record<string, unknown>;
}

export class ActionCenter {
  readonly #options: ActionCenterOptions;
  readonly #ttlMs: number;

  constructor(options: ActionCenterOptions) {
    this.#options = options;
    this.#ttlMs = options.ttlMs ?? 15 * 60 * 1000;
  }

  #emit(event: ActionCenterEvent): void {
    try {
      this.#options.onEvent?.(event);
    } catch (error) {
      this.#options.logger.warn({ err: error }, 'action center listener failed');
    }
  }

  async #audit(row: PendingOrderRow, action: string, actor: string, detail: JsonValue = {}): Promise<void> {
    await insertPendingOrderEvent(this.#options.db, {
      pendingOrderId: row.id,
      userId: row.user_id,
      action,
      actor,
      detail,
      at: new Date(this.#options.now()),
    });
  }

  /**
   * Queues a request (its API key already removed by the caller) and answers as OpenAlgo does.
   * `requestId`: the call's (a strategy alert's id); the order placed on approval carries it.
   */
  async queue(
    userId: number,
    apiType: PendingOrderApiType,
    request: Record<string, unknown>,
    requestId: string | null = null,
  ) {
    const now = this.#options.now();
    const { apikey: _key, ...orderData } = request;
    const row = await insertPendingOrder(this.#options.db, {
      userId,
      apiType,
      orderData: orderData as JsonValue,
      requestId,
      createdAt: new Date(now),
      expiresAt: new Date(now + this.#ttlMs),
    });
    await this.#audit(row, 'queued', 'api', { expires_at_ist: ist(row.expires_at) });
    this.#emit({ type: 'pending_order_created', userId, pendingOrderId: row.id, apiType });
    return {
      status: 'success' as const,
      message: 'Order queued for approval in Action Center',
      mode: 'semi_auto' as const,
      pending_order_id: row.id,
    };
  }

  async list(userId: number, filter: ActionCenterFilter = 'pending') {
    await this.expireDue();
    const all = await listPendingOrders(this.#options.db, userId);
    const rows = filter === 'all' ? all : all.filter((row) => FILTERS[filter].includes(row.status));
    const byApiType: Record<string, number> = {};
    let buys = 0;
    let sells = 0;
    for (const row of all) {
      byApiType[row.api_type] = (byApiType[row.api_type] ?? 0) + 1;
      const action = summarize(row.api_type, asRecord(row.order_data)).action;
      if (action === 'BUY') {
        buys += 1;
      } else if (action === 'SELL') {
        sells += 1;
      }
    }
    const count = (statuses: readonly PendingOrderStatus[]) =>
      all.filter((row) => statuses.includes(row.status)).length;
    return {
      orders: rows.map(pendingOrderView),
      statistics: {
        total_pending: count(FILTERS.pending),
        total_approved: count(FILTERS.approved),
        total_rejected: count(FILTERS.rejected),
        total_expired: count(FILTERS.expired),
        total_buy_orders: buys,
        total_sell_orders: sells,
        by_api_type: byApiType,
      },
    };
  }

  async count(userId: number): Promise<number> {
    await this.expireDue();
    return (await listPendingOrders(this.#options.db, userId, ['pending'])).length;
  }

  /** Approves one order: claimed atomically, then executed once through the order path. */
  async approve(userId: number, id: number, approver: string): Promise<ApprovalResult> {
    const { db, now } = this.#options;
    const claimed = await claimPendingOrder(db, { userId, id, approvedBy: approver, now: new Date(now()) });
    if (!claimed) {
      const row = await findPendingOrder(db, userId, id);
      if (row?.status === 'pending' && row.expires_at.getTime() <= now()) {
        await this.expireDue();
        return {
          statusCode: 400,
          body: { status: 'error', message: 'Order has expired and can no longer be approved' },
        };
      }
      return { statusCode: 400, body: { status: 'error', message: 'Failed to approve order' } };
    }
    await this.#audit(claimed, 'approved', approver);
    this.#emit({ type: 'pending_order_updated', userId, pendingOrderId: id, action: 'approved' });
    return this.#execute(claimed);
  }

  async #execute(row: PendingOrderRow): Promise<ApprovalResult> {
    const { db, now, logger } = this.#options;
    let outcome: ExecutionOutcome;
    try {
      outcome = await this.#options.execute({
        userId: row.user_id,
        apiType: row.api_type,
        orderData: asRecord(row.order_data),
        requestId: row.request_id,
      });
    } catch (error) {
      logger.error({ err: error, pendingOrderId: row.id }, 'approved order failed to execute');
      outcome = {
        statusCode: 500,
        body: { status: 'error', message: error instanceof Error ? error.message : String(error) },
        mode: 'live',
      };
    }
    const isSuccess = outcome.statusCode < 400 && outcome.body.status === 'success';
    const brokerOrderId = brokerOrderIdOf(outcome.body);
    const brokerStatus = isSuccess
      ? hasFailures(outcome.body)
        ? 'partial'
        : (outcome.brokerStatus ?? 'open')
      : 'rejected';
    const error = isSuccess ? null : String(outcome.body.message ?? 'execution failed');
    const finished = await finishPendingOrder(db, {
      id: row.id,
      status: isSuccess ? 'executed' : 'failed',
      executedAt: new Date(now()),
      executionMode: outcome.mode,
      brokerOrderId,
      brokerStatus,
      result: outcome.body as JsonValue,
      error,
    });
    await this.#audit(finished ?? row, isSuccess ? 'executed' : 'failed', 'system', {
      mode: outcome.mode,
      broker_order_id: brokerOrderId,
      broker_status: brokerStatus,
      ...(error ? { error } : {}),
    });
    this.#emit({
      type: 'pending_order_updated',
      userId: row.user_id,
      pendingOrderId: row.id,
      action: isSuccess ? 'executed' : 'failed',
    });
    if (isSuccess) {
      return {
        statusCode: 200,
        body: {
          status: 'success',
          message: 'Order approved and executed successfully',
          broker_order_id: brokerOrderId,
        },
      };
    }
    return {
      statusCode: Math.max(outcome.statusCode, 400),
      body: { status: 'warning', message: 'Order approved but execution failed', error },
    };
  }

  async reject(userId: number, id: number, rejector: string, reason?: string): Promise<ApprovalResult> {
    const row = await rejectPendingOrder(this.#options.db, {
      userId,
      id,
      rejectedBy: rejector,
      reason: reason?.trim() ? reason.trim() : 'No reason provided',
      now: new Date(this.#options.now()),
    });
    if (!row) {
      return { statusCode: 400, body: { status: 'error', message: 'Failed to reject order' } };
    }
    await this.#audit(row, 'rejected', rejector, { reason: row.rejected_reason });
    this.#emit({ type: 'pending_order_updated', userId, pendingOrderId: id, action: 'rejected' });
    return { statusCode: 200, body: { status: 'success', message: 'Order rejected successfully' } };
  }

  /** Approves every live pending order in turn; each is claimed atomically like a single approval. */
  async approveAll(userId: number, approver: string): Promise<ApprovalResult> {
    await this.expireDue();
    const pending = await listPendingOrders(this.#options.db, userId, ['pending']);
    if (pending.length === 0) {
      return { statusCode: 200, body: { status: 'info', message: 'No pending orders to approve' } };
    }
    let approved = 0;
    let executed = 0;
    const failed: { order_id: number; error: string }[] = [];
    for (const row of [...pending].reverse()) {
      const result = await this.approve(userId, row.id, approver);
      if (result.body.status === 'error') {
        continue;
      }
      approved += 1;
      if (result.body.status === 'success') {
        executed += 1;
      } else {
        failed.push({ order_id: row.id, error: String(result.body.error ?? result.body.message) });
      }
    }
    this.#emit({ type: 'pending_order_updated', userId, action: 'batch_approved', count: approved });
    const status = failed.length === 0 ? 'success' : executed > 0 ? 'warning' : 'error';
    return {
      statusCode: 200,
      body: {
        status,
        message:
          failed.length === 0
            ? `Approved and executed ${executed} orders`
            : `Approved ${approved} orders, ${failed.length} failed to execute`,
        approved_count: approved,
        executed_count: executed,
        failed_executions: failed,
      },
    };
  }

  async delete(userId: number, id: number, actor: string): Promise<ApprovalResult> {
    const row = await deletePendingOrder(this.#options.db, userId, id);
    if (!row) {
      return {
        statusCode: 400,
        body: { status: 'error', message: 'Only approved or rejected orders can be deleted' },
      };
    }
    await this.#audit(row, 'deleted', actor);
    this.#emit({ type: 'pending_order_updated', userId, pendingOrderId: id, action: 'deleted' });
    return { statusCode: 200, body: { status: 'success', message: 'Order deleted successfully' } };
  }

  /** Marks every pending order past its time to live as expired (audited). */
  async expireDue(): Promise<number> {
    const expired = await expirePendingOrders(this.#options.db, new Date(this.#options.now()));
    for (const row of expired) {
      await this.#audit(row, 'expired', 'system');
      this.#emit({
        type: 'pending_order_updated',
        userId: row.user_id,
        pendingOrderId: row.id,
        action: 'expired',
      });
    }
    return expired.length;
  }

  /**
   * Executions a crashed process left in `executing`: their outcome is unknown, so they are
   * marked failed for the owner to check the order book, never executed a second time.
   */
  async recoverInterrupted(olderThanMs = 60_000): Promise<number> {
    const { db, now } = this.#options;
    const stale = await listStalePendingExecutions(db, new Date(now() - olderThanMs));
    for (const row of stale) {
      const finished = await finishPendingOrder(db, {
        id: row.id,
        status: 'failed',
        executedAt: new Date(now()),
        executionMode: row.execution_mode ?? 'live',
        brokerOrderId: null,
        brokerStatus: 'unknown',
        result: null,
        error: 'Execution was interrupted; check the order book before placing it again',
      });
      if (finished) {
        await this.#audit(finished, 'failed', 'system', { reason: 'interrupted' });
      }
    }
    return stale.length;
  }
}
