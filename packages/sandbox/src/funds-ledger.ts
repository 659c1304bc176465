import type {
  NewSandboxLedgerRow,
  SandboxExecutor,
  SandboxFundsRow,
  SandboxFundsRowUpdate,
} from '@openalgo/db';
import { insertSandboxLedger, updateSandboxFunds } from '@openalgo/db';
import { Dec, type DecimalInput, toDecimal } from '@openalgo/shared-types/decimal';

/**
 * One user's funds inside one transaction, double-entry: every movement is a balanced journal
 * row (cash + margin + holdings = capital + realised) naming the order, position, GTT or
 * holding that owns the money. `flush` writes the funds row and the journal together; the
 * database re-checks that the row balances (`funds_reconcile`).
 */

export type OwnerKind = 'order' | 'position' | 'gtt' | 'holding';

export interface Movement {
  kind: string;
  ownerKind?: OwnerKind;
  ownerId?: string;
  cash?: DecimalInput;
  margin?: DecimalInput;
  holdings?: DecimalInput;
  capital?: DecimalInput;
  realized?: DecimalInput;
  note?: string;
}

export class InvariantError extends Error {
  readonly code = 'SANDBOX_INVARIANT';
}

export class FundsLedger {
  readonly userId: number;
  cash: Dec;
  usedMargin: Dec;
  holdingsCost: Dec;
  capital: Dec;
  realized: Dec;
  todayRealized: Dec;
  readonly #session: Date;
  readonly #at: Date;
  readonly #entries: NewSandboxLedgerRow[] = [];
  #extra: { last_reset_at?: Date; reset_count?: number; unrealized_pnl?: string } = {};

  constructor(row: SandboxFundsRow, session: Date, at: Date) {
    this.userId = row.user_id;
    this.cash = new Dec(row.cash);
    this.usedMargin = new Dec(row.used_margin);
    this.holdingsCost = new Dec(row.holdings_cost);
    this.capital = new Dec(row.capital);
    this.realized = new Dec(row.realized_pnl);
    // Today's figure belongs to a session; a new session starts it from zero.
    this.todayRealized =
      row.today_session.getTime() >= session.getTime() ? new Dec(row.today_realized_pnl) : new Dec(0);
    this.#session = session;
    this.#at = at;
  }

  /** Cash free for new margin. */
  get available(): Dec {
    return this.cash;
  }

  get hasChanges(): boolean {
    return this.#entries.length > 0 || Object.keys(this.#extra).length > 0;
  }

  move(movement: Movement): void {
    const cash = toDecimal(movement.cash ?? 0);
    const margin = toDecimal(movement.margin ?? 0);
    const holdings = toDecimal(movement.holdings ?? 0);
    const capital = toDecimal(movement.capital ?? 0);
    const realized = toDecimal(movement.realized ?? 0);
    if (!cash.add(margin).add(holdings).eq(capital.add(realized))) {
      throw new InvariantError(`unbalanced ledger movement ${movement.kind}`);
    }
    if (cash.isZero() && margin.isZero() && holdings.isZero() && capital.isZero() && realized.isZero()) {
      return;
    }
    const usedMargin = this.usedMargin.add(margin);
    const holdingsCost = this.holdingsCost.add(holdings);
    if (usedMargin.isNeg() || holdingsCost.isNeg()) {
      throw new InvariantError(`ledger movement ${movement.kind} would make margin or holdings negative`);
    }
    this.cash = this.cash.add(cash);
    this.usedMargin = usedMargin;
    this.holdingsCost = holdingsCost;
    this.capital = this.capital.add(capital);
    this.realized = this.realized.add(realized);
    if (movement.kind !== 'reset') {
      this.todayRealized = this.todayRealized.add(realized);
    }
    this.#entries.push({
      user_id: this.userId,
      at: this.#at,
      kind: movement.kind,
      owner_kind: movement.ownerKind ?? null,
      owner_id: movement.ownerId ?? null,
      cash: cash.toString(),
      margin: margin.toString(),
      holdings: holdings.toString(),
      capital: capital.toString(),
      realized: realized.toString(),
      note: movement.note ?? '',
    });
  }

  reserve(ownerKind: OwnerKind, ownerId: string, amount: DecimalInput, note = ''): void {
    const value = toDecimal(amount);
    this.move({ kind: 'reserve', ownerKind, ownerId, cash: value.neg(), margin: value, note });
  }

  release(ownerKind: OwnerKind, ownerId: string, amount: DecimalInput, note = ''): void {
    const value = toDecimal(amount);
    this.move({ kind: 'release', ownerKind, ownerId, cash: value, margin: value.neg(), note });
  }

  /** Books realised P&L into cash. Never skipped, whatever margin the position held. */
  realize(ownerKind: OwnerKind, ownerId: string, pnl: DecimalInput, note = ''): void {
    const value = toDecimal(pnl);
    this.move({ kind: 'realise', ownerKind, ownerId, cash: value, realized: value, note });
  }

  /** Back to `capital` with nothing reserved, held or realised (fund resets). */
  resetTo(capital: DecimalInput, resetCount: number): void {
    const target = toDecimal(capital);
    this.move({
      kind: 'reset',
      cash: target.sub(this.cash),
      margin: this.usedMargin.neg(),
      holdings: this.holdingsCost.neg(),
      capital: target.sub(this.capital),
      realized: this.realized.neg(),
    });
    this.todayRealized = new Dec(0);
    this.#extra = { ...this.#extra, last_reset_at: this.#at, reset_count: resetCount, unrealized_pnl: '0' };
  }

  setUnrealized(value: DecimalInput): void {
    this.#extra = { ...this.#extra, unrealized_pnl: toDecimal(value).toString() };
  }

  /**
   * What `flush` would write — the funds row's new figures (`null` when nothing changed) and
   * the journal rows — handed to a caller that writes them itself (with a fill, in one
   * statement); the ledger counts them as written.
   */
  takeWrites(): {
    funds: { userId: number; update: SandboxFundsRowUpdate } | null;
    entries: NewSandboxLedgerRow[];
  } {
    if (!this.hasChanges) {
      return { funds: null, entries: [] };
    }
    const update: SandboxFundsRowUpdate = {
      cash: this.cash.toString(),
      used_margin: this.usedMargin.toString(),
      holdings_cost: this.holdingsCost.toString(),
      capital: this.capital.toString(),
      realized_pnl: this.realized.toString(),
      today_realized_pnl: this.todayRealized.toString(),
      today_session: this.#session,
      updated_at: this.#at,
      ...this.#extra,
    };
    const entries = this.#entries.splice(0);
    this.#extra = {};
    return { funds: { userId: this.userId, update }, entries };
  }

  async flush(db: SandboxExecutor): Promise<void> {
    const { funds, entries } = this.takeWrites();
    if (!funds) {
      return;
    }
    await updateSandboxFunds(db, funds.userId, funds.update);
    await insertSandboxLedger(db, entries);
  }
}
