import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { measureAlertFloor } from './alert-latency.js';

const databaseUrl = process.env.DATABASE_URL;

describe('the alert floor', () => {
  it('answers every paced alert once it is stored with its order (PGlite)', async () => {
    const row = await measureAlertFloor('alert-order', 40, 1);
    expect(row).toMatchObject({ sent: 40, accepted: 40, refused: 0, failed: 0 });
    expect(row.p50).toBeGreaterThan(0);
    expect(row.p99).toBeGreaterThanOrEqual(row.p50);
  }, 30_000);

  it.runIf(databaseUrl)(
    'does the same on PostgreSQL, in a schema of its own',
    async () => {
      const schema = `floor_test_${Date.now().toString(36)}`;
      const admin = postgres(databaseUrl ?? '', { max: 1, onnotice: () => {} });
      await admin.unsafe(`create schema ${schema}`);
      try {
        const url = new URL(databaseUrl ?? '');
        url.searchParams.set('options', `-c search_path=${schema}`);
        const row = await measureAlertFloor('alert-order', 40, 1, url.toString());
        expect(row).toMatchObject({ sent: 40, accepted: 40, refused: 0, failed: 0 });
        const [stored] = await admin.unsafe(`select count(*)::int as alerts from ${schema}.floor_alerts`);
        // The warm-up (50/s for 2 s) and the timed run each stored every alert.
        expect(stored?.alerts).toBe(100 + 40);
        const [orders] = await admin.unsafe(`select count(*)::int as orders from ${schema}.floor_orders`);
        expect(orders?.orders).toBe(140);
      } finally {
        await admin.unsafe(`drop schema if exists ${schema} cascade`);
        await admin.end();
      }
    },
    30_000,
  );
});
