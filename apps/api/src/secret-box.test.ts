import { randomBytes } from 'node:crypto';
import { insertUser, replaceBrokerSession } from '@openalgo/db';
import { createTestDatabase, type TestDatabase, testBackends } from '@openalgo/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecretBox, SecretBoxError } from './secret-box.js';
import { reencryptSecrets } from './services/reencrypt-secrets.js';

const key = () => randomBytes(32).toString('hex');
const OLD = `old:${key()}`;
const NEW = `new:${key()}`;

describe('secret box (AES-256-GCM)', () => {
  const box = createSecretBox(OLD);

  it('round-trips, with a fresh IV every time', () => {
    const first = box.encrypt('kite-access-token');
    const second = box.encrypt('kite-access-token');
    expect(first).toMatch(/^v1\.old\.[\w-]{16}\.[\w-]+\.[\w-]{22}$/);
    expect(first).not.toBe(second);
    expect(first).not.toContain('kite');
    expect(box.decrypt(first)).toBe('kite-access-token');
    expect(box.decrypt(box.encrypt(''))).toBe('');
    expect(box.decrypt(box.encrypt('ünïcødé ✓'))).toBe('ünïcødé ✓');
  });

  it('refuses a tampered ciphertext, tag, IV or key id', () => {
    const envelope = box.encrypt('secret value');
    const [version, keyId, iv, ciphertext, tag] = envelope.split('.') as [
      string,
      string,
      string,
      string,
      string,
    ];
    const flip = (text: string) => {
      const bytes = Buffer.from(text, 'base64url');
      bytes[0] = (bytes[0] ?? 0) ^ 1;
      return bytes.toString('base64url');
    };
    for (const tampered of [
      [version, keyId, iv, flip(ciphertext), tag],
      [version, keyId, iv, ciphertext, flip(tag)],
      [version, keyId, flip(iv), ciphertext, tag],
    ]) {
      expect(() => box.decrypt(tampered.join('.'))).toThrow(SecretBoxError);
    }
    // The key id is authenticated too: relabelling an envelope under another key fails.
    const twoKeys = createSecretBox(`${OLD},other:${OLD.split(':')[1]}`);
    expect(() => twoKeys.decrypt([version, 'other', iv, ciphertext, tag].join('.'))).toThrow(SecretBoxError);
    expect(() => box.decrypt('not an envelope')).toThrow(SecretBoxError);
    expect(() => box.decrypt([version, 'unknown', iv, ciphertext, tag].join('.'))).toThrow(
      /unknown encryption key/,
    );
  });

  it('rotates: the first key encrypts, every key decrypts, reencrypt moves a value over', () => {
    const oldEnvelope = box.encrypt('token');
    const rotated = createSecretBox(`${NEW},${OLD}`);
    expect(rotated.currentKeyId).toBe('new');
    expect(rotated.decrypt(oldEnvelope)).toBe('token');
    const moved = rotated.reencrypt(oldEnvelope);
    expect(moved).toMatch(/^v1\.new\./);
    expect(rotated.decrypt(moved)).toBe('token');
    expect(rotated.reencrypt(moved)).toBe(moved);
    // Once the old key is gone, only re-encrypted values still open.
    const newOnly = createSecretBox(NEW);
    expect(newOnly.decrypt(moved)).toBe('token');
    expect(() => newOnly.decrypt(oldEnvelope)).toThrow(SecretBoxError);
  });

  it('refuses malformed key lists', () => {
    expect(() => createSecretBox('k1:abcd')).toThrow(SecretBoxError);
    expect(() => createSecretBox('')).toThrow(SecretBoxError);
  });
});

describe.each(testBackends())('re-encrypting secrets at rest on %s', (backend) => {
  let handle: TestDatabase;

  beforeAll(async () => {
    handle = await createTestDatabase(backend);
  }, 120_000);

  afterAll(async () => {
    await handle?.close();
  });

  it('moves every envelope to the newest key and reports what no key opens', async () => {
    const oldBox = createSecretBox(OLD);
    const user = await insertUser(handle.db, {
      username: 'trader',
      password_hash: 'x',
      totp_secret_enc: oldBox.encrypt('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP'),
    });
    await replaceBrokerSession(handle.db, {
      user_id: user.id,
      broker: 'zerodha',
      access_token_enc: oldBox.encrypt('access'),
      feed_token_enc: oldBox.encrypt('feed'),
    });
    await handle.db
      .insertInto('telegram_bot')
      .values({ id: 1, token_enc: createSecretBox(`lost:${key()}`).encrypt('bot-token') })
      .execute();

    const rotated = createSecretBox(`${NEW},${OLD}`);
    expect(await reencryptSecrets(handle.db, rotated)).toEqual({ reencrypted: 3, unreadable: 1 });
    expect(await reencryptSecrets(handle.db, rotated)).toEqual({ reencrypted: 0, unreadable: 1 });

    const newOnly = createSecretBox(NEW);
    const session = await handle.db.selectFrom('broker_sessions').selectAll().executeTakeFirstOrThrow();
    expect(newOnly.decrypt(session.access_token_enc)).toBe('access');
    expect(newOnly.decrypt(session.feed_token_enc ?? '')).toBe('feed');
    const stored = await handle.db.selectFrom('users').select('totp_secret_enc').executeTakeFirstOrThrow();
    expect(newOnly.decrypt(stored.totp_secret_enc ?? '')).toBe('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP');
  });
});
