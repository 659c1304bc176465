import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type WebSocket, WebSocketServer } from 'ws';
import type { StreamState } from '../v1/adapter.js';
import {
  backoffDelay,
  DEFAULT_BACKOFF,
  ReconnectingWebSocket,
  type ReconnectingWebSocketOptions,
  SocketClosedError,
  type WebSocketConstructor,
} from './index.js';

/** A loopback WebSocket server: echoes `ping`, records what it receives, can refuse upgrades. */
let http: Server;
let wss: WebSocketServer;
let url: string;
const serverSockets = new Set<WebSocket>();
const received: string[] = [];
let isRefusing = false;
let isSilent = false;

beforeAll(async () => {
  http = createServer();
  wss = new WebSocketServer({ noServer: true });
  http.on('upgrade', (request, socket, head) => {
    if (isRefusing) {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    wss.handleUpgrade(request, socket, head, (client) => {
      serverSockets.add(client);
      client.on('close', () => serverSockets.delete(client));
      client.on('message', (data, isBinary) => {
        const text = isBinary ? `binary:${(data as Buffer).length}` : String(data);
        received.push(text);
        if (text === 'ping' && !isSilent) {
          client.send('pong');
        }
      });
      if (!isSilent) {
        client.send(Buffer.from([1, 2, 3]));
      }
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  url = `ws://127.0.0.1:${(http.address() as AddressInfo).port}`;
});

const sockets: ReconnectingWebSocket[] = [];

afterEach(() => {
  for (const socket of sockets.splice(0)) {
    socket.close('test over');
  }
  received.length = 0;
  isRefusing = false;
  isSilent = false;
});

afterAll(async () => {
  for (const client of serverSockets) {
    client.terminate();
  }
  wss.close();
  await new Promise((resolve) => http.close(resolve));
});

async function waitFor(check: () => boolean, timeoutMs = 3_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) {
      throw new Error('timed out waiting');
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function open(overrides: Partial<ReconnectingWebSocketOptions> = {}) {
  const states: StreamState[] = [];
  const messages: Array<string | number> = [];
  const socket = new ReconnectingWebSocket({
    url: () => url,
    backoff: { initialDelayMs: 20, maxDelayMs: 80 },
    onMessage: (data) => messages.push(typeof data === 'string' ? data : data.byteLength),
    onState: (state) => states.push(state),
    ...overrides,
  });
  sockets.push(socket);
  socket.start();
  return { socket, states, messages };
}

describe('ReconnectingWebSocket', () => {
  it('connects, delivers text and binary messages, and resubscribes after every reconnect', async () => {
    const opens: number[] = [];
    const { socket, states, messages } = open({
      onOpen: (connected) => {
        opens.push(opens.length + 1);
        connected.send(`subscribe ${opens.length}`);
      },
    });
    await socket.whenOpen();
    expect(socket.send('ping')).toBe(true);
    await waitFor(() => messages.includes('pong'));
    expect(messages[0]).toBe(3);
    for (const client of serverSockets) {
      client.terminate();
    }
    await waitFor(() => socket.connections === 2 && received.includes('subscribe 2'));
    expect(received.filter((text) => text.startsWith('subscribe'))).toEqual(['subscribe 1', 'subscribe 2']);
    const kinds = states.map((state) => state.state);
    expect(kinds).toEqual(['connecting', 'connected', 'reconnecting', 'connecting', 'connected']);
    const reconnecting = states.find((state) => state.state === 'reconnecting');
    expect(reconnecting).toMatchObject({ attempt: 1 });
    // Jittered within [half the ceiling, the ceiling] of the first attempt.
    expect((reconnecting as { delayMs: number }).delayMs).toBeGreaterThanOrEqual(10);
    expect((reconnecting as { delayMs: number }).delayMs).toBeLessThanOrEqual(20);
  });

  it('drops a silent socket as stale and redials it', async () => {
    isSilent = true;
    const { socket, states } = open({ staleAfterMs: 150 });
    await socket.whenOpen();
    await waitFor(() => states.some((state) => state.state === 'stale'));
    isSilent = false;
    await waitFor(() => socket.connections === 2);
    const stale = states.find((state) => state.state === 'stale') as { silentForMs: number };
    expect(stale.silentForMs).toBeGreaterThanOrEqual(150);
  });

  it('sends heartbeats while open', async () => {
    const { socket } = open({ heartbeat: { intervalMs: 30, message: () => 'ping' } });
    await socket.whenOpen();
    await waitFor(() => received.filter((text) => text === 'ping').length >= 3);
  });

  it('stops for good when the owner judges a failed dial a refused session', async () => {
    isRefusing = true;
    const failures: number[] = [];
    const { socket, states } = open({
      onDialFailure: ({ attempt }) => {
        failures.push(attempt);
        return attempt >= 2 ? 'auth-failed' : 'retry';
      },
    });
    const error = await socket.whenOpen().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SocketClosedError);
    expect((error as SocketClosedError).isAuthFailure).toBe(true);
    expect(failures).toEqual([1, 2]);
    expect(states.at(-1)).toEqual({ state: 'auth-failed', reason: 'the broker refused the session' });
    expect(socket.isClosed).toBe(true);
  });

  it('re-reads the URL on every dial and keeps retrying a broker that is down', async () => {
    const dialled: string[] = [];
    class FailingSocket {
      binaryType = '';
      readyState = 0;
      #onClose: ((event: { code: number; reason: string }) => void) | undefined;
      constructor(target: string) {
        dialled.push(target);
        setTimeout(() => this.#onClose?.({ code: 1006, reason: '' }), 1);
      }
      send() {}
      close() {}
      addEventListener(type: string, listener: (event: never) => void) {
        if (type === 'close') {
          this.#onClose = listener as (event: { code: number; reason: string }) => void;
        }
      }
    }
    let token = 0;
    const { socket, states } = open({
      WebSocket: FailingSocket as unknown as WebSocketConstructor,
      url: () => `ws://127.0.0.1:9/?token=${++token}`,
      backoff: { initialDelayMs: 5, maxDelayMs: 10 },
    });
    await waitFor(() => dialled.length >= 3);
    socket.close();
    expect(dialled.slice(0, 3)).toEqual([
      'ws://127.0.0.1:9/?token=1',
      'ws://127.0.0.1:9/?token=2',
      'ws://127.0.0.1:9/?token=3',
    ]);
    expect(states.filter((state) => state.state === 'reconnecting').length).toBeGreaterThanOrEqual(2);
    expect(states.at(-1)).toEqual({ state: 'closed', reason: 'closed' });
  });

  it('closes for good: no reconnect afterwards, sends refused', async () => {
    const { socket, states } = open();
    await socket.whenOpen();
    socket.close('done');
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(socket.send('ping')).toBe(false);
    expect(states.filter((state) => state.state === 'connected')).toHaveLength(1);
    expect(states.at(-1)).toEqual({ state: 'closed', reason: 'done' });
    await expect(socket.whenOpen()).rejects.toBeInstanceOf(SocketClosedError);
  });
});

describe('backoffDelay', () => {
  it('grows exponentially, caps, and stays within the jitter band', () => {
    const policy = { ...DEFAULT_BACKOFF, initialDelayMs: 100, maxDelayMs: 1_000 };
    expect([1, 2, 3, 4, 5, 10].map((attempt) => backoffDelay(attempt, policy, () => 0.999999))).toEqual([
      100, 200, 400, 800, 1_000, 1_000,
    ]);
    expect([1, 2, 3, 4, 5].map((attempt) => backoffDelay(attempt, policy, () => 0))).toEqual([
      50, 100, 200, 400, 500,
    ]);
    expect(backoffDelay(3, { ...policy, jitter: 0 }, () => 0.7)).toBe(400);
  });
});
