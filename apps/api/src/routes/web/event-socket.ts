import websocket from '@fastify/websocket';
import {
  parseWsMode,
  type WsMode,
  wsClientEnvelopeSchema,
  wsSubscriptionRequestSchema,
  wsSymbolEntrySchema,
} from '@openalgo/shared-types';
import { marketTopic } from '@openalgo/stream-bus';
import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import { WEB_ERRORS } from '../../plugins/session-auth.js';
import type { AppEventMap } from '../../services/events.js';
import { orderUpdateFields } from '../../services/streaming/market-hub.js';

/** Bytes waiting on a UI socket past which its ticks are held (latest per topic). */
const HIGH_WATER_BYTES = 512 * 1_024;
/** A UI socket that stays that far behind this long is closed. */
const SLOW_LIMIT_MS = 30_000;

const ORDER_EVENTS = [
  'order.placed',
  'order.updated',
  'order.filled',
  'order.rejected',
  'order.cancelled',
] as const;

/**
 * The web app's event socket, `GET /web/events` (WebSocket), authenticated by the web session
 * cookie (the session door's onRequest hook refuses the upgrade without one) and scoped to the
 * signed-in user: its order events (`order_update`, plus `order_event` for live placements and
 * `analyzer_update` in analyzer mode), the analyzer switch (`app_mode_changed`), Action Center
 * events, and `market_data` ticks for the symbols the app subscribes to on the same socket
 * (`{"action":"subscribe","symbols":[…],"mode":2}`), served in-process by the market-data hub.
 */
export async function eventSocketRoutes(app: FastifyInstance): Promise<void> {
  await app.register(websocket, { options: { maxPayload: 256 * 1_024, perMessageDeflate: false } });

  // The checks run once the socket is open and end it with a close code: a refused HTTP
  // upgrade would leave the raw socket to the client.
  app.get('/events', { websocket: true, config: { webSession: 'optional' } }, (socket, request) => {
    // Browsers send Origin on every WebSocket handshake: refuse another site's page.
    const origin = request.headers.origin;
    if (origin !== undefined && origin !== `${request.protocol}://${request.host}`) {
      socket.close(4403, WEB_ERRORS.crossOrigin);
      return;
    }
    const session = request.webSession;
    if (!session) {
      socket.close(4401, WEB_ERRORS.notSignedIn);
      return;
    }
    serveEventSocket(app, socket, session.userId);
  });
}

function serveEventSocket(app: FastifyInstance, socket: WebSocket, userId: number): void {
  const { events, hub, logger } = app.services;
  const offs: Array<() => void> = [];
  const topics = new Map<string, () => void>();
  const heldTicks = new Map<string, string>();
  let slowSince = 0;

  const sendText = (text: string) => {
    if (socket.readyState === 1) {
      socket.send(text);
    }
  };
  const sendEvent = (event: string, data: unknown) => sendText(JSON.stringify({ event, data }));
  const sendError = (code: string, message: string) =>
    sendText(JSON.stringify({ type: 'error', status: 'error', code, message }));

  for (const name of ORDER_EVENTS) {
    offs.push(
      events.on(name, (event: AppEventMap[typeof name]) => {
        if (event.userId !== userId) {
          return;
        }
        sendEvent('order_update', orderUpdateFields(event));
        if (name === 'order.placed' && event.mode === 'live') {
          sendEvent('order_event', {
            symbol: event.symbol,
            action: event.action,
            orderid: event.orderid,
            exchange: event.exchange,
            price_type: event.pricetype,
            product_type: event.product,
            mode: 'live',
          });
        } else if (event.mode === 'analyze') {
          sendEvent('analyzer_update', { request: {}, response: orderUpdateFields(event) });
        }
      }),
    );
  }
  offs.push(
    events.on('analyzer.mode', (event) => sendEvent('app_mode_changed', { analyze_mode: event.analyzeMode })),
  );
  // Action Center (§10): the web app refetches its queue on either event.
  offs.push(
    events.on('action_center', (event) => {
      if (event.userId !== userId) {
        return;
      }
      if (event.type === 'pending_order_created') {
        sendEvent('pending_order_created', {
          pending_order_id: event.pendingOrderId,
          api_type: event.apiType,
          message: `New ${event.apiType} order queued for approval`,
        });
      } else if (event.action === 'batch_approved') {
        sendEvent('pending_order_updated', { action: event.action, count: event.count });
      } else {
        sendEvent('pending_order_updated', { action: event.action, order_id: event.pendingOrderId });
      }
    }),
  );

  // Ticks: latest value per topic while the socket is behind; never an unbounded buffer.
  const deliverTick = (topic: string, frame: string) => {
    if (slowSince === 0 && socket.bufferedAmount < HIGH_WATER_BYTES) {
      sendText(frame);
      return;
    }
    if (slowSince === 0) {
      slowSince = Date.now();
    }
    heldTicks.set(topic, frame);
  };
  const flushTimer = setInterval(() => {
    if (slowSince === 0) {
      return;
    }
    for (const [topic, frame] of heldTicks) {
      if (socket.bufferedAmount >= HIGH_WATER_BYTES) {
        break;
      }
      heldTicks.delete(topic);
      sendText(frame);
    }
    if (heldTicks.size === 0 && socket.bufferedAmount < HIGH_WATER_BYTES) {
      slowSince = 0;
    } else if (Date.now() - slowSince > SLOW_LIMIT_MS) {
      socket.close(4008, 'slow consumer');
    }
  }, 50);
  flushTimer.unref();

  const subscribe = (entries: Array<{ symbol: string; exchange: string }>, mode: WsMode, depth: number) => {
    if (!hub) {
      sendError('BROKER_ERROR', 'Market data is not enabled on this server');
      return;
    }
    const results = hub.resolve(entries, mode, depth);
    for (const result of results) {
      if (!result.ok) {
        continue;
      }
      const topic = marketTopic(result.exchange, result.symbol, mode, result.depth);
      if (topics.has(topic)) {
        continue;
      }
      const prefix = `{"type":"market_data","symbol":${JSON.stringify(result.symbol)},"exchange":${JSON.stringify(
        result.exchange,
      )},"mode":${mode},"broker":${JSON.stringify(hub.brokerId)},"data":`;
      topics.set(
        topic,
        hub.subscribeLocal(topic, (payload) => deliverTick(topic, `${prefix}${payload}}`)),
      );
    }
    sendText(
      JSON.stringify({
        type: 'subscribe',
        status: results.every((result) => result.ok) ? 'success' : 'partial',
        subscriptions: results.map((result) => ({
          symbol: result.symbol,
          exchange: result.exchange,
          status: result.ok ? 'success' : 'error',
          ...(result.message ? { message: result.message } : {}),
        })),
      }),
    );
  };
  const unsubscribe = (entries: Array<{ symbol: string; exchange: string; mode: WsMode }>) => {
    for (const { symbol, exchange, mode } of entries) {
      for (const [topic, off] of topics) {
        if (
          topic === marketTopic(exchange, symbol, mode) ||
          (mode === 3 && topic.startsWith(`md|${exchange}|${symbol}|3.`))
        ) {
          off();
          topics.delete(topic);
          heldTicks.delete(topic);
        }
      }
    }
    sendText(JSON.stringify({ type: 'unsubscribe', status: 'success' }));
  };

  socket.on('message', (data, isBinary) => {
    let message: unknown;
    try {
      message = isBinary ? undefined : JSON.parse(String(data));
    } catch {
      message = undefined;
    }
    const envelope = wsClientEnvelopeSchema.safeParse(message);
    if (!envelope.success) {
      sendError('INVALID_JSON', 'Invalid JSON message');
      return;
    }
    const action = envelope.data.action ?? envelope.data.type;
    if (action === 'ping') {
      sendText(JSON.stringify({ type: 'pong', status: 'success', server_timestamp: Date.now() }));
      return;
    }
    if (action !== 'subscribe' && action !== 'unsubscribe') {
      sendError('INVALID_ACTION', `Invalid action: ${String(action)}`);
      return;
    }
    const request = wsSubscriptionRequestSchema.parse(envelope.data);
    const mode = parseWsMode(request.mode);
    if (mode === null) {
      sendError('INVALID_MODE', 'Invalid mode. Use 1/2/3 or LTP/Quote/Depth');
      return;
    }
    const list = Array.isArray(request.symbols) ? request.symbols : [];
    const entries: Array<{ symbol: string; exchange: string; mode: WsMode }> = [];
    for (const raw of list.slice(0, 1_000)) {
      const entry = wsSymbolEntrySchema.safeParse(raw);
      const { symbol, exchange } = entry.success ? entry.data : {};
      if (
        typeof symbol === 'string' &&
        typeof exchange === 'string' &&
        symbol.length > 0 &&
        symbol.length <= 100 &&
        exchange.length <= 20
      ) {
        const entryMode =
          entry.success && entry.data.mode !== undefined ? parseWsMode(entry.data.mode) : mode;
        entries.push({ symbol, exchange, mode: entryMode ?? mode });
      }
    }
    if (entries.length === 0) {
      sendError('INVALID_PARAMETERS', 'At least one symbol must be specified');
      return;
    }
    if (action === 'subscribe') {
      const depth = typeof request.depth === 'number' && request.depth > 0 ? request.depth : 5;
      subscribe(entries, mode, depth);
    } else {
      unsubscribe(entries);
    }
  });

  socket.on('close', () => {
    clearInterval(flushTimer);
    for (const off of offs) {
      off();
    }
    for (const off of topics.values()) {
      off();
    }
    topics.clear();
    heldTicks.clear();
  });
  socket.on('error', (error) => logger.debug({ err: error }, 'event socket error'));
}
