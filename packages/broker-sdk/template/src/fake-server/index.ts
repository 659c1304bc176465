import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { toDecimal } from '@openalgo/shared-types/decimal';
import {
  type PaperExchange as Exchange,
  PaperApiError,
  PaperExchange,
  type PaperOrder,
} from './paper-exchange.js';

/**
 * A fake of the Paper broker's REST API on 127.0.0.1 (port 0): bearer-token auth, JSON bodies,
 * `{ "error": { "code", "message" } }` on failure. Start from this when you write the fake of
 * your broker's real API: copy its routes, bodies and error answers from the broker's docs, so
 * your adapter's tests exercise the same requests production sends. `control` holds the
 * switches tests use; `requests` records every request.
 */

export interface FakePaperServer {
  readonly baseUrl: string;
  readonly exchange: Exchange;
  readonly requests: Array<{ method: string; path: string; body: unknown }>;
  readonly control: {
    createSession(): string;
    expireSessions(): void;
    /** The next `times` requests matching `method path` fail with `status` (or hang, for `status: 'hang'`). */
    failNext(rule: { method: string; path: RegExp; status: number | 'hang'; times: number }): void;
    clearFaults(): void;
    setPrice(exchange: string, symbol: string, price: string): void;
  };
  close(): Promise<void>;
}

interface Fault {
  method: string;
  path: RegExp;
  status: number | 'hang';
  remaining: number;
}

function orderJson(order: PaperOrder) {
  return {
    id: order.id,
    symbol: order.instrument.symbol,
    exchange: order.instrument.exchange,
    side: order.side,
    qty: order.qty,
    filled_qty: order.filled,
    type: order.type,
    price: order.price.toString(),
    trigger: order.trigger.toString(),
    avg_price: order.avg.toDecimalPlaces(4).toString(),
    product: order.product,
    tag: order.tag,
    state: order.state,
    reason: order.reason,
    created_at: new Date(order.createdAt).toISOString(),
    updated_at: new Date(order.updatedAt).toISOString(),
  };
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) {
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text === '') {
    return {};
  }
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new PaperApiError(400, 'BAD_REQUEST', 'Body is not JSON');
  }
}

export async function startFakePaperServer(options: { now?: () => number } = {}): Promise<FakePaperServer> {
  const now = options.now ?? Date.now;
  const exchange = new PaperExchange(now);
  const sessions = new Map<string, number>();
  let generation = 0;
  const faults: Fault[] = [];
  const requests: FakePaperServer['requests'] = [];
  const sockets = new Set<Socket>();

  const route = async (method: string, url: URL, body: Record<string, unknown>): Promise<unknown> => {
    const path = url.pathname;
    const text = (name: string) => String(body[name] ?? '');
    if (method === 'GET' && path === '/instruments') {
      return {
        instruments: exchange.instruments.map((row) => ({
          symbol: row.symbol,
          exchange: row.exchange,
          token: row.token,
          kind: row.kind,
          lot: row.lot,
          tick: row.tick,
        })),
      };
    }
    if (method === 'POST' && path === '/orders') {
      const order = exchange.place({
        symbol: text('symbol'),
        exchange: text('exchange'),
        side: text('side') === 'SELL' ? 'SELL' : 'BUY',
        qty: Number(body.qty),
        type: text('type') as PaperOrder['type'],
        price: text('price') || '0',
        trigger: text('trigger') || '0',
        product: text('product'),
        tag: text('tag'),
      });
      return { id: order.id };
    }
    if (method === 'GET' && path === '/orders') {
      return { orders: [...exchange.orders.values()].map(orderJson) };
    }
    const orderMatch = /^\/orders\/([^/]+)$/.exec(path);
    if (orderMatch?.[1]) {
      const id = decodeURIComponent(orderMatch[1]);
      if (method === 'GET') {
        return { order: orderJson(exchange.order(id)) };
      }
      if (method === 'PUT') {
        const type = text('type') as PaperOrder['type'];
        return {
          id: exchange.modify(id, {
            qty: Number(body.qty),
            price: text('price') || '0',
            trigger: text('trigger') || '0',
            type,
          }).id,
        };
      }
      if (method === 'DELETE') {
        return { id: exchange.cancel(id).id };
      }
    }
    if (method === 'GET' && path === '/trades') {
      return {
        trades: exchange.trades.map((trade) => ({
          id: trade.id,
          order_id: trade.orderId,
          symbol: trade.instrument.symbol,
          exchange: trade.instrument.exchange,
          side: trade.side,
          qty: trade.qty,
          price: trade.price.toString(),
          product: trade.product,
          at: new Date(trade.at).toISOString(),
        })),
      };
    }
    if (method === 'GET' && path === '/positions') {
      const net = new Map<
        string,
        {
          symbol: string;
          exchange: string;
          product: string;
          qty: number;
          buyQty: number;
          buyValue: ReturnType<typeof toDecimal>;
          sellQty: number;
          sellValue: ReturnType<typeof toDecimal>;
        }
      >();
      for (const trade of exchange.trades) {
        const key = `${trade.instrument.exchange}:${trade.instrument.symbol}:${trade.product}`;
        const entry = net.get(key) ?? {
          symbol: trade.instrument.symbol,
          exchange: trade.instrument.exchange,
          product: trade.product,
          qty: 0,
          buyQty: 0,
          buyValue: toDecimal(0),
          sellQty: 0,
          sellValue: toDecimal(0),
        };
        if (trade.side === 'BUY') {
          entry.qty += trade.qty;
          entry.buyQty += trade.qty;
          entry.buyValue = entry.buyValue.add(trade.price.mul(trade.qty));
        } else {
          entry.qty -= trade.qty;
          entry.sellQty += trade.qty;
          entry.sellValue = entry.sellValue.add(trade.price.mul(trade.qty));
        }
        net.set(key, entry);
      }
      return {
        positions: [...net.values()].map((entry) => ({
          symbol: entry.symbol,
          exchange: entry.exchange,
          product: entry.product,
          net_qty: entry.qty,
          avg_price: (entry.qty >= 0
            ? entry.buyQty
              ? entry.buyValue.div(entry.buyQty)
              : toDecimal(0)
            : entry.sellValue.div(entry.sellQty)
          )
            .toDecimalPlaces(4)
            .toString(),
        })),
      };
    }
    if (method === 'GET' && path === '/holdings') {
      return {
        holdings: exchange.holdings.map((holding) => ({
          symbol: holding.instrument.symbol,
          exchange: holding.instrument.exchange,
          qty: holding.qty,
          avg_price: holding.avg.toString(),
        })),
      };
    }
    if (method === 'GET' && path === '/funds') {
      return { cash: exchange.cash.toString(), used: '0', realized: '0', unrealized: '0' };
    }
    if (method === 'GET' && path === '/quotes') {
      const quotes: Record<string, unknown> = {};
      for (const key of (url.searchParams.get('symbols') ?? '').split(',').filter(Boolean)) {
        const [exchangeName = '', symbol = ''] = key.split(':');
        const row = exchange.instruments.find(
          (candidate) => candidate.exchange === exchangeName && candidate.symbol === symbol,
        );
        if (row) {
          const price = row.price.toString();
          quotes[key] = {
            last: price,
            open: price,
            high: price,
            low: price,
            prev_close: price,
            volume: row.kind === 'INDEX' ? 0 : 12_500,
          };
        }
      }
      return { quotes };
    }
    if (method === 'GET' && path === '/history') {
      const row = exchange.find(url.searchParams.get('exchange') ?? '', url.searchParams.get('symbol') ?? '');
      const from = Number(url.searchParams.get('from'));
      const to = Math.min(Number(url.searchParams.get('to')), now());
      const candles: unknown[] = [];
      for (let day = Math.ceil(from / 86_400_000) * 86_400_000; day <= to; day += 86_400_000) {
        const weekday = new Date(day).getUTCDay();
        if (weekday !== 0 && weekday !== 6) {
          const price = row.price.toString();
          candles.push([day / 1_000, price, price, price, price, 10_000]);
        }
      }
      return { candles };
    }
    throw new PaperApiError(404, 'NOT_FOUND', `No route ${method} ${path}`);
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://paper.local');
    const method = request.method ?? 'GET';
    let status = 200;
    let payload: unknown;
    try {
      const body = await readJson(request);
      requests.push({ method, path: url.pathname, body });
      const fault = faults.find(
        (rule) => rule.remaining > 0 && rule.method === method && rule.path.test(url.pathname),
      );
      if (fault) {
        fault.remaining -= 1;
        if (fault.status === 'hang') {
          return; // never answers: the client's timeout must fire
        }
        throw new PaperApiError(
          fault.status,
          fault.status === 429 ? 'RATE_LIMITED' : 'UNAVAILABLE',
          `Injected ${fault.status}`,
        );
      }
      const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
      if (token === undefined || sessions.get(token) !== generation) {
        throw new PaperApiError(401, 'TOKEN_EXPIRED', 'Session expired or invalid');
      }
      payload = await route(method, url, body);
    } catch (error) {
      const apiError =
        error instanceof PaperApiError ? error : new PaperApiError(500, 'INTERNAL', String(error));
      status = apiError.status;
      payload = { error: { code: apiError.code, message: apiError.message } };
    }
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(payload));
  };

  const server: Server = createServer((request, response) => {
    void handle(request, response);
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    exchange,
    requests,
    control: {
      createSession: () => {
        const token = randomBytes(16).toString('hex');
        sessions.set(token, generation);
        return token;
      },
      expireSessions: () => {
        generation += 1;
      },
      failNext: ({ method, path, status, times }) => {
        faults.push({ method, path, status, remaining: times });
      },
      clearFaults: () => {
        faults.length = 0;
      },
      setPrice: (exchangeName, symbol, price) => {
        const row = exchange.find(exchangeName, symbol);
        row.price = toDecimal(price);
        for (const order of exchange.orders.values()) {
          if (order.instrument === row) {
            exchange.match(order);
          }
        }
      },
    },
    close: async () => {
      for (const socket of sockets) {
        socket.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
