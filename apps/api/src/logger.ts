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

type LevelName = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/**
 * A request's logger that becomes a real pino child only when something is logged at an
 * enabled level. Fastify makes a child per request; with redaction configured, each one costs
 * a pass over the bindings — a measurable share of a small API call that usually logs nothing.
 */
export class LazyChildLogger {
  #child: Logger | undefined;
  #level: string | undefined;
  readonly #parent: Logger;
  readonly #bindings: pino.Bindings;
  readonly #options: pino.ChildLoggerOptions | undefined;

  constructor(parent: Logger, bindings: pino.Bindings, options?: pino.ChildLoggerOptions) {
    this.#parent = parent;
    this.#bindings = bindings;
    this.#options = options;
  }

  #real(): Logger {
    if (!this.#child) {
      this.#child = this.#parent.child(this.#bindings, this.#options);
      if (this.#level !== undefined) {
        this.#child.level = this.#level;
      }
    }
    return this.#child;
  }

  get level(): string {
    return this.#child?.level ?? this.#level ?? this.#options?.level ?? this.#parent.level;
  }

  set level(level: string) {
    this.#level = level;
    if (this.#child) {
      this.#child.level = level;
    }
  }

  get msgPrefix(): string | undefined {
    return this.#real().msgPrefix;
  }

  isLevelEnabled(level: string): boolean {
    return this.#child ? this.#child.isLevelEnabled(level) : this.#enabled(level);
  }

  #enabled(level: string): boolean {
    const own = this.#level ?? this.#options?.level;
    if (own === undefined) {
      return this.#parent.isLevelEnabled(level);
    }
    const values = this.#parent.levels.values;
    return (values[level] ?? 0) >= (values[own] ?? Number.POSITIVE_INFINITY);
  }

  #log(level: LevelName, args: unknown[]): void {
    if (this.#child || this.#enabled(level)) {
      (this.#real()[level] as (...values: unknown[]) => void)(...args);
    }
  }

  fatal(...args: unknown[]): void {
    this.#log('fatal', args);
  }
  error(...args: unknown[]): void {
    this.#log('error', args);
  }
  warn(...args: unknown[]): void {
    this.#log('warn', args);
  }
  info(...args: unknown[]): void {
    this.#log('info', args);
  }
  debug(...args: unknown[]): void {
    this.#log('debug', args);
  }
  trace(...args: unknown[]): void {
    this.#log('trace', args);
  }
  silent(): void {}

  child(bindings: pino.Bindings, options?: pino.ChildLoggerOptions): Logger {
    return this.#real().child(bindings, options);
  }
}
