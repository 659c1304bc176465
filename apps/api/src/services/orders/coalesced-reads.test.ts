import { describe, expect, it } from 'vitest';
import { CoalescedReads } from './coalesced-reads.js';

/** A read whose answer is the number of the call, released by hand. */
function controlledSource() {
  let calls = 0;
  const pending: Array<{ resolve: (value: number) => void; reject: (error: Error) => void }> = [];
  return {
    fetch: () =>
      new Promise<number>((resolve, reject) => {
        calls += 1;
        const call = calls;
        pending.push({ resolve: () => resolve(call), reject });
      }),
    get calls() {
      return calls;
    },
    finish: () => pending.shift()?.resolve(0),
    fail: () => pending.shift()?.reject(new Error('book not read')),
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('CoalescedReads', () => {
  it('serves callers that arrive during a read from one read that starts after it', async () => {
    const reads = new CoalescedReads<number>();
    const source = controlledSource();
    const first = reads.read('book', source.fetch);
    // Five more arrive while the first read is under way: they wait for the next one.
    const later = Array.from({ length: 5 }, () => reads.read('book', source.fetch));
    expect(source.calls).toBe(1);
    source.finish();
    await expect(first).resolves.toBe(1);
    await settle();
    expect(source.calls).toBe(2);
    source.finish();
    await expect(Promise.all(later)).resolves.toEqual([2, 2, 2, 2, 2]);
    expect(reads.size).toBe(0);
    // Nothing under way: a new caller reads at once.
    const fresh = reads.read('book', source.fetch);
    expect(source.calls).toBe(3);
    source.finish();
    await expect(fresh).resolves.toBe(3);
  });

  it('keeps keys apart and passes a failed read to the callers that shared it', async () => {
    const reads = new CoalescedReads<number>();
    const source = controlledSource();
    const one = reads.read('user-1', source.fetch);
    const other = reads.read('user-2', source.fetch);
    expect(source.calls).toBe(2);
    const joined = reads.read('user-1', source.fetch);
    source.fail();
    await expect(one).rejects.toThrow('book not read');
    await settle();
    // The waiting caller still gets a read of its own after the failed one.
    expect(source.calls).toBe(3);
    source.finish();
    await expect(other).resolves.toBe(2);
    source.finish();
    await expect(joined).resolves.toBe(3);
  });
});
