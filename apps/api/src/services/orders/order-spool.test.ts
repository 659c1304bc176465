import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordOrderInput } from '@openalgo/db';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OrderSpool } from './order-spool.js';

const quiet = pino({ level: 'silent' });

const record = (id: string): RecordOrderInput => ({
  id,
  userId: 1,
  apiKeyId: null,
  requestId: null,
  idempotencyKey: null,
  mode: 'analyze',
  broker: 'simulator',
  operation: 'placeorder',
  strategy: null,
  exchange: 'NSE',
  symbol: 'INFY',
  request: { quantity: '10' },
  createdAt: new Date('2026-12-02T04:00:00.000Z'),
});

describe('OrderSpool', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'openalgo-spool-unit-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const segments = () => readdirSync(dir).filter((name) => name.endsWith('.jsonl'));
  const open = (segmentBytes?: number) => {
    const spool = OrderSpool.open({
      dir,
      sync: 'os',
      logger: quiet,
      ...(segmentBytes ? { segmentBytes, recycleBytes: 1 } : {}),
    });
    if (!spool) {
      throw new Error('spool held');
    }
    return spool;
  };

  it('writes the records of one turn together, each caller told only once its line is in the file', async () => {
    const spool = open();
    const fileText = () =>
      segments()
        .map((name) => readFileSync(join(dir, name), 'utf8'))
        .join('');
    const seen: Array<{ id: string; error: unknown; isInFile: boolean }> = [];
    const seqs = ['ord_a', 'ord_b', 'ord_c'].map((id) =>
      spool.queueRecord(record(id), (error) => {
        seen.push({ id, error, isInFile: fileText().includes(`"id":"${id}"`) });
      }),
    );
    expect(seqs).toEqual([1, 2, 3]);
    // Nobody is told (so no order is sent) before the write…
    expect(seen).toEqual([]);
    expect(fileText()).toBe('');
    await new Promise((resolve) => setImmediate(resolve));
    // …which holds all three, in order, before the first caller hears of it.
    expect(seen).toEqual([
      { id: 'ord_a', error: null, isInFile: true },
      { id: 'ord_b', error: null, isInFile: true },
      { id: 'ord_c', error: null, isInFile: true },
    ]);
    expect(fileText().match(/"id":"ord_[abc]"/g)).toEqual(['"id":"ord_a"', '"id":"ord_b"', '"id":"ord_c"']);
    // An outcome appended after a queued record is written in the same turn (lines are keyed by
    // order id when read back, so their order in the file does not matter).
    spool.queueRecord(record('ord_d'), () => undefined);
    spool.appendCompletion({
      id: 'ord_a',
      status: 'accepted',
      brokerOrderId: 'B1',
      response: null,
      error: null,
      completedAt: new Date('2026-12-02T04:00:01.000Z'),
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(
      fileText()
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line).s)
        .sort((left: number, right: number) => left - right),
    ).toEqual([1, 2, 3, 4, 5]);
    spool.close(true);
  });

  it('tells orders still waiting for their write that the spool closed', () => {
    const spool = open();
    const errors: unknown[] = [];
    spool.queueRecord(record('ord_late'), (error) => errors.push(error));
    spool.close(false);
    expect(errors).toEqual([new Error('the order spool is closed')]);
    expect(segments().every((name) => !readFileSync(join(dir, name), 'utf8').includes('ord_late'))).toBe(
      true,
    );
  });

  it('starts new segments as they fill and deletes those the database has caught up with', async () => {
    const spool = open(600);
    const seqs: number[] = [];
    for (let index = 0; index < 10; index += 1) {
      // The next segment is opened in the background, ahead of need.
      await spool.settled();
      seqs.push(spool.appendRecord(record(`ord_${index}`)));
    }
    expect(seqs).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    await spool.settled();
    const full = segments();
    expect(full.length).toBeGreaterThan(2);
    spool.release(5);
    await spool.settled();
    const kept = segments();
    expect(kept.length).toBeLessThan(full.length);
    expect(kept.length).toBeGreaterThan(0);
    spool.release(10);
    await spool.settled();
    // Caught up: the written segments are gone, only fresh (empty) ones remain.
    expect(segments().every((name) => readFileSync(join(dir, name), 'utf8') === '')).toBe(true);
    spool.close(false);
    expect(segments()).toEqual([]);
  });

  it('replaces a small caught-up segment once it is old enough, not before', async () => {
    const young = OrderSpool.open({ dir, sync: 'os', logger: quiet, recycleMs: 60_000 });
    await young?.settled();
    young?.appendRecord(record('ord_1'));
    young?.release(1);
    await young?.settled();
    // Caught up, but small and young: kept (it costs nothing, and a new file would).
    expect(segments().map((name) => readFileSync(join(dir, name), 'utf8').length > 0)).toContain(true);
    young?.close(true);
    const old = OrderSpool.open({ dir, sync: 'os', logger: quiet, recycleMs: 0 });
    await old?.settled();
    old?.appendRecord(record('ord_2'));
    old?.release(1);
    await old?.settled();
    expect(segments().every((name) => readFileSync(join(dir, name), 'utf8') === '')).toBe(true);
    old?.close(true);
  });

  it('writes an outcome with the next record, or at the end of the turn, never before a record', async () => {
    const spool = open();
    const lines = () =>
      segments()
        .flatMap((name) => readFileSync(join(dir, name), 'utf8').split('\n'))
        .filter((line) => line.length > 0)
        .map((line) => (JSON.parse(line) as { k: string; id: string }).k);
    spool.appendRecord(record('ord_1'));
    expect(lines()).toEqual(['r']);
    spool.appendCompletion({
      id: 'ord_1',
      status: 'accepted',
      brokerOrderId: 'B-1',
      response: null,
      error: null,
      completedAt: new Date(),
    });
    // Waiting in memory: nothing depends on it being on file yet.
    expect(lines()).toEqual(['r']);
    spool.appendRecord(record('ord_2'));
    // One write for both, the outcome first (entries stay in order).
    expect(lines()).toEqual(['r', 'c', 'r']);
    spool.appendCompletion({
      id: 'ord_2',
      status: 'accepted',
      brokerOrderId: 'B-2',
      response: null,
      error: null,
      completedAt: new Date(),
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines()).toEqual(['r', 'c', 'r', 'c']);
    await spool.settled();
    spool.close(true);
  });

  it('reads back what a stopped process left, latest outcome per order, skipping a torn last line', async () => {
    const first = open();
    await first.settled();
    first.appendRecord(record('ord_1'));
    first.appendRecord(record('ord_2'));
    first.appendCompletion({
      id: 'ord_1',
      status: 'unknown',
      brokerOrderId: null,
      response: null,
      error: 'timed out',
      completedAt: new Date('2026-12-02T04:00:01.000Z'),
    });
    first.appendCompletion({
      id: 'ord_1',
      status: 'accepted',
      brokerOrderId: 'B-9',
      response: { http_status: 200 },
      error: null,
      completedAt: new Date('2026-12-02T04:00:02.000Z'),
    });
    await first.settled();
    first.close(false);
    const [segment] = segments();
    appendFileSync(join(dir, segment as string), '{"k":"r","s":5,"id":"ord_3","us');

    const second = open();
    const backlog = second.readBacklog();
    expect(backlog.unreadable).toBe(1);
    expect(backlog.records.map((row) => row.id)).toEqual(['ord_1', 'ord_2']);
    expect(backlog.records[0]?.createdAt).toEqual(new Date('2026-12-02T04:00:00.000Z'));
    expect(backlog.completions).toEqual([
      expect.objectContaining({ id: 'ord_1', status: 'accepted', brokerOrderId: 'B-9' }),
    ]);
    expect(backlog.completions[0]?.completedAt).toEqual(new Date('2026-12-02T04:00:02.000Z'));
    // New entries go to a new segment, never into the old owner's files.
    second.appendRecord(record('ord_4'));
    second.dropBacklog();
    expect(second.readBacklog().records).toEqual([]);
    await second.settled();
    second.close(true);
    expect(readdirSync(dir)).toEqual([]);
  });
});
