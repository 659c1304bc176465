import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ApiClient, ApiError, defineOperation } from './client.js';

interface Recorded {
  url: string;
  init: RequestInit;
}

function fakeFetch(status: number, body: unknown, calls: Recorded[]): typeof fetch {
  return (async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return new Response(typeof body === 'string' ? body : JSON.stringify(body), {
      status,
      headers: { 'content-type': 'application/json' },
    });
  }) as unknown as typeof fetch;
}

const place = defineOperation({
  method: 'POST',
  path: '/web/v1/placeorder',
  request: z.strictObject({ symbol: z.string().min(1), quantity: z.number().int().positive() }),
  response: z.object({ status: z.literal('success'), orderid: z.string() }),
});
const session = defineOperation({
  method: 'GET',
  path: '/web/session',
  response: z.object({ status: z.literal('success'), data: z.object({ authenticated: z.boolean() }) }),
});

describe('ApiClient', () => {
  it('sends the validated body with the CSRF token on mutations, never an API key', async () => {
    const calls: Recorded[] = [];
    const client = new ApiClient({
      baseUrl: 'http://127.0.0.1:5000',
      fetch: fakeFetch(200, { status: 'success', orderid: '42' }, calls),
    });
    client.setCsrfToken('csrf-123');
    const answer = await client.call(place, { symbol: 'SBIN', quantity: 3 });
    expect(answer.orderid).toBe('42');
    expect(calls).toHaveLength(1);
    const [call] = calls;
    expect(call?.url).toBe('http://127.0.0.1:5000/web/v1/placeorder');
    expect(call?.init.method).toBe('POST');
    expect(call?.init.credentials).toBe('include');
    expect(call?.init.headers).toMatchObject({
      'x-csrf-token': 'csrf-123',
      'content-type': 'application/json',
    });
    expect(JSON.parse(String(call?.init.body))).toEqual({ symbol: 'SBIN', quantity: 3 });
    expect(String(call?.init.body)).not.toContain('apikey');
  });

  it('adds no CSRF header to reads and encodes the query string', async () => {
    const calls: Recorded[] = [];
    const client = new ApiClient({
      baseUrl: '',
      fetch: fakeFetch(200, { status: 'success', data: { authenticated: false } }, calls),
    });
    client.setCsrfToken('csrf-123');
    await client.call(session, undefined, { query: { status: 'pending', empty: '' } });
    expect(calls[0]?.url).toBe('/web/session?status=pending');
    expect(calls[0]?.init.headers).not.toHaveProperty('x-csrf-token');
  });

  it('refuses an invalid body before anything is sent', async () => {
    const calls: Recorded[] = [];
    const client = new ApiClient({ baseUrl: '', fetch: fakeFetch(200, {}, calls) });
    await expect(client.call(place, { symbol: 'SBIN', quantity: 0 })).rejects.toMatchObject({
      kind: 'bad-request',
    });
    expect(calls).toHaveLength(0);
  });

  it('surfaces the server’s message for each OpenAlgo error envelope', async () => {
    const cases: [number, unknown, string][] = [
      [
        400,
        { status: 'error', message: "{'quantity': ['Missing data for required field.']}" },
        "{'quantity'",
      ],
      [400, { status: 'error', message: { symbol: ['Not a valid string.'] } }, 'symbol: Not a valid string.'],
      [
        400,
        { status: 'error', message: 'Validation error', errors: { offset: ['Bad offset'] } },
        'Validation error: offset: Bad offset',
      ],
      [429, { message: 'Rate limit exceeded' }, 'Rate limit exceeded'],
      [200, { status: 'error', message: 'Insufficient funds', mode: 'analyze' }, 'Insufficient funds'],
      [403, 'Access Denied: Your IP has been banned', 'Access Denied'],
    ];
    for (const [status, body, expected] of cases) {
      const client = new ApiClient({ baseUrl: '', fetch: fakeFetch(status, body, []) });
      const error = await client
        .call(place, { symbol: 'SBIN', quantity: 1 })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ApiError);
      expect((error as ApiError).message).toContain(expected);
      expect((error as ApiError).status).toBe(status);
    }
  });

  it('rejects an answer that does not match the response schema', async () => {
    const client = new ApiClient({
      baseUrl: '',
      fetch: fakeFetch(200, { status: 'success', orderid: 42 }, []),
    });
    await expect(client.call(place, { symbol: 'SBIN', quantity: 1 })).rejects.toMatchObject({
      kind: 'bad-response',
      message: expect.stringContaining('orderid'),
    });
  });

  it('tells the app when the session is gone', async () => {
    let signedOut = 0;
    const client = new ApiClient({
      baseUrl: '',
      fetch: fakeFetch(401, { status: 'error', message: 'Not signed in' }, []),
      onUnauthenticated: () => {
        signedOut += 1;
      },
    });
    await expect(client.call(session)).rejects.toMatchObject({ isUnauthenticated: true });
    expect(signedOut).toBe(1);
  });
});
