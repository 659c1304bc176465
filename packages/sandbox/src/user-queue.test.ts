import { describe, expect, it } from 'vitest';
import { UserQueue } from './user-queue.js';

/** A task the test finishes by hand. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open: () => void = () => undefined;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('UserQueue', () => {
  it('runs one account’s tasks one at a time in arrival order, other accounts alongside', async () => {
    const queue = new UserQueue();
    const order: string[] = [];
    const first = gate();
    const a1 = queue.run(1, async () => {
      order.push('a1 start');
      await first.promise;
      order.push('a1 end');
    });
    const a2 = queue.run(1, async () => {
      order.push('a2');
    });
    const b1 = queue.run(2, async () => {
      order.push('b1');
    });
    await b1;
    expect(order).toEqual(['a1 start', 'b1']);
    expect(queue.depth(1)).toBe(2);
    first.open();
    await Promise.all([a1, a2]);
    expect(order).toEqual(['a1 start', 'b1', 'a1 end', 'a2']);
    await queue.idle();
    expect(queue.depth(1)).toBe(0);
    expect(queue.pending).toBe(0);
  });

  it('a failed task does not stop the tasks behind it', async () => {
    const queue = new UserQueue();
    const failed = queue.run(1, async () => {
      throw new Error('boom');
    });
    const thrown = queue.run(1, () => {
      throw new Error('sync boom');
    });
    const next = queue.run(1, async () => 'ran');
    await expect(failed).rejects.toThrow('boom');
    await expect(thrown).rejects.toThrow('sync boom');
    await expect(next).resolves.toBe('ran');
  });

  it('takes no service-time sample from a task refused before it did anything', async () => {
    let now = 0;
    const queue = new UserQueue({ clock: () => now });
    const work = gate();
    const timed = queue.run(1, async () => {
      now += 100;
      await work.promise;
    });
    const refused = queue.run(1, () => {
      now += 1;
      throw new Error('its caller gave up');
    });
    work.open();
    await timed;
    await expect(refused).rejects.toThrow('its caller gave up');
    // Only the task that ran is in the estimate (a zero-length sample would have lowered it).
    expect(queue.serviceMs(1)).toBe(100);
  });

  it('estimates the wait from how long the account’s tasks took and how many are queued', async () => {
    let now = 0;
    const queue = new UserQueue({ clock: () => now });
    expect(queue.expectedWaitMs(1)).toBe(0);
    // Two tasks of 100 ms each: the estimate learns 100 ms.
    for (let index = 0; index < 2; index += 1) {
      const task = gate();
      const done = queue.run(1, () => task.promise);
      await settle();
      now += 100;
      task.open();
      await done;
    }
    expect(queue.serviceMs(1)).toBe(100);
    // Idle: no wait, whatever the history.
    expect(queue.expectedWaitMs(1)).toBe(0);
    // One running (just started) and three queued behind it.
    const running = gate();
    const tasks = [queue.run(1, () => running.promise)];
    for (let index = 0; index < 3; index += 1) {
      tasks.push(queue.run(1, async () => undefined));
    }
    await settle();
    expect(queue.expectedWaitMs(1)).toBe(100 + 3 * 100);
    // 40 ms into the running task: 60 ms of it are left.
    now += 40;
    expect(queue.expectedWaitMs(1)).toBe(60 + 3 * 100);
    // Another account has no history: it waits for nothing.
    expect(queue.expectedWaitMs(2)).toBe(0);
    running.open();
    await Promise.all(tasks);
  });

  it('a task running far longer than the estimate makes the wait grow with its age', async () => {
    let now = 0;
    const queue = new UserQueue({ clock: () => now });
    const quick = queue.run(1, async () => undefined);
    await quick;
    expect(queue.serviceMs(1)).toBe(0);
    const stalled = gate();
    const stuck = queue.run(1, () => stalled.promise);
    const behind = queue.run(1, async () => undefined);
    await settle();
    now += 2_000;
    expect(queue.expectedWaitMs(1)).toBe(2_000);
    now += 3_000;
    expect(queue.expectedWaitMs(1)).toBe(5_000);
    stalled.open();
    await Promise.all([stuck, behind]);
    // The stalled task counts at most 1 s in the estimate: 0 + 0.25 × (1000 − 0), then the
    // quick one behind it (0 ms) pulls it down.
    expect(queue.serviceMs(1)).toBeCloseTo(187.5, 6);
  });
});
