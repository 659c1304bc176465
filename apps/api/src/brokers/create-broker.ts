import type { BrokerAdapter, Logger } from '@openalgo/broker-sdk';
import { createZerodhaBroker } from '@openalgo/brokers-zerodha';
import type { Config } from '../config.js';

/**
 * The configured live broker's adapter (`BROKER=…`), built from config only. `null` for the
 * embedded simulator, whose sessions the session service mints itself.
 */
export function createConfiguredBroker(
  config: Config,
  deps: { logger: Logger; now: () => number },
): BrokerAdapter | null {
  switch (config.BROKER) {
    case 'zerodha':
      return createZerodhaBroker({
        // config.ts refuses BROKER=zerodha without both.
        apiKey: config.KITE_API_KEY ?? '',
        apiSecret: config.KITE_API_SECRET ?? '',
        ...(config.KITE_BASE_URL ? { baseUrl: config.KITE_BASE_URL } : {}),
        ...(config.KITE_LOGIN_URL ? { loginUrl: config.KITE_LOGIN_URL } : {}),
        ...(config.KITE_TICKER_URL ? { tickerUrl: config.KITE_TICKER_URL } : {}),
        logger: deps.logger,
        now: deps.now,
      });
    default:
      return null;
  }
}
