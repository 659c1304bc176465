import websocket from '@fastify/websocket';
import { type BrokerInfo, type FeedStatusMessage, HubClient } from '@openalgo/stream-bus';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Logger } from 'pino';
import { ClientConnection } from './client-connection.js';
import type { ProxyConfig } from './config.js';
import { FanOut } from './fan-out.js';
import { WriteBatcher } from './outbox.js';
import { jsonFrame } from './ws-frame.js';

export interface ProxyDeps {
  logger: Logger;
  now?: () => number;
}

export interface ProxyStats {
  clients: number;
  authenticated: number;
  topics: number;
  slowClients: number;
  ticksIn: number;
  framesOut: number;
  conflated: number;
  /** Frames held for slow clients right now (bounded by their subscriptions and the pending limit). */
  heldFrames: number;
  /** Bytes waiting in client sockets right now. */
  bufferedBytes: number;
}

export interface WsProxy {
  app: FastifyInstance;
  hub: HubClient;
  stats(): ProxyStats;
}

declare module 'fastify' {
  interface FastifyInstance {
    proxyStats: () => ProxyStats;
  }
}

/**
 * The ws-proxy, ready to `listen` and never listening itself (house rule 18): Fastify +
 * @fastify/websocket on any path, OpenAlgo's protocol per connection, ticks from the hub
 * over ZeroMQ. Closing the app closes every client socket and the hub connection.
 */
export async function buildProxy(config: ProxyConfig, deps: ProxyDeps): Promise<WsProxy> {
  const now = deps.now ?? Date.now;
  const logger = deps.logger;
  const hub = new HubClient({
    publishUrl: config.HUB_PUBLISH_URL,
    controlUrl: config.HUB_CONTROL_URL,
    logger: logger.child({ component: 'hub-client' }),
    requestTimeoutMs: config.HUB_REQUEST_TIMEOUT_MS,
  });
  let brokerInfo: BrokerInfo | null = null;
  const fanOut = new FanOut({ hub, logger, broker: () => brokerInfo?.broker ?? 'unknown' });
  const batcher = new WriteBatcher({ writesPerSecond: config.WS_MAX_WRITES_PER_SECOND });
  const connections = new Set<ClientConnection>();
  let conflatedByClosed = 0;

  let lastFeedState: FeedStatusMessage['state'] | null = null;
  hub.onStatus((status) => {
    if (status.state === lastFeedState) {
      return;
    }
    const isFirst = lastFeedState === null;
    lastFeedState = status.state;
    if (isFirst && status.state === 'connected') {
      return;
    }
    const frame = jsonFrame({
      type: 'feed_status',
      status: status.state,
      broker: status.broker,
      message: status.message,
      timestamp: status.at,
    });
    for (const connection of connections) {
      connection.notify(frame);
    }
  });

  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
  });
  await app.register(websocket, {
    options: { maxPayload: config.WS_MAX_MESSAGE_BYTES, perMessageDeflate: false, clientTracking: false },
  });

  // Slow clients: write what they hold as their sockets drain; cut off the ones that stay behind.
  const slowLimitMs = config.WS_SLOW_CLIENT_SECONDS * 1_000;
  const flushTimer = setInterval(() => {
    const at = now();
    for (const connection of connections) {
      const outbox = connection.outbox;
      if (!outbox.isSlow) {
        continue;
      }
      if (!outbox.flush(at) && at - outbox.slowSince > slowLimitMs) {
        connection.disconnect(4008, `slow consumer: behind for more than ${config.WS_SLOW_CLIENT_SECONDS} s`);
      }
    }
  }, 10);
  flushTimer.unref();

  // Protocol keepalive: a ping every interval; no pong by the timeout closes the socket.
  const pingTimer = setInterval(() => {
    const at = now();
    for (const connection of connections) {
      if (!connection.isAlive && at - connection.lastPingAt > config.WS_PING_TIMEOUT * 1_000) {
        connection.terminate();
        continue;
      }
      if (connection.isAlive) {
        connection.isAlive = false;
        connection.lastPingAt = at;
        connection.ping();
      }
    }
  }, config.WS_PING_INTERVAL * 1_000);
  pingTimer.unref();

  const handleSocket = (socket: import('ws').WebSocket, request: import('fastify').FastifyRequest): void => {
    const connection = new ClientConnection(socket, request.raw.socket, {
      config,
      hub,
      fanOut,
      batcher,
      logger,
      now,
      brokerInfo: () => brokerInfo,
      rememberBrokerInfo: (info) => {
        brokerInfo = info;
      },
      onClosed: (closed) => {
        conflatedByClosed += closed.outbox.conflated;
        connections.delete(closed);
      },
    });
    connections.add(connection);
  };
  // Any path is accepted (OpenAlgo logs it only).
  app.get('/', { websocket: true }, handleSocket);
  app.get('/*', { websocket: true }, handleSocket);

  const stats = (): ProxyStats => {
    let authenticated = 0;
    let slowClients = 0;
    let conflated = conflatedByClosed;
    let heldFrames = 0;
    let bufferedBytes = 0;
    for (const connection of connections) {
      heldFrames += connection.outbox.pendingCount;
      bufferedBytes += connection.outbox.bufferedBytes;
      authenticated += connection.isAuthenticated ? 1 : 0;
      slowClients += connection.outbox.isSlow ? 1 : 0;
      conflated += connection.outbox.conflated;
    }
    return {
      clients: connections.size,
      authenticated,
      topics: fanOut.topicCount,
      slowClients,
      ticksIn: fanOut.ticksIn,
      framesOut: fanOut.framesOut,
      conflated,
      heldFrames,
      bufferedBytes,
    };
  };
  app.decorate('proxyStats', stats);

  app.addHook('onClose', async () => {
    clearInterval(flushTimer);
    clearInterval(pingTimer);
    for (const connection of [...connections]) {
      connection.disconnect(1001, 'server shutting down');
    }
    hub.close();
  });
  hub.start();
  return { app, hub, stats };
}
