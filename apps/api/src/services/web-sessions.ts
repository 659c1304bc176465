import { createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  type Database,
  deleteEndedWebSessions,
  findLiveWebSession,
  insertWebSession,
  type Kysely,
  type LiveWebSession,
  listLiveWebSessions,
  type OrderMode,
  revokeWebSession,
  revokeWebSessionByPublicId,
  revokeWebSessionsOfUser,
  touchWebSession,
  type WebSessionRow,
} from '@openalgo/db';
import { createId } from '../ids.js';
import { nextIstTime } from '../time.js';

/** A key for one purpose, derived from a server secret (HKDF-SHA256): one secret, many keys. */
export function deriveKey(secret: string, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'openalgo-ts', purpose, 32));
}

/** Session tokens: 32 random bytes, base64url (43 characters). */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** Sessions are touched at most this often, so idle expiry costs one write a minute. */
const TOUCH_INTERVAL_MS = 60_000;

export function hashSessionToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export interface WebSession {
  /** The cookie value: a credential, never logged or stored. */
  token: string;
  tokenHash: string;
  publicId: string;
  userId: number;
  username: string;
  isAdmin: boolean;
  totpEnabled: boolean;
  orderMode: OrderMode;
  createdAt: number;
  expiresAt: number;
  /** When the session ends if unused: last activity + the idle timeout (capped by `expiresAt`). */
  idleExpiresAt: number;
}

export interface CreatedWebSession {
  token: string;
  publicId: string;
  expiresAt: number;
}

export interface WebSessionServiceOptions {
  db: Kysely<Database>;
  now: () => number;
  idleMs: number;
  maxAgeMs: number;
  /** IST `HH:MM`: every session ends at the next such instant (the daily forced logout). */
  dailyExpiryTime: string;
  /** Secret the CSRF tokens are derived from. */
  secret: string;
}

/**
 * Server-side web sessions. The cookie holds a random token; the database holds only its
 * SHA-256, so a leaked table grants nothing. A session ends at the first of: logout, idle
 * timeout, absolute lifetime, the daily forced logout (SESSION_EXPIRY_TIME IST).
 * CSRF tokens are HMACs of the session token (synchronizer tokens that need no storage and
 * change whenever the session does).
 */
export class WebSessionService {
  readonly #options: WebSessionServiceOptions;
  readonly #csrfKey: Buffer;

  constructor(options: WebSessionServiceOptions) {
    this.#options = options;
    this.#csrfKey = deriveKey(options.secret, 'web-session-csrf');
  }

  /** When a session created now must end at the latest. */
  expiryFor(createdAt: number): number {
    return Math.min(
      createdAt + this.#options.maxAgeMs,
      nextIstTime(createdAt, this.#options.dailyExpiryTime),
    );
  }

  async create(userId: number, client: { ip?: string; userAgent?: string } = {}): Promise<CreatedWebSession> {
    const now = this.#options.now();
    const token = randomBytes(32).toString('base64url');
    const publicId = createId('session', now);
    const expiresAt = this.expiryFor(now);
    await insertWebSession(this.#options.db, {
      token_hash: hashSessionToken(token),
      public_id: publicId,
      user_id: userId,
      created_at: new Date(now),
      last_seen_at: new Date(now),
      expires_at: new Date(expiresAt),
      ip: client.ip ?? null,
      user_agent: client.userAgent?.slice(0, 256) ?? null,
    });
    return { token, publicId, expiresAt };
  }

  /** The live session behind a cookie value, or null (unknown, malformed, revoked, expired, idle). */
  async resolve(token: string | undefined): Promise<WebSession | null> {
    if (!token || !TOKEN_PATTERN.test(token)) {
      return null;
    }
    const now = this.#options.now();
    const tokenHash = hashSessionToken(token);
    const row = await findLiveWebSession(this.#options.db, tokenHash, this.#window(now));
    if (!row) {
      return null;
    }
    let lastSeen = row.last_seen_at.getTime();
    if (now - lastSeen >= TOUCH_INTERVAL_MS) {
      await touchWebSession(this.#options.db, tokenHash, new Date(now));
      lastSeen = now;
    }
    return this.#toSession(token, tokenHash, row, lastSeen);
  }

  #toSession(token: string, tokenHash: string, row: LiveWebSession, lastSeen: number): WebSession {
    const expiresAt = row.expires_at.getTime();
    return {
      token,
      tokenHash,
      publicId: row.public_id,
      userId: row.user_id,
      username: row.username,
      isAdmin: row.is_admin,
      totpEnabled: row.totp_enabled,
      orderMode: row.order_mode,
      createdAt: row.created_at.getTime(),
      expiresAt,
      idleExpiresAt: Math.min(expiresAt, lastSeen + this.#options.idleMs),
    };
  }

  #window(now: number) {
    return { now: new Date(now), idleSince: new Date(now - this.#options.idleMs) };
  }

  async revoke(token: string): Promise<boolean> {
    if (!TOKEN_PATTERN.test(token)) {
      return false;
    }
    return (
      (await revokeWebSession(this.#options.db, hashSessionToken(token), new Date(this.#options.now()))) > 0
    );
  }

  /** Ends every session of the user, or every other one when `exceptToken` is given. */
  async revokeAll(userId: number, exceptToken?: string): Promise<number> {
    return revokeWebSessionsOfUser(
      this.#options.db,
      userId,
      new Date(this.#options.now()),
      exceptToken ? hashSessionToken(exceptToken) : undefined,
    );
  }

  async revokeByPublicId(userId: number, publicId: string): Promise<boolean> {
    return (
      (await revokeWebSessionByPublicId(this.#options.db, userId, publicId, new Date(this.#options.now()))) >
      0
    );
  }

  async list(userId: number): Promise<WebSessionRow[]> {
    return listLiveWebSessions(this.#options.db, userId, this.#window(this.#options.now()));
  }

  /** Deletes rows of sessions that ended more than a day ago. */
  async prune(): Promise<number> {
    return deleteEndedWebSessions(this.#options.db, new Date(this.#options.now() - 86_400_000));
  }

  csrfTokenFor(token: string): string {
    return createHmac('sha256', this.#csrfKey).update(token, 'utf8').digest('base64url');
  }

  isCsrfTokenValid(token: string, given: string | undefined): boolean {
    if (!given) {
      return false;
    }
    const expected = Buffer.from(this.csrfTokenFor(token));
    const actual = Buffer.from(given);
    return expected.length === actual.length && timingSafeEqual(expected, actual);
  }
}
