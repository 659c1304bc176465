import { createHmac, randomInt } from 'node:crypto';
import { generateSecret, generateURI, verifySync } from 'otplib';
import QRCode from 'qrcode';
import { deriveKey } from './web-sessions.js';

/**
 * TOTP (RFC 6238: SHA-1, 6 digits, 30 s, what every authenticator app speaks) through otplib,
 * with one step of clock drift either way. Replay protection: the caller stores the accepted
 * time step and passes it back, so a code is never accepted twice.
 */
const PERIOD_SECONDS = 30;

export function createTotpSecret(): string {
  // 20 bytes (160 bits), the RFC's recommended length for SHA-1.
  return generateSecret({ length: 20 });
}

export function totpUri(input: { issuer: string; username: string; secret: string }): string {
  return generateURI({ issuer: input.issuer, label: input.username, secret: input.secret });
}

export async function totpQrCode(uri: string): Promise<string> {
  return QRCode.toDataURL(uri, { errorCorrectionLevel: 'M', margin: 2, width: 240 });
}

/** The time step a code matched, or null. `afterStep` refuses that step and every earlier one. */
export function verifyTotp(input: {
  secret: string;
  code: string;
  now: number;
  afterStep?: number | null;
}): number | null {
  const code = input.code.replace(/\s+/g, '');
  if (!/^\d{6}$/.test(code)) {
    return null;
  }
  const result = verifySync({
    secret: input.secret,
    token: code,
    epoch: Math.floor(input.now / 1_000),
    period: PERIOD_SECONDS,
    epochTolerance: PERIOD_SECONDS,
    ...(input.afterStep !== null && input.afterStep !== undefined ? { afterTimeStep: input.afterStep } : {}),
  });
  // The TOTP result carries the matched step (the HOTP variant of the union does not).
  return result.valid && 'timeStep' in result ? result.timeStep : null;
}

// --- recovery codes -----------------------------------------------------------------------

/** Unambiguous lower-case letters and digits (no 0/o, 1/l/i). */
const RECOVERY_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
export const RECOVERY_CODE_COUNT = 10;

/** `xxxxx-xxxxx`: 10 characters from 31, about 50 bits each. */
export function createRecoveryCodes(count = RECOVERY_CODE_COUNT): string[] {
  return Array.from({ length: count }, () => {
    let text = '';
    for (let index = 0; index < 10; index += 1) {
      text += RECOVERY_ALPHABET[randomInt(RECOVERY_ALPHABET.length)];
    }
    return `${text.slice(0, 5)}-${text.slice(5)}`;
  });
}

export function isRecoveryCodeShaped(code: string): boolean {
  return /^[a-z0-9]{10}$/.test(normaliseRecoveryCode(code));
}

function normaliseRecoveryCode(code: string): string {
  return code.toLowerCase().replace(/[\s-]+/g, '');
}

export class RecoveryCodeHasher {
  readonly #key: Buffer;
  constructor(secret: string) {
    this.#key = deriveKey(secret, 'totp-recovery-codes');
  }
  hash(code: string): string {
    return createHmac('sha256', this.#key).update(normaliseRecoveryCode(code), 'utf8').digest('hex');
  }
}
