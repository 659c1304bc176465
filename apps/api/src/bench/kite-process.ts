import { startFakeKiteServer } from '@openalgo/brokers-zerodha/fake-server';

/**
 * The far side of the Kite overhead bench, in its own process as in a deployment: the fake
 * Kite server (Kite's real REST API and ticker) and the client that places the orders. Only
 * the api shares the measuring process, so nothing but the api's own work (and what the broker
 * sends it) runs on its event loop while an order is timed. Driven over the fork IPC channel.
 */

/** Parent → child. */
export type KiteProcessCommand =
  | { type: 'session' }
  | { type: 'place'; url: string; body: string; count: number; intervalMs: number }
  | { type: 'requests' };

/** Child → parent. */
export type KiteProcessReply =
  | {
      type: 'ready';
      apiKey: string;
      apiSecret: string;
      userId: string;
      baseUrl: string;
      loginUrl: string;
      tickerUrl: string;
    }
  | { type: 'session'; accessToken: string }
  | { type: 'placed' }
  | { type: 'failed'; message: string }
  | { type: 'requests'; orders: Array<{ tag: string | null; at: number }> };

/** Epoch ms with sub-millisecond resolution (the same clock in both processes). */
const preciseNow = () => performance.timeOrigin + performance.now();

async function placeAll(command: Extract<KiteProcessCommand, { type: 'place' }>): Promise<void> {
  for (let index = 0; index < command.count; index += 1) {
    const started = performance.now();
    const response = await fetch(command.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: command.body,
    });
    const text = await response.text();
    if (!response.ok) {
      throw new Error(`order not placed: ${response.status} ${text}`);
    }
    const wait = command.intervalMs - (performance.now() - started);
    if (wait > 0) {
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

async function main(): Promise<void> {
  const send = (reply: KiteProcessReply) => process.send?.(reply);
  const fake = await startFakeKiteServer({ instrumentCount: 2_000, heartbeatMs: 0, now: preciseNow });
  process.on('disconnect', () => {
    void fake.close().finally(() => process.exit(0));
  });
  process.on('message', (command: KiteProcessCommand) => {
    if (command.type === 'session') {
      send({ type: 'session', accessToken: fake.control.createSession() });
    } else if (command.type === 'place') {
      placeAll(command).then(
        () => send({ type: 'placed' }),
        (error: unknown) => send({ type: 'failed', message: String(error) }),
      );
    } else {
      const orders = fake.requests
        .filter((request) => request.method === 'POST' && request.path === '/orders/regular')
        .map((request) => ({ tag: new Map(request.form ?? []).get('tag') ?? null, at: request.at }));
      send({ type: 'requests', orders });
    }
  });
  send({
    type: 'ready',
    apiKey: fake.apiKey,
    apiSecret: fake.apiSecret,
    userId: fake.userId,
    baseUrl: fake.baseUrl,
    loginUrl: fake.loginUrl,
    tickerUrl: fake.tickerUrl,
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
