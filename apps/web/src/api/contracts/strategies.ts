/**
 * Strategy pages: list, detail with symbol mappings, alert history, and the bodies the pages
 * send — the contract's schemas from `@openalgo/shared-types`, as the api validates them.
 */
export {
  addStrategySymbolsRequestSchema as addStrategySymbolsBodySchema,
  createStrategyRequestSchema as createStrategyBodySchema,
  okResponseSchema as okSchema,
  strategyAlertsResponseSchema as alertsResponseSchema,
  strategyListResponseSchema as strategiesResponseSchema,
  strategyResponseSchema,
  updateStrategyRequestSchema as updateStrategyBodySchema,
} from '@openalgo/shared-types';
