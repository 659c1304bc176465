import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

export type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
export type NullableTimestamp = ColumnType<
  Date | null,
  Date | string | null | undefined,
  Date | string | null
>;

export interface UsersTable {
  id: Generated<number>;
  username: string;
  password_hash: string;
  is_admin: Generated<boolean>;
  /** TOTP secret, encrypted at rest (AES-256-GCM envelope); null until enrolled. */
  totp_secret_enc: string | null;
  totp_enabled: Generated<boolean>;
  /** Consecutive failed logins; a lockout resets it. */
  failed_login_count: Generated<number>;
  locked_until: NullableTimestamp;
  /** The last TOTP time step accepted: a code is never accepted twice. */
  totp_last_step: number | null;
  password_changed_at: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export type UserRow = Selectable<UsersTable>;
export type NewUserRow = Insertable<UsersTable>;
export type UserRowUpdate = Updateable<UsersTable>;
