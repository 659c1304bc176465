import { InsufficientFundsError, InvalidOrderError, OrderNotFoundError } from '@openalgo/broker-sdk';
import {
  claimSandboxGtt,
  findSandboxGtt,
  insertSandboxGtt,
  listSandboxGtts,
  type NewSandboxGttLegRow,
  replaceSandboxGttLegs,
  type SandboxGttLegRow,
  type SandboxGttRow,
  type SandboxOrderRow,
  setSandboxGttLegOrder,
  setSandboxGttLegs,
  updateSandboxGtt,
} from '@openalgo/db';
import type { GttRequest, ResolvedInstrument } from '@openalgo/shared-types';
import { Dec } from '@openalgo/shared-types/decimal';
import type { WorkingGttLeg } from './book.js';
import type { SandboxCore } from './core.js';
import { instrumentJson, instrumentOf } from './instruments.js';
import { formatRupees, leverageOf, marginFor, reservesMargin } from './margin.js';
import { checkOrderShape, type PlaceInput } from './validation.js';
import { orderBookRow } from './views.js';

const DEFAULT_EXPIRY_MS = 365 * 24 * 60 * 60 * 1000;

interface PlannedLeg {
  row: Omit<NewSandboxGttLegRow, 'gtt_id'>;
  margin: Dec;
}

/**
 * Sandbox GTT (sandbox.md §10): single and two-leg (OCO) triggers with margin reserved while
 * active. A crossed leg fires in one transaction with its order: the GTT's reservation is
 * released, the sibling leg cancelled and the order placed (or stored as rejected with the
 * reason, as a broker would), so a trigger can never fire twice or leave money behind.
 */
export class GttDesk {
  readonly #core: SandboxCore;
  #sequence = 0;

  constructor(core: SandboxCore) {
    this.#core = core;
    core.gttHandler = (userId, gttId, legId, priceText) => this.fire(userId, gttId, legId, priceText);
  }

  #nextSequence(): number {
    this.#sequence += 1;
    return this.#sequence;
  }

  async load(): Promise<void> {
    for (const { gtt, legs } of await listSandboxGtts(this.#core.store.db, { statuses: ['active'] })) {
      this.#index(gtt, legs);
    }
  }

  #index(gtt: SandboxGttRow, legs: readonly SandboxGttLegRow[]): void {
    const book = this.#core.books.ensure(gtt.exchange, gtt.symbol);
    const instrument = instrumentOf(gtt.instrument);
    for (const leg of legs) {
      if (leg.status !== 'pending') {
        continue;
      }
      const working: WorkingGttLeg = {
        legId: leg.id,
        gttId: gtt.gtt_id,
        userId: gtt.user_id,
        direction: leg.trigger_direction,
        triggerText: new Dec(leg.trigger_price).toString(),
        trigger: Number(leg.trigger_price),
        sequence: this.#nextSequence(),
      };
      book.addLeg(working);
      this.#core.watch(instrument, 1);
    }
  }

  #unindex(gtt: SandboxGttRow): void {
    const removed = this.#core.books.get(gtt.exchange, gtt.symbol)?.removeLegs(gtt.gtt_id) ?? 0;
    if (removed > 0) {
      this.#core.watch(instrumentOf(gtt.instrument), -removed);
    }
  }

  async #plan(request: GttRequest): Promise<{ legs: PlannedLeg[]; margin: Dec; lastPrice: Dec }> {
    const { instrument } = request;
    const config = this.#core.config;
    for (const leg of request.legs) {
      if (leg.product !== 'CNC' && leg.product !== 'NRML') {
        throw new InvalidOrderError(
          'GTT supports only CNC (delivery) or NRML (overnight F&O); MIS is intraday-only.',
          { context: { mode: 'analyze' } },
        );
      }
      const problem = checkOrderShape(this.#legInput(instrument, leg, 'GTT', null));
      if (problem) {
        throw new InvalidOrderError(problem, { context: { mode: 'analyze' } });
      }
    }
    if (request.triggerType === 'single' && request.legs.length !== 1) {
      throw new InvalidOrderError('A single GTT has exactly one leg', { context: { mode: 'analyze' } });
    }
    if (request.triggerType === 'two-leg') {
      const [stopLoss, target] = request.legs;
      if (!stopLoss || !target || request.legs.length !== 2) {
        throw new InvalidOrderError('An OCO GTT has a stop-loss leg and a target leg', {
          context: { mode: 'analyze' },
        });
      }
      if (!new Dec(stopLoss.triggerPrice).lt(new Dec(target.triggerPrice))) {
        throw new InvalidOrderError('Stoploss trigger must be less than target trigger (triggerprice_tg).', {
          context: { mode: 'analyze' },
        });
      }
    }
    let lastPrice = new Dec(request.lastPrice);
    if (!lastPrice.gt(0)) {
      const touch = await this.#core.currentTouch(instrument, true);
      if (!touch) {
        throw new InvalidOrderError(
          `Cannot place GTT for ${instrument.symbol} - unable to fetch current price.`,
          {
            context: { mode: 'analyze' },
          },
        );
      }
      lastPrice = new Dec(touch.ltpText);
    }
    const at = new Date(this.#core.now());
    const legs = request.legs.map((leg, index): PlannedLeg => {
      const trigger = new Dec(leg.triggerPrice);
      const price = new Dec(leg.price);
      const basis = price.gt(0) ? price : trigger.gt(0) ? trigger : lastPrice;
      const margin = reservesMargin(instrument, leg.product, leg.action)
        ? marginFor(
            leg.quantity,
            basis,
            leverageOf(config, instrument, leg.product, leg.action),
            this.#core.contractValue(instrument),
          )
        : new Dec(0);
      return {
        margin,
        row: {
          leg_number: index + 1,
          trigger_price: trigger.toString(),
          trigger_direction: trigger.lt(lastPrice) ? 'below' : 'above',
          action: leg.action,
          quantity: leg.quantity,
          price: price.toString(),
          price_type: leg.priceType,
          product: leg.product,
          status: 'pending',
          triggered_order_id: null,
          leg_margin: margin.toString(),
          claimed_at: null,
          created_at: at,
          updated_at: at,
        },
      };
    });
    const margins = legs.map((leg) => leg.margin);
    const margin =
      config.gtt_oco_margin_mode === 'sum'
        ? margins.reduce((total, value) => total.add(value), new Dec(0))
        : margins.reduce((best, value) => (value.gt(best) ? value : best), new Dec(0));
    return { legs, margin, lastPrice };
  }

  #legInput(
    instrument: ResolvedInstrument,
    leg: {
      action: 'BUY' | 'SELL';
      quantity: number;
      price: string;
      priceType: 'LIMIT' | 'MARKET';
      product: PlaceInput['product'];
    },
    strategy: string,
    legId: number | null,
  ): PlaceInput {
    return {
      instrument,
      action: leg.action,
      quantity: leg.quantity,
      product: leg.product,
      priceType: leg.priceType,
      price: new Dec(leg.price),
      trigger: new Dec(0),
      strategy,
      clientOrderId: null,
      gttLegId: legId,
    };
  }

  async place(userId: number, request: GttRequest, strategy: string): Promise<SandboxGttRow> {
    const plan = await this.#plan(request);
    const at = new Date(this.#core.now());
    const { gtt, legs } = await this.#core.transaction(async (trx) => {
      const ledger = await this.#core.lockFunds(trx, userId);
      if (plan.margin.gt(ledger.available)) {
        throw new InsufficientFundsError(
          `Insufficient funds. Required: ₹${formatRupees(plan.margin)}, Available: ₹${formatRupees(ledger.available)}, Shortage: ₹${formatRupees(plan.margin.sub(ledger.available))}`,
          { context: { mode: 'analyze' } },
        );
      }
      const gttId = await this.#core.nextGttId(trx);
      const stored = await insertSandboxGtt(
        trx,
        {
          gtt_id: gttId,
          user_id: userId,
          strategy,
          trigger_type: request.triggerType,
          symbol: request.instrument.symbol,
          exchange: request.instrument.exchange,
          instrument: instrumentJson(request.instrument),
          last_price: plan.lastPrice.toString(),
          status: 'active',
          margin_blocked: plan.margin.toString(),
          reservation: plan.margin.toString(),
          expires_at: new Date(request.expiresAt ?? at.getTime() + DEFAULT_EXPIRY_MS),
          created_at: at,
          updated_at: at,
        },
        plan.legs.map((leg) => ({ ...leg.row, gtt_id: gttId })),
      );
      if (plan.margin.gt(0)) {
        ledger.reserve('gtt', gttId, plan.margin, `GTT ${request.triggerType} ${request.instrument.symbol}`);
      }
      await ledger.flush(trx);
      return stored;
    });
    this.#index(gtt, legs);
    this.#core.emit({ type: 'gtt_update', userId, gttId: gtt.gtt_id, status: gtt.status });
    return gtt;
  }

  /** A full replacement of an active GTT (the trigger type cannot change); re-reserves its margin. */
  async modify(userId: number, gttId: string, request: GttRequest): Promise<SandboxGttRow> {
    const existing = await findSandboxGtt(this.#core.store.db, userId, gttId);
    if (!existing) {
      throw new OrderNotFoundError(`GTT ${gttId} not found`, { context: { mode: 'analyze' } });
    }
    if (existing.gtt.status !== 'active') {
      throw new InvalidOrderError(`Cannot modify GTT in ${existing.gtt.status} status`, {
        context: { mode: 'analyze' },
      });
    }
    if (existing.gtt.trigger_type !== request.triggerType) {
      throw new InvalidOrderError('Cannot change the trigger type of a GTT (SINGLE/OCO)', {
        context: { mode: 'analyze' },
      });
    }
    if (
      existing.gtt.symbol !== request.instrument.symbol ||
      existing.gtt.exchange !== request.instrument.exchange
    ) {
      throw new InvalidOrderError('Cannot change the symbol of a GTT', { context: { mode: 'analyze' } });
    }
    const plan = await this.#plan(request);
    this.#unindex(existing.gtt);
    try {
      const result = await this.#core.transaction(async (trx) => {
        const ledger = await this.#core.lockFunds(trx, userId);
        const current = await findSandboxGtt(trx, userId, gttId);
        if (current?.gtt.status !== 'active') {
          throw new InvalidOrderError(`Cannot modify GTT in ${current?.gtt.status ?? 'unknown'} status`, {
            context: { mode: 'analyze' },
          });
        }
        const delta = plan.margin.sub(new Dec(current.gtt.reservation));
        if (delta.gt(ledger.available)) {
          throw new InsufficientFundsError(
            `Insufficient funds. Required: ₹${formatRupees(delta)}, Available: ₹${formatRupees(ledger.available)}, Shortage: ₹${formatRupees(delta.sub(ledger.available))}`,
            { context: { mode: 'analyze' } },
          );
        }
        const at = new Date(this.#core.now());
        await updateSandboxGtt(trx, gttId, {
          last_price: plan.lastPrice.toString(),
          margin_blocked: plan.margin.toString(),
          reservation: plan.margin.toString(),
          updated_at: at,
          ...(request.expiresAt ? { expires_at: new Date(request.expiresAt) } : {}),
        });
        const legs = await replaceSandboxGttLegs(
          trx,
          gttId,
          plan.legs.map((leg) => ({ ...leg.row, gtt_id: gttId })),
        );
        if (delta.gt(0)) {
          ledger.reserve('gtt', gttId, delta, 'GTT modify');
        } else if (delta.lt(0)) {
          ledger.release('gtt', gttId, delta.neg(), 'GTT modify');
        }
        await ledger.flush(trx);
        const gtt = await findSandboxGtt(trx, userId, gttId);
        return { gtt: gtt?.gtt ?? current.gtt, legs };
      });
      this.#index(result.gtt, result.legs);
      this.#core.emit({ type: 'gtt_update', userId, gttId, status: result.gtt.status });
      return result.gtt;
    } catch (error) {
      const latest = await findSandboxGtt(this.#core.store.db, userId, gttId);
      if (latest?.gtt.status === 'active') {
        this.#index(latest.gtt, latest.legs);
      }
      throw error;
    }
  }

  async cancel(
    userId: number,
    gttId: string,
    status: 'cancelled' | 'expired' = 'cancelled',
  ): Promise<SandboxGttRow> {
    const row = await this.#core.transaction(async (trx) => {
      const ledger = await this.#core.lockFunds(trx, userId);
      const current = await findSandboxGtt(trx, userId, gttId);
      if (!current) {
        throw new OrderNotFoundError(`GTT ${gttId} not found`, { context: { mode: 'analyze' } });
      }
      const at = new Date(this.#core.now());
      const claimed = await claimSandboxGtt(trx, gttId, 'active', {
        status,
        reservation: '0',
        updated_at: at,
      });
      if (!claimed) {
        throw new InvalidOrderError(`Cannot cancel GTT in ${current.gtt.status} status`, {
          context: { mode: 'analyze' },
        });
      }
      await setSandboxGttLegs(trx, gttId, ['pending', 'triggering'], { status: 'cancelled', updated_at: at });
      ledger.release('gtt', gttId, current.gtt.reservation, status);
      await ledger.flush(trx);
      return claimed;
    });
    this.#unindex(row);
    this.#core.emit({ type: 'gtt_update', userId, gttId, status: row.status });
    return row;
  }

  async list(userId: number, statuses: readonly SandboxGttRow['status'][] = ['active']) {
    return listSandboxGtts(this.#core.store.db, { userId, statuses });
  }

  /**
   * Fires a leg a tick crossed (in its account's lane). Exactly once: the GTT moves from
   * `active` to `triggered` conditionally, in the same transaction as its order.
   */
  async fire(userId: number, gttId: string, legId: number, priceText: string): Promise<void> {
    const core = this.#core;
    const outcome = await core.transaction(async (trx) => {
      const ledger = await core.lockFunds(trx, userId);
      const current = await findSandboxGtt(trx, userId, gttId);
      const leg = current?.legs.find((entry) => entry.id === legId);
      if (!current || !leg || leg.status !== 'pending' || current.gtt.status !== 'active') {
        return null;
      }
      const instrument = instrumentOf(current.gtt.instrument);
      const touch = core.touchOf(current.gtt.exchange, current.gtt.symbol);
      const at = new Date(core.now());
      const claimed = await claimSandboxGtt(trx, gttId, 'active', {
        status: 'triggered',
        reservation: '0',
        updated_at: at,
      });
      if (!claimed) {
        return null;
      }
      ledger.release(
        'gtt',
        gttId,
        current.gtt.reservation,
        `GTT leg ${leg.leg_number} triggered at ${priceText}`,
      );
      await setSandboxGttLegs(trx, gttId, ['pending', 'triggering'], { status: 'cancelled', updated_at: at });
      const input = this.#legInput(
        instrument,
        {
          action: leg.action,
          quantity: leg.quantity,
          price: leg.price,
          priceType: leg.price_type,
          product: leg.product,
        },
        current.gtt.strategy || 'GTT',
        leg.id,
      );
      const problem = checkOrderShape(input);
      let order: SandboxOrderRow;
      let isPlaced = false;
      if (problem) {
        order = await core.storeRejected(trx, userId, input, problem);
      } else {
        const stored = await core.storeOrder(trx, ledger, userId, input, touch);
        if (stored.ok) {
          order = stored.row;
          isPlaced = true;
        } else {
          order = stored.rejected ?? (await core.storeRejected(trx, userId, input, stored.message));
        }
      }
      await setSandboxGttLegOrder(trx, leg.id, order.orderid, at);
      await ledger.flush(trx);
      return { gtt: claimed, order, isPlaced };
    });
    if (!outcome) {
      return;
    }
    this.#unindex(outcome.gtt);
    core.emit({ type: 'gtt_update', userId, gttId, status: outcome.gtt.status });
    if (outcome.isPlaced) {
      await core.route(outcome.order);
    } else {
      core.emit({ type: 'order_update', userId, order: orderBookRow(outcome.order) });
    }
  }

  /** Marks active GTTs past their expiry as `expired`, releasing their margin. */
  async expireDue(): Promise<number> {
    const now = this.#core.now();
    const due = (await listSandboxGtts(this.#core.store.db, { statuses: ['active'] })).filter(
      (entry) => entry.gtt.expires_at !== null && entry.gtt.expires_at.getTime() <= now,
    );
    let expired = 0;
    for (const { gtt } of due) {
      try {
        await this.#core.queue.run(gtt.user_id, () => this.cancel(gtt.user_id, gtt.gtt_id, 'expired'));
        expired += 1;
      } catch (error) {
        this.#core.logger.warn({ err: error, gttId: gtt.gtt_id }, 'sandbox GTT expiry skipped');
      }
    }
    return expired;
  }

  /** Forgets a user's GTTs in memory (fund resets cancelled them in the tables). */
  forget(gtts: readonly SandboxGttRow[]): void {
    for (const gtt of gtts) {
      this.#unindex(gtt);
    }
  }
}
