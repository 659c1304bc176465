import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import {
  type Database,
  deleteIpBan,
  type IpBanRow,
  type IpBanSource,
  type Kysely,
  listActiveIpBans,
  upsertIpBan,
} from '@openalgo/db';
import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import type { AuditLog } from './audit-log.js';

export interface BanRecord {
  ip: string;
  reason: string;
  source: IpBanSource;
  createdAt: number;
  /** Null: permanent. */
  expiresAt: number | null;
}

type BanErrorCode = 'INVALID_IP' | 'LOOPBACK';

export class BanError extends Error {
  readonly statusCode = 400;
  constructor(
    readonly code: BanErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'BanError';
  }
}

/** Where ban changes are announced to the other api instances. */
export interface BanChannel {
  publish(message: string): Promise<void>;
  subscribe(onMessage: (message: string) => void): Promise<() => Promise<void>>;
}

/** Shared abuse counters (Redis), so a threshold counts attempts across every instance. */
export interface AbuseCounters {
  increment(key: string, windowMs: number): Promise<number>;
  reset(key: string): Promise<void>;
}

export interface SecurityServiceOptions {
  /** Invalid API-key attempts from one IP within 24 h before it is banned (OpenAlgo: 100). 0 disables. */
  invalidKeyThreshold: number;
  /** Failed logins from one IP within 24 h before it is banned. 0 disables. */
  failedLoginThreshold: number;
  /** How long an automatic ban lasts, ms; 0 = permanent (OpenAlgo's default). */
  banDurationMs: number;
  now: () => number;
  /** Durable ban list; without it bans live in memory only. */
  db?: Kysely<Database>;
  channel?: BanChannel;
  counters?: AbuseCounters;
  audit?: AuditLog;
  logger?: Logger;
}

const COUNTER_WINDOW_MS = 24 * 60 * 60 * 1_000;

/**
 * IP bans (api-v1 §1.1): automatic after repeated invalid API keys or failed logins, and a
 * manual list. The check on every request is a map lookup; bans are persisted in the
 * database and announced to the other instances (Redis pub/sub when configured, else the
 * database's LISTEN/NOTIFY). Loopback is never banned, so a local operator cannot be locked out.
 */
export class SecurityService {
  readonly #options: SecurityServiceOptions;
  readonly #localCounters = new LRUCache<string, number>({ max: 100_000, ttl: COUNTER_WINDOW_MS });
  readonly #bans = new Map<string, BanRecord>();
  readonly #instanceId = randomBytes(6).toString('hex');
  #unsubscribe: (() => Promise<void>) | null = null;

  constructor(options: SecurityServiceOptions) {
    this.#options = options;
  }

  /** Loads the persisted bans and follows the other instances' changes. */
  async start(): Promise<void> {
    if (this.#options.db) {
      for (const row of await listActiveIpBans(this.#options.db, new Date(this.#options.now()))) {
        this.#bans.set(row.ip, toRecord(row));
      }
    }
    if (this.#options.channel) {
      this.#unsubscribe = await this.#options.channel.subscribe((message) => this.#apply(message));
    }
  }

  async close(): Promise<void> {
    await this.#unsubscribe?.().catch(() => undefined);
    this.#unsubscribe = null;
  }

  isBanned(ip: string): boolean {
    if (this.#bans.size === 0) {
      return false;
    }
    const address = normaliseIp(ip);
    const ban = this.#bans.get(address);
    if (!ban) {
      return false;
    }
    if (ban.expiresAt === null || ban.expiresAt > this.#options.now()) {
      return true;
    }
    this.#bans.delete(address);
    return false;
  }

  /** Counts an invalid API key from `ip`; bans it at the threshold. Never waits, never throws. */
  recordInvalidKey(ip: string): void {
    this.#count('invalid-key', ip, this.#options.invalidKeyThreshold, 'repeated invalid API keys');
  }

  /** Counts a failed login from `ip`; bans it at the threshold. Never waits, never throws. */
  recordFailedLogin(ip: string): void {
    this.#count('failed-login', ip, this.#options.failedLoginThreshold, 'repeated failed logins');
  }

  #count(kind: string, ip: string, threshold: number, reason: string): void {
    const address = normaliseIp(ip);
    if (threshold <= 0 || isLoopback(address) || this.isBanned(address)) {
      return;
    }
    const key = `${kind}:${address}`;
    const counted = this.#options.counters
      ? this.#options.counters.increment(key, COUNTER_WINDOW_MS)
      : Promise.resolve(this.#incrementLocal(key));
    void counted
      .then(async (attempts) => {
        if (attempts >= threshold) {
          await this.ban(address, { reason, source: 'auto' });
        }
      })
      .catch((error: unknown) => this.#options.logger?.warn({ err: error, kind }, 'abuse counter failed'));
  }

  #incrementLocal(key: string): number {
    const attempts = (this.#localCounters.get(key) ?? 0) + 1;
    this.#localCounters.set(key, attempts);
    return attempts;
  }

  async ban(
    ip: string,
    input: { reason: string; source: IpBanSource; durationMs?: number; byUserId?: number | null },
  ): Promise<BanRecord> {
    const address = normaliseIp(ip);
    if (isIP(address) === 0) {
      throw new BanError('INVALID_IP', 'Not a valid IPv4 or IPv6 address.');
    }
    if (isLoopback(address)) {
      throw new BanError('LOOPBACK', 'Loopback addresses are never banned.');
    }
    const now = this.#options.now();
    const durationMs = input.durationMs ?? (input.source === 'auto' ? this.#options.banDurationMs : 0);
    const record: BanRecord = {
      ip: address,
      reason: input.reason,
      source: input.source,
      createdAt: now,
      expiresAt: durationMs > 0 ? now + durationMs : null,
    };
    this.#bans.set(address, record);
    for (const kind of ['invalid-key', 'failed-login']) {
      this.#localCounters.delete(`${kind}:${address}`);
    }
    if (this.#options.db) {
      await upsertIpBan(this.#options.db, {
        ip: address,
        reason: record.reason,
        source: record.source,
        created_at: new Date(record.createdAt),
        expires_at: record.expiresAt === null ? null : new Date(record.expiresAt),
        created_by: input.byUserId ?? null,
      });
    }
    await this.#publish({ op: 'ban', record });
    this.#options.audit?.record('ban.added', {
      userId: input.byUserId ?? null,
      ip: address,
      detail: { reason: record.reason, source: record.source, expires_at: record.expiresAt },
    });
    this.#options.logger?.warn({ ip: address, source: record.source, reason: record.reason }, 'IP banned');
    return record;
  }

  async unban(ip: string, byUserId: number | null = null): Promise<boolean> {
    const address = normaliseIp(ip);
    const hadBan = this.#bans.delete(address);
    for (const kind of ['invalid-key', 'failed-login']) {
      this.#localCounters.delete(`${kind}:${address}`);
      await this.#options.counters?.reset(`${kind}:${address}`);
    }
    const hadRow = this.#options.db ? await deleteIpBan(this.#options.db, address) : false;
    await this.#publish({ op: 'unban', ip: address });
    if (hadBan || hadRow) {
      this.#options.audit?.record('ban.removed', { userId: byUserId, ip: address });
    }
    return hadBan || hadRow;
  }

  listBans(): BanRecord[] {
    const now = this.#options.now();
    return [...this.#bans.values()]
      .filter((ban) => ban.expiresAt === null || ban.expiresAt > now)
      .sort((left, right) => right.createdAt - left.createdAt);
  }

  async #publish(message: { op: 'ban'; record: BanRecord } | { op: 'unban'; ip: string }): Promise<void> {
    if (!this.#options.channel) {
      return;
    }
    try {
      await this.#options.channel.publish(JSON.stringify({ ...message, from: this.#instanceId }));
    } catch (error) {
      // The ban holds here and in the database; other instances pick it up at their next start.
      this.#options.logger?.warn({ err: error }, 'ban change not announced');
    }
  }

  #apply(text: string): void {
    let message: { op?: unknown; from?: unknown; ip?: unknown; record?: Partial<BanRecord> };
    try {
      message = JSON.parse(text) as typeof message;
    } catch {
      return;
    }
    if (message.from === this.#instanceId) {
      return;
    }
    if (message.op === 'unban' && typeof message.ip === 'string') {
      this.#bans.delete(message.ip);
      return;
    }
    const record = message.record;
    if (
      message.op === 'ban' &&
      record &&
      typeof record.ip === 'string' &&
      isIP(record.ip) !== 0 &&
      !isLoopback(record.ip)
    ) {
      this.#bans.set(record.ip, {
        ip: record.ip,
        reason: typeof record.reason === 'string' ? record.reason : '',
        source: record.source === 'auto' ? 'auto' : 'manual',
        createdAt: typeof record.createdAt === 'number' ? record.createdAt : this.#options.now(),
        expiresAt: typeof record.expiresAt === 'number' ? record.expiresAt : null,
      });
    }
  }
}

function toRecord(row: IpBanRow): BanRecord {
  return {
    ip: row.ip,
    reason: row.reason,
    source: row.source,
    createdAt: row.created_at.getTime(),
    expiresAt: row.expires_at ? row.expires_at.getTime() : null,
  };
}

/** IPv4-mapped IPv6 (`::ffff:203.0.113.5`) is the IPv4 address it carries. */
export function normaliseIp(ip: string): string {
  const trimmed = ip.trim();
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(trimmed);
  return (mapped?.[1] ?? trimmed).toLowerCase();
}

export function isLoopback(ip: string): boolean {
  const address = normaliseIp(ip);
  return address === '::1' || address.startsWith('127.');
}

/**
 * Ban announcements over Redis pub/sub (a subscribed connection can do nothing else). The
 * subscription is renewed whenever the connection comes back, so an instance that started
 * while Redis was away still hears about bans once it returns.
 */
export function redisBanChannel(
  client: Redis,
  subscriber: Redis,
  channel: string,
  logger?: Logger,
): BanChannel {
  return {
    publish: async (message) => {
      await client.publish(channel, message);
    },
    subscribe: async (onMessage) => {
      const listener = (from: string, message: string) => {
        if (from === channel) {
          onMessage(message);
        }
      };
      const resubscribe = () => {
        subscriber
          .subscribe(channel)
          .catch((error: unknown) => logger?.warn({ err: error }, 'ban channel subscription failed'));
      };
      subscriber.on('message', listener);
      subscriber.on('ready', resubscribe);
      try {
        await Promise.race([
          subscriber.subscribe(channel),
          new Promise((_resolve, reject) =>
            setTimeout(() => reject(new Error('Redis did not answer in 5 s')), 5_000).unref(),
          ),
        ]);
      } catch (error) {
        // Not fatal: bans still hold here and in the database; the subscription is renewed on reconnect.
        logger?.warn({ err: error }, 'ban channel not subscribed yet');
      }
      return async () => {
        subscriber.off('message', listener);
        subscriber.off('ready', resubscribe);
        await subscriber.unsubscribe(channel).catch(() => undefined);
      };
    },
  };
}

/** Ban announcements over the database's LISTEN/NOTIFY (PostgreSQL across processes). */
export function databaseBanChannel(
  database: {
    listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>;
    notify(channel: string, payload?: string): Promise<void>;
  },
  channel = 'openalgo_ip_bans',
): BanChannel {
  return {
    publish: (message) => database.notify(channel, message),
    subscribe: (onMessage) => database.listen(channel, onMessage),
  };
}

export function redisAbuseCounters(client: Redis, prefix: string): AbuseCounters {
  return {
    increment: async (key, windowMs) => {
      const redisKey = `${prefix}abuse:${key}`;
      const count = await client.incr(redisKey);
      if (count === 1) {
        await client.pexpire(redisKey, windowMs);
      }
      return count;
    },
    reset: async (key) => {
      await client.del(`${prefix}abuse:${key}`);
    },
  };
}
