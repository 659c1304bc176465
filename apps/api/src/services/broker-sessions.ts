import {
  type Database,
  findActiveBrokerSession,
  type JsonValue,
  type Kysely,
  replaceBrokerSession,
  revokeBrokerSessions,
} from '@openalgo/db';
import type { SecretBox } from '../secret-box.js';
import { nextIstTime } from '../time.js';

export interface BrokerSession {
  broker: string;
  brokerUserId: string | null;
  accessToken: string;
  feedToken: string | null;
  expiresAt: number | null;
  metadata: JsonValue;
}

export interface NewBrokerSession {
  broker: string;
  brokerUserId?: string | null;
  accessToken: string;
  feedToken?: string | null;
  metadata?: JsonValue;
}

export interface BrokerSessionServiceOptions {
  db: Kysely<Database>;
  secretBox: SecretBox;
  now: () => number;
  /** IST `HH:MM` at which every broker session expires (OpenAlgo: 03:00). */
  expiryTime: string;
  /**
   * For brokers that need no interactive login (the simulator): mints a session on demand,
   * so the embedded start is usable at once.
   */
  autoLogin?: ((userId: number) => Promise<NewBrokerSession>) | undefined;
}

/**
 * Live broker sessions, tokens encrypted at rest. Cached per user until expiry; a login or a
 * logout in this process takes effect at once.
 */
export class BrokerSessionService {
  readonly #options: BrokerSessionServiceOptions;
  readonly #cache = new Map<number, { session: BrokerSession | null; checkedAt: number }>();
  readonly #inflight = new Map<number, Promise<BrokerSession | null>>();

  constructor(options: BrokerSessionServiceOptions) {
    this.#options = options;
  }

  async getActive(userId: number): Promise<BrokerSession | null> {
    const now = this.#options.now();
    const cached = this.#cache.get(userId);
    if (cached) {
      const isExpired =
        cached.session?.expiresAt !== undefined &&
        cached.session?.expiresAt !== null &&
        cached.session.expiresAt <= now;
      // Negative answers are re-checked after a second: another process may have logged in.
      const isStaleMiss = cached.session === null && now - cached.checkedAt > 1_000;
      if (!isExpired && !isStaleMiss) {
        return cached.session;
      }
    }
    const pending = this.#inflight.get(userId);
    if (pending) {
      return pending;
    }
    const lookup = this.#load(userId).finally(() => this.#inflight.delete(userId));
    this.#inflight.set(userId, lookup);
    return lookup;
  }

  async #load(userId: number): Promise<BrokerSession | null> {
    const now = this.#options.now();
    const row = await findActiveBrokerSession(this.#options.db, userId, new Date(now));
    let session: BrokerSession | null = row
      ? {
          broker: row.broker,
          brokerUserId: row.broker_user_id,
          accessToken: this.#options.secretBox.decrypt(row.access_token_enc),
          feedToken: row.feed_token_enc ? this.#options.secretBox.decrypt(row.feed_token_enc) : null,
          expiresAt: row.expires_at ? row.expires_at.getTime() : null,
          metadata: row.metadata,
        }
      : null;
    if (!session && this.#options.autoLogin) {
      session = await this.store(userId, await this.#options.autoLogin(userId));
    }
    this.#cache.set(userId, { session, checkedAt: now });
    return session;
  }

  /** Stores a fresh session (replacing any other), expiring at the next daily expiry time. */
  async store(userId: number, input: NewBrokerSession): Promise<BrokerSession> {
    const now = this.#options.now();
    const expiresAt = nextIstTime(now, this.#options.expiryTime);
    const metadata = input.metadata ?? {};
    await replaceBrokerSession(this.#options.db, {
      user_id: userId,
      broker: input.broker,
      broker_user_id: input.brokerUserId ?? null,
      access_token_enc: this.#options.secretBox.encrypt(input.accessToken),
      feed_token_enc: input.feedToken ? this.#options.secretBox.encrypt(input.feedToken) : null,
      metadata,
      created_at: new Date(now),
      expires_at: new Date(expiresAt),
    });
    const session: BrokerSession = {
      broker: input.broker,
      brokerUserId: input.brokerUserId ?? null,
      accessToken: input.accessToken,
      feedToken: input.feedToken ?? null,
      expiresAt,
      metadata,
    };
    this.#cache.set(userId, { session, checkedAt: now });
    return session;
  }

  async revoke(userId: number): Promise<void> {
    await revokeBrokerSessions(this.#options.db, userId, new Date(this.#options.now()));
    this.#cache.set(userId, { session: null, checkedAt: this.#options.now() });
  }
}
