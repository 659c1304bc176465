import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM envelopes for secrets at rest (broker tokens, API secrets, TOTP seeds):
 * `v1.<keyId>.<iv>.<ciphertext>.<tag>` (base64url). Several keys may be configured; the first
 * encrypts, any decrypts, so keys rotate without a flag day (`reencrypt` moves a value over).
 */
export class SecretBoxError extends Error {
  readonly code = 'SECRET_BOX_FAILED';
}

export interface SecretBox {
  encrypt(plaintext: string): string;
  decrypt(envelope: string): string;
  /** Re-encrypts under the current key; returns the same text when already current. */
  reencrypt(envelope: string): string;
  readonly currentKeyId: string;
}

export function parseEncryptionKeys(text: string): Map<string, Buffer> {
  const keys = new Map<string, Buffer>();
  for (const part of text.split(',')) {
    const [id, hex] = part.split(':');
    if (!id || !hex || hex.length !== 64) {
      throw new SecretBoxError('encryption keys must be id:hex64[,id:hex64…]');
    }
    keys.set(id, Buffer.from(hex, 'hex'));
  }
  return keys;
}

export function createSecretBox(keysText: string): SecretBox {
  const keys = parseEncryptionKeys(keysText);
  const [currentKeyId] = keys.keys();
  if (!currentKeyId) {
    throw new SecretBoxError('no encryption key configured');
  }
  const currentKey = keys.get(currentKeyId) as Buffer;

  const encrypt = (plaintext: string): string => {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', currentKey, iv);
    cipher.setAAD(Buffer.from(`v1.${currentKeyId}`));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [
      'v1',
      currentKeyId,
      iv.toString('base64url'),
      ciphertext.toString('base64url'),
      tag.toString('base64url'),
    ].join('.');
  };

  const decrypt = (envelope: string): string => {
    const [version, keyId, iv, ciphertext, tag] = envelope.split('.');
    if (version !== 'v1' || !keyId || iv === undefined || ciphertext === undefined || tag === undefined) {
      throw new SecretBoxError('not a secret envelope');
    }
    const key = keys.get(keyId);
    if (!key) {
      throw new SecretBoxError(`unknown encryption key id ${keyId}`);
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(`v1.${keyId}`));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([
        decipher.update(Buffer.from(ciphertext, 'base64url')),
        decipher.final(),
      ]).toString('utf8');
    } catch (error) {
      throw new SecretBoxError('secret could not be decrypted (wrong key or tampered value)', {
        cause: error,
      });
    }
  };

  return {
    currentKeyId,
    encrypt,
    decrypt,
    reencrypt: (envelope) =>
      envelope.split('.')[1] === currentKeyId ? envelope : encrypt(decrypt(envelope)),
  };
}
