/**
 * Errors that mean "the database cannot be reached right now" rather than "this statement is
 * wrong": the connection was closed, reset, refused or timed out, or the server is shutting
 * down or not yet accepting connections. Callers answer these with 503 (try again), never as
 * an internal error, and may retry the whole operation.
 */

/** postgres.js connection errors, and the socket errors under them. */
const CONNECTION_CODES = new Set([
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
  // Our driver: the database is known to be away, or a statement got no answer in time.
  'DATABASE_UNREACHABLE',
  'QUERY_TIMEOUT',
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * SQLSTATEs of the server going away: class 08 (connection exception), admin / crash
 * shutdown, cannot connect now (starting up or in recovery), too many connections.
 */
const UNAVAILABLE_SQLSTATE = /^(08...|57P0[1-3]|53300)$/;

export function isDatabaseUnavailable(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && (CONNECTION_CODES.has(code) || UNAVAILABLE_SQLSTATE.test(code))) {
      return true;
    }
    current = current.cause;
  }
  return false;
}
