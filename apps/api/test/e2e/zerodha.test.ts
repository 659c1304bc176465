import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type FakeKiteServer,
  type RecordedRequest,
  startFakeKiteServer,
} from '@openalgo/brokers-zerodha/fake-server';
import { toDecimal, toWireNumber } from '@openalgo/shared-types/decimal';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { zerodhaEnv } from '../../src/testing/zerodha-env.js';
import {
  hubEndpointsOf,
  type RunningProxy,
  type RunningServer,
  startServer,
  startWsProxy,
} from './process.js';

/**
 * The built api, configured for Zerodha (BROKER=zerodha) against the fake Kite server, with the
 * built ws-proxy fed by the api's market-data hub: the broker login through the browser
 * redirects, the encrypted session, the symbol master loaded at login, live orders placed,
 * modified and cancelled at Kite through /api/v1 (analyzer mode off), quotes and depth, and
 * ticks from Kite's binary ticker reaching an OpenAlgo WebSocket client.
 */

const INSTRUMENTS = 20_000;

type Frame = Record<string, unknown>;

/** An OpenAlgo WebSocket client that records every frame. */
class FeedClient {
  readonly socket: WebSocket;
  readonly frames: Frame[] = [];
  #wake: Array<() => void> = [];

  constructor(url: string) {
    this.socket = new WebSocket(url);
    this.socket.on('message', (data) => {
      this.frames.push(JSON.parse(data.toString()) as Frame);
      for (const wake of this.#wake.splice(0)) {
        wake();
      }
    });
  }

  opened(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.once('open', () => resolve());
      this.socket.once('error', reject);
    });
  }

  send(message: unknown): void {
    this.socket.send(JSON.stringify(message));
  }

  /** The first frame that matches, waiting up to 10 s. */
  async next(match: (frame: Frame) => boolean, what: string): Promise<Frame> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const found = this.frames.find(match);
      if (found) {
        return found;
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        throw new Error(`no ${what}; frames: ${JSON.stringify(this.frames.slice(-5))}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.#wake.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.socket.close();
  }
}

const formOf = (request: RecordedRequest | undefined): Record<string, string> =>
  Object.fromEntries(request?.form ?? []);

const backends = process.env.DATABASE_URL ? (['pglite', 'postgres'] as const) : (['pglite'] as const);

describe.each(backends)('api with BROKER=zerodha against the fake Kite on %s', (backend) => {
  const schema = `e2e_zerodha_${Date.now().toString(36)}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'openalgo-e2e-zerodha-'));
  let admin: ReturnType<typeof postgres> | undefined;
  let fake: FakeKiteServer;
  let server: RunningServer;
  let proxy: RunningProxy;
  let apiKey: string;
  /** The admin's web session: the broker login belongs to the signed-in user. */
  let cookie = '';

  beforeAll(async () => {
    fake = await startFakeKiteServer({ instrumentCount: INSTRUMENTS });
    const database: Record<string, string> = {};
    if (backend === 'postgres') {
      const url = process.env.DATABASE_URL ?? '';
      admin = postgres(url, { max: 1, onnotice: () => {} });
      await admin.unsafe(`create schema ${schema}`);
      const withSchema = new URL(url);
      withSchema.searchParams.set('options', `-c search_path=${schema},public`);
      database.DATABASE_URL = withSchema.toString();
    }
    server = await startServer({
      // The hub's ZeroMQ sockets on ports the api picks and prints, for the ws-proxy.
      HUB_PUBLISH_URL: 'tcp://127.0.0.1:*',
      HUB_CONTROL_URL: 'tcp://127.0.0.1:*',
      ...database,
      DATA_DIR: dataDir,
      PORT: '0',
      LOG_LEVEL: 'warn',
      ...zerodhaEnv(fake),
    });
    apiKey = /API key\s+([0-9a-f]{64})/.exec(server.output())?.[1] ?? '';
    expect(apiKey, server.output()).toMatch(/^[0-9a-f]{64}$/);
    const username = /Username\s+(\S+)/.exec(server.output())?.[1] ?? '';
    const password = /Password\s+(\S+)/.exec(server.output())?.[1] ?? '';
    const login = await fetch(`${server.baseUrl}/web/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    expect(login.status, await login.clone().text()).toBe(200);
    cookie = (login.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';
    expect(cookie).toMatch(/^oa_session=/);
    // The Kite app's registered redirect URL is the api's callback.
    fake.control.setRedirectUrl(`${server.baseUrl}/zerodha/callback`);
    proxy = await startWsProxy({
      ...hubEndpointsOf(server.output()),
      WS_HOST: '127.0.0.1',
      // Its own port, printed once bound (a port picked here could be taken before it binds).
      WS_PORT: '0',
      LOG_LEVEL: 'warn',
    });
  }, 120_000);

  afterAll(async () => {
    await proxy?.stop();
    await server?.stop();
    await fake?.close();
    rmSync(dataDir, { recursive: true, force: true });
    if (admin) {
      // The api keeps its analyzer tables in a schema of their own, named after this one.
      await admin.unsafe(`drop schema if exists ${schema}_sandbox cascade`);
      await admin.unsafe(`drop schema if exists ${schema} cascade`);
      await admin.end();
    }
  });

  const ping = () =>
    fetch(`${server.baseUrl}/api/v1/ping`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ apikey: apiKey }),
    });

  it('refuses /api/v1 until the broker is connected', async () => {
    const response = await ping();
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ status: 'error', message: 'Invalid openalgo apikey' });
  });

  it("logs in through Kite's redirects, stores the session and loads the symbol master", async () => {
    // 1. The web app sends the browser to the api, which redirects to Kite's login page.
    expect((await fetch(`${server.baseUrl}/web/broker/login`, { redirect: 'manual' })).status).toBe(401);
    const start = await fetch(`${server.baseUrl}/web/broker/login`, {
      redirect: 'manual',
      headers: { cookie },
    });
    expect(start.status).toBe(302);
    const kiteLogin = new URL(start.headers.get('location') ?? '');
    expect(`${kiteLogin.origin}${kiteLogin.pathname}`).toBe(fake.loginUrl);
    expect(kiteLogin.searchParams.get('api_key')).toBe(fake.apiKey);
    expect(kiteLogin.searchParams.get('v')).toBe('3');
    // 2. The user logs in at Kite, which redirects back to the registered callback.
    const atKite = await fetch(kiteLogin, { redirect: 'manual' });
    expect(atKite.status).toBe(302);
    const callback = new URL(atKite.headers.get('location') ?? '');
    expect(callback.pathname).toBe('/zerodha/callback');
    expect(callback.searchParams.get('request_token')).toMatch(/^[A-Za-z0-9]{32}$/);
    // 3. The callback exchanges the token and sends the browser to the web app's broker page.
    const done = await fetch(callback, { redirect: 'manual' });
    expect(done.status).toBe(302);
    expect(done.headers.get('location')).toBe('/broker');
    const exchange = fake.requests.find((request) => request.path === '/session/token');
    expect(exchange?.form?.map(([name]) => name)).toEqual(['api_key', 'request_token', 'checksum']);
    // 4. A replayed callback is refused with a clear 4xx, not a crash.
    const replay = await fetch(callback, { headers: { accept: 'application/json' } });
    expect(replay.status).toBe(400);
    expect(((await replay.json()) as { message: string }).message).toMatch(/not started here or has expired/);
    // 5. The symbol master arrives in the background; the status route reports progress.
    let status:
      | { data: { connected: boolean; master_contract: { state: string; rows: number } } }
      | undefined;
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      status = (await (
        await fetch(`${server.baseUrl}/web/broker/status`, { headers: { cookie } })
      ).json()) as typeof status;
      if (status?.data.master_contract.state === 'done' || status?.data.master_contract.state === 'error') {
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(status?.data).toMatchObject({
      broker: 'zerodha',
      connected: true,
      broker_user_id: fake.userId,
      auth_style: 'redirect',
      master_contract: { broker: 'zerodha', state: 'done', rows: INSTRUMENTS, error: null },
    });
    const dump = fake.requests.find((request) => request.path === '/instruments');
    expect(dump?.headers.authorization).toMatch(new RegExp(`^token ${fake.apiKey}:[A-Za-z0-9]{32}$`));
  });

  it('answers /api/v1 for the Zerodha session', async () => {
    const response = await ping();
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: 'success',
      data: { message: 'pong', broker: 'zerodha' },
    });
  });

  const v1 = async (path: string, body: Record<string, unknown>) => {
    const response = await fetch(`${server.baseUrl}/api/v1/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ apikey: apiKey, ...body }),
    });
    return {
      status: response.status,
      body: (await response.json()) as Record<string, unknown> & { data?: unknown },
    };
  };
  /** Requests Kite received since `from`, by method and path. */
  const kiteRequests = (from: number, method: string, path: string) =>
    fake.requests.slice(from).filter((request) => request.method === method && request.path === path);
  /** The Kite session the api holds (as Kite saw it on the instrument dump). */
  const kiteAuthorization = () =>
    fake.requests.find((request) => request.path === '/instruments')?.headers.authorization ?? '';

  describe('live orders through /api/v1 (analyzer off)', () => {
    let orderId = '';

    it('places a LIMIT order at Kite and shows it in the order status', async () => {
      expect(await v1('analyzer', {})).toMatchObject({ status: 200, body: { data: { mode: 'live' } } });
      fake.control.setPrice('NSE', 'RELIANCE', '1400');
      const from = fake.requests.length;
      const placed = await v1('placeorder', {
        strategy: 'e2e',
        exchange: 'NSE',
        symbol: 'RELIANCE',
        action: 'BUY',
        quantity: '5',
        pricetype: 'LIMIT',
        product: 'CNC',
        price: '1390.5',
      });
      expect(placed.status, JSON.stringify(placed.body)).toBe(200);
      orderId = String(placed.body.orderid);
      expect(placed.body).toEqual({ status: 'success', orderid: orderId });
      // Sent once, to the regular variety, with our fields in Kite's names.
      const sent = kiteRequests(from, 'POST', '/orders/regular');
      expect(sent).toHaveLength(1);
      expect(formOf(sent[0])).toMatchObject({
        exchange: 'NSE',
        tradingsymbol: 'RELIANCE',
        transaction_type: 'BUY',
        order_type: 'LIMIT',
        quantity: '5',
        price: '1390.5',
        product: 'CNC',
        validity: 'DAY',
      });
      expect(fake.control.order(orderId)).toMatchObject({
        status: 'OPEN',
        variety: 'regular',
        price: 1390.5,
      });

      const status = await v1('orderstatus', { strategy: 'e2e', orderid: orderId });
      expect(status.status, JSON.stringify(status.body)).toBe(200);
      expect(status.body.data).toMatchObject({
        orderid: orderId,
        symbol: 'RELIANCE',
        exchange: 'NSE',
        action: 'BUY',
        quantity: 5,
        price: 1390.5,
        pricetype: 'LIMIT',
        product: 'CNC',
        order_status: 'open',
        average_price: 0,
      });
    });

    it("modifies it: Kite receives the new price and quantity under the order's variety", async () => {
      const from = fake.requests.length;
      const modified = await v1('modifyorder', {
        strategy: 'e2e',
        exchange: 'NSE',
        symbol: 'RELIANCE',
        orderid: orderId,
        action: 'BUY',
        product: 'CNC',
        pricetype: 'LIMIT',
        price: '1395.25',
        quantity: '7',
        disclosed_quantity: '0',
        trigger_price: '0',
      });
      expect(modified, JSON.stringify(modified.body)).toEqual({
        status: 200,
        body: { status: 'success', orderid: orderId },
      });
      const sent = kiteRequests(from, 'PUT', `/orders/regular/${orderId}`);
      expect(sent).toHaveLength(1);
      expect(formOf(sent[0])).toMatchObject({ order_type: 'LIMIT', price: '1395.25', quantity: '7' });
      expect(fake.control.order(orderId)).toMatchObject({ status: 'OPEN', price: 1395.25, quantity: 7 });

      const book = await v1('orderbook', {});
      expect(book.status).toBe(200);
      const { orders, statistics } = book.body.data as {
        orders: Array<Record<string, unknown>>;
        statistics: Record<string, number>;
      };
      expect(orders.find((order) => order.orderid === orderId)).toMatchObject({
        symbol: 'RELIANCE',
        exchange: 'NSE',
        action: 'BUY',
        quantity: 7,
        price: 1395.25,
        pricetype: 'LIMIT',
        order_status: 'open',
      });
      expect(statistics).toMatchObject({ total_buy_orders: 1, total_open_orders: 1 });
    });

    it('shows the fill once Kite matches it, with the average price from the trade book', async () => {
      fake.control.setPrice('NSE', 'RELIANCE', '1394.8');
      expect(fake.control.order(orderId)).toMatchObject({ status: 'COMPLETE', filled_quantity: 7 });
      const status = await v1('orderstatus', { strategy: 'e2e', orderid: orderId });
      expect(status.body.data).toMatchObject({
        order_status: 'complete',
        quantity: 7,
        average_price: 1394.8,
      });
      const trades = await v1('tradebook', {});
      expect(trades.body.data).toEqual([
        expect.objectContaining({ orderid: orderId, symbol: 'RELIANCE', quantity: 7, average_price: 1394.8 }),
      ]);
      // A finished order cannot be cancelled: Kite's answer comes back as an error, not a crash.
      const late = await v1('cancelorder', { strategy: 'e2e', orderid: orderId });
      expect(late.status).toBeGreaterThanOrEqual(400);
      expect(late.status).toBeLessThan(500);
      expect(late.body).toMatchObject({ status: 'error', message: expect.stringMatching(/complete/) });
    });

    it('cancels a resting order at Kite', async () => {
      const placed = await v1('placeorder', {
        strategy: 'e2e',
        exchange: 'NSE',
        symbol: 'RELIANCE',
        action: 'SELL',
        quantity: 3,
        pricetype: 'LIMIT',
        product: 'MIS',
        price: 1450,
      });
      expect(placed.status, JSON.stringify(placed.body)).toBe(200);
      const id = String(placed.body.orderid);
      const from = fake.requests.length;
      const cancelled = await v1('cancelorder', { strategy: 'e2e', orderid: id });
      expect(cancelled).toEqual({ status: 200, body: { status: 'success', orderid: id } });
      expect(kiteRequests(from, 'DELETE', `/orders/regular/${id}`)).toHaveLength(1);
      expect(fake.control.order(id)).toMatchObject({ status: 'CANCELLED', cancelled_quantity: 3 });
      const status = await v1('orderstatus', { strategy: 'e2e', orderid: id });
      expect(status.body.data).toMatchObject({ orderid: id, action: 'SELL', order_status: 'cancelled' });
    });

    it("modifies and cancels an after-market order placed on Kite itself, under its own variety 'amo'", async () => {
      // Placed from Kite's own app with the same session: OpenAlgo never saw its placement.
      const response = await fetch(`${fake.baseUrl}/orders/amo`, {
        method: 'POST',
        headers: {
          'x-kite-version': '3',
          authorization: kiteAuthorization(),
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({
          exchange: 'NSE',
          tradingsymbol: 'SBIN',
          transaction_type: 'BUY',
          order_type: 'LIMIT',
          quantity: '10',
          price: '500',
          product: 'CNC',
          validity: 'DAY',
        }),
      });
      expect(response.status).toBe(200);
      const id = ((await response.json()) as { data: { order_id: string } }).data.order_id;
      expect(fake.control.order(id)).toMatchObject({ status: 'AMO REQ RECEIVED', variety: 'amo' });

      let from = fake.requests.length;
      const modified = await v1('modifyorder', {
        strategy: 'e2e',
        exchange: 'NSE',
        symbol: 'SBIN',
        orderid: id,
        action: 'BUY',
        product: 'CNC',
        pricetype: 'LIMIT',
        price: '501.5',
        quantity: '10',
        disclosed_quantity: '0',
        trigger_price: '0',
      });
      expect(modified, JSON.stringify(modified.body)).toEqual({
        status: 200,
        body: { status: 'success', orderid: id },
      });
      expect(kiteRequests(from, 'PUT', `/orders/regular/${id}`)).toHaveLength(0);
      expect(formOf(kiteRequests(from, 'PUT', `/orders/amo/${id}`)[0])).toMatchObject({ price: '501.5' });
      expect(fake.control.order(id)).toMatchObject({ status: 'AMO REQ RECEIVED', price: 501.5 });

      from = fake.requests.length;
      const cancelled = await v1('cancelorder', { strategy: 'e2e', orderid: id });
      expect(cancelled).toEqual({ status: 200, body: { status: 'success', orderid: id } });
      expect(kiteRequests(from, 'DELETE', `/orders/regular/${id}`)).toHaveLength(0);
      expect(kiteRequests(from, 'DELETE', `/orders/amo/${id}`)).toHaveLength(1);
      expect(fake.control.order(id)).toMatchObject({ status: 'CANCELLED' });
    });
  });

  describe('market data', () => {
    it('answers /api/v1/quotes and /api/v1/depth from Kite’s quote', async () => {
      fake.control.setPrice('NSE', 'INFY', '1520.35');
      const instrument = fake.control.instrument('NSE', 'INFY');
      const state = fake.market.state(instrument);
      const from = fake.requests.length;
      const quote = await v1('quotes', { symbol: 'INFY', exchange: 'NSE' });
      expect(quote.status, JSON.stringify(quote.body)).toBe(200);
      const tick = fake.market.tickOf(instrument);
      const ltp = toDecimal('1520.35');
      expect(quote.body).toEqual({
        status: 'success',
        data: {
          ltp: 1520.35,
          open: toWireNumber(state.open),
          high: toWireNumber(state.high),
          low: toWireNumber(state.low),
          prev_close: toWireNumber(state.close),
          volume: state.volume,
          oi: 0,
          bid: toWireNumber(ltp.sub(tick)),
          ask: toWireNumber(ltp.add(tick)),
        },
      });
      const asked = kiteRequests(from, 'GET', '/quote');
      expect(asked).toHaveLength(1);
      expect(asked[0]?.query).toEqual([['i', 'NSE:INFY']]);

      const depth = await v1('depth', { symbol: 'INFY', exchange: 'NSE' });
      expect(depth.status, JSON.stringify(depth.body)).toBe(200);
      const levels = [1, 2, 3, 4, 5];
      expect(depth.body.data).toMatchObject({
        ltp: 1520.35,
        bids: levels.map((level) => ({
          price: toWireNumber(ltp.sub(tick.mul(level))),
          quantity: 100 * level,
        })),
        asks: levels.map((level) => ({
          price: toWireNumber(ltp.add(tick.mul(level))),
          quantity: 120 * level,
        })),
        totalbuyqty: state.buyQuantity,
        totalsellqty: state.sellQuantity,
      });
    });

    it("delivers Kite's ticks to an OpenAlgo WebSocket client through the ws-proxy", async () => {
      const client = new FeedClient(proxy.wsUrl);
      try {
        await client.opened();
        client.send({ action: 'authenticate', api_key: apiKey });
        expect(await client.next((frame) => frame.type === 'auth', 'auth reply')).toMatchObject({
          type: 'auth',
          status: 'success',
          broker: 'zerodha',
        });
        client.send({
          action: 'subscribe',
          symbols: [{ symbol: 'TCS', exchange: 'NSE' }],
          mode: 1,
          request_id: 's1',
        });
        expect(await client.next((frame) => frame.type === 'subscribe', 'subscribe reply')).toMatchObject({
          status: 'success',
          request_id: 's1',
          subscriptions: [{ symbol: 'TCS', exchange: 'NSE', status: 'success', mode: 'LTP' }],
        });
        // The hub subscribes TCS at Kite's ticker once the proxy asks for its topic.
        const token = fake.control.instrument('NSE', 'TCS').instrumentToken;
        const deadline = Date.now() + 10_000;
        while (!fake.control.tickerClients().some((ticker) => ticker.modes.has(token))) {
          expect(Date.now(), 'Kite ticker subscription for TCS').toBeLessThan(deadline);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        fake.control.setPrice('NSE', 'TCS', '3456.75');
        const tick = await client.next(
          (frame) => frame.type === 'market_data' && (frame.data as Frame | undefined)?.ltp === 3456.75,
          'a TCS tick at 3456.75',
        );
        expect(tick).toMatchObject({
          type: 'market_data',
          symbol: 'TCS',
          exchange: 'NSE',
          mode: 1,
          broker: 'zerodha',
          data: { symbol: 'TCS', exchange: 'NSE', ltp: 3456.75 },
        });
        fake.control.setPrice('NSE', 'TCS', '3457.1');
        await client.next(
          (frame) => frame.type === 'market_data' && (frame.data as Frame | undefined)?.ltp === 3457.1,
          'the next TCS tick at 3457.1',
        );
      } finally {
        client.close();
      }
    });
  });

  it("pushes Kite's fill of a resting order to a subscribe_orders client", async () => {
    const client = new FeedClient(proxy.wsUrl);
    try {
      await client.opened();
      client.send({ action: 'authenticate', api_key: apiKey });
      await client.next((frame) => frame.type === 'auth' && frame.status === 'success', 'auth reply');
      client.send({ action: 'subscribe_orders', request_id: 'o1' });
      await client.next((frame) => frame.type === 'subscribe_orders', 'subscribe_orders reply');
      fake.control.setPrice('NSE', 'WIPRO', '250');
      const placed = await v1('placeorder', {
        strategy: 'e2e',
        exchange: 'NSE',
        symbol: 'WIPRO',
        action: 'BUY',
        quantity: 3,
        pricetype: 'LIMIT',
        product: 'MIS',
        price: '249.5',
      });
      expect(placed.status, JSON.stringify(placed.body)).toBe(200);
      const orderid = String(placed.body.orderid);
      await client.next(
        (frame) =>
          frame.type === 'order_update' && frame.orderid === orderid && frame.order_status === 'open',
        'the open order',
      );
      // Kite matches it later, when the price comes down to the limit.
      fake.control.setPrice('NSE', 'WIPRO', '249.4');
      const filled = await client.next(
        (frame) =>
          frame.type === 'order_update' && frame.orderid === orderid && frame.order_status === 'complete',
        'the fill',
      );
      expect(filled).toMatchObject({
        user_id: 'admin',
        mode: 'live',
        broker: 'zerodha',
        symbol: 'WIPRO',
        exchange: 'NSE',
        action: 'BUY',
        quantity: 3,
        price: 249.5,
        pricetype: 'LIMIT',
        product: 'MIS',
        filled_quantity: 3,
        pending_quantity: 0,
        average_price: 249.4,
      });
    } finally {
      client.close();
    }
  });

  it('revokes a session Kite has expired and says to log in again', async () => {
    fake.control.expireSessions();
    const response = await fetch(`${server.baseUrl}/web/broker/status?validate=1`, { headers: { cookie } });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { data: unknown }).data).toMatchObject({
      broker: 'zerodha',
      connected: false,
      broker_user_id: null,
      reason: expect.stringMatching(/^Zerodha session expired or was invalidated: log in to Zerodha again/),
    });
    expect((await ping()).status).toBe(403);
  });

  it('brings the ticks back once the user logs in to Kite again after the daily expiry', async () => {
    // The session expired in the previous test: the hub's Kite feed is failing and backing off.
    const client = new FeedClient(proxy.wsUrl);
    try {
      await client.opened();
      client.send({ action: 'authenticate', api_key: apiKey });
      await client.next((frame) => frame.type === 'auth', 'auth reply');
      client.send({ action: 'subscribe', symbols: [{ symbol: 'ITC', exchange: 'NSE' }], mode: 1 });
      await client.next((frame) => frame.type === 'subscribe', 'subscribe reply');
      const start = await fetch(`${server.baseUrl}/web/broker/login`, {
        redirect: 'manual',
        headers: { cookie },
      });
      const atKite = await fetch(new URL(start.headers.get('location') ?? ''), { redirect: 'manual' });
      const done = await fetch(new URL(atKite.headers.get('location') ?? ''), { redirect: 'manual' });
      expect(done.status).toBe(302);
      expect((await ping()).status).toBe(200);
      const token = fake.control.instrument('NSE', 'ITC').instrumentToken;
      const deadline = Date.now() + 10_000;
      while (!fake.control.tickerClients().some((ticker) => ticker.modes.has(token))) {
        expect(Date.now(), 'ITC subscribed at Kite under the new session').toBeLessThan(deadline);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const sessions = new Set(fake.control.tickerClients().map((ticker) => ticker.accessToken));
      expect(sessions.size).toBe(1);
      fake.control.setPrice('NSE', 'ITC', '412.3');
      expect(
        await client.next(
          (frame) => frame.type === 'market_data' && (frame.data as Frame | undefined)?.ltp === 412.3,
          'an ITC tick at 412.3',
        ),
      ).toMatchObject({ symbol: 'ITC', exchange: 'NSE', mode: 1, broker: 'zerodha' });
    } finally {
      client.close();
    }
  });
});
