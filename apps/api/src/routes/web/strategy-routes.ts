import type { StrategyAlertRow, StrategyRow, StrategySymbolRow } from '@openalgo/db';
import {
  type AlertRecord,
  addStrategySymbolsRequestSchema,
  createStrategyRequestSchema,
  type Exchange,
  okResponseSchema,
  type Product,
  type Strategy,
  type StrategyPlatform,
  strategyAlertsQuerySchema,
  strategyAlertsResponseSchema,
  strategyListResponseSchema,
  strategyParamsSchema,
  strategyResponseSchema,
  strategySymbolParamsSchema,
  updateStrategyRequestSchema,
} from '@openalgo/shared-types';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ApiError } from '../../errors.js';
import { StrategyError, type StrategyService } from '../../services/strategies/strategy-service.js';
import { requireWebSession } from './web-context.js';

/** A strategy as the web app shows it: its webhook URL (from HOST_SERVER) and symbol mappings. */
export function toStrategy(
  service: StrategyService,
  row: StrategyRow,
  symbols: readonly StrategySymbolRow[],
): Strategy {
  return {
    id: row.id,
    name: row.name,
    platform: row.platform as StrategyPlatform,
    kind: row.kind,
    webhook_id: row.webhook_id,
    webhook_url: service.webhookUrl(row),
    is_active: row.is_active,
    is_intraday: row.is_intraday,
    trading_mode: row.trading_mode,
    start_time: row.start_time,
    end_time: row.end_time,
    squareoff_time: row.squareoff_time,
    created_at: row.created_at.getTime(),
    symbols: symbols.map((symbol) => ({
      id: symbol.id,
      symbol: symbol.symbol,
      exchange: symbol.exchange as Exchange,
      quantity: symbol.quantity,
      product: symbol.product as Product,
    })),
  };
}

function toAlertRecord(row: StrategyAlertRow): AlertRecord {
  return {
    id: row.id,
    received_at: row.received_at.getTime(),
    status: row.status,
    payload: row.payload,
    outcome: row.outcome,
    error: row.error,
    processed_at: row.processed_at ? row.processed_at.getTime() : null,
  };
}

/** The strategy service's typed refusals as OpenAlgo error bodies. */
async function answer<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof StrategyError) {
      throw ApiError.message(error.statusCode, error.message, {}, { cause: error });
    }
    throw error;
  }
}

/**
 * Webhook strategies (features.md §1.6, §4.1, §4.3) for the signed-in user: list, create, read,
 * update, delete, symbol mappings (one by one or pasted as CSV) and the alert history. Another
 * user's strategy answers 404, as a missing one does.
 */
export const strategyRoutes: FastifyPluginAsyncZod = async (app) => {
  const service = () => app.services.strategies;

  async function view(userId: number, id: number): Promise<Strategy> {
    const row = await service().require(userId, id);
    return toStrategy(service(), row, await service().symbols(row.id));
  }

  app.get('/strategies', { schema: { response: { 200: strategyListResponseSchema } } }, async (request) => {
    const session = requireWebSession(request);
    const rows = await service().list(session.userId);
    const data = await Promise.all(
      rows.map(async (row) => toStrategy(service(), row, await service().symbols(row.id))),
    );
    return { status: 'success' as const, data };
  });

  app.post(
    '/strategies',
    { schema: { body: createStrategyRequestSchema, response: { 200: strategyResponseSchema } } },
    async (request) => {
      const session = requireWebSession(request);
      const row = await answer(() => service().create(session.userId, request.body));
      request.log.info({ userId: session.userId, strategy: row.id }, 'strategy created');
      return { status: 'success' as const, data: toStrategy(service(), row, []) };
    },
  );

  app.get(
    '/strategies/:id',
    { schema: { params: strategyParamsSchema, response: { 200: strategyResponseSchema } } },
    async (request) => {
      const session = requireWebSession(request);
      return {
        status: 'success' as const,
        data: await answer(() => view(session.userId, request.params.id)),
      };
    },
  );

  app.patch(
    '/strategies/:id',
    {
      schema: {
        params: strategyParamsSchema,
        body: updateStrategyRequestSchema,
        response: { 200: strategyResponseSchema },
      },
    },
    async (request) => {
      const session = requireWebSession(request);
      const data = await answer(async () => {
        await service().update(session.userId, request.params.id, request.body);
        return view(session.userId, request.params.id);
      });
      return { status: 'success' as const, data };
    },
  );

  app.delete(
    '/strategies/:id',
    { schema: { params: strategyParamsSchema, response: { 200: okResponseSchema } } },
    async (request) => {
      const session = requireWebSession(request);
      await answer(() => service().remove(session.userId, request.params.id));
      request.log.info({ userId: session.userId, strategy: request.params.id }, 'strategy deleted');
      return { status: 'success' as const, message: 'Strategy deleted.' };
    },
  );

  app.post(
    '/strategies/:id/symbols',
    {
      schema: {
        params: strategyParamsSchema,
        body: addStrategySymbolsRequestSchema,
        response: { 200: strategyResponseSchema },
      },
    },
    async (request) => {
      const session = requireWebSession(request);
      const { id } = request.params;
      const data = await answer(async () => {
        const inputs = [
          ...(request.body.symbols ?? []),
          ...(request.body.csv !== undefined ? service().parseSymbolCsv(request.body.csv) : []),
        ];
        if (inputs.length === 0) {
          throw new StrategyError(400, 'No symbols given.');
        }
        await service().addSymbols(session.userId, id, inputs);
        return view(session.userId, id);
      });
      return { status: 'success' as const, data };
    },
  );

  app.delete(
    '/strategies/:id/symbols/:symbol_id',
    { schema: { params: strategySymbolParamsSchema, response: { 200: okResponseSchema } } },
    async (request) => {
      const session = requireWebSession(request);
      await answer(() => service().removeSymbol(session.userId, request.params.id, request.params.symbol_id));
      return { status: 'success' as const, message: 'Symbol mapping removed.' };
    },
  );

  app.get(
    '/strategies/:id/alerts',
    {
      schema: {
        params: strategyParamsSchema,
        querystring: strategyAlertsQuerySchema,
        response: { 200: strategyAlertsResponseSchema },
      },
    },
    async (request) => {
      const session = requireWebSession(request);
      const rows = await answer(async () => {
        await service().require(session.userId, request.params.id);
        return service().alerts(request.params.id, request.query.limit);
      });
      return { status: 'success' as const, data: rows.map(toAlertRecord) };
    },
  );
};
