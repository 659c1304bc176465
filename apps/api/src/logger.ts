import pino, { type Logger } from 'pino';
import type { Config } from './config.js';

/** Paths pino masks wherever they appear: keys, tokens, passwords, cookies. */
export const REDACTED_PATHS = [
  'apikey',
  '*.apikey',
  '*.*.apikey',
  'password',
  '*.password',
  'access_token',
  '*.access_token',
  '*.accessToken',
  'token',
  '*.token',
  'secret',
  '*.secret',
  '*.api_secret',
  '*.new_password',
  '*.current_password',
  '*.login_token',
  '*.csrf_token',
  '*.recovery_codes',
  '*.code',
  'req.headers.authorization',
  'req.headers["x-csrf-token"]',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
];

export function createLogger(config: Pick<Config, 'LOG_LEVEL' | 'LOG_PRETTY'>, name = 'api'): Logger {
  return pino({
    name,
    level: config.LOG_LEVEL,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    ...(config.LOG_PRETTY ? { transport: { target: 'pino-pretty' } } : {}),
  });
}

export type { Logger };
