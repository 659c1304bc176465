import {
  cancelActiveSandboxGtts,
  cancelWorkingSandboxOrders,
  claimSandboxJobRun,
  type Database,
  deleteAnalyzerLogsBefore,
  deleteSandboxHistory,
  deleteSandboxHolding,
  deleteSandboxPortfolio,
  deleteSandboxPosition,
  findSandboxFunds,
  insertSandboxHolding,
  type Kysely,
  listSandboxFunds,
  listSandboxHoldings,
  listSandboxOrders,
  listSandboxPositions,
  lockSandboxHolding,
  lockSandboxPosition,
  type SandboxPositionRow,
  setSandboxJobRunSummary,
  updateSandboxHolding,
  upsertSandboxDailyPnl,
} from '@openalgo/db';
import { Dec, roundTo } from '@openalgo/shared-types/decimal';
import { isWorking, type SandboxCore } from './core.js';
import type { GttDesk } from './gtt.js';
import { expiryCloseOf, instrumentKindOf, instrumentOf } from './instruments.js';
import {
  addIstDays,
  istClock,
  istDate,
  istInstant,
  istWeekday,
  lastIstTime,
  nextIstTime,
  startOfIstDay,
} from './ist.js';
import { SQUARE_OFF_GROUPS, type SquareOffGroup } from './sandbox-config.js';

const MARKET_OPEN = '09:00';
const DAY_MS = 24 * 60 * 60 * 1000;

export interface JobReport {
  squareOff: { group: SquareOffGroup; cancelledOrders: number; closedPositions: number }[];
  settledCncPositions: number;
  expiredPositions: number;
  expiredOrders: number;
  expiredGtts: number;
  resetAccounts: number;
  dailyPnlSnapshots: number;
  prunedAnalyzerLogs: number;
}

/**
 * The scheduled work of analyzer mode, all of it driven by the injected clock and safe to run
 * any number of times: each job decides from the state of the tables what is due now, so a
 * restart, a missed timer or a second process neither skips nor repeats anything.
 *
 * - MIS square-off per exchange group at its IST time (positions opened before that instant;
 *   a session the app missed entirely is settled at the last known price, not today's);
 * - CNC T+1: positions from before today's 00:00 IST move into holdings, moving exactly the
 *   margin they reserved; sales from holdings credit their proceeds and book their P&L;
 * - F&O expiry: expired contracts settle (options at LTP or zero, futures at LTP), working
 *   orders on them are cancelled;
 * - GTT expiry, weekly fund reset, the 23:59 daily P&L snapshot and analyzer-log retention.
 */
export class SandboxJobs {
  readonly #core: SandboxCore;
  readonly #gtt: GttDesk;
  readonly #mainDb: Kysely<Database>;

  constructor(core: SandboxCore, gtt: GttDesk, mainDb: Kysely<Database>) {
    this.#core = core;
    this.#gtt = gtt;
    this.#mainDb = mainDb;
  }

  async runDue(): Promise<JobReport> {
    const report: JobReport = {
      squareOff: [],
      settledCncPositions: 0,
      expiredPositions: 0,
      expiredOrders: 0,
      expiredGtts: 0,
      resetAccounts: 0,
      dailyPnlSnapshots: 0,
      prunedAnalyzerLogs: 0,
    };
    report.resetAccounts = await this.#weeklyReset();
    for (const group of Object.keys(SQUARE_OFF_GROUPS) as SquareOffGroup[]) {
      const result = await this.#squareOff(group);
      if (result.cancelledOrders > 0 || result.closedPositions > 0) {
        report.squareOff.push({ group, ...result });
      }
    }
    const expiry = await this.#settleExpiries();
    report.expiredPositions = expiry.positions;
    report.expiredOrders = expiry.orders;
    report.settledCncPositions = await this.#settleCnc();
    report.expiredGtts = await this.#gtt.expireDue();
    report.dailyPnlSnapshots = await this.#snapshotDailyPnl();
    report.prunedAnalyzerLogs = await this.#pruneAnalyzerLog();
    return report;
  }

  /** The next instant something may become due (the scheduler also wakes every minute). */
  nextDueAt(): number {
    const now = this.#core.now();
    const config = this.#core.config;
    const candidates = [
      nextIstTime(now, '00:00'),
      nextIstTime(now, '23:59'),
      nextIstTime(now, MARKET_OPEN),
      ...Object.values(SQUARE_OFF_GROUPS).map((group) => nextIstTime(now, config[group.key])),
      ...['15:30', '15:40', '17:00', '23:30'].map((time) => nextIstTime(now, time)),
    ];
    const reset = this.#lastResetDue(now + 7 * DAY_MS);
    if (reset !== null && reset > now) {
      candidates.push(reset);
    }
    return Math.min(...candidates);
  }

  // ---------------------------------------------------------------- MIS square-off

  async #squareOff(group: SquareOffGroup): Promise<{ cancelledOrders: number; closedPositions: number }> {
    const core = this.#core;
    const now = core.now();
    const time = core.config[SQUARE_OFF_GROUPS[group].key];
    const exchanges = [...SQUARE_OFF_GROUPS[group].exchanges];
    const due = lastIstTime(now, time);
    let cancelledOrders = 0;
    let closedPositions = 0;

    const orders = await listSandboxOrders(core.store.db, {
      statuses: ['open', 'trigger pending'],
      products: ['MIS'],
      exchanges,
      placedBefore: new Date(due),
    });
    for (const order of orders) {
      try {
        await core.queue.run(order.user_id, () =>
          core.cancel(order.user_id, order.orderid, 'auto square-off'),
        );
        cancelledOrders += 1;
      } catch (error) {
        core.logger.debug({ err: error, orderid: order.orderid }, 'square-off cancel skipped');
      }
    }

    const positions = await listSandboxPositions(core.store.db, {
      products: ['MIS'],
      exchanges,
      isOpen: true,
      openedBefore: new Date(due),
    });
    // The session the square-off belongs to is still on (before the next morning's open):
    // close at the market. Otherwise the app missed it: settle at the last known price.
    const isCurrent = now < istInstant(addIstDays(istDate(due), 1), MARKET_OPEN);
    for (const position of positions) {
      try {
        const isClosed = await core.queue.run(position.user_id, () => this.#closeMis(position, isCurrent));
        if (isClosed) {
          closedPositions += 1;
        }
      } catch (error) {
        core.logger.error({ err: error, symbol: position.symbol }, 'square-off could not close a position');
      }
    }
    if (cancelledOrders > 0 || closedPositions > 0) {
      core.emit({ type: 'auto_squareoff', exchanges, cancelledOrders, closedPositions });
    }
    return { cancelledOrders, closedPositions };
  }

  async #closeMis(position: SandboxPositionRow, isCurrent: boolean): Promise<boolean> {
    const core = this.#core;
    const current = await lockSandboxPosition(core.store.db, {
      userId: position.user_id,
      symbol: position.symbol,
      exchange: position.exchange,
      product: position.product,
    });
    if (!current || current.quantity === 0) {
      return false;
    }
    const instrument = instrumentOf(current.instrument);
    if (isCurrent) {
      try {
        const order = await core.place(current.user_id, {
          instrument,
          action: current.quantity > 0 ? 'SELL' : 'BUY',
          quantity: Math.abs(current.quantity),
          product: 'MIS',
          priceType: 'MARKET',
          price: new Dec(0),
          trigger: new Dec(0),
          strategy: 'AUTO_SQUARE_OFF',
          clientOrderId: null,
        });
        if (order.status === 'complete') {
          return true;
        }
        // No price came back to fill it: take it back and settle at the last mark.
        if (isWorking(order)) {
          await core.cancel(current.user_id, order.orderid, 'square-off fallback');
        }
      } catch (error) {
        core.logger.warn(
          { err: error, symbol: current.symbol },
          'square-off market close failed; settling at last price',
        );
      }
    }
    const price =
      core.touchOf(current.exchange, current.symbol)?.ltpText ?? current.ltp ?? current.average_price;
    return (
      (await core.forceClose(current, new Dec(price).toString(), 'AUTO_SQUARE_OFF', 'square-off')) !== null
    );
  }

  // ---------------------------------------------------------------- CNC T+1

  async #settleCnc(): Promise<number> {
    const core = this.#core;
    const cutoff = startOfIstDay(core.now());
    const positions = await listSandboxPositions(core.store.db, {
      products: ['CNC'],
      updatedBefore: new Date(cutoff),
    });
    let settled = 0;
    const users = new Set<number>();
    for (const position of positions) {
      try {
        const isSettled = await core.queue.run(position.user_id, () =>
          this.#settleCncPosition(position, cutoff),
        );
        if (isSettled) {
          settled += 1;
          users.add(position.user_id);
        }
      } catch (error) {
        core.logger.error({ err: error, symbol: position.symbol }, 'T+1 settlement of a position failed');
      }
    }
    if (settled > 0) {
      core.emit({ type: 't1_settlement', settledUsers: users.size, settledPositions: settled });
    }
    return settled;
  }

  async #settleCncPosition(position: SandboxPositionRow, cutoff: number): Promise<boolean> {
    const core = this.#core;
    const outcome = await core.transaction(async (trx) => {
      const ledger = await core.lockFunds(trx, position.user_id);
      const current = await lockSandboxPosition(trx, {
        userId: position.user_id,
        symbol: position.symbol,
        exchange: position.exchange,
        product: 'CNC',
      });
      if (!current || current.updated_at.getTime() >= cutoff) {
        return null;
      }
      const at = new Date(core.now());
      const quantity = current.quantity;
      const reservation = new Dec(current.reservation);
      const average = new Dec(current.average_price);
      const instrument = instrumentOf(current.instrument);
      const contractValue = core.contractValue(instrument);
      const owner = `${current.exchange}:${current.symbol}`;
      const holding = await lockSandboxHolding(trx, current.user_id, current.symbol, current.exchange);
      if (quantity > 0) {
        // The shares are paid for: what the position reserved leaves margin, their cost
        // becomes holdings, and the difference comes from (or goes back to) cash.
        const cost = average.mul(quantity).mul(contractValue);
        ledger.move({
          kind: 'settle',
          ownerKind: 'position',
          ownerId: owner,
          margin: reservation.neg(),
          holdings: cost,
          cash: reservation.sub(cost),
          note: `T+1 ${quantity} ${current.symbol}`,
        });
        if (holding) {
          const total = holding.quantity + quantity;
          const averagePrice = roundTo(
            new Dec(holding.average_price).mul(holding.quantity).add(average.mul(quantity)).div(total),
            8,
            'nearest',
          );
          await updateSandboxHolding(trx, holding.id, {
            quantity: total,
            average_price: averagePrice.toString(),
            cost: new Dec(holding.cost).add(cost).toString(),
            updated_at: at,
          });
        } else {
          await insertSandboxHolding(trx, {
            user_id: current.user_id,
            symbol: current.symbol,
            exchange: current.exchange,
            instrument: current.instrument,
            quantity,
            average_price: average.toString(),
            cost: cost.toString(),
            ltp: current.ltp,
            settlement_date: istDate(at.getTime()),
            created_at: at,
            updated_at: at,
          });
        }
      } else if (quantity < 0) {
        // Shares sold out of holdings: the proceeds arrive and the sale books its P&L
        // against what the shares cost.
        const sold = -quantity;
        if (!holding || holding.quantity < sold) {
          throw new Error(`T+1: ${current.symbol} sold ${sold} but holds ${holding?.quantity ?? 0}`);
        }
        const holdingCost = new Dec(holding.cost);
        const costOut =
          sold === holding.quantity
            ? holdingCost
            : roundTo(holdingCost.mul(sold).div(holding.quantity), 2, 'nearest');
        const proceeds = average.mul(sold).mul(contractValue);
        if (reservation.gt(0)) {
          ledger.release('position', owner, reservation, 'T+1');
        }
        ledger.move({
          kind: 'settle',
          ownerKind: 'holding',
          ownerId: owner,
          cash: proceeds,
          holdings: costOut.neg(),
          realized: proceeds.sub(costOut),
          note: `T+1 sale of ${sold} ${current.symbol}`,
        });
        if (sold === holding.quantity) {
          await deleteSandboxHolding(trx, holding.id);
        } else {
          await updateSandboxHolding(trx, holding.id, {
            quantity: holding.quantity - sold,
            average_price: holding.average_price,
            cost: holdingCost.sub(costOut).toString(),
            updated_at: at,
          });
        }
      } else if (reservation.gt(0)) {
        ledger.release('position', owner, reservation, 'T+1');
      }
      await deleteSandboxPosition(trx, current.id);
      await ledger.flush(trx);
      return { instrument, quantity };
    });
    if (!outcome) {
      return false;
    }
    core.positionChanged(outcome.instrument, outcome.quantity, 0);
    return true;
  }

  // ---------------------------------------------------------------- F&O expiry

  #isExpired(expiryDate: string, exchange: string, now: number): boolean {
    const today = istDate(now);
    if (expiryDate < today) {
      return true;
    }
    return (
      expiryDate === today &&
      this.#core.config.expiry_settlement_timing === 'expiry_day_close' &&
      istClock(now) >= expiryCloseOf(exchange)
    );
  }

  async #settleExpiries(): Promise<{ positions: number; orders: number }> {
    const core = this.#core;
    const now = core.now();
    let orders = 0;
    const today = istDate(now);
    for (const order of await listSandboxOrders(core.store.db, {
      statuses: ['open', 'trigger pending'],
      expiringBy: today,
    })) {
      if (order.expiry_date && this.#isExpired(order.expiry_date, order.exchange, now)) {
        try {
          await core.queue.run(order.user_id, () =>
            core.cancel(order.user_id, order.orderid, 'contract expired'),
          );
          orders += 1;
        } catch (error) {
          core.logger.debug({ err: error, orderid: order.orderid }, 'expiry cancel skipped');
        }
      }
    }
    let positions = 0;
    for (const position of await listSandboxPositions(core.store.db, { isOpen: true, expiringBy: today })) {
      if (!position.expiry_date || !this.#isExpired(position.expiry_date, position.exchange, now)) {
        continue;
      }
      const instrument = instrumentOf(position.instrument);
      const last = core.touchOf(position.exchange, position.symbol)?.ltpText ?? position.ltp;
      const lastPrice = last ? new Dec(last) : null;
      let price: Dec;
      if (instrumentKindOf(instrument) === 'option') {
        price =
          core.config.option_expiry_settlement === 'ltp' && lastPrice && lastPrice.gt(0)
            ? lastPrice
            : new Dec(0);
      } else {
        price = lastPrice?.gt(0) ? lastPrice : new Dec(position.average_price);
      }
      try {
        const closed = await core.queue.run(position.user_id, () =>
          core.forceClose(position, price.toString(), 'EXPIRY_SETTLEMENT', 'expiry'),
        );
        if (closed) {
          positions += 1;
        }
      } catch (error) {
        core.logger.error({ err: error, symbol: position.symbol }, 'expiry settlement failed');
      }
    }
    if (positions > 0 || orders > 0) {
      core.emit({ type: 'expiry_settlement', settledPositions: positions, cancelledOrders: orders });
    }
    return { positions, orders };
  }

  // ---------------------------------------------------------------- weekly reset

  /** The latest weekly reset instant ≤ `at`, not earlier than the setting itself; null when off. */
  #lastResetDue(at: number): number | null {
    const config = this.#core.config;
    if (config.reset_day === 'Never') {
      return null;
    }
    const since = Math.max(this.#core.configUpdatedAt('reset_day'), this.#core.configUpdatedAt('reset_time'));
    for (let back = 0; back < 8; back += 1) {
      const date = addIstDays(istDate(at), -back);
      const instant = istInstant(date, config.reset_time);
      if (instant <= at && istWeekday(instant) === config.reset_day) {
        return instant >= since ? instant : null;
      }
    }
    return null;
  }

  async #weeklyReset(): Promise<number> {
    const core = this.#core;
    const due = this.#lastResetDue(core.now());
    if (due === null) {
      return 0;
    }
    let count = 0;
    for (const funds of await listSandboxFunds(core.store.db)) {
      if (funds.last_reset_at.getTime() >= due || funds.created_at.getTime() >= due) {
        continue;
      }
      const isReset = await core.queue.run(funds.user_id, () =>
        this.resetAccount(funds.user_id, { wipeHistory: false, dueAt: due }),
      );
      if (isReset) {
        count += 1;
      }
    }
    return count;
  }

  /**
   * Back to the starting capital: working orders and active GTTs cancelled (so nothing acts
   * on the new ledger later), positions and holdings removed; a manual reset also wipes the
   * history. Runs in the account's lane.
   */
  async resetAccount(userId: number, options: { wipeHistory: boolean; dueAt?: number }): Promise<boolean> {
    const core = this.#core;
    const result = await core.transaction(async (trx) => {
      const ledger = await core.lockFunds(trx, userId);
      const fresh = await findSandboxFunds(trx, userId);
      if (options.dueAt !== undefined && fresh && fresh.last_reset_at.getTime() >= options.dueAt) {
        return null;
      }
      const at = new Date(core.now());
      const orders = await cancelWorkingSandboxOrders(trx, userId, at);
      const gtts = await cancelActiveSandboxGtts(trx, userId, at);
      const positions = await listSandboxPositions(trx, { userId, isOpen: true });
      await deleteSandboxPortfolio(trx, userId);
      if (options.wipeHistory) {
        await deleteSandboxHistory(trx, userId);
      }
      const resetCount = (fresh?.reset_count ?? 0) + 1;
      ledger.resetTo(core.config.starting_capital, resetCount);
      await ledger.flush(trx);
      return { orders, gtts, positions, resetCount };
    });
    if (!result) {
      return false;
    }
    core.forgetOrders(result.orders);
    this.#gtt.forget(result.gtts);
    for (const position of result.positions) {
      core.positionChanged(instrumentOf(position.instrument), position.quantity, 0);
    }
    core.emit({ type: 'funds_reset', userId, resetCount: result.resetCount });
    return true;
  }

  // ---------------------------------------------------------------- daily P&L, log retention

  async #snapshotDailyPnl(): Promise<number> {
    const core = this.#core;
    const now = core.now();
    const due = lastIstTime(now, '23:59');
    if (now - due > DAY_MS) {
      return 0;
    }
    const isClaimed = await claimSandboxJobRun(
      core.store.db,
      'daily_pnl_snapshot',
      new Date(due),
      new Date(now),
    );
    if (!isClaimed) {
      return 0;
    }
    const session = core.sessionStart(due).getTime();
    const date = istDate(due);
    let count = 0;
    for (const funds of await listSandboxFunds(core.store.db)) {
      const positions = await listSandboxPositions(core.store.db, { userId: funds.user_id, isOpen: true });
      const holdings = await listSandboxHoldings(core.store.db, { userId: funds.user_id });
      let positionsUnrealized = new Dec(0);
      for (const position of positions) {
        const mark = core.touchOf(position.exchange, position.symbol)?.ltpText ?? position.ltp;
        if (mark) {
          const cv = core.contractValue(instrumentOf(position.instrument));
          positionsUnrealized = positionsUnrealized.add(
            new Dec(mark).sub(new Dec(position.average_price)).mul(position.quantity).mul(cv),
          );
        }
      }
      let holdingsUnrealized = new Dec(0);
      for (const holding of holdings) {
        const mark = core.touchOf(holding.exchange, holding.symbol)?.ltpText ?? holding.ltp;
        if (mark) {
          holdingsUnrealized = holdingsUnrealized.add(
            new Dec(mark).sub(new Dec(holding.average_price)).mul(holding.quantity),
          );
        }
      }
      const realized =
        funds.today_session.getTime() >= session ? new Dec(funds.today_realized_pnl) : new Dec(0);
      await upsertSandboxDailyPnl(core.store.db, {
        user_id: funds.user_id,
        date,
        realized_pnl: realized.toString(),
        positions_unrealized_pnl: positionsUnrealized.toString(),
        holdings_unrealized_pnl: holdingsUnrealized.toString(),
        total_mtm: realized.add(positionsUnrealized).add(holdingsUnrealized).toString(),
        available_balance: funds.cash,
        used_margin: funds.used_margin,
        portfolio_value: new Dec(funds.cash).add(new Dec(funds.used_margin)).toString(),
        created_at: new Date(now),
      });
      count += 1;
    }
    await setSandboxJobRunSummary(core.store.db, 'daily_pnl_snapshot', new Date(due), { accounts: count });
    return count;
  }

  async #pruneAnalyzerLog(): Promise<number> {
    const core = this.#core;
    const now = core.now();
    const due = startOfIstDay(now);
    const isClaimed = await claimSandboxJobRun(
      core.store.db,
      'analyzer_log_retention',
      new Date(due),
      new Date(now),
    );
    if (!isClaimed) {
      return 0;
    }
    const days = Number(core.config.analyzer_log_retention_days);
    const removed = await deleteAnalyzerLogsBefore(this.#mainDb, new Date(now - days * DAY_MS));
    await setSandboxJobRunSummary(core.store.db, 'analyzer_log_retention', new Date(due), { removed });
    return removed;
  }
}
