import type { AnalyzerLogTable } from './tables/analyzer-log.js';
import type { ApiKeysTable } from './tables/api-keys.js';
import type { BrokerSessionsTable } from './tables/broker-sessions.js';
import type { CandlesTable } from './tables/candles.js';
import type { ChartPreferencesTable } from './tables/chart-preferences.js';
import type { LatencyLogTable } from './tables/latency-log.js';
import type { OrderLogTable } from './tables/order-log.js';
import type { PendingOrderEventsTable, PendingOrdersTable } from './tables/pending-orders.js';
import type {
  AuditLogTable,
  AuthChallengesTable,
  IpBansTable,
  RecoveryCodesTable,
  WebSessionsTable,
} from './tables/security.js';
import type { SettingsTable } from './tables/settings.js';
import type {
  ApiInstancesTable,
  StrategiesTable,
  StrategyAlertDedupeTable,
  StrategyAlertsTable,
  StrategySymbolsTable,
} from './tables/strategies.js';
import type { SymbolsTable } from './tables/symbols.js';
import type { TelegramBotTable, TelegramCommandLogTable, TelegramUsersTable } from './tables/telegram.js';
import type { TrafficLogTable } from './tables/traffic-log.js';
import type { UsersTable } from './tables/users.js';

/** Every table of the public schema. Later migrations add their tables here. */
export interface Database {
  users: UsersTable;
  api_keys: ApiKeysTable;
  broker_sessions: BrokerSessionsTable;
  settings: SettingsTable;
  symbols: SymbolsTable;
  order_log: OrderLogTable;
  traffic_log: TrafficLogTable;
  latency_log: LatencyLogTable;
  strategies: StrategiesTable;
  strategy_symbols: StrategySymbolsTable;
  strategy_alerts: StrategyAlertsTable;
  api_instances: ApiInstancesTable;
  strategy_alert_dedupe: StrategyAlertDedupeTable;
  telegram_bot: TelegramBotTable;
  telegram_users: TelegramUsersTable;
  telegram_command_log: TelegramCommandLogTable;
  chart_preferences: ChartPreferencesTable;
  analyzer_log: AnalyzerLogTable;
  pending_orders: PendingOrdersTable;
  pending_order_events: PendingOrderEventsTable;
  candles: CandlesTable;
  web_sessions: WebSessionsTable;
  auth_challenges: AuthChallengesTable;
  recovery_codes: RecoveryCodesTable;
  ip_bans: IpBansTable;
  audit_log: AuditLogTable;
}
