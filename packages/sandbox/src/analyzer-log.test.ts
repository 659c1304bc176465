import { countAnalyzerLogs, listAnalyzerLogs } from '@openalgo/db';
import { createTestDatabase, type TestDatabase, testBackends } from '@openalgo/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordAnalyzerRequest, sanitizeAnalyzerRequest } from './analyzer-log.js';

describe('analyzer request log', () => {
  it('never keeps the API key, at any depth', () => {
    expect(
      sanitizeAnalyzerRequest({
        apikey: 'secret',
        symbol: 'SBIN',
        orders: [{ apikey: 'x', quantity: 1 }],
        nested: { APIKEY: 'y', keep: true, gone: undefined },
      }),
    ).toEqual({ symbol: 'SBIN', orders: [{ quantity: 1 }], nested: { keep: true } });
  });

  describe.each(testBackends())('on %s', (backend) => {
    let database: TestDatabase;

    beforeAll(async () => {
      database = await createTestDatabase(backend);
    }, 120_000);

    afterAll(async () => {
      await database?.close();
    });

    it('records what was asked and answered, with the status of the answer', async () => {
      const at = Date.UTC(2026, 10, 24, 5, 0);
      await recordAnalyzerRequest(
        database.db,
        {
          userId: null,
          apiType: 'placeorder',
          request: { apikey: 'k', symbol: 'SBIN', quantity: '1' },
          response: { status: 'success', orderid: '26112400000001', mode: 'analyze' },
        },
        at,
      );
      await recordAnalyzerRequest(
        database.db,
        {
          userId: null,
          apiType: 'cancelorder',
          request: { orderid: '1' },
          response: { status: 'error', message: 'x' },
        },
        at + 1,
      );
      expect(await countAnalyzerLogs(database.db)).toBe(2);
      const rows = await listAnalyzerLogs(database.db, { apiType: 'placeorder' });
      expect(rows).toEqual([
        expect.objectContaining({
          api_type: 'placeorder',
          status: 'success',
          request: { symbol: 'SBIN', quantity: '1' },
          response: { status: 'success', orderid: '26112400000001', mode: 'analyze' },
        }),
      ]);
      expect((await listAnalyzerLogs(database.db))[0]?.status).toBe('error');
    });
  });
});
