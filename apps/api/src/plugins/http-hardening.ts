import type { IncomingMessage, ServerResponse } from 'node:http';
import fastifyCors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import helmet, { type HelmetOptions } from 'helmet';
import type { Config } from '../config.js';
import { ApiError } from '../errors.js';
import { DOCS_PREFIX } from './openapi.js';

export const NUL_MESSAGE = 'Request must not contain NUL characters';

/**
 * Whether a parsed body, query or parameter set holds U+0000 in any string or key. PostgreSQL
 * stores no NUL in text or jsonb, so such input could only fail later, deep in a write.
 * Iterative: a deeply nested body cannot exhaust the stack.
 */
export function containsNul(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (typeof item === 'string') {
      if (item.includes('\u0000')) {
        return true;
      }
    } else if (Array.isArray(item)) {
      for (const entry of item) {
        stack.push(entry);
      }
    } else if (item !== null && typeof item === 'object') {
      for (const [key, entry] of Object.entries(item)) {
        if (key.includes('\u0000')) {
          return true;
        }
        stack.push(entry);
      }
    }
  }
  return false;
}

/** The origin (`ws://host:port`) of a URL, or null when it is not one. */
function originOf(url: string): string | null {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}`;
  } catch {
    return null;
  }
}

/**
 * The Content-Security-Policy of everything the api serves (the web app is a Vite build:
 * its own scripts and styles, no inline code). Connections: the api itself (fetch and its
 * UI-event WebSocket) and the market-data WebSocket (WS_URL), plus CSP_CONNECT_SRC.
 * `data:` images are the TOTP QR codes.
 */
export function contentSecurityPolicy(config: Config): Record<string, string[]> {
  const wsOrigin = originOf(config.WS_URL);
  const isHttpsOnly = config.COOKIE_SECURE === 'true';
  const directives: Record<string, string[]> = {
    'default-src': ["'self'"],
    'script-src': ["'self'"],
    'script-src-attr': ["'none'"],
    'style-src': ["'self'"],
    'img-src': ["'self'", 'data:'],
    'font-src': ["'self'"],
    'connect-src': ["'self'", ...(wsOrigin ? [wsOrigin] : []), ...config.CSP_CONNECT_SRC],
    'media-src': ["'self'"],
    'object-src': ["'none'"],
    'frame-src': ["'none'"],
    'frame-ancestors': ["'none'"],
    'base-uri': ["'self'"],
    'form-action': ["'self'"],
    'worker-src': ["'self'"],
    'manifest-src': ["'self'"],
  };
  if (isHttpsOnly) {
    directives['upgrade-insecure-requests'] = [];
  }
  if (config.CSP_REPORT_URI) {
    directives['report-uri'] = [config.CSP_REPORT_URI];
  }
  return directives;
}

type HeaderSet = Record<string, string>;

/**
 * Runs helmet once against a recording response and keeps the headers it sets: helmet's own
 * middleware (and @fastify/helmet, which rebuilds it per request) re-parses the policy on
 * every answer, a measurable share of a small API call.
 */
function helmetHeaders(options: HelmetOptions): HeaderSet {
  const headers: HeaderSet = {};
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  let failure: unknown;
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, (error?: unknown) => {
    failure = error;
  });
  if (failure) {
    throw failure;
  }
  return headers;
}

/** The header sets of every answer: the web app and pages, and the JSON API. */
export function securityHeaders(config: Config): { page: HeaderSet; api: HeaderSet } {
  const common: HelmetOptions = {
    // HSTS only where the operator says the site is served over https.
    strictTransportSecurity: config.COOKIE_SECURE === 'true' ? { maxAge: 31_536_000 } : false,
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
    crossOriginEmbedderPolicy: false,
  };
  const permissions = {
    'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
  };
  const page = {
    ...helmetHeaders({
      ...common,
      contentSecurityPolicy: config.CSP_ENABLED
        ? {
            useDefaults: false,
            directives: contentSecurityPolicy(config),
            reportOnly: config.CSP_REPORT_ONLY,
          }
        : false,
    }),
    ...permissions,
  };
  // A JSON answer is never rendered: it needs no more policy than "nothing may load, nothing
  // may frame it"; the same frame, sniffing and referrer protection as a page.
  const api = {
    ...helmetHeaders({
      ...common,
      contentSecurityPolicy: config.CSP_ENABLED
        ? {
            useDefaults: false,
            directives: { 'default-src': ["'none'"], 'frame-ancestors': ["'none'"] },
            reportOnly: config.CSP_REPORT_ONLY,
          }
        : false,
    }),
    ...permissions,
  };
  return { page, api };
}

/**
 * Security headers on every answer (helmet's set, computed once: CSP, frame denial, nosniff,
 * referrer policy, cross-origin isolation headers, HSTS when the site is https-only) and CORS
 * on `/api/*` only when enabled, configured by the spec's variables (api-v1 §1).
 */
async function httpHardeningPlugin(app: FastifyInstance, options: { config: Config }): Promise<void> {
  const { config } = options;
  const { page, api } = securityHeaders(config);
  app.addHook('onRequest', (request, reply, done) => {
    const url = request.url;
    reply.headers(url.startsWith('/api/') && !url.startsWith(DOCS_PREFIX) ? api : page);
    done();
  });
  // Before any route's validation (both doors, web routes, webhooks): a NUL is refused as bad input.
  app.addHook('preValidation', (request, _reply, done) => {
    const hasNul = containsNul(request.body) || containsNul(request.query) || containsNul(request.params);
    done(hasNul ? ApiError.message(400, NUL_MESSAGE) : undefined);
  });
  if (config.CORS_ENABLED) {
    const allowed = new Set(config.CORS_ALLOWED_ORIGINS);
    await app.register(fastifyCors, {
      hook: 'onRequest',
      delegator: (request, callback) => {
        const path = request.url ?? '';
        if (!path.startsWith('/api/')) {
          // CORS applies to the REST API only; the web app is same-origin.
          callback(null, { origin: false });
          return;
        }
        callback(null, {
          origin: (origin, done) =>
            done(null, origin !== undefined && (allowed.has('*') || allowed.has(origin))),
          methods: config.CORS_ALLOWED_METHODS,
          allowedHeaders: config.CORS_ALLOWED_HEADERS,
          exposedHeaders: config.CORS_EXPOSED_HEADERS,
          credentials: config.CORS_ALLOW_CREDENTIALS,
          maxAge: config.CORS_MAX_AGE,
        });
      },
    });
  }
}

export const httpHardening = fp(httpHardeningPlugin, { name: 'http-hardening', fastify: '5.x' });
