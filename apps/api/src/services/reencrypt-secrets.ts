import {
  type Database,
  ENCRYPTED_COLUMNS,
  type Kysely,
  listStaleEncryptedValues,
  replaceEncryptedValue,
} from '@openalgo/db';
import type { Logger } from 'pino';
import type { SecretBox } from '../secret-box.js';

export interface ReencryptionResult {
  /** Values moved to the current key. */
  reencrypted: number;
  /** Values no configured key opens (a key was dropped too early); left as they are. */
  unreadable: number;
}

/**
 * Key rotation for secrets at rest: every envelope not under the current (first) key of
 * ENCRYPTION_KEYS is decrypted with its own key and encrypted again under the current one.
 * Idempotent, safe beside a running server (each row is compared before it is replaced).
 * Once it reports nothing left, the old key can be removed from ENCRYPTION_KEYS.
 */
export async function reencryptSecrets(
  db: Kysely<Database>,
  secretBox: SecretBox,
  logger?: Logger,
): Promise<ReencryptionResult> {
  const result: ReencryptionResult = { reencrypted: 0, unreadable: 0 };
  for (const target of ENCRYPTED_COLUMNS) {
    for (const row of await listStaleEncryptedValues(db, target, secretBox.currentKeyId)) {
      let next: string;
      try {
        next = secretBox.reencrypt(row.value);
      } catch (error) {
        result.unreadable += 1;
        logger?.warn(
          { err: error, table: target.table, column: target.column, id: row.id },
          'secret not re-encrypted: no configured key opens it',
        );
        continue;
      }
      if (await replaceEncryptedValue(db, target, { id: row.id, previous: row.value, next })) {
        result.reencrypted += 1;
      }
    }
  }
  return result;
}
