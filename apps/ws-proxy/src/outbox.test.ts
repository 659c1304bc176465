import { describe, expect, it } from 'vitest';
import { type Batched, WriteBatcher } from './outbox.js';
import { eventually } from './testing/harness.js';

/** Resolves after the current turn's immediates (where an unheld batch is released). */
const endOfTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

function recorder() {
  const released: string[] = [];
  const target = (name: string): Batched => ({ release: () => released.push(name) });
  return { released, target };
}

describe('WriteBatcher', () => {
  it('releases a batch at the end of its turn when the proxy is within its write budget', async () => {
    const clock = { now: 0 };
    const { released, target } = recorder();
    const batcher = new WriteBatcher({ writesPerSecond: 100, maxDelayMs: 1_000, clock: () => clock.now });
    batcher.add(target('a'));
    batcher.add(target('b'));
    batcher.add(target('c'));
    expect(released).toEqual([]);
    await endOfTurn();
    expect(released).toEqual(['a', 'b', 'c']);

    // Three writes at 100 a second hold the next release back 30 ms; at 30 ms it goes at once.
    clock.now = 30;
    batcher.add(target('a'));
    await endOfTurn();
    expect(released).toEqual(['a', 'b', 'c', 'a']);
  });

  it('holds the next release back after a wide one and merges what arrives meanwhile', async () => {
    const clock = { now: 0 };
    const { released, target } = recorder();
    const batcher = new WriteBatcher({ writesPerSecond: 100, maxDelayMs: 1_000, clock: () => clock.now });
    batcher.add(target('a'));
    batcher.add(target('b'));
    batcher.add(target('c'));
    await endOfTurn();

    clock.now = 10; // 20 ms of the 30 ms hold left
    batcher.add(target('a'));
    await endOfTurn();
    expect(released).toEqual(['a', 'b', 'c']);
    batcher.add(target('b'));
    await endOfTurn();
    expect(released).toEqual(['a', 'b', 'c']);
    await eventually(() => released.length === 5, 'the held batch released');
    expect(released).toEqual(['a', 'b', 'c', 'a', 'b']);
  });

  it('never holds a batch longer than maxDelayMs, and never at all without a budget', async () => {
    const clock = { now: 0 };
    const capped = recorder();
    const batcher = new WriteBatcher({ writesPerSecond: 1, maxDelayMs: 5, clock: () => clock.now });
    batcher.add(capped.target('a'));
    batcher.add(capped.target('b'));
    await endOfTurn();
    // Two writes at one a second would wait 2 s; the cap makes it 5 ms.
    clock.now = 5;
    batcher.add(capped.target('a'));
    await endOfTurn();
    expect(capped.released).toEqual(['a', 'b', 'a']);

    const unlimited = recorder();
    const free = new WriteBatcher({ writesPerSecond: 0, clock: () => clock.now });
    for (let round = 0; round < 3; round += 1) {
      free.add(unlimited.target('a'));
      free.add(unlimited.target('b'));
      await endOfTurn();
    }
    expect(unlimited.released).toEqual(['a', 'b', 'a', 'b', 'a', 'b']);
  });
});
