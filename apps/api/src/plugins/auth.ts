import type { OrderMode } from '@openalgo/db';
import { API_MESSAGES } from '@openalgo/shared-types';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ApiError } from '../errors.js';
import type { BrokerSession } from '../services/broker-sessions.js';

/**
 * `S`: a valid key and a live broker session; `K`: a valid key; `none`: not checked
 * (api-v1 §0 "auth" column).
 */
export type AuthClass = 'session' | 'key' | 'none';

/**
 * Who is calling, the same through either door: the API key (`/api/v1`, `apiKeyId` set) or the
 * web session (`/web/v1`, `apiKeyId` null; the order mode is that of the user's key).
 */
export interface RequestAuth {
  userId: number;
  apiKeyId: number | null;
  orderMode: OrderMode;
  session: BrokerSession | null;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: AuthClass;
    /** Where the key comes from; default: the JSON body field `apikey`. */
    apiKeyFrom?: 'body' | 'query' | 'header-or-query' | 'body-or-header' | 'body-header-or-query';
    /** Status and message for a bad key when the route deviates from 403 "Invalid openalgo apikey". */
    invalidKey?: { statusCode: number; message: string; mode?: 'analyze' };
    /** Status and message when no key was presented at all, where it differs from `invalidKey`. */
    missingKey?: { statusCode: number; message: string };
  }
  interface FastifyRequest {
    auth: RequestAuth | null;
  }
}

function readString(source: unknown, field: string): string | undefined {
  if (source && typeof source === 'object' && field in source) {
    const value = (source as Record<string, unknown>)[field];
    return typeof value === 'string' ? value : undefined;
  }
  return undefined;
}

export function extractApiKey(request: FastifyRequest): string | undefined {
  const from = request.routeOptions.config.apiKeyFrom ?? 'body';
  const header = request.headers['x-api-key'];
  const headerKey = typeof header === 'string' ? header : undefined;
  switch (from) {
    case 'body':
      return readString(request.body, 'apikey');
    case 'query':
      return readString(request.query, 'apikey');
    case 'header-or-query':
      return headerKey ?? readString(request.query, 'apikey');
    case 'body-or-header':
      return readString(request.body, 'apikey') ?? headerKey;
    case 'body-header-or-query':
      return readString(request.body, 'apikey') ?? headerKey ?? readString(request.query, 'apikey');
  }
}

/**
 * API-key authentication for `/api/v1`. Runs after schema validation (api-v1 §2.3: schema
 * errors come first), reads the key where the route says, and sets `request.auth`.
 */
async function authPlugin(app: FastifyInstance): Promise<void> {
  app.decorateRequest('auth', null);
  app.addHook('preHandler', async (request) => {
    const authClass = request.routeOptions.config.auth ?? 'none';
    if (authClass === 'none') {
      return;
    }
    const invalid = request.routeOptions.config.invalidKey;
    const refuse = () =>
      invalid
        ? ApiError.message(invalid.statusCode, invalid.message, invalid.mode ? { mode: invalid.mode } : {})
        : ApiError.message(403, API_MESSAGES.invalidApiKey);
    const key = extractApiKey(request);
    if (!key) {
      const missing = request.routeOptions.config.missingKey;
      throw missing ? ApiError.message(missing.statusCode, missing.message) : refuse();
    }
    const identity = await app.services.apiKeys.verify(key);
    if (!identity) {
      app.services.security.recordInvalidKey(request.ip);
      throw refuse();
    }
    let session: BrokerSession | null = null;
    if (authClass === 'session') {
      session = await app.services.brokerSessions.getActive(identity.userId);
      if (!session) {
        // Deliberately the same answer as a bad key (api-v1 §2.2).
        throw refuse();
      }
    }
    request.auth = { ...identity, session };
  });
}

export const auth = fp(authPlugin, { name: 'auth', fastify: '5.x', dependencies: ['services'] });
