/**
 * Per-route settings every `/api/v1` route declares in `config` (api-v1 §6.2): the rate-limit
 * class, named by the env variable that sets its limit. `telegramBroadcast` is the fixed
 * 5-per-minute limit of `/telegram/broadcast`; `none` is unlimited (`/telegram/webhook`).
 */
export type RateLimitClass =
  | 'ORDER_RATE_LIMIT'
  | 'SMART_ORDER_RATE_LIMIT'
  | 'API_RATE_LIMIT'
  | 'MARGIN_RATE_LIMIT'
  | 'GREEKS_RATE_LIMIT'
  | 'TELEGRAM_RATE_LIMIT'
  | 'TELEGRAM_BROADCAST_RATE_LIMIT'
  | 'WHATSAPP_RATE_LIMIT'
  | 'PORTFOLIO_API_RATE_LIMIT'
  | 'PORTFOLIO_TEARSHEET_RATE_LIMIT'
  | 'SIP_API_RATE_LIMIT'
  | 'WEBHOOK_RATE_LIMIT'
  | 'none';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Which limit applies to this route; every `/api/v1` route sets one. */
    rateLimitClass?: RateLimitClass;
  }
}
