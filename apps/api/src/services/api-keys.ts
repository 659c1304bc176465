import { createHmac, randomBytes } from 'node:crypto';
import {
  type Database,
  findActiveApiKeyByHash,
  findActiveApiKeyForUser,
  type Kysely,
  type OrderMode,
} from '@openalgo/db';
import { LRUCache } from 'lru-cache';

/** An API key: 32 random bytes, hex (64 characters), as OpenAlgo issues them. */
export function generateApiKey(): string {
  return randomBytes(32).toString('hex');
}

/** The stored form: HMAC-SHA256 under the server's pepper. A lookup is one index probe. */
export function hashApiKey(key: string, pepper: string): string {
  return createHmac('sha256', pepper).update(key, 'utf8').digest('hex');
}

export interface ApiKeyIdentity {
  apiKeyId: number;
  userId: number;
  orderMode: OrderMode;
}

export interface ApiKeyVerifierOptions {
  db: Kysely<Database>;
  pepper: string;
  /** Seconds a valid key stays cached; 0 disables the cache. */
  ttlSeconds: number;
}

/**
 * How long a user's active key (`activeKeyOf`) is served from memory. Rotation and order-mode
 * changes invalidate it at once, here and (announced) in every process; this bounds a change
 * nobody announced.
 */
const USER_KEY_TTL_MS = 5_000;
/** A user without an active key is asked again after this long. */
const USER_KEY_MISS_TTL_MS = 1_000;

/**
 * Verifies API keys with a bounded cache of hash → identity, so the hot path costs one HMAC.
 * Unknown keys are cached briefly too, so a flood of bad keys cannot hammer the database.
 * `invalidate()` drops everything at once (rotation, order-mode change).
 */
export class ApiKeyVerifier {
  readonly #db: Kysely<Database>;
  readonly #pepper: string;
  readonly #valid: LRUCache<string, ApiKeyIdentity> | null;
  readonly #invalid = new LRUCache<string, true>({ max: 10_000, ttl: 2_000 });
  readonly #inflight = new Map<string, Promise<ApiKeyIdentity | null>>();
  /** Recently seen keys → their hash, so the hot path skips the HMAC (memory only). */
  readonly #hashes = new LRUCache<string, string>({ max: 1_000 });
  /** User id → that user's active key, or `null` for none (work without a request). */
  readonly #byUser: LRUCache<number, { identity: ApiKeyIdentity | null }> | null;
  readonly #userInflight = new Map<number, Promise<ApiKeyIdentity | null>>();
  #generation = 0;

  constructor(options: ApiKeyVerifierOptions) {
    this.#db = options.db;
    this.#pepper = options.pepper;
    this.#valid =
      options.ttlSeconds > 0 ? new LRUCache({ max: 10_000, ttl: options.ttlSeconds * 1_000 }) : null;
    this.#byUser =
      options.ttlSeconds > 0
        ? new LRUCache({ max: 10_000, ttl: Math.min(USER_KEY_TTL_MS, options.ttlSeconds * 1_000) })
        : null;
  }

  hash(key: string): string {
    return hashApiKey(key, this.#pepper);
  }

  /** The identity behind a key, or `null` when it is unknown or revoked. */
  async verify(key: string): Promise<ApiKeyIdentity | null> {
    if (key.length === 0 || key.length > 256) {
      return null;
    }
    let keyHash = this.#hashes.get(key);
    if (keyHash === undefined) {
      keyHash = this.hash(key);
      this.#hashes.set(key, keyHash);
    }
    const cached = this.#valid?.get(keyHash);
    if (cached) {
      return cached;
    }
    if (this.#invalid.has(keyHash)) {
      return null;
    }
    const pending = this.#inflight.get(keyHash);
    if (pending) {
      return pending;
    }
    const generation = this.#generation;
    const lookup = findActiveApiKeyByHash(this.#db, keyHash)
      .then((row) => {
        const identity = row ? { apiKeyId: row.id, userId: row.user_id, orderMode: row.order_mode } : null;
        // A rotation that happened during the lookup must not be undone by caching a stale answer.
        if (generation === this.#generation) {
          if (identity) {
            this.#valid?.set(keyHash, identity);
          } else {
            this.#invalid.set(keyHash, true);
          }
        }
        return identity;
      })
      .finally(() => this.#inflight.delete(keyHash));
    this.#inflight.set(keyHash, lookup);
    return lookup;
  }

  /**
   * A user's active key (the newest not revoked), or `null`: the identity of work that has no
   * request — strategy alerts, reconciliation, approved Action Center orders. Cached like
   * `verify`, and dropped with it by `invalidate()`.
   */
  async activeKeyOf(userId: number): Promise<ApiKeyIdentity | null> {
    const cached = this.#byUser?.get(userId);
    if (cached) {
      return cached.identity;
    }
    const pending = this.#userInflight.get(userId);
    if (pending) {
      return pending;
    }
    const generation = this.#generation;
    const lookup = findActiveApiKeyForUser(this.#db, userId)
      .then((row) => {
        const identity = row ? { apiKeyId: row.id, userId: row.user_id, orderMode: row.order_mode } : null;
        // As in `verify`: a change during the lookup must not be undone by a stale answer.
        if (generation === this.#generation) {
          this.#byUser?.set(userId, { identity }, identity ? {} : { ttl: USER_KEY_MISS_TTL_MS });
        }
        return identity;
      })
      .finally(() => {
        if (this.#userInflight.get(userId) === lookup) {
          this.#userInflight.delete(userId);
        }
      });
    this.#userInflight.set(userId, lookup);
    return lookup;
  }

  invalidate(): void {
    this.#generation += 1;
    this.#valid?.clear();
    this.#invalid.clear();
    this.#inflight.clear();
    this.#hashes.clear();
    this.#byUser?.clear();
    this.#userInflight.clear();
  }
}
