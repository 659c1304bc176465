/**
 * `@openalgo/broker-sdk/ws`: a WebSocket that stays connected (backoff reconnect with jitter and
 * a cap, resubscribe hook, heartbeat, stale detection), for broker streaming adapters. The `ws`
 * package is the default constructor (see README "Decisions"); any WHATWG-style one can be injected.
 */
export { type BackoffPolicy, backoffDelay, DEFAULT_BACKOFF } from './backoff.js';
export {
  type ConnectedSocket,
  type DialVerdict,
  ReconnectingWebSocket,
  type ReconnectingWebSocketOptions,
  SocketClosedError,
  type WebSocketCloseEvent,
  type WebSocketConstructor,
  type WebSocketLike,
  type WebSocketMessageEvent,
} from './reconnecting-web-socket.js';
