import { expect } from 'vitest';
import type { TestApp } from './test-app.js';

/** Where a route's envelope puts field errors (api-v1 §2.6). */
export type Envelope = 'E2' | 'E3' | 'E4';

const ENVELOPE_MESSAGE: Record<'E3' | 'E4', string> = {
  E3: 'Validation error',
  E4: 'Validation failed',
};

/** The field-error map of a 400 body in the route's envelope, after checking its frame. */
export function fieldErrorsOf(envelope: Envelope, body: unknown): Record<string, unknown> {
  const record = body as { status?: unknown; message?: unknown; errors?: unknown };
  expect(record.status).toBe('error');
  if (envelope === 'E2') {
    expect(typeof record.message).toBe('object');
    return record.message as Record<string, unknown>;
  }
  expect(record.message).toBe(ENVELOPE_MESSAGE[envelope]);
  return record.errors as Record<string, unknown>;
}

export interface BadInputCase {
  path: string;
  /** A body the route accepts. */
  valid: Record<string, unknown>;
  envelope: Envelope;
  /** A required field to drop. */
  required: string;
  /** An enum field, a value outside it and the message expected. */
  enumField?: { name: string; value: unknown; message: string };
  /** Status of a wrong key (403, or 401 for the Greeks routes). */
  invalidKeyStatus?: number;
}

/**
 * The bad-input battery every route passes (issue: "invalid key, missing field, wrong enum,
 * unknown field, malformed JSON, empty body"): each a clear 4xx in the OpenAlgo shape.
 */
export async function expectBadInputRefused(t: TestApp, check: BadInputCase): Promise<void> {
  const wrongKey = await t.post(check.path, { ...check.valid, apikey: '0'.repeat(64) });
  expect(wrongKey.status).toBe(check.invalidKeyStatus ?? 403);
  expect(wrongKey.json).toEqual({ status: 'error', message: 'Invalid openalgo apikey' });

  const { [check.required]: _dropped, ...missing } = check.valid;
  const missingResponse = await t.post(check.path, missing);
  expect(missingResponse.status).toBe(400);
  expect(fieldErrorsOf(check.envelope, missingResponse.json)).toEqual({
    [check.required]: ['Missing data for required field.'],
  });

  if (check.enumField) {
    const wrongEnum = await t.post(check.path, {
      ...check.valid,
      [check.enumField.name]: check.enumField.value,
    });
    expect(wrongEnum.status).toBe(400);
    expect(fieldErrorsOf(check.envelope, wrongEnum.json)).toEqual({
      [check.enumField.name]: [check.enumField.message],
    });
  }

  const unknown = await t.post(check.path, { ...check.valid, surplus: 1 });
  expect(unknown.status).toBe(400);
  expect(fieldErrorsOf(check.envelope, unknown.json)).toEqual({ surplus: ['Unknown field.'] });

  const invalidJson = { status: 'error', message: 'Request body must be a JSON object' };
  for (const text of ['{"apikey": ', '']) {
    const response = await t.post(check.path, text);
    expect(response.status).toBe(400);
    expect(response.json).toEqual(invalidJson);
  }
}

export const EXCHANGE_MESSAGE =
  'Must be one of: NSE, BSE, NFO, BFO, CDS, BCD, MCX, NCDEX, NCO, NSE_INDEX, BSE_INDEX, MCX_INDEX, GLOBAL_INDEX, CRYPTO.';
export const DERIVATIVE_EXCHANGE_MESSAGE = 'Must be one of: NFO, BFO, MCX, CDS, NCO, BCD, NCDEX, CRYPTO.';
