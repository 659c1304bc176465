import {
  countUsers,
  type Database,
  findActiveApiKeyForUser,
  findFirstAdmin,
  findUserByUsername,
  insertApiKey,
  insertUser,
  type Kysely,
  revokeApiKeysOfUser,
  type UserRow,
} from '@openalgo/db';
import { type ApiKeyVerifier, generateApiKey } from './api-keys.js';
import { generatePassword, hashPassword } from './passwords.js';

type AccountErrorCode = 'SETUP_ALREADY_DONE' | 'USER_NOT_FOUND' | 'WEAK_PASSWORD' | 'BAD_USERNAME';

const ACCOUNT_ERROR_STATUS: Record<AccountErrorCode, number> = {
  SETUP_ALREADY_DONE: 409,
  USER_NOT_FOUND: 404,
  WEAK_PASSWORD: 400,
  BAD_USERNAME: 400,
};

export class AccountError extends Error {
  readonly statusCode: number;
  constructor(
    readonly code: AccountErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AccountError';
    this.statusCode = ACCOUNT_ERROR_STATUS[code];
  }
}

export interface CreatedAccount {
  user: UserRow;
  /** Shown once; only its hash is stored. */
  apiKey: string;
}

export const USERNAME_PATTERN = /^[A-Za-z0-9_.-]{3,64}$/;
export const MIN_PASSWORD_LENGTH = 8;

/** Channel on which every api instance (and the CLI) announces key changes. */
export const API_KEYS_CHANNEL = 'openalgo_api_keys';

export interface AccountsServiceOptions {
  db: Kysely<Database>;
  /** Announces key changes to other processes (LISTEN/NOTIFY). */
  notify: (channel: string) => Promise<void>;
  verifier: ApiKeyVerifier;
  now: () => number;
}

/** The single operator account and its API key (OpenAlgo is single-user, self-hosted). */
export class AccountsService {
  readonly #db: Kysely<Database>;
  readonly #verifier: ApiKeyVerifier;
  readonly #now: () => number;
  readonly #notify: (channel: string) => Promise<void>;

  constructor(options: AccountsServiceOptions) {
    this.#db = options.db;
    this.#notify = options.notify;
    this.#verifier = options.verifier;
    this.#now = options.now;
  }

  async isSetupDone(): Promise<boolean> {
    return (await countUsers(this.#db)) > 0;
  }

  /** First-run setup: the admin and an API key. Refused once any user exists. */
  async setupAdmin(input: { username: string; password: string }): Promise<CreatedAccount> {
    if (!USERNAME_PATTERN.test(input.username)) {
      throw new AccountError(
        'BAD_USERNAME',
        'Username must be 3-64 letters, digits, dots, dashes or underscores.',
      );
    }
    if (input.password.length < MIN_PASSWORD_LENGTH) {
      throw new AccountError('WEAK_PASSWORD', `Password must be at least ${MIN_PASSWORD_LENGTH} characters.`);
    }
    const passwordHash = await hashPassword(input.password);
    const apiKey = generateApiKey();
    const keyHash = this.#verifier.hash(apiKey);
    const user = await this.#db.transaction().execute(async (trx) => {
      // Serialise concurrent setups: only the first one may create the admin.
      await trx.selectFrom('users').select('id').forUpdate().execute();
      if ((await countUsers(trx)) > 0) {
        throw new AccountError('SETUP_ALREADY_DONE', 'Setup is already complete.');
      }
      const created = await insertUser(trx, {
        username: input.username,
        password_hash: passwordHash,
        is_admin: true,
      });
      await insertApiKey(trx, { user_id: created.id, key_hash: keyHash, key_prefix: apiKey.slice(0, 8) });
      return created;
    });
    return { user, apiKey };
  }

  /** Creates the admin with a generated password when no user exists (one-command start). */
  async ensureFirstRun(): Promise<(CreatedAccount & { password: string }) | null> {
    if (await this.isSetupDone()) {
      return null;
    }
    const password = generatePassword();
    try {
      const created = await this.setupAdmin({ username: 'admin', password });
      return { ...created, password };
    } catch (error) {
      if (error instanceof AccountError && error.code === 'SETUP_ALREADY_DONE') {
        return null;
      }
      throw error;
    }
  }

  async findAdmin(username?: string): Promise<UserRow> {
    const user = username ? await findUserByUsername(this.#db, username) : await findFirstAdmin(this.#db);
    if (!user) {
      throw new AccountError(
        'USER_NOT_FOUND',
        username ? `No user named ${username}.` : 'No admin user: run setup first.',
      );
    }
    return user;
  }

  /** Revokes the user's keys and issues a new one; the old key stops working at once. */
  async rotateApiKey(userId: number): Promise<string> {
    const apiKey = generateApiKey();
    const keyHash = this.#verifier.hash(apiKey);
    await this.#db.transaction().execute(async (trx) => {
      const previous = await findActiveApiKeyForUser(trx, userId);
      await revokeApiKeysOfUser(trx, userId, new Date(this.#now()));
      await insertApiKey(trx, {
        user_id: userId,
        key_hash: keyHash,
        key_prefix: apiKey.slice(0, 8),
        ...(previous ? { order_mode: previous.order_mode } : {}),
      });
    });
    this.#verifier.invalidate();
    await this.#notify(API_KEYS_CHANNEL);
    return apiKey;
  }
}
