import {
  API_MESSAGES,
  exchangeSchema,
  type HistoryBar,
  type Interval,
  tickerParamsSchema,
  tickerQuerySchema,
  tickerResponseSchema,
} from '@openalgo/shared-types';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApiError } from '../../errors.js';
import { formatIsoDay, isIntraday, parseIsoDay } from '../../services/market-data/history-chunks.js';
import { formatIst } from '../../time.js';
import { bodyFor, type DoorOptions } from '../door.js';
import { plainTextErrorsWhen } from './plain-text-errors.js';

/** Longest span served: ten years of daily-or-longer bars, thirty days of intraday bars. */
const MAX_DAYS_DAILY = 3650;
const MAX_DAYS_INTRADAY = 30;

/** Python's `str(float)`: whole numbers keep a `.0` (`772.0`), as the reference prints them. */
function pythonFloat(value: number): string {
  const text = String(value);
  return /[.eE]/.test(text) ? text : `${text}.0`;
}

/** `NSE:SBIN,2025-01-02,760.5,772.0,755.1,770.2,1234567` (intraday adds `HH:MM:SS` after the date). */
export function renderTickerText(pair: string, interval: Interval, bars: readonly HistoryBar[]): string {
  const withTime = isIntraday(interval);
  return bars
    .map((bar) => {
      const at = bar.timestamp * 1_000;
      const when = withTime
        ? `${formatIst(at, 'yyyy-MM-dd')},${formatIst(at, 'HH:mm:ss')}`
        : formatIst(at, 'yyyy-MM-dd');
      const prices = [bar.open, bar.high, bar.low, bar.close].map(pythonFloat).join(',');
      return `${pair},${when},${prices},${Math.trunc(bar.volume)}\n`;
    })
    .join('');
}

/** Clips `from` to the longest span the interval allows before `to` (both `YYYY-MM-DD`). */
export function clipTickerRange(from: string, to: string, interval: Interval): { from: string; to: string } {
  const maxDays = isIntraday(interval) ? MAX_DAYS_INTRADAY : MAX_DAYS_DAILY;
  const earliest = formatIsoDay(parseIsoDay(to) - maxDays);
  return { from: from < earliest ? earliest : from, to };
}

/**
 * `GET /api/v1/ticker/{EXCHANGE}:{SYMBOL}` (api-v1 §4.3.6): bars for charting bridges, JSON or
 * `text/plain` lines (`format=txt`, errors then plain text too). A path without exactly one
 * `:` is refused (quirk 18: the reference silently served NSE:RELIANCE).
 */
export const tickerRoute: FastifyPluginAsyncZod<DoorOptions> = async (app, { door }) => {
  app.get(
    '/ticker/:symbol',
    {
      schema: {
        tags: ['market data'],
        summary: 'Bars of EXCHANGE:SYMBOL as JSON or text lines',
        params: tickerParamsSchema,
        querystring: bodyFor(door, tickerQuerySchema),
        response: {
          200: z.union([tickerResponseSchema, z.string().describe('text/plain lines when format=txt')]),
        },
      },
      config: { auth: 'session', apiKeyFrom: 'query', envelope: 'E2', rateLimitClass: 'API_RATE_LIMIT' },
      onSend: plainTextErrorsWhen('format', 'txt'),
    },
    async (request, reply) => {
      const pair = request.params.symbol;
      const parts = pair.split(':');
      const exchange = exchangeSchema.safeParse(parts[0]);
      if (parts.length !== 2 || !parts[1] || !exchange.success) {
        throw ApiError.message(400, 'Invalid symbol. Use EXCHANGE:SYMBOL, e.g. NSE:SBIN');
      }
      const symbol = parts[1];
      const { interval, format: outputFormat } = request.query;
      const range = clipTickerRange(request.query.from, request.query.to, interval);
      if (!app.services.symbols.find(symbol, exchange.data)) {
        throw ApiError.message(404, `Symbol ${symbol} not found in exchange ${exchange.data}`);
      }
      const session = request.auth?.session ?? null;
      if (!session) {
        throw ApiError.message(403, API_MESSAGES.invalidApiKey);
      }
      const bars = await app.services.marketData.history(session, {
        symbol,
        exchange: exchange.data,
        interval,
        start_date: range.from,
        end_date: range.to,
      });
      if (outputFormat === 'txt') {
        return reply
          .type('text/plain; charset=utf-8')
          .serializer((payload: unknown) => String(payload))
          .send(renderTickerText(`${exchange.data}:${symbol}`, interval, bars));
      }
      return {
        status: 'success' as const,
        data: bars.map(({ oi: _oi, ...bar }) => bar),
      };
    },
  );
};
