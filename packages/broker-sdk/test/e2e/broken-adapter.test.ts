import { fileURLToPath } from 'node:url';
import type { RunnerTask, RunnerTestFile } from 'vitest';
import { describe, expect, it } from 'vitest';
import { startVitest } from 'vitest/node';

/**
 * Runs the conformance suite, as a broker package would, on a deliberately broken adapter (the
 * mock broker with six typical mistakes, `src/testkit/__fixtures__/broken-broker.ts`) through
 * vitest's node API, and checks that exactly the checks those mistakes break fail, each with a
 * message naming the mistake, while the rest of the suite still passes.
 */

const root = fileURLToPath(new URL('../..', import.meta.url));

interface Outcome {
  name: string;
  state: string | undefined;
  message: string;
}

function collect(tasks: readonly RunnerTask[], into: Outcome[]): Outcome[] {
  for (const task of tasks) {
    if (task.type === 'suite') {
      collect(task.tasks, into);
    } else {
      into.push({
        name: task.name,
        state: task.result?.state,
        message: (task.result?.errors ?? []).map((error) => error.message ?? '').join('\n'),
      });
    }
  }
  return into;
}

describe('the conformance suite on a broken adapter', () => {
  it('fails the broken checks with clear messages and passes the others', async () => {
    const exitCode = process.exitCode;
    const vitest = await startVitest('test', [], {
      root,
      config: false,
      include: ['src/testkit/__fixtures__/broken-broker.conformance.ts'],
      watch: false,
      reporters: [{}],
      testTimeout: 30_000,
    });
    let files: RunnerTestFile[];
    try {
      files = vitest.state.getFiles();
    } finally {
      await vitest.close();
      // The nested run fails on purpose; that must not fail this process.
      process.exitCode = exitCode;
    }
    expect(files).toHaveLength(1);
    const outcomes = collect(files[0]?.tasks ?? [], []);
    const failed = outcomes.filter((outcome) => outcome.state === 'fail');
    const failedByName = Object.fromEntries(failed.map((outcome) => [outcome.name, outcome.message]));
    expect(Object.keys(failedByName).sort()).toEqual(
      [
        'answers market depth padded to the requested levels, sorted and uncrossed',
        'gtt: false → NotSupportedError',
        'rests a LIMIT order away from the market, modifies it and cancels it',
        'quotes each instrument at the fake’s price, per item, in request order',
        'reports a timed-out order as possibly placed, never retried',
        'turns a persistent HTTP 5xx on a read into BrokerUnavailableError (retryable)',
      ].sort(),
    );
    expect(failedByName['rests a LIMIT order away from the market, modifies it and cancels it']).toMatch(
      /the resting order as the order book shows it is wrong:\n {2}- order \S+: filledQuantity 0 \+ pendingQuantity 2 exceeds quantity 1/,
    );
    expect(failedByName['quotes each instrument at the fake’s price, per item, in request order']).toContain(
      'quote SBIN: ltp: Invalid input: expected string, received number',
    );
    expect(
      failedByName['answers market depth padded to the requested levels, sorted and uncrossed'],
    ).toContain('is not below best ask');
    expect(failedByName['gtt: false → NotSupportedError']).toMatch(
      /capabilities\.gtt is false, so the call: expected NotSupportedError, but it succeeded with/,
    );
    expect(
      failedByName['turns a persistent HTTP 5xx on a read into BrokerUnavailableError (retryable)'],
    ).toMatch(/expected BrokerUnavailableError, but it threw BrokerError \(BROKER_ERROR\)/);
    expect(failedByName['reports a timed-out order as possibly placed, never retried']).toContain(
      'context.mayHaveReachedBroker: true',
    );
    const passed = outcomes.filter((outcome) => outcome.state === 'pass');
    expect(passed.length).toBeGreaterThan(25);
    expect(outcomes.every((outcome) => outcome.state === 'pass' || outcome.state === 'fail')).toBe(true);
  });
});
