// @vitest-environment node
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket as NodeWebSocket, type WebSocket as ServerSocket, WebSocketServer } from 'ws';
import { EventSocket } from './event-socket.js';
import { TickStore } from './tick-store.js';

interface Server {
  url: string;
  messages: unknown[];
  sockets: ServerSocket[];
  close: () => Promise<void>;
}

async function startServer(): Promise<Server> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const messages: unknown[] = [];
  const sockets: ServerSocket[] = [];
  wss.on('connection', (socket) => {
    sockets.push(socket);
    socket.on('message', (data) => messages.push(JSON.parse(String(data))));
  });
  const { port } = wss.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/web/events`,
    messages,
    sockets,
    close: () =>
      new Promise((resolve) => {
        for (const client of wss.clients) {
          client.terminate();
        }
        wss.close(() => resolve());
      }),
  };
}

async function until(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) {
      throw new Error('timed out');
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) {
    await cleanup();
  }
});

describe('EventSocket over a real WebSocket', () => {
  it('subscribes watched symbols, feeds ticks to the store and events to the app', async () => {
    const server = await startServer();
    cleanups.push(server.close);
    const ticks = new TickStore();
    const events: [string, unknown][] = [];
    const socket = new EventSocket({
      url: server.url,
      ticks,
      onEvent: (event, data) => events.push([event, data]),
      WebSocket: NodeWebSocket as unknown as typeof WebSocket,
    });
    cleanups.push(() => socket.stop());
    const release = socket.watch([{ exchange: 'NSE', symbol: 'SBIN' }]);
    socket.start();
    await until(() => server.messages.length >= 1);
    expect(server.messages[0]).toEqual({
      action: 'subscribe',
      symbols: [{ exchange: 'NSE', symbol: 'SBIN' }],
      mode: 2,
    });

    const peer = server.sockets[0];
    peer?.send(
      JSON.stringify({
        type: 'market_data',
        symbol: 'SBIN',
        exchange: 'NSE',
        mode: 2,
        broker: 'simulator',
        data: { symbol: 'SBIN', exchange: 'NSE', mode: 2, ltp: 812.45, close: 800.1, timestamp: 1 },
      }),
    );
    peer?.send(
      JSON.stringify({ event: 'pending_order_created', data: { pending_order_id: 7, message: 'queued' } }),
    );
    peer?.send('not json');
    await until(() => ticks.get('NSE:SBIN') !== undefined && events.length === 1);
    expect(ticks.get('NSE:SBIN')).toMatchObject({ ltp: '812.45', prevClose: '800.1', source: 'stream' });
    expect(events).toEqual([['pending_order_created', { pending_order_id: 7, message: 'queued' }]]);

    release();
    await until(() => server.messages.length >= 2);
    expect(server.messages[1]).toEqual({
      action: 'unsubscribe',
      symbols: [{ exchange: 'NSE', symbol: 'SBIN' }],
      mode: 2,
    });
  });

  it('reconnects after the server drops it and subscribes again', async () => {
    const server = await startServer();
    cleanups.push(server.close);
    const socket = new EventSocket({
      url: server.url,
      ticks: new TickStore(),
      onEvent: () => undefined,
      WebSocket: NodeWebSocket as unknown as typeof WebSocket,
    });
    cleanups.push(() => socket.stop());
    socket.watch([{ exchange: 'NFO', symbol: 'NIFTY30DEC26FUT' }]);
    socket.start();
    await until(() => server.sockets.length === 1 && server.messages.length === 1);
    server.sockets[0]?.terminate();
    await until(() => server.sockets.length === 2 && server.messages.length === 2, 8_000);
    expect(server.messages[1]).toEqual({
      action: 'subscribe',
      symbols: [{ exchange: 'NFO', symbol: 'NIFTY30DEC26FUT' }],
      mode: 2,
    });
    expect(socket.state).toBe('open');
  });
});
