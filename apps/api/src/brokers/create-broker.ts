import type { BrokerAdapter, Logger } from '@openalgo/broker-sdk';
import { createSimulatorBroker } from '@openalgo/brokers-simulator';
import { createZerodhaBroker } from '@openalgo/brokers-zerodha';
import type { Config } from '../config.js';

/** The configured broker's adapter (`BROKER=…`), built from config only. */
export function createConfiguredBroker(
  config: Config,
  deps: { logger: Logger; now: () => number },
): BrokerAdapter {
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
    case 'simulator':
      return createSimulatorBroker({
        seed: config.SIMULATOR_SEED,
        startingCash: config.SIMULATOR_STARTING_CASH,
        alwaysOpen: config.SIMULATOR_24X7,
        ticksPerSecond: config.SIMULATOR_TICKS_PER_SECOND,
        logger: deps.logger.child({ broker: 'simulator' }),
        now: deps.now,
      });
  }
}

/**
 * The broker's own tick generator, for brokers that have one (the simulator ticks only while
 * started); null for real brokers, whose feed ticks by itself.
 */
export function tickSourceOf(broker: BrokerAdapter): { start(): void; stop(): void } | null {
  const candidate = broker as BrokerAdapter & { start?: unknown; stop?: unknown };
  if (
    broker.family === 'simulator' &&
    typeof candidate.start === 'function' &&
    typeof candidate.stop === 'function'
  ) {
    return { start: () => (candidate.start as () => void)(), stop: () => (candidate.stop as () => void)() };
  }
  return null;
}
