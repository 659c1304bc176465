import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { LogWriter } from './log-writer.js';

/** A store whose writes finish only when the test lets them. */
function gatedStore() {
  const written: number[] = [];
  const gates: Array<() => void> = [];
  let failNext = false;
  const write = async (rows: number[]) => {
    await new Promise<void>((resolve) => gates.push(resolve));
    if (failNext) {
      failNext = false;
      throw new Error('database unavailable');
    }
    written.push(...rows);
  };
  const openGate = async () => {
    while (gates.length === 0) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    gates.shift()?.();
  };
  return {
    written,
    write,
    openGate,
    failOnce: () => {
      failNext = true;
    },
  };
}

const quiet = pino({ level: 'silent' });

/** What a write gets while the database refuses connections. */
const refused = () => Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });

/** A writer that flushes only when the test says so (its timer never fires in a test). */
function testWriter(write: (rows: number[]) => Promise<void>, maxBuffered = 100): LogWriter<number> {
  return new LogWriter<number>({ name: 'test', write, flushIntervalMs: 60_000, maxBuffered, logger: quiet });
}

describe('LogWriter', () => {
  it('counts a batch being written as pending until it is in the store', async () => {
    const store = gatedStore();
    const writer = testWriter(store.write);
    writer.push(1);
    writer.push(2);
    const inFlight = writer.flush();
    // The batch left the buffer but is not written: a reader must still wait for it.
    expect(writer.pending).toBe(2);
    writer.push(3);
    expect(writer.pending).toBe(3);
    await store.openGate();
    await inFlight;
    expect(store.written).toEqual([1, 2]);
    expect(writer.pending).toBe(1);
    const settled = writer.settle();
    await store.openGate();
    await settled;
    expect(store.written).toEqual([1, 2, 3]);
    expect(writer.pending).toBe(0);
    await writer.close();
  });

  it('keeps a failed batch pending, writes it on the next flush, and drops it after a second failure', async () => {
    const store = gatedStore();
    const writer = testWriter(store.write);
    writer.push(1);
    store.failOnce();
    const first = writer.flush();
    await store.openGate();
    await first;
    expect(store.written).toEqual([]);
    expect(writer.pending).toBe(1);
    const second = writer.flush();
    await store.openGate();
    await second;
    expect(store.written).toEqual([1]);
    expect(writer.pending).toBe(0);

    writer.push(2);
    for (let attempt = 0; attempt < 2; attempt += 1) {
      store.failOnce();
      const flushing = writer.flush();
      await store.openGate();
      await flushing;
    }
    expect(writer.pending).toBe(0);
    expect(writer.dropped).toBe(1);
    await writer.close();
  });

  it('drops the oldest rows beyond its bound and counts them', async () => {
    const store = gatedStore();
    const writer = testWriter(store.write, 3);
    for (const row of [1, 2, 3, 4, 5]) {
      writer.push(row);
    }
    expect(writer.dropped).toBe(2);
    const flushing = writer.flush();
    await store.openGate();
    await flushing;
    expect(store.written).toEqual([3, 4, 5]);
    await writer.close();
  });
  it('keeps a batch while the database is unavailable, however many flushes fail, then writes it', async () => {
    const written: number[] = [];
    let isAway = true;
    const writer = testWriter(async (rows) => {
      if (isAway) {
        throw refused();
      }
      written.push(...rows);
    });
    writer.push(1);
    writer.push(2);
    for (let attempt = 0; attempt < 5; attempt += 1) {
      await writer.flush();
    }
    expect(writer.pending).toBe(2);
    expect(writer.dropped).toBe(0);
    isAway = false;
    await writer.settle();
    expect(written).toEqual([1, 2]);
    expect(writer.pending).toBe(0);
    await writer.close();
  });

  it('closes after a few failed flushes while the database is away, counting what it could not write', async () => {
    let writes = 0;
    const writer = testWriter(async () => {
      writes += 1;
      throw refused();
    });
    writer.push(1);
    writer.push(2);
    await writer.close();
    expect(writes).toBe(3);
    expect(writer.pending).toBe(0);
    expect(writer.dropped).toBe(2);
  });
  it('closes after the batch being written, and writes what came meanwhile', async () => {
    const store = gatedStore();
    const writer = testWriter(store.write);
    writer.push(1);
    const inFlight = writer.flush();
    writer.push(2);
    const closing = writer.close();
    await store.openGate();
    await inFlight;
    await store.openGate();
    await closing;
    expect(store.written).toEqual([1, 2]);
    expect(writer.dropped).toBe(0);
  });

  it('closes with nothing but a batch in flight without counting it as lost', async () => {
    const store = gatedStore();
    const writer = testWriter(store.write);
    writer.push(1);
    void writer.flush();
    const closing = writer.close();
    await store.openGate();
    await closing;
    expect(store.written).toEqual([1]);
    expect(writer.dropped).toBe(0);
    expect(writer.pending).toBe(0);
  });
});
