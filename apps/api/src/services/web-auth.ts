import { createHash, randomBytes } from 'node:crypto';
import {
  advanceTotpStep,
  attemptAuthChallenge,
  clearFailedLogins,
  consumeAuthChallenge,
  countUnusedRecoveryCodes,
  type Database,
  deleteRecoveryCodes,
  findUserById,
  findUserByUsername,
  insertAuthChallenge,
  type Kysely,
  recordFailedLogin,
  replaceRecoveryCodes,
  type UserRow,
  updateUser,
  useRecoveryCode,
} from '@openalgo/db';
import type { SecretBox } from '../secret-box.js';
import type { AuditLog } from './audit-log.js';
import { hashPassword, verifyPassword } from './passwords.js';
import type { SecurityService } from './security.js';
import {
  createRecoveryCodes,
  createTotpSecret,
  isRecoveryCodeShaped,
  RecoveryCodeHasher,
  totpQrCode,
  totpUri,
  verifyTotp,
} from './totp.js';
import type { CreatedWebSession, WebSessionService } from './web-sessions.js';

type WebAuthErrorCode =
  | 'INVALID_CREDENTIALS'
  | 'WRONG_PASSWORD'
  | 'ACCOUNT_LOCKED'
  | 'INVALID_CODE'
  | 'LOGIN_EXPIRED'
  | 'TOTP_ALREADY_ENABLED'
  | 'TOTP_NOT_PENDING'
  | 'TOTP_NOT_ENABLED'
  | 'RESET_REFUSED';

/** Every error of the web sign-in flows, with its HTTP status (one table, house rule 12). */
const WEB_AUTH_ERROR_STATUS: Record<WebAuthErrorCode, number> = {
  INVALID_CREDENTIALS: 401,
  WRONG_PASSWORD: 403,
  ACCOUNT_LOCKED: 423,
  INVALID_CODE: 401,
  LOGIN_EXPIRED: 401,
  TOTP_ALREADY_ENABLED: 409,
  TOTP_NOT_PENDING: 409,
  TOTP_NOT_ENABLED: 409,
  RESET_REFUSED: 401,
};

export class WebAuthError extends Error {
  readonly statusCode: number;
  constructor(
    readonly code: WebAuthErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'WebAuthError';
    this.statusCode = WEB_AUTH_ERROR_STATUS[code];
  }
}

export interface ClientInfo {
  ip: string;
  userAgent?: string;
}

export type LoginResult =
  | { kind: 'session'; session: CreatedWebSession; user: UserRow }
  | { kind: 'totp'; loginToken: string; expiresAt: number };

export interface WebAuthServiceOptions {
  db: Kysely<Database>;
  now: () => number;
  secretBox: SecretBox;
  sessions: WebSessionService;
  security: SecurityService;
  audit: AuditLog;
  /** Secret the recovery-code hashes are keyed with. */
  secret: string;
  totpIssuer: string;
  lockoutThreshold: number;
  lockoutMs: number;
}

/** How long the TOTP step of a login may take, and how many codes it may try. */
const LOGIN_CHALLENGE_MS = 5 * 60_000;
const LOGIN_CHALLENGE_ATTEMPTS = 5;

/**
 * Password and TOTP sign-in, two-factor enrolment, password change and reset. Every outcome
 * is audited; failures count towards the account lockout and the client IP's ban threshold.
 */
export class WebAuthService {
  readonly #options: WebAuthServiceOptions;
  readonly #recovery: RecoveryCodeHasher;
  #dummyHash: Promise<string> | null = null;

  constructor(options: WebAuthServiceOptions) {
    this.#options = options;
    this.#recovery = new RecoveryCodeHasher(options.secret);
  }

  get #db(): Kysely<Database> {
    return this.#options.db;
  }

  #now(): number {
    return this.#options.now();
  }

  /** Step one: the password. Answers a session, or a login token when TOTP is enrolled. */
  async login(input: { username: string; password: string; client: ClientInfo }): Promise<LoginResult> {
    const user = await findUserByUsername(this.#db, input.username);
    if (!user) {
      // The same argon2 work as a real check, so timing does not reveal which usernames exist.
      await verifyPassword(await this.#dummyPasswordHash(), input.password);
      this.#failed(null, input.client, { reason: 'unknown_user', username: input.username.slice(0, 64) });
      throw new WebAuthError('INVALID_CREDENTIALS', 'Invalid username or password.');
    }
    this.#assertNotLocked(user, input.client);
    if (!(await verifyPassword(user.password_hash, input.password))) {
      await this.#countFailure(user, input.client, 'password');
      throw new WebAuthError('INVALID_CREDENTIALS', 'Invalid username or password.');
    }
    if (user.totp_enabled) {
      const loginToken = randomBytes(32).toString('base64url');
      const now = this.#now();
      const expiresAt = now + LOGIN_CHALLENGE_MS;
      await insertAuthChallenge(this.#db, {
        token_hash: hashToken(loginToken),
        user_id: user.id,
        purpose: 'login_totp',
        created_at: new Date(now),
        expires_at: new Date(expiresAt),
      });
      return { kind: 'totp', loginToken, expiresAt };
    }
    return { kind: 'session', session: await this.#startSession(user, input.client, 'password'), user };
  }

  /** Step two: the TOTP (or a recovery) code, bound to the login token of step one. */
  async completeTotpLogin(input: {
    loginToken: string;
    code: string;
    client: ClientInfo;
  }): Promise<{ session: CreatedWebSession; user: UserRow }> {
    const tokenHash = hashToken(input.loginToken);
    const challenge = await attemptAuthChallenge(this.#db, {
      tokenHash,
      purpose: 'login_totp',
      now: new Date(this.#now()),
      maxAttempts: LOGIN_CHALLENGE_ATTEMPTS,
    });
    if (!challenge) {
      throw new WebAuthError('LOGIN_EXPIRED', 'The sign-in has expired; enter your password again.');
    }
    const user = await findUserById(this.#db, challenge.user_id);
    if (!user?.totp_enabled) {
      throw new WebAuthError('LOGIN_EXPIRED', 'The sign-in has expired; enter your password again.');
    }
    this.#assertNotLocked(user, input.client);
    const factor = await this.#verifySecondFactor(user, input.code, input.client);
    if (!factor) {
      await this.#countFailure(user, input.client, 'totp');
      throw new WebAuthError('INVALID_CODE', 'The code is not valid.');
    }
    if (!(await consumeAuthChallenge(this.#db, tokenHash, new Date(this.#now())))) {
      throw new WebAuthError('LOGIN_EXPIRED', 'The sign-in has expired; enter your password again.');
    }
    return { session: await this.#startSession(user, input.client, factor), user };
  }

  /** A session for a user who just proved who they are (setup, login, password change). */
  async #startSession(user: UserRow, client: ClientInfo, method: string): Promise<CreatedWebSession> {
    await clearFailedLogins(this.#db, user.id);
    const session = await this.#options.sessions.create(user.id, {
      ip: client.ip,
      ...(client.userAgent ? { userAgent: client.userAgent } : {}),
    });
    this.#options.audit.record('login.succeeded', {
      userId: user.id,
      ip: client.ip,
      detail: { method, session_id: session.publicId },
    });
    return session;
  }

  async startSessionAfterSetup(user: UserRow, client: ClientInfo): Promise<CreatedWebSession> {
    this.#options.audit.record('setup.completed', {
      userId: user.id,
      ip: client.ip,
      detail: { username: user.username },
    });
    return this.#startSession(user, client, 'setup');
  }

  #assertNotLocked(user: UserRow, client: ClientInfo): void {
    if (user.locked_until && user.locked_until.getTime() > this.#now()) {
      this.#options.audit.record('login.failed', {
        userId: user.id,
        ip: client.ip,
        detail: { reason: 'locked' },
      });
      this.#options.security.recordFailedLogin(client.ip);
      throw new WebAuthError(
        'ACCOUNT_LOCKED',
        'Too many failed sign-ins: the account is locked for a while. Reset the password from the command line to unlock it now.',
      );
    }
  }

  async #countFailure(user: UserRow, client: ClientInfo, reason: string): Promise<void> {
    this.#failed(user.id, client, { reason });
    const { lockedUntil } = await recordFailedLogin(this.#db, {
      userId: user.id,
      threshold: this.#options.lockoutThreshold,
      lockUntil: new Date(this.#now() + this.#options.lockoutMs),
    });
    if (
      lockedUntil &&
      lockedUntil.getTime() > this.#now() &&
      lockedUntil.getTime() !== user.locked_until?.getTime()
    ) {
      this.#options.audit.record('login.locked', {
        userId: user.id,
        ip: client.ip,
        detail: { until: lockedUntil.getTime() },
      });
    }
  }

  #failed(userId: number | null, client: ClientInfo, detail: { reason: string; username?: string }): void {
    this.#options.audit.record('login.failed', { userId, ip: client.ip, detail });
    this.#options.security.recordFailedLogin(client.ip);
  }

  async #dummyPasswordHash(): Promise<string> {
    this.#dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
    return this.#dummyHash;
  }

  /** A TOTP code (each time step once) or an unused recovery code. */
  async #verifySecondFactor(
    user: UserRow,
    code: string,
    client: ClientInfo,
  ): Promise<'totp' | 'recovery_code' | null> {
    if (!user.totp_secret_enc) {
      return null;
    }
    const compact = code.replace(/\s+/g, '');
    if (/^\d{6}$/.test(compact)) {
      const secret = this.#options.secretBox.decrypt(user.totp_secret_enc);
      const step = verifyTotp({ secret, code: compact, now: this.#now(), afterStep: user.totp_last_step });
      return step !== null && (await advanceTotpStep(this.#db, user.id, step)) ? 'totp' : null;
    }
    if (user.totp_enabled && isRecoveryCodeShaped(code)) {
      const isUsed = await useRecoveryCode(
        this.#db,
        user.id,
        this.#recovery.hash(code),
        new Date(this.#now()),
      );
      if (isUsed) {
        this.#options.audit.record('totp.recovery_code_used', {
          userId: user.id,
          ip: client.ip,
          detail: { remaining: await countUnusedRecoveryCodes(this.#db, user.id) },
        });
        return 'recovery_code';
      }
    }
    return null;
  }

  async #userWithPassword(userId: number, password: string, client: ClientInfo): Promise<UserRow> {
    const user = await this.#requireUser(userId);
    this.#assertNotLocked(user, client);
    if (!(await verifyPassword(user.password_hash, password))) {
      await this.#countFailure(user, client, 'reauthentication');
      throw new WebAuthError('WRONG_PASSWORD', 'The password is not correct.');
    }
    return user;
  }

  async #requireUser(userId: number): Promise<UserRow> {
    const user = await findUserById(this.#db, userId);
    if (!user) {
      throw new WebAuthError('INVALID_CREDENTIALS', 'The account no longer exists.');
    }
    return user;
  }

  // --- TOTP enrolment -------------------------------------------------------------------

  async totpStatus(
    userId: number,
  ): Promise<{ enabled: boolean; pending: boolean; recoveryCodesLeft: number }> {
    const user = await this.#requireUser(userId);
    return {
      enabled: user.totp_enabled,
      pending: !user.totp_enabled && user.totp_secret_enc !== null,
      recoveryCodesLeft: user.totp_enabled ? await countUnusedRecoveryCodes(this.#db, userId) : 0,
    };
  }

  /** A new secret, stored encrypted but inactive until a code from it is confirmed. */
  async enrolTotp(
    userId: number,
    password: string,
    client: ClientInfo,
  ): Promise<{ secret: string; otpauthUrl: string; qrCode: string }> {
    const user = await this.#userWithPassword(userId, password, client);
    if (user.totp_enabled) {
      throw new WebAuthError(
        'TOTP_ALREADY_ENABLED',
        'Two-factor authentication is already on; disable it first.',
      );
    }
    const secret = createTotpSecret();
    await updateUser(this.#db, userId, {
      totp_secret_enc: this.#options.secretBox.encrypt(secret),
      totp_last_step: null,
    });
    const otpauthUrl = totpUri({ issuer: this.#options.totpIssuer, username: user.username, secret });
    return { secret, otpauthUrl, qrCode: await totpQrCode(otpauthUrl) };
  }

  /** Confirms enrolment with a code; answers the recovery codes (shown once). */
  async activateTotp(userId: number, code: string, client: ClientInfo): Promise<string[]> {
    const user = await this.#requireUser(userId);
    if (user.totp_enabled || !user.totp_secret_enc) {
      throw new WebAuthError('TOTP_NOT_PENDING', 'Start the enrolment first.');
    }
    if ((await this.#verifySecondFactor(user, code, client)) !== 'totp') {
      throw new WebAuthError('INVALID_CODE', 'The code is not valid.');
    }
    const codes = createRecoveryCodes();
    await this.#db.transaction().execute(async (trx) => {
      await updateUser(trx, userId, { totp_enabled: true });
      await replaceRecoveryCodes(
        trx,
        userId,
        codes.map((recoveryCode) => this.#recovery.hash(recoveryCode)),
        new Date(this.#now()),
      );
    });
    this.#options.audit.record('totp.enrolled', { userId, ip: client.ip });
    return codes;
  }

  async disableTotp(
    userId: number,
    input: { password: string; code: string },
    client: ClientInfo,
  ): Promise<void> {
    const user = await this.#userWithPassword(userId, input.password, client);
    if (!user.totp_enabled) {
      throw new WebAuthError('TOTP_NOT_ENABLED', 'Two-factor authentication is not on.');
    }
    if (!(await this.#verifySecondFactor(user, input.code, client))) {
      await this.#countFailure(user, client, 'totp');
      throw new WebAuthError('INVALID_CODE', 'The code is not valid.');
    }
    await this.#db.transaction().execute(async (trx) => {
      await updateUser(trx, userId, { totp_enabled: false, totp_secret_enc: null, totp_last_step: null });
      await deleteRecoveryCodes(trx, userId);
    });
    this.#options.audit.record('totp.disabled', { userId, ip: client.ip });
  }

  async regenerateRecoveryCodes(userId: number, code: string, client: ClientInfo): Promise<string[]> {
    const user = await this.#requireUser(userId);
    if (!user.totp_enabled) {
      throw new WebAuthError('TOTP_NOT_ENABLED', 'Two-factor authentication is not on.');
    }
    if (!(await this.#verifySecondFactor(user, code, client))) {
      await this.#countFailure(user, client, 'totp');
      throw new WebAuthError('INVALID_CODE', 'The code is not valid.');
    }
    const codes = createRecoveryCodes();
    await replaceRecoveryCodes(
      this.#db,
      userId,
      codes.map((recoveryCode) => this.#recovery.hash(recoveryCode)),
      new Date(this.#now()),
    );
    this.#options.audit.record('totp.recovery_codes_regenerated', { userId, ip: client.ip });
    return codes;
  }

  // --- passwords ------------------------------------------------------------------------

  /** Changes the password, ends every session and starts a fresh one for this browser. */
  async changePassword(
    userId: number,
    input: { currentPassword: string; newPassword: string },
    client: ClientInfo,
  ): Promise<CreatedWebSession> {
    const user = await this.#userWithPassword(userId, input.currentPassword, client);
    await this.#setPassword(user, input.newPassword);
    this.#options.audit.record('password.changed', { userId, ip: client.ip });
    return this.#startSession(user, client, 'password_change');
  }

  /** The self-hosted reset: the username, a TOTP or recovery code, and the new password. */
  async resetPasswordWithTotp(
    input: { username: string; code: string; newPassword: string },
    client: ClientInfo,
  ): Promise<void> {
    const refused = () =>
      new WebAuthError(
        'RESET_REFUSED',
        'The password could not be reset: check the username and the code, or reset it from the command line.',
      );
    const user = await findUserByUsername(this.#db, input.username);
    if (!user?.totp_enabled) {
      this.#failed(user?.id ?? null, client, { reason: 'reset_refused' });
      throw refused();
    }
    this.#assertNotLocked(user, client);
    if (!(await this.#verifySecondFactor(user, input.code, client))) {
      await this.#countFailure(user, client, 'reset_code');
      throw refused();
    }
    await this.#setPassword(user, input.newPassword);
    this.#options.audit.record('password.reset', { userId: user.id, ip: client.ip, detail: { via: 'totp' } });
  }

  /** The operator's reset (command line): no old password; unlocks the account. */
  async resetPasswordAsOperator(username: string, newPassword: string): Promise<UserRow> {
    const user = await findUserByUsername(this.#db, username);
    if (!user) {
      throw new WebAuthError('INVALID_CREDENTIALS', `No user named ${username}.`);
    }
    await this.#setPassword(user, newPassword);
    this.#options.audit.record('password.reset', { userId: user.id, detail: { via: 'cli' } });
    return user;
  }

  async #setPassword(user: UserRow, password: string): Promise<void> {
    const passwordHash = await hashPassword(password);
    await updateUser(this.#db, user.id, {
      password_hash: passwordHash,
      password_changed_at: new Date(this.#now()),
      failed_login_count: 0,
      locked_until: null,
    });
    await this.#options.sessions.revokeAll(user.id);
  }

  /** Re-checks the password of a signed-in user before a sensitive change. */
  async confirmPassword(userId: number, password: string, client: ClientInfo): Promise<UserRow> {
    return this.#userWithPassword(userId, password, client);
  }
}

function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
