import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from '../database.js';
import { jsonb } from '../json.js';
import type { OrderMode } from '../tables/api-keys.js';
import type {
  AuditLogRow,
  AuthChallengePurpose,
  AuthChallengeRow,
  IpBanRow,
  NewAuditLogRow,
  NewAuthChallengeRow,
  NewIpBanRow,
  NewWebSessionRow,
  WebSessionRow,
} from '../tables/security.js';

type Executor = Kysely<Database> | Transaction<Database>;

// --- web sessions -------------------------------------------------------------------------

export async function insertWebSession(db: Executor, row: NewWebSessionRow): Promise<WebSessionRow> {
  return db.insertInto('web_sessions').values(row).returningAll().executeTakeFirstOrThrow();
}

export interface LiveWebSession extends WebSessionRow {
  username: string;
  is_admin: boolean;
  totp_enabled: boolean;
  /** The order mode of the user's active API key (`auto` when the user has none). */
  order_mode: OrderMode;
}

export interface LiveSessionWindow {
  now: Date;
  /** Sessions last seen before this instant are idle-expired. */
  idleSince: Date;
}

/** The session behind a token hash, with its user, if it is neither revoked, expired nor idle. */
export async function findLiveWebSession(
  db: Executor,
  tokenHash: string,
  window: LiveSessionWindow,
): Promise<LiveWebSession | undefined> {
  const row = await db
    .selectFrom('web_sessions')
    .innerJoin('users', 'users.id', 'web_sessions.user_id')
    .selectAll('web_sessions')
    .select(['users.username', 'users.is_admin', 'users.totp_enabled'])
    .select((eb) =>
      eb
        .selectFrom('api_keys')
        .select('api_keys.order_mode')
        .whereRef('api_keys.user_id', '=', 'web_sessions.user_id')
        .where('api_keys.revoked_at', 'is', null)
        .orderBy('api_keys.id', 'desc')
        .limit(1)
        .as('order_mode'),
    )
    .where('web_sessions.token_hash', '=', tokenHash)
    .where('web_sessions.revoked_at', 'is', null)
    .where('web_sessions.expires_at', '>', window.now)
    .where('web_sessions.last_seen_at', '>', window.idleSince)
    .executeTakeFirst();
  return row ? { ...row, order_mode: row.order_mode ?? 'auto' } : undefined;
}

export async function touchWebSession(db: Executor, tokenHash: string, at: Date): Promise<void> {
  await db
    .updateTable('web_sessions')
    .set({ last_seen_at: at })
    .where('token_hash', '=', tokenHash)
    .where('last_seen_at', '<', at)
    .execute();
}

export async function revokeWebSession(db: Executor, tokenHash: string, at: Date): Promise<number> {
  const result = await db
    .updateTable('web_sessions')
    .set({ revoked_at: at })
    .where('token_hash', '=', tokenHash)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Revokes every session of a user (optionally but one); returns how many. */
export async function revokeWebSessionsOfUser(
  db: Executor,
  userId: number,
  at: Date,
  exceptTokenHash?: string,
): Promise<number> {
  let builder = db
    .updateTable('web_sessions')
    .set({ revoked_at: at })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null);
  if (exceptTokenHash) {
    builder = builder.where('token_hash', '!=', exceptTokenHash);
  }
  const result = await builder.executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export async function revokeWebSessionByPublicId(
  db: Executor,
  userId: number,
  publicId: string,
  at: Date,
): Promise<number> {
  const result = await db
    .updateTable('web_sessions')
    .set({ revoked_at: at })
    .where('user_id', '=', userId)
    .where('public_id', '=', publicId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export async function listLiveWebSessions(
  db: Executor,
  userId: number,
  window: LiveSessionWindow,
): Promise<WebSessionRow[]> {
  return db
    .selectFrom('web_sessions')
    .selectAll()
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', window.now)
    .where('last_seen_at', '>', window.idleSince)
    .orderBy('created_at', 'desc')
    .limit(100)
    .execute();
}

/** Housekeeping: drops sessions and challenges that ended before `before`. */
export async function deleteEndedWebSessions(db: Executor, before: Date): Promise<number> {
  const result = await db
    .deleteFrom('web_sessions')
    .where((eb) => eb.or([eb('expires_at', '<', before), eb('revoked_at', '<', before)]))
    .executeTakeFirst();
  await db.deleteFrom('auth_challenges').where('expires_at', '<', before).execute();
  return Number(result.numDeletedRows);
}

// --- multi-step challenges ----------------------------------------------------------------

export async function insertAuthChallenge(db: Executor, row: NewAuthChallengeRow): Promise<void> {
  await db.insertInto('auth_challenges').values(row).execute();
}

/**
 * Counts one attempt at a live challenge and returns it, or `undefined` when it is unknown,
 * used, expired or out of attempts. The count is atomic, so parallel guesses cannot exceed it.
 */
export async function attemptAuthChallenge(
  db: Executor,
  input: { tokenHash: string; purpose: AuthChallengePurpose; now: Date; maxAttempts: number },
): Promise<AuthChallengeRow | undefined> {
  return db
    .updateTable('auth_challenges')
    .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('token_hash', '=', input.tokenHash)
    .where('purpose', '=', input.purpose)
    .where('used_at', 'is', null)
    .where('expires_at', '>', input.now)
    .where('attempts', '<', input.maxAttempts)
    .returningAll()
    .executeTakeFirst();
}

/** Marks a challenge used; false when another request used it first. */
export async function consumeAuthChallenge(db: Executor, tokenHash: string, at: Date): Promise<boolean> {
  const result = await db
    .updateTable('auth_challenges')
    .set({ used_at: at })
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

// --- recovery codes -----------------------------------------------------------------------

/** Replaces every recovery code of a user with new ones (hashes). */
export async function replaceRecoveryCodes(
  db: Executor,
  userId: number,
  codeHashes: readonly string[],
  at: Date,
): Promise<void> {
  await db.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
  if (codeHashes.length > 0) {
    await db
      .insertInto('recovery_codes')
      .values(codeHashes.map((code_hash) => ({ user_id: userId, code_hash, created_at: at })))
      .execute();
  }
}

/** Uses a recovery code once: true only for the first request that presents it. */
export async function useRecoveryCode(
  db: Executor,
  userId: number,
  codeHash: string,
  at: Date,
): Promise<boolean> {
  const result = await db
    .updateTable('recovery_codes')
    .set({ used_at: at })
    .where('user_id', '=', userId)
    .where('code_hash', '=', codeHash)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function countUnusedRecoveryCodes(db: Executor, userId: number): Promise<number> {
  const row = await db
    .selectFrom('recovery_codes')
    .select((eb) => eb.fn.countAll<string | number>().as('count'))
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export async function deleteRecoveryCodes(db: Executor, userId: number): Promise<void> {
  await db.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
}

// --- login failures and TOTP replay -------------------------------------------------------

/**
 * Counts a failed login. When the count reaches `threshold`, the account is locked until
 * `lockUntil` and the count starts again. Atomic, so parallel guesses all count.
 */
export async function recordFailedLogin(
  db: Executor,
  input: { userId: number; threshold: number; lockUntil: Date },
): Promise<{ failedCount: number; lockedUntil: Date | null }> {
  const reached = sql<boolean>`failed_login_count + 1 >= ${input.threshold}`;
  const row = await db
    .updateTable('users')
    .set({
      failed_login_count: sql<number>`case when ${reached} then 0 else failed_login_count + 1 end`,
      locked_until: sql<Date | null>`case when ${reached} then ${input.lockUntil} else locked_until end`,
    })
    .where('id', '=', input.userId)
    .returning(['failed_login_count', 'locked_until'])
    .executeTakeFirstOrThrow();
  return { failedCount: row.failed_login_count, lockedUntil: row.locked_until };
}

export async function clearFailedLogins(db: Executor, userId: number): Promise<void> {
  await db
    .updateTable('users')
    .set({ failed_login_count: 0, locked_until: null })
    .where('id', '=', userId)
    .where((eb) => eb.or([eb('failed_login_count', '>', 0), eb('locked_until', 'is not', null)]))
    .execute();
}

/** Records an accepted TOTP time step; false when that step (or a later one) was used already. */
export async function advanceTotpStep(db: Executor, userId: number, step: number): Promise<boolean> {
  const result = await db
    .updateTable('users')
    .set({ totp_last_step: step })
    .where('id', '=', userId)
    .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

// --- IP bans ------------------------------------------------------------------------------

export async function upsertIpBan(db: Executor, row: NewIpBanRow): Promise<void> {
  await db
    .insertInto('ip_bans')
    .values(row)
    .onConflict((conflict) =>
      conflict.column('ip').doUpdateSet({
        reason: row.reason,
        source: row.source,
        created_at: row.created_at,
        expires_at: row.expires_at ?? null,
        created_by: row.created_by ?? null,
      }),
    )
    .execute();
}

export async function deleteIpBan(db: Executor, ip: string): Promise<boolean> {
  const result = await db.deleteFrom('ip_bans').where('ip', '=', ip).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function listActiveIpBans(db: Executor, now: Date): Promise<IpBanRow[]> {
  return db
    .selectFrom('ip_bans')
    .selectAll()
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .orderBy('created_at', 'desc')
    .limit(10_000)
    .execute();
}

// --- audit log ----------------------------------------------------------------------------

const AUDIT_INSERT_CHUNK = 500;

export async function insertAuditEvents(db: Executor, rows: readonly NewAuditLogRow[]): Promise<void> {
  for (let start = 0; start < rows.length; start += AUDIT_INSERT_CHUNK) {
    await db
      .insertInto('audit_log')
      .values(
        rows
          .slice(start, start + AUDIT_INSERT_CHUNK)
          .map((row) => ({ ...row, detail: jsonb(row.detail ?? {}) })),
      )
      .execute();
  }
}

export interface ListAuditInput {
  limit?: number;
  /** Only events older than this id (paging backwards). */
  beforeId?: number;
  event?: string;
  userId?: number;
  since?: Date;
}

export async function listAuditEvents(db: Executor, input: ListAuditInput = {}): Promise<AuditLogRow[]> {
  let builder = db.selectFrom('audit_log').selectAll();
  if (input.beforeId !== undefined) {
    builder = builder.where('id', '<', input.beforeId);
  }
  if (input.event !== undefined) {
    builder = builder.where('event', '=', input.event);
  }
  if (input.userId !== undefined) {
    builder = builder.where('user_id', '=', input.userId);
  }
  if (input.since !== undefined) {
    builder = builder.where('at', '>=', input.since);
  }
  return builder
    .orderBy('id', 'desc')
    .limit(Math.min(Math.max(input.limit ?? 100, 1), 1_000))
    .execute();
}

// --- secrets at rest ----------------------------------------------------------------------

/** Every column that holds an encrypted envelope (`v1.<keyId>.…`), for key rotation. */
export const ENCRYPTED_COLUMNS = [
  { table: 'broker_sessions', column: 'access_token_enc' },
  { table: 'broker_sessions', column: 'feed_token_enc' },
  { table: 'users', column: 'totp_secret_enc' },
  { table: 'telegram_bot', column: 'token_enc' },
] as const;

export type EncryptedColumn = (typeof ENCRYPTED_COLUMNS)[number];

export interface EncryptedValue {
  id: number;
  value: string;
}

/** Values in `column` not encrypted under `currentKeyId` (so due for re-encryption). */
export async function listStaleEncryptedValues(
  db: Executor,
  target: EncryptedColumn,
  currentKeyId: string,
): Promise<EncryptedValue[]> {
  const column = sql.ref(target.column);
  const prefix = `v1.${currentKeyId.replace(/[\\%_]/g, (character) => `\\${character}`)}.%`;
  const result = await sql<EncryptedValue>`
    select id, ${column} as value from ${sql.table(target.table)}
    where ${column} is not null and ${column} not like ${prefix}
    order by id limit 10000`.execute(db);
  return result.rows;
}

/** Replaces one envelope, only if it is still the one that was read (no lost update). */
export async function replaceEncryptedValue(
  db: Executor,
  target: EncryptedColumn,
  input: { id: number; previous: string; next: string },
): Promise<boolean> {
  const column = sql.ref(target.column);
  const result = await sql`
    update ${sql.table(target.table)} set ${column} = ${input.next}
    where id = ${input.id} and ${column} = ${input.previous}`.execute(db);
  return Number(result.numAffectedRows ?? 0) === 1;
}
