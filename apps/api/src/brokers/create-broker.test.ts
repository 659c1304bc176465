import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config.js';
import { testEnv } from '../testing/test-app.js';
import { createConfiguredBroker } from './create-broker.js';

describe('broker chosen by configuration', () => {
  it('refuses BROKER=zerodha without the Kite app credentials, naming each', () => {
    let error: unknown;
    try {
      loadConfig(testEnv({ BROKER: 'zerodha' }));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'KITE_API_KEY: KITE_API_KEY is required when BROKER=zerodha',
      'KITE_API_SECRET: KITE_API_SECRET is required when BROKER=zerodha',
    ]);
    expect(() =>
      loadConfig(testEnv({ BROKER: 'zerodha', KITE_API_KEY: 'bad key', KITE_API_SECRET: 's' })),
    ).toThrow(/KITE_API_KEY must be the alphanumeric Kite API key/);
    expect(() =>
      loadConfig(
        testEnv({ BROKER: 'zerodha', KITE_API_KEY: 'k', KITE_API_SECRET: 's', KITE_TICKER_URL: 'http://x' }),
      ),
    ).toThrow(/KITE_TICKER_URL must be a ws\(s\) URL/);
  });

  it('builds the Zerodha adapter from KITE_* settings, and the simulator by default', () => {
    const logger = pino({ level: 'silent' });
    const zerodha = createConfiguredBroker(
      loadConfig(testEnv({ BROKER: 'zerodha', KITE_API_KEY: 'key1', KITE_API_SECRET: 'secret' })),
      { logger, now: Date.now },
    );
    expect(zerodha).toMatchObject({ id: 'zerodha', specificationVersion: 'v1', family: 'kite' });
    const simulator = createConfiguredBroker(loadConfig(testEnv()), { logger, now: Date.now });
    expect(simulator).toMatchObject({ id: 'simulator', specificationVersion: 'v1', family: 'simulator' });
    expect(simulator.auth.loginFlow.kind).toBe('none');
  });
});
