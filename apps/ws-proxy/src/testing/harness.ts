import { createSimulatorBroker, type SimulatorBroker } from '@openalgo/brokers-simulator';
import type { MarketHub, MarketHubOptions } from '@openalgo/stream-bus';
import { type BrokerCall, startTestHub } from '@openalgo/stream-bus/testing';
import { pino } from 'pino';
import { WebSocket } from 'ws';
import { buildProxy, type WsProxy } from '../app.js';
import { type ProxyConfig, proxyEnvSchema } from '../config.js';

/**
 * Test harness: the simulator behind a real hub on loopback ZeroMQ ports, any number of real
 * proxies on ephemeral ports, and WebSocket clients that record every frame.
 */

export const API_KEY = 'a'.repeat(64);
export const OTHER_KEY = 'b'.repeat(64);
export const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

export type Frame = Record<string, unknown>;

export class TestClient {
  readonly socket: WebSocket;
  readonly frames: Frame[] = [];
  closed: { code: number; reason: string } | null = null;
  #waiters: Array<() => void> = [];

  constructor(url: string) {
    this.socket = new WebSocket(url);
    this.socket.on('message', (data) => {
      this.frames.push(JSON.parse(data.toString()) as Frame);
      this.#wake();
    });
    this.socket.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.#wake();
    });
  }

  #wake(): void {
    for (const waiter of this.#waiters.splice(0)) {
      waiter();
    }
  }

  opened(): Promise<void> {
    if (this.socket.readyState === WebSocket.OPEN) {
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      this.socket.once('open', () => resolve());
      this.socket.once('error', reject);
    });
  }

  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** The first frame (from `from` on) that matches, waiting up to `timeoutMs`. */
  async next(match: (frame: Frame) => boolean, what: string, timeoutMs = 10_000, from = 0): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    let index = from;
    for (;;) {
      for (; index < this.frames.length; index += 1) {
        const frame = this.frames[index] as Frame;
        if (match(frame)) {
          return frame;
        }
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        throw new Error(
          `timed out waiting for ${what}; last frames: ${JSON.stringify(this.frames.slice(-3))}`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Sends and waits for the reply of that type (or an error frame). */
  async request(message: Frame, type: string): Promise<Frame> {
    const from = this.frames.length;
    this.send(message);
    return this.next(
      (frame) => frame.type === type || frame.type === 'error',
      `a ${type} reply`,
      10_000,
      from,
    );
  }

  async authenticate(key = API_KEY): Promise<Frame> {
    return this.request({ action: 'authenticate', api_key: key }, 'auth');
  }

  async waitClosed(timeoutMs = 10_000): Promise<{ code: number; reason: string }> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() > deadline) {
        throw new Error('timed out waiting for the socket to close');
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return this.closed;
  }

  ticks(symbol?: string): Frame[] {
    return this.frames.filter(
      (frame) => frame.type === 'market_data' && (!symbol || frame.symbol === symbol),
    );
  }

  close(): void {
    this.socket.terminate();
  }
}

export interface Harness {
  broker: SimulatorBroker;
  hub: MarketHub;
  calls: BrokerCall[];
  startProxy(
    overrides?: Partial<Record<keyof ProxyConfig, string>>,
  ): Promise<{ proxy: WsProxy; url: string }>;
  client(url: string): Promise<TestClient>;
  close(): Promise<void>;
}

export async function startHarness(
  options: { ticksPerSecond?: number; hub?: Partial<MarketHubOptions> } = {},
): Promise<Harness> {
  const broker = createSimulatorBroker({
    alwaysOpen: true,
    ticksPerSecond: options.ticksPerSecond ?? 2_000,
    seed: 11,
  });
  broker.start();
  const calls: BrokerCall[] = [];
  const hub = await startTestHub({
    broker,
    logger,
    calls,
    keys: new Map([
      [API_KEY, { userId: 1, username: 'admin' }],
      [OTHER_KEY, { userId: 2, username: 'other' }],
    ]),
    hub: { heartbeatMs: 200, ...options.hub },
  });
  const proxies: WsProxy[] = [];
  const clients: TestClient[] = [];
  return {
    broker,
    hub,
    calls,
    async startProxy(overrides = {}) {
      const config = proxyEnvSchema.parse({
        WS_HOST: '127.0.0.1',
        WS_PORT: '0',
        HUB_PUBLISH_URL: hub.publishEndpoint,
        HUB_CONTROL_URL: hub.controlEndpoint,
        ...overrides,
      });
      const proxy = await buildProxy(config, { logger });
      proxies.push(proxy);
      const address = await proxy.app.listen({ host: '127.0.0.1', port: 0 });
      return { proxy, url: address.replace(/^http/, 'ws') };
    },
    async client(url) {
      const client = new TestClient(url);
      clients.push(client);
      await client.opened();
      return client;
    },
    async close() {
      for (const client of clients) {
        client.close();
      }
      for (const proxy of proxies) {
        await proxy.app.close();
      }
      await hub.close();
      broker.stop();
    },
  };
}

/** Waits until `probe` holds (polling), for conditions observed across processes and sockets. */
export async function eventually(probe: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
