import type { Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { Json } from './broker-sessions.js';
import type { NullableTimestamp, Timestamp } from './users.js';

/**
 * The analyzer-mode (sandbox) tables. They live in a schema of their own (`sandbox` beside
 * `public`; `<schema>_sandbox` beside an isolated test schema), reached through
 * `sandboxDatabase(handle)`. Money is `numeric` without a precision limit, read back as a
 * decimal string; quantities are integers; every reservation of margin has an owner row
 * (an open order, a position or an active GTT) and `funds.used_margin` is their sum.
 */

/** `numeric`: written and read as a decimal string. */
export type Money = string;
export type NullableMoney = string | null;

export type SandboxOrderStatus = 'open' | 'trigger pending' | 'complete' | 'cancelled' | 'rejected';

export interface SandboxFundsTable {
  user_id: number;
  /** Starting capital (`total_capital`). */
  capital: Money;
  /** Cash free for new margin (`available_balance`). */
  cash: Money;
  /** Σ reservations of the user's open orders, positions and active GTTs. */
  used_margin: Money;
  /** Cost basis of settled holdings (money that became shares at T+1). */
  holdings_cost: Money;
  /** Realised P&L since the last reset. */
  realized_pnl: Money;
  /** Realised P&L of the session that starts at `today_session`. */
  today_realized_pnl: Money;
  today_session: Timestamp;
  /** The mark-to-market of open positions when last computed. */
  unrealized_pnl: Money;
  last_reset_at: Timestamp;
  reset_count: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** One balanced movement: cash + margin + holdings = capital + realized, always. */
export interface SandboxLedgerTable {
  id: Generated<number>;
  user_id: number;
  at: Timestamp;
  /** open, reserve, release, fill, realise, settle, proceeds, reset, capital. */
  kind: string;
  /** order, position, gtt, holding, or null for account-wide entries. */
  owner_kind: string | null;
  owner_id: string | null;
  cash: Money;
  margin: Money;
  holdings: Money;
  capital: Money;
  realized: Money;
  note: string;
}

export interface SandboxOrdersTable {
  id: Generated<number>;
  orderid: string;
  user_id: number;
  strategy: string;
  symbol: string;
  exchange: string;
  /** The resolved instrument the order was placed on (lot size, tick, expiry, token). */
  instrument: Json;
  action: 'BUY' | 'SELL';
  quantity: number;
  /** LIMIT/SL: the limit price. MARKET: the reference price margin was computed at. */
  price: Money;
  trigger_price: Money;
  price_type: 'MARKET' | 'LIMIT' | 'SL' | 'SL-M';
  product: 'CNC' | 'NRML' | 'MIS';
  status: SandboxOrderStatus;
  average_price: NullableMoney;
  filled_quantity: Generated<number>;
  pending_quantity: number;
  rejection_reason: string | null;
  /** The margin reserved at placement (or the last modify), as the order book shows it. */
  margin_blocked: Money;
  /** The live reservation this order owns (0 once it is filled, cancelled or rejected). */
  reservation: Money;
  /** How much of the quantity the reservation covers (0 when the order only reduces). */
  margin_quantity: number;
  expiry_date: string | null;
  gtt_leg_id: number | null;
  client_order_id: string | null;
  placed_at: Timestamp;
  updated_at: Timestamp;
}

export interface SandboxTradesTable {
  id: Generated<number>;
  tradeid: string;
  orderid: string;
  user_id: number;
  strategy: string;
  symbol: string;
  exchange: string;
  action: 'BUY' | 'SELL';
  quantity: number;
  price: Money;
  product: 'CNC' | 'NRML' | 'MIS';
  /** The P&L this trade realised against the position it reduced. */
  realized_pnl: Money;
  traded_at: Timestamp;
}

export interface SandboxPositionsTable {
  id: Generated<number>;
  user_id: number;
  symbol: string;
  exchange: string;
  product: 'CNC' | 'NRML' | 'MIS';
  instrument: Json;
  /** Signed: positive long, negative short. */
  quantity: number;
  average_price: Money;
  /** The margin this position holds. */
  reservation: Money;
  realized_pnl: Money;
  today_realized_pnl: Money;
  today_session: Timestamp;
  /** The last price the position was marked at. */
  ltp: NullableMoney;
  expiry_date: string | null;
  /** When the position last went from flat to open: MIS square-off applies to those opened before it. */
  opened_at: Timestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface SandboxHoldingsTable {
  id: Generated<number>;
  user_id: number;
  symbol: string;
  exchange: string;
  instrument: Json;
  quantity: number;
  average_price: Money;
  /** The money booked into this holding at settlement. */
  cost: Money;
  ltp: NullableMoney;
  settlement_date: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface SandboxConfigTable {
  key: string;
  value: string;
  updated_at: Timestamp;
}

export interface SandboxDailyPnlTable {
  user_id: number;
  date: string;
  realized_pnl: Money;
  positions_unrealized_pnl: Money;
  holdings_unrealized_pnl: Money;
  total_mtm: Money;
  available_balance: Money;
  used_margin: Money;
  portfolio_value: Money;
  created_at: Timestamp;
}

export type SandboxGttStatus = 'active' | 'triggered' | 'cancelled' | 'expired' | 'rejected';
export type SandboxGttLegStatus = 'pending' | 'triggering' | 'triggered' | 'cancelled';

export interface SandboxGttsTable {
  id: Generated<number>;
  gtt_id: string;
  user_id: number;
  strategy: string;
  trigger_type: 'single' | 'two-leg';
  symbol: string;
  exchange: string;
  instrument: Json;
  last_price: Money;
  status: SandboxGttStatus;
  margin_blocked: Money;
  reservation: Money;
  expires_at: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface SandboxGttLegsTable {
  id: Generated<number>;
  gtt_id: string;
  leg_number: number;
  trigger_price: Money;
  trigger_direction: 'below' | 'above';
  action: 'BUY' | 'SELL';
  quantity: number;
  price: Money;
  price_type: 'LIMIT' | 'MARKET';
  product: 'CNC' | 'NRML' | 'MIS';
  status: SandboxGttLegStatus;
  triggered_order_id: string | null;
  leg_margin: Money;
  claimed_at: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** One row per scheduled run that happened: a run is claimed once per job and due instant. */
export interface SandboxJobRunsTable {
  job: string;
  due_at: Timestamp;
  ran_at: Timestamp;
  summary: Json;
}

export interface SandboxDatabase {
  funds: SandboxFundsTable;
  ledger: SandboxLedgerTable;
  orders: SandboxOrdersTable;
  trades: SandboxTradesTable;
  positions: SandboxPositionsTable;
  holdings: SandboxHoldingsTable;
  config: SandboxConfigTable;
  daily_pnl: SandboxDailyPnlTable;
  gtts: SandboxGttsTable;
  gtt_legs: SandboxGttLegsTable;
  job_runs: SandboxJobRunsTable;
}

export type SandboxFundsRow = Selectable<SandboxFundsTable>;
export type NewSandboxFundsRow = Insertable<SandboxFundsTable>;
export type SandboxFundsRowUpdate = Updateable<SandboxFundsTable>;
export type SandboxLedgerRow = Selectable<SandboxLedgerTable>;
export type NewSandboxLedgerRow = Insertable<SandboxLedgerTable>;
export type SandboxOrderRow = Selectable<SandboxOrdersTable>;
export type NewSandboxOrderRow = Insertable<SandboxOrdersTable>;
export type SandboxOrderRowUpdate = Updateable<SandboxOrdersTable>;
export type SandboxTradeRow = Selectable<SandboxTradesTable>;
export type NewSandboxTradeRow = Insertable<SandboxTradesTable>;
export type SandboxPositionRow = Selectable<SandboxPositionsTable>;
export type NewSandboxPositionRow = Insertable<SandboxPositionsTable>;
export type SandboxPositionRowUpdate = Updateable<SandboxPositionsTable>;
export type SandboxHoldingRow = Selectable<SandboxHoldingsTable>;
export type NewSandboxHoldingRow = Insertable<SandboxHoldingsTable>;
export type SandboxConfigRow = Selectable<SandboxConfigTable>;
export type SandboxDailyPnlRow = Selectable<SandboxDailyPnlTable>;
export type NewSandboxDailyPnlRow = Insertable<SandboxDailyPnlTable>;
export type SandboxGttRow = Selectable<SandboxGttsTable>;
export type NewSandboxGttRow = Insertable<SandboxGttsTable>;
export type SandboxGttLegRow = Selectable<SandboxGttLegsTable>;
export type NewSandboxGttLegRow = Insertable<SandboxGttLegsTable>;
export type SandboxJobRunRow = Selectable<SandboxJobRunsTable>;
