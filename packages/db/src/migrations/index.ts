import type { Migration } from 'kysely';
import * as foundation from './202611240000_foundation.js';
import * as strategies from './202611240300_strategies.js';
import * as telegram from './202611240400_telegram.js';
import * as chartPreferences from './202612011200_chart_preferences.js';
import * as sandbox from './202612011300_sandbox.js';
import * as actionCenter from './202612011310_action_center.js';
import * as candles from './202612011400_candles.js';
import * as security from './202612011800_security.js';
import * as strategyAlertDedupe from './202612020300_strategy_alert_dedupe.js';
import * as dropAlertDedupeIndex from './202612020400_drop_alert_dedupe_index.js';
import * as alertClaims from './202612021900_alert_claims.js';
import * as pendingOrderRequest from './202612031000_pending_order_request.js';

/**
 * Every migration, by sortable name. A static list (not a folder scan) so bundled apps carry
 * them. Append only; never edit a migration that has shipped.
 */
export const MIGRATIONS: Record<string, Migration> = {
  '202611240000_foundation': foundation,
  '202611240300_strategies': strategies,
  '202611240400_telegram': telegram,
  '202612011200_chart_preferences': chartPreferences,
  '202612011300_sandbox': sandbox,
  '202612011310_action_center': actionCenter,
  '202612011400_candles': candles,
  '202612011800_security': security,
  '202612020300_strategy_alert_dedupe': strategyAlertDedupe,
  '202612020400_drop_alert_dedupe_index': dropAlertDedupeIndex,
  '202612021900_alert_claims': alertClaims,
  '202612031000_pending_order_request': pendingOrderRequest,
};
