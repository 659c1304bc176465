import { Redis } from 'ioredis';
import type { Logger } from 'pino';

/**
 * The api's Redis connections (when REDIS_URL is set): one for commands, shared by everything
 * that needs Redis (rate limits, abuse counters, ban announcements), and one for
 * subscriptions, which Redis reserves for pub/sub once it subscribes.
 */
export interface RedisConnections {
  client: Redis;
  subscriber: Redis;
  /** Prefix of every key and channel (REDIS_KEY_PREFIX). */
  prefix: string;
  close(): Promise<void>;
}

export function connectRedis(url: string, prefix: string, logger: Logger): RedisConnections {
  const options = {
    // Fail a command fast instead of queueing it for ever while Redis is away.
    maxRetriesPerRequest: 2,
    connectTimeout: 5_000,
    retryStrategy: (attempt: number) => Math.min(attempt * 200, 5_000),
  };
  const client = new Redis(url, { ...options, connectionName: 'openalgo-api' });
  // No ready check on the subscriber: its INFO would be refused once the connection is in
  // subscriber mode (a subscription queued before the connection was up).
  const subscriber = new Redis(url, {
    ...options,
    connectionName: 'openalgo-api-sub',
    enableReadyCheck: false,
  });
  let lastWarning = 0;
  for (const connection of [client, subscriber]) {
    connection.on('error', (error: Error) => {
      // ioredis reconnects by itself; say so at most every 10 s.
      if (Date.now() - lastWarning > 10_000) {
        lastWarning = Date.now();
        logger.warn({ err: error }, 'redis connection error');
      }
    });
  }
  return {
    client,
    subscriber,
    prefix,
    close: async () => {
      await Promise.allSettled([client.quit(), subscriber.quit()]);
    },
  };
}
