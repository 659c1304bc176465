import type { onSendHookHandler } from 'fastify';

/**
 * An `onSend` hook for routes whose text formats answer errors as plain text (`/ticker` with
 * `format=txt`, `/instruments` with `format=csv`): when the raw query asks for that format,
 * a JSON error body becomes `text/plain` with its message and a newline, status unchanged.
 */
export function plainTextErrorsWhen(parameter: string, value: string): onSendHookHandler {
  return async (request, reply, payload) => {
    const query = request.query as Record<string, unknown> | undefined;
    if (reply.statusCode < 400 || query?.[parameter] !== value || typeof payload !== 'string') {
      return payload;
    }
    let message: string = payload;
    try {
      const body = JSON.parse(payload) as { message?: unknown };
      message = typeof body.message === 'string' ? body.message : JSON.stringify(body.message ?? body);
    } catch {
      // Not JSON: already text.
    }
    reply.type('text/plain; charset=utf-8');
    return `${message}\n`;
  };
}
