import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';
import { testEnv } from './testing/test-app.js';

describe('configuration', () => {
  it('ANALYZER_MAX_WAIT_MS is optional (half the order deadline is used) and must stay below the order deadline', () => {
    expect(loadConfig(testEnv({})).ANALYZER_MAX_WAIT_MS).toBeUndefined();
    expect(loadConfig(testEnv({ ANALYZER_MAX_WAIT_MS: '1500' })).ANALYZER_MAX_WAIT_MS).toBe(1_500);
    let error: unknown;
    try {
      loadConfig(testEnv({ ANALYZER_MAX_WAIT_MS: '5000', BROKER_ORDER_TIMEOUT_MS: '5000' }));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'ANALYZER_MAX_WAIT_MS: ANALYZER_MAX_WAIT_MS must be below BROKER_ORDER_TIMEOUT_MS (5000): an order that waits past its deadline has an unknown outcome',
    ]);
    expect(() => loadConfig(testEnv({ ANALYZER_MAX_WAIT_MS: '0' }))).toThrow(ConfigError);
  });
});
