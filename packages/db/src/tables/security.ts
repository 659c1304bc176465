import type { Generated, Insertable, Selectable } from 'kysely';
import type { Json } from './broker-sessions.js';
import type { NullableTimestamp, Timestamp } from './users.js';

export interface WebSessionsTable {
  /** SHA-256 of the cookie's token, hex: the token itself is never stored. */
  token_hash: string;
  /** A handle for listing and revoking one session (`ses_…`), never a credential. */
  public_id: string;
  user_id: number;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  /** The earlier of the absolute lifetime and the daily forced logout. */
  expires_at: Timestamp;
  revoked_at: NullableTimestamp;
  ip: string | null;
  user_agent: string | null;
}

export type WebSessionRow = Selectable<WebSessionsTable>;
export type NewWebSessionRow = Insertable<WebSessionsTable>;

export type AuthChallengePurpose = 'login_totp';

export interface AuthChallengesTable {
  token_hash: string;
  user_id: number;
  purpose: AuthChallengePurpose;
  attempts: Generated<number>;
  created_at: Timestamp;
  expires_at: Timestamp;
  used_at: NullableTimestamp;
}

export type AuthChallengeRow = Selectable<AuthChallengesTable>;
export type NewAuthChallengeRow = Insertable<AuthChallengesTable>;

export interface RecoveryCodesTable {
  id: Generated<number>;
  user_id: number;
  /** HMAC-SHA256 of the normalised code under a server key. */
  code_hash: string;
  created_at: Timestamp;
  used_at: NullableTimestamp;
}

export type RecoveryCodeRow = Selectable<RecoveryCodesTable>;

export type IpBanSource = 'auto' | 'manual';

export interface IpBansTable {
  ip: string;
  reason: string;
  source: IpBanSource;
  created_at: Timestamp;
  /** Null: permanent. */
  expires_at: NullableTimestamp;
  created_by: number | null;
}

export type IpBanRow = Selectable<IpBansTable>;
export type NewIpBanRow = Insertable<IpBansTable>;

export interface AuditLogTable {
  id: Generated<number>;
  at: Timestamp;
  event: string;
  user_id: number | null;
  ip: string | null;
  detail: Json;
}

export type AuditLogRow = Selectable<AuditLogTable>;
export type NewAuditLogRow = Insertable<AuditLogTable>;
