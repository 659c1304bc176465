import { listSymbols } from '@openalgo/db';
import {
  analyticsResponseSchema,
  apikeyQuerySchema,
  portfolioBacktestRequestSchema,
  portfolioBenchmarksResponseSchema,
  portfolioHoldingsRequestSchema,
} from '@openalgo/shared-types';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ApiError } from '../../errors.js';
import { bodyFor, type DoorOptions } from '../door.js';

const BENCHMARK_EXCHANGES = ['NSE_INDEX', 'BSE_INDEX', 'GLOBAL_INDEX'] as const;

/** The portfolio analytics engine is not part of this server yet: a clear 501, never a stub result. */
export const PORTFOLIO_NOT_SUPPORTED = 'Portfolio backtesting is not supported by this server yet';

/** `source: "api"` reads the broker's history, so it needs a live broker session. */
async function requireSessionFor(
  app: { services: { brokerSessions: { getActive(userId: number): Promise<unknown> } } },
  request: FastifyRequest,
  message: string,
): Promise<void> {
  const userId = request.auth?.userId;
  if (userId === undefined || !(await app.services.brokerSessions.getActive(userId))) {
    throw ApiError.message(403, message);
  }
}

function refuseDuplicates(holdings: ReadonlyArray<{ symbol: string; exchange: string }>): void {
  const seen = new Set<string>();
  for (const holding of holdings) {
    const key = `${holding.exchange}:${holding.symbol}`;
    if (seen.has(key)) {
      throw ApiError.message(400, 'duplicate symbol in holdings');
    }
    seen.add(key);
  }
}

/** `/portfolio/*` (api-v1 §4.7.5): benchmarks from the symbol master; the analytics answer 501. */
export const portfolioRoutes: FastifyPluginAsyncZod<DoorOptions> = async (app, { door }) => {
  app.get(
    '/portfolio/benchmarks',
    {
      schema: {
        tags: ['utility'],
        summary: 'Benchmark indices (NSE_INDEX, BSE_INDEX, GLOBAL_INDEX) from the symbol master',
        querystring: apikeyQuerySchema,
        response: { 200: portfolioBenchmarksResponseSchema },
      },
      config: {
        auth: 'key',
        apiKeyFrom: 'query',
        envelope: 'E2',
        rateLimitClass: 'API_RATE_LIMIT',
        unexpectedMessage: 'Could not list benchmarks.',
      },
    },
    async () => {
      const data: Array<{ symbol: string; exchange: string; name: string }> = [];
      for (const exchange of BENCHMARK_EXCHANGES) {
        for (const row of await listSymbols(app.services.db, exchange)) {
          data.push({ symbol: row.symbol, exchange: row.exchange, name: row.name });
        }
      }
      return { status: 'success' as const, data };
    },
  );

  for (const [path, summary, rateLimitClass, unexpectedMessage] of [
    ['/portfolio/backtest', 'Backtest a weighted portfolio', 'PORTFOLIO_API_RATE_LIMIT', 'Backtest failed.'],
    [
      '/portfolio/tearsheet',
      'HTML tear sheet of a portfolio backtest',
      'PORTFOLIO_TEARSHEET_RATE_LIMIT',
      'Tearsheet generation failed.',
    ],
  ] as const) {
    app.post(
      path,
      {
        schema: {
          tags: ['utility'],
          summary,
          body: bodyFor(door, portfolioBacktestRequestSchema),
          response: { 200: analyticsResponseSchema },
        },
        config: { auth: 'key', envelope: 'E2', rateLimitClass, unexpectedMessage },
      },
      async (request) => {
        refuseDuplicates(request.body.holdings);
        if (request.body.source === 'api') {
          await requireSessionFor(
            app,
            request,
            "No broker session for source='api'. Log in to your broker, or use source='db'.",
          );
        }
        throw ApiError.message(501, PORTFOLIO_NOT_SUPPORTED);
      },
    );
  }

  app.post(
    '/portfolio/holdings',
    {
      schema: {
        tags: ['utility'],
        summary: 'Analyse the live holdings as a portfolio',
        body: bodyFor(door, portfolioHoldingsRequestSchema),
        response: { 200: analyticsResponseSchema },
      },
      config: {
        auth: 'key',
        envelope: 'E2',
        rateLimitClass: 'PORTFOLIO_API_RATE_LIMIT',
        unexpectedMessage: 'Analysis failed.',
      },
    },
    async (request) => {
      await requireSessionFor(
        app,
        request,
        'No broker session. Log in to your broker to analyse live holdings.',
      );
      throw ApiError.message(501, PORTFOLIO_NOT_SUPPORTED);
    },
  );
};
