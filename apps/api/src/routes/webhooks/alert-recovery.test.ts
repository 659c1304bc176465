import { heartbeatApiInstance, insertAlert } from '@openalgo/db';
import { testBackends } from '@openalgo/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StrategyService } from '../../services/strategies/strategy-service.js';
import { sbinStrategy } from '../../testing/order-helpers.js';
import { startTestApp, type TestApp, tradingHoursClock } from '../../testing/test-app.js';

interface AlertBody {
  status: string;
  alert_id: string;
  results?: Array<{ status: string; orderid?: string }>;
}

/**
 * An alert's outcome is written after its answer; a crash before it is written must never
 * execute the alert twice. Strategy orders carry their alert's id in the order log (recorded
 * before they are sent), and start-up recovery finishes an alert whose orders are recorded
 * from the log instead of executing it again.
 */
describe.each(testBackends())('strategy alerts interrupted by a restart on %s', (kind) => {
  let t: TestApp;
  let service: StrategyService;
  let userId: number;
  let url = '';
  const clock = tradingHoursClock();

  beforeAll(async () => {
    t = await startTestApp(kind, {
      now: clock,
      // A heartbeat a minute apart: no sweep of its own runs while a test calls recovery.
      env: { STRATEGY_DEDUPE_WINDOW_MS: '0', INSTANCE_HEARTBEAT_MS: '60000' },
    });
    expect((await t.post('/api/v1/analyzer/toggle', { apikey: t.apiKey, mode: true })).status).toBe(200);
    service = t.app.services.strategies;
    ({ userId, url } = await sbinStrategy(t, 'recovery', 3));
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  async function held(): Promise<number> {
    const response = await t.post('/api/v1/positionbook', { apikey: t.apiKey });
    const rows = (response.json as { data: Array<{ symbol: string; product: string; quantity: number }> })
      .data;
    return Number(rows.find((row) => row.symbol === 'SBIN' && row.product === 'CNC')?.quantity ?? 0);
  }

  async function alertRow(id: string) {
    await service.settled();
    return t.app.services.db
      .selectFrom('strategy_alerts')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
  }

  it("records the alert's id with its order, and its outcome once answered", async () => {
    const response = await t.post(url, { symbol: 'SBIN', action: 'BUY' });
    const body = response.json as AlertBody;
    expect(body.results?.[0]?.status).toBe('success');
    await expect
      .poll(() =>
        t.app.services.db
          .selectFrom('order_log')
          .select(['request_id', 'status'])
          .where('broker_order_id', '=', body.results?.[0]?.orderid ?? '')
          .executeTakeFirst(),
      )
      .toEqual({ request_id: body.alert_id, status: 'accepted' });
    expect(await alertRow(body.alert_id)).toMatchObject({ status: 'executed', error: null });
    expect((await service.alerts((await service.list(userId))[0]?.id ?? 0))[0]?.id).toBe(body.alert_id);
  });

  it('an alert whose outcome was lost after its order was placed is not executed again at restart', async () => {
    const before = await held();
    const response = await t.post(url, { symbol: 'SBIN', action: 'BUY' });
    const body = response.json as AlertBody;
    expect(body.results?.[0]?.status).toBe('success');
    expect(await held()).toBe(before + 3);
    // The order log has the order, completed (as the journal leaves it after a restart).
    await expect
      .poll(() =>
        t.app.services.db
          .selectFrom('order_log')
          .select('status')
          .where('request_id', '=', body.alert_id)
          .execute(),
      )
      .toEqual([{ status: 'accepted' }]);
    // As if the process had stopped before the outcome was written.
    await alertRow(body.alert_id);
    await t.app.services.db
      .updateTable('strategy_alerts')
      .set({
        status: 'processing',
        outcome: null,
        error: null,
        processed_at: null,
        claimed_by: 'api_stopped',
      })
      .where('id', '=', body.alert_id)
      .execute();

    expect(await service.recoverUnfinished()).toEqual({ executed: 0, expired: 0, interrupted: 1 });
    expect(await held()).toBe(before + 3);
    const recovered = await alertRow(body.alert_id);
    expect(recovered.status).toBe('executed');
    expect(recovered.error).toMatch(/interrupted by a restart .* not executed again/);
    expect(recovered.outcome).toMatchObject({
      interrupted: true,
      orders: [{ symbol: 'SBIN', exchange: 'NSE', broker_order_id: body.results?.[0]?.orderid }],
    });
    // Finished now: a second start-up leaves it alone.
    expect(await service.recoverUnfinished()).toEqual({ executed: 0, expired: 0, interrupted: 0 });
  });

  it(
    kind === 'postgres'
      ? 'leaves an alert another live api process is executing to it, and runs it once that process is silent'
      : 'on the embedded database (one process) runs an alert another process had claimed',
    async () => {
      const before = await held();
      const strategy = (await service.list(userId))[0];
      const db = t.app.services.db;
      // Another api process took this alert and is (as far as the database says) executing it.
      const alert = await insertAlert(
        db,
        {
          id: `alr_other_${kind}`,
          strategyId: strategy?.id ?? 0,
          receivedAt: new Date(clock()),
          payload: { symbol: 'SBIN', action: 'BUY' },
          dedupeKey: `other-${kind}`,
        },
        0,
        { claim: true, owner: 'api_other' },
      );
      await heartbeatApiInstance(db, 'api_other', new Date(clock()));
      if (kind === 'postgres') {
        expect(await service.recoverUnfinished()).toEqual({ executed: 0, expired: 0, interrupted: 0 });
        expect(await alertRow(alert.id)).toMatchObject({ status: 'processing', claimed_by: 'api_other' });
        expect(await held()).toBe(before);
        // Its heartbeat stops: three periods later its alert is abandoned.
        await heartbeatApiInstance(db, 'api_other', new Date(clock() - 181_000));
      }
      expect(await service.recoverUnfinished()).toEqual({ executed: 1, expired: 0, interrupted: 0 });
      expect(await alertRow(alert.id)).toMatchObject({ status: 'executed', claimed_by: service.instanceId });
      expect(await held()).toBe(before + 3);
      // Once: a second recovery finds nothing.
      expect(await service.recoverUnfinished()).toEqual({ executed: 0, expired: 0, interrupted: 0 });
      expect(await held()).toBe(before + 3);
    },
  );
});

describe.each(testBackends())('answered alerts’ outcomes written together on %s', (kind) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(kind, {
      now: tradingHoursClock(),
      // Outcomes wait (up to ten seconds here) to be written in one statement.
      env: { STRATEGY_DEDUPE_WINDOW_MS: '0', ORDER_LOG_FLUSH_MS: '10000' },
    });
    expect((await t.post('/api/v1/analyzer/toggle', { apikey: t.apiKey, mode: true })).status).toBe(200);
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  it('holds the outcomes of alerts answered close together, and a read of the history writes them first', async () => {
    const service = t.app.services.strategies;
    const { strategyId, url } = await sbinStrategy(t, 'batched outcomes', 1);
    const ids: string[] = [];
    for (let index = 0; index < 3; index += 1) {
      const body = (await t.post(url, { symbol: 'SBIN', action: 'BUY' })).json as AlertBody;
      expect(body.results?.[0]?.status).toBe('success');
      ids.push(body.alert_id);
    }
    const statuses = () =>
      t.app.services.db.selectFrom('strategy_alerts').select('status').where('id', 'in', ids).execute();
    // Answered, executed, their outcomes not written yet: still 'processing' in the table.
    expect((await statuses()).map((row) => row.status)).toEqual(['processing', 'processing', 'processing']);
    const started = Date.now();
    const history = await service.alerts(strategyId);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(history.filter((row) => ids.includes(row.id)).map((row) => row.status)).toEqual([
      'executed',
      'executed',
      'executed',
    ]);
    expect((await statuses()).map((row) => row.status)).toEqual(['executed', 'executed', 'executed']);
  });
});

describe.each(testBackends().filter((kind) => kind === 'postgres'))(
  'the alerts of an api process that went silent, on %s',
  (kind) => {
    let t: TestApp;
    const clock = tradingHoursClock();

    beforeAll(async () => {
      t = await startTestApp(kind, {
        now: clock,
        // Heartbeats 200 ms apart: stale after 600 ms, swept every 400 ms.
        env: { STRATEGY_DEDUPE_WINDOW_MS: '0', INSTANCE_HEARTBEAT_MS: '200' },
      });
      expect((await t.post('/api/v1/analyzer/toggle', { apikey: t.apiKey, mode: true })).status).toBe(200);
    }, 120_000);

    afterAll(async () => {
      await t?.close();
    });

    it('are run by the sweep of a live one, once', async () => {
      const { strategyId } = await sbinStrategy(t, 'sweep', 2);
      const db = t.app.services.db;
      const service = t.app.services.strategies;
      // This process says it is alive too.
      await expect
        .poll(() =>
          db.selectFrom('api_instances').select('id').where('id', '=', service.instanceId).execute(),
        )
        .toHaveLength(1);
      const alert = await insertAlert(
        db,
        {
          id: 'alr_silent',
          strategyId,
          receivedAt: new Date(clock()),
          payload: { symbol: 'SBIN', action: 'BUY' },
          dedupeKey: 'silent',
        },
        0,
        { claim: true, owner: 'api_silent' },
      );
      await heartbeatApiInstance(db, 'api_silent', new Date(clock()));
      await expect
        .poll(
          async () => {
            await service.settled();
            return (
              await db
                .selectFrom('strategy_alerts')
                .select(['status', 'claimed_by'])
                .where('id', '=', alert.id)
                .execute()
            )[0];
          },
          { timeout: 5_000, interval: 100 },
        )
        .toEqual({ status: 'executed', claimed_by: service.instanceId });
      await t.app.services.orderJournal.flush();
      const orders = await db
        .selectFrom('order_log')
        .select('id')
        .where('request_id', '=', alert.id)
        .execute();
      expect(orders).toHaveLength(1);
    });
  },
);
