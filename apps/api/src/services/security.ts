import { LRUCache } from 'lru-cache';

export interface SecurityServiceOptions {
  /** Invalid API-key attempts from one IP before it is banned (OpenAlgo: 100). 0 disables. */
  invalidKeyThreshold: number;
  /** How long a ban lasts, ms; 0 = permanent (OpenAlgo's default). */
  banDurationMs: number;
  now: () => number;
}

/**
 * Automatic IP bans after repeated invalid API keys (api-v1 §1.1). Counters are bounded;
 * loopback is never banned automatically, so a local script cannot lock the operator out.
 */
export class SecurityService {
  readonly #options: SecurityServiceOptions;
  readonly #attempts = new LRUCache<string, number>({ max: 100_000, ttl: 24 * 60 * 60 * 1_000 });
  readonly #bans = new Map<string, number | null>();

  constructor(options: SecurityServiceOptions) {
    this.#options = options;
  }

  isBanned(ip: string): boolean {
    if (!this.#bans.has(ip)) {
      return false;
    }
    const until = this.#bans.get(ip);
    if (until === null || until === undefined || until > this.#options.now()) {
      return true;
    }
    this.#bans.delete(ip);
    return false;
  }

  recordInvalidKey(ip: string): void {
    if (this.#options.invalidKeyThreshold <= 0 || isLoopback(ip)) {
      return;
    }
    const attempts = (this.#attempts.get(ip) ?? 0) + 1;
    this.#attempts.set(ip, attempts);
    if (attempts >= this.#options.invalidKeyThreshold) {
      this.ban(ip);
      this.#attempts.delete(ip);
    }
  }

  ban(ip: string, durationMs: number = this.#options.banDurationMs): void {
    this.#bans.set(ip, durationMs > 0 ? this.#options.now() + durationMs : null);
  }

  unban(ip: string): void {
    this.#bans.delete(ip);
    this.#attempts.delete(ip);
  }

  listBans(): Array<{ ip: string; until: number | null }> {
    return [...this.#bans.entries()].map(([ip, until]) => ({ ip, until: until ?? null }));
  }
}

export function isLoopback(ip: string): boolean {
  return ip === '::1' || ip.startsWith('127.') || ip.startsWith('::ffff:127.');
}
