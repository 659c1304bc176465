import fastifyCors from '@fastify/cors';
import fastifyHelmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config.js';

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

/**
 * Security headers on every answer (helmet: CSP, frame denial, nosniff, referrer policy,
 * cross-origin isolation headers, HSTS when the site is https-only) and CORS on `/api/*`
 * only when enabled, configured by the spec's variables (api-v1 §1).
 */
async function httpHardeningPlugin(app: FastifyInstance, options: { config: Config }): Promise<void> {
  const { config } = options;
  await app.register(fastifyHelmet, {
    global: true,
    contentSecurityPolicy: config.CSP_ENABLED
      ? { useDefaults: false, directives: contentSecurityPolicy(config), reportOnly: config.CSP_REPORT_ONLY }
      : false,
    // HSTS only where the operator says the site is served over https.
    strictTransportSecurity: config.COOKIE_SECURE === 'true' ? { maxAge: 31_536_000 } : false,
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
    crossOriginEmbedderPolicy: false,
  });
  app.addHook('onSend', async (_request, reply) => {
    reply.header('permissions-policy', 'camera=(), microphone=(), geolocation=(), payment=(), usb=()');
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
