import { z } from 'zod';

const seconds = (fallback: number) => z.coerce.number().min(0.01).max(86_400).default(fallback);

/** The ws-proxy's environment, parsed once (house rule 16). */
export const proxyEnvSchema = z.object({
  WS_HOST: z.string().min(1).default('127.0.0.1'),
  WS_PORT: z.coerce.number().int().min(0).max(65_535).default(8765),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** The hub's XPUB socket (ticks, order updates, feed status). */
  HUB_PUBLISH_URL: z.string().min(1).default('tcp://127.0.0.1:5555'),
  /** The hub's control socket (API keys, symbol checks, order replay). */
  HUB_CONTROL_URL: z.string().min(1).default('tcp://127.0.0.1:5556'),
  HUB_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(5_000),
  /** A socket that has not authenticated by then is closed with 4401 `auth timeout`. */
  WS_AUTH_GRACE_SECONDS: seconds(15),
  /** Protocol pings; no pong within the timeout closes the socket. */
  WS_PING_INTERVAL: seconds(20),
  WS_PING_TIMEOUT: seconds(20),
  /** Largest client message accepted. */
  WS_MAX_MESSAGE_BYTES: z.coerce
    .number()
    .int()
    .min(1_024)
    .max(64 * 1_048_576)
    .default(1_048_576),
  /** Client messages waiting to be processed on one socket before it is closed. */
  WS_MAX_QUEUE: z.coerce.number().int().min(1).max(100_000).default(1_024),
  /** Bytes waiting on a client socket past which its ticks are conflated (latest value wins). */
  WS_HIGH_WATER_BYTES: z.coerce
    .number()
    .int()
    .min(1_024)
    .max(64 * 1_048_576)
    .default(262_144),
  /**
   * Socket writes a second the proxy stays under by merging clients' batches (a batch then waits
   * up to 10 ms); 0 writes at the end of every event-loop turn. A few clients never wait.
   */
  WS_MAX_WRITES_PER_SECOND: z.coerce.number().int().min(0).max(10_000_000).default(20_000),
  /** A client that stays behind this long is disconnected (4008 `slow consumer`). */
  WS_SLOW_CLIENT_SECONDS: seconds(30),
  /** Replies and order updates held for a slow client before it is disconnected. */
  WS_MAX_PENDING_MESSAGES: z.coerce.number().int().min(1).max(1_000_000).default(2_000),
  /** Symbols one subscribe request may carry. */
  WS_MAX_SYMBOLS_PER_REQUEST: z.coerce.number().int().min(1).max(10_000).default(3_000),
});

export type ProxyConfig = Readonly<z.infer<typeof proxyEnvSchema>>;

export function loadProxyConfig(env: Record<string, string | undefined> = process.env): ProxyConfig {
  const result = proxyEnvSchema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `  - ${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`invalid ws-proxy configuration:\n${problems.join('\n')}`);
  }
  return Object.freeze(result.data);
}
