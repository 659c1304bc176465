import { randomBytes } from 'node:crypto';

/** Every id we mint carries a prefix from this table (house rule 24). */
export const ID_PREFIXES = {
  order: 'ord',
  request: 'req',
  pendingOrder: 'pend',
  session: 'ses',
} as const;

export type IdKind = keyof typeof ID_PREFIXES;

/** Time-ordered, collision-resistant: 9 base-36 characters of milliseconds + 10 random hex. */
export function createId(kind: IdKind, now: number = Date.now()): string {
  return `${ID_PREFIXES[kind]}_${now.toString(36).padStart(9, '0')}${randomBytes(5).toString('hex')}`;
}

let sequence = 0;
const processTag = randomBytes(3).toString('hex');

/**
 * Request ids: unique within this process run and cheap (no random bytes per request):
 * a per-process random tag plus a counter.
 */
export function createRequestId(): string {
  sequence = (sequence + 1) % Number.MAX_SAFE_INTEGER;
  return `${ID_PREFIXES.request}_${processTag}${sequence.toString(36)}`;
}
