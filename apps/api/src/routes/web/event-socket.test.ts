import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { placeRestingOrder } from '../../testing/order-helpers.js';
import { startTestApp, TEST_ADMIN_PASSWORD, type TestApp } from '../../testing/test-app.js';
import { WebClient } from '../../testing/web-client.js';

type Frame = Record<string, unknown>;

/** A browser-like event socket: the session cookie from the jar, every frame recorded. */
async function openEventSocket(t: TestApp, web: WebClient, headers: Record<string, string> = {}) {
  const url = `${t.baseUrl.replace(/^http/, 'ws')}/web/events`;
  const cookie = await web.jar.getCookieString(`${t.baseUrl}/web/events`);
  const socket = new WebSocket(url, { headers: { ...(cookie ? { cookie } : {}), ...headers } });
  const frames: Frame[] = [];
  socket.on('message', (data) => frames.push(JSON.parse(String(data)) as Frame));
  let closed: { code: number; reason: string } | null = null;
  socket.on('close', (code, reason) => {
    closed = { code, reason: String(reason) };
  });
  const outcome = await new Promise<{ ok: true } | { ok: false; status: number }>((resolve) => {
    socket.once('open', () => resolve({ ok: true }));
    socket.once('unexpected-response', (request, response) => {
      // With this listener attached, ws leaves the refused request open: end it like a browser.
      request.destroy();
      resolve({ ok: false, status: response.statusCode ?? 0 });
    });
    socket.once('error', () => resolve({ ok: false, status: 0 }));
  });
  const next = async (match: (frame: Frame) => boolean, what: string, from = 0) => {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const found = frames.slice(from).find(match);
      if (found) {
        return found;
      }
      if (Date.now() > deadline) {
        throw new Error(`timed out waiting for ${what}: ${JSON.stringify(frames.slice(-3))}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  const waitClosed = async () => {
    const deadline = Date.now() + 15_000;
    while (!closed && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return closed;
  };
  return { socket, frames, outcome, next, waitClosed };
}

describe('the UI event socket /web/events', () => {
  let t: TestApp;
  let web: WebClient;

  beforeAll(async () => {
    t = await startTestApp('pglite');
    web = new WebClient(t.baseUrl);
    expect((await web.login('admin', TEST_ADMIN_PASSWORD)).status).toBe(200);
  });

  afterAll(async () => {
    await t.close();
  });

  it('closes a socket without a session cookie (4401) or from another site (4403)', async () => {
    const anonymous = await openEventSocket(t, new WebClient(t.baseUrl));
    expect((await anonymous.waitClosed())?.code).toBe(4401);
    expect(anonymous.frames).toEqual([]);
    const foreign = await openEventSocket(t, web, { origin: 'https://evil.example' });
    expect((await foreign.waitClosed())?.code).toBe(4403);
  });

  it('pushes the signed-in user’s order events in the shapes the web app reads', async () => {
    const events = await openEventSocket(t, web);
    expect(events.outcome).toEqual({ ok: true });
    const orderid = await placeRestingOrder(t, 'SBIN');
    const update = await events.next(
      (frame) => frame.event === 'order_update' && (frame.data as Frame).orderid === orderid,
      'the order_update event',
    );
    expect(update.data).toMatchObject({
      orderid,
      symbol: 'SBIN',
      exchange: 'NSE',
      action: 'BUY',
      mode: 'live',
    });
    const placed = await events.next(
      (frame) => frame.event === 'order_event',
      'the order_event of a live placement',
    );
    expect(placed.data).toMatchObject({ orderid, symbol: 'SBIN', mode: 'live' });
    events.socket.close();
  });

  it('streams ticks for subscribed symbols and stops after unsubscribe; bad requests get errors', async () => {
    const events = await openEventSocket(t, web);
    events.socket.send('nope');
    await events.next((frame) => frame.code === 'INVALID_JSON', 'an INVALID_JSON error');
    events.socket.send(
      JSON.stringify({ action: 'subscribe', symbols: [{ exchange: 'NSE', symbol: 'INFY' }], mode: 2 }),
    );
    const tick = await events.next(
      (frame) => frame.type === 'market_data' && frame.symbol === 'INFY',
      'an INFY tick',
    );
    expect(tick).toMatchObject({ exchange: 'NSE', mode: 2, data: { symbol: 'INFY' } });
    expect(typeof (tick.data as Frame).ltp).toBe('number');
    events.socket.send(
      JSON.stringify({ action: 'unsubscribe', symbols: [{ exchange: 'NSE', symbol: 'INFY' }], mode: 2 }),
    );
    await events.next((frame) => frame.type === 'unsubscribe', 'the unsubscribe answer');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const settled = events.frames.length;
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(events.frames.slice(settled).filter((frame) => frame.type === 'market_data')).toEqual([]);
    events.socket.close();
  });
});
