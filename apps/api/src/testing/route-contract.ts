import { buildValidationErrorBody, type FieldErrors } from '@openalgo/shared-types';
import { expect, it } from 'vitest';
import type { z } from 'zod';
import type { TestApp, TestResponse } from './test-app.js';

/**
 * The contract checks every `/api/v1` POST route passes over real HTTP (issue "done when"):
 * success shape, invalid key, missing field, wrong value, unknown field, malformed JSON and an
 * empty body, each answered with the route's envelope and never a 5xx.
 */
export interface RouteContract {
  /** Path under `/api/v1`, e.g. `placeorder`. */
  path: string;
  envelope: 'E1' | 'E2' | 'E3';
  /** A valid body without `apikey`; called once per check. */
  valid: () => Record<string, unknown> | Promise<Record<string, unknown>>;
  /** The 200 body's schema; more specific checks go in `expectSuccess`. */
  response: z.ZodType;
  expectSuccess?: (json: unknown) => void;
  /** A required field to drop. */
  missing: string;
  /** A wrong value and the field errors it must produce. */
  wrong: { patch: Record<string, unknown>; errors: FieldErrors };
  /** GTT place/modify drop unknown fields instead of refusing them. */
  isUnknownFieldIgnored?: boolean;
  /** In analyzer mode its validation errors carry `"mode":"analyze"` (api-v1 §2.6, E1 list). */
  marksValidationErrors?: boolean;
}

export interface ContractOptions {
  /** The routes run with analyzer mode on: sandbox answers carry `"mode":"analyze"`. */
  mode?: 'analyze';
}

export const INVALID_KEY = '0'.repeat(64);

function expectValidationError(
  response: TestResponse,
  envelope: 'E1' | 'E2' | 'E3',
  errors: FieldErrors,
  mark: { mode?: 'analyze' } = {},
): void {
  expect(response.status, response.text).toBe(400);
  expect(response.json).toEqual(buildValidationErrorBody(envelope, errors, mark));
}

/** Registers the seven checks of each route as tests. */
export function describeRouteContracts(
  app: () => TestApp,
  contracts: readonly RouteContract[],
  options: ContractOptions = {},
): void {
  for (const contract of contracts) {
    const url = `/api/v1/${contract.path}`;
    const mark: { mode?: 'analyze' } =
      options.mode === 'analyze' && contract.marksValidationErrors === true ? { mode: 'analyze' } : {};
    it(`${contract.path}: answers a valid request with its success shape`, async () => {
      const t = app();
      const response = await t.post(url, { apikey: t.apiKey, ...(await contract.valid()) });
      expect(response.status, response.text).toBe(200);
      expect(response.contentType).toMatch(/application\/json/);
      const parsed = contract.response.safeParse(response.json);
      expect(parsed.success, `${response.text}\n${parsed.error?.message ?? ''}`).toBe(true);
      expect((response.json as { status: string }).status).toBe('success');
      if (options.mode === 'analyze') {
        expect((response.json as { mode?: string }).mode, response.text).toBe('analyze');
      }
      contract.expectSuccess?.(response.json);
    });
    it(`${contract.path}: refuses an invalid key with 403`, async () => {
      const t = app();
      const response = await t.post(url, { apikey: INVALID_KEY, ...(await contract.valid()) });
      expect(response.status).toBe(403);
      expect(response.json).toEqual({ status: 'error', message: 'Invalid openalgo apikey' });
    });
    it(`${contract.path}: reports a missing field (${contract.missing})`, async () => {
      const t = app();
      const body: Record<string, unknown> = { apikey: t.apiKey, ...(await contract.valid()) };
      delete body[contract.missing];
      expectValidationError(
        await t.post(url, body),
        contract.envelope,
        { [contract.missing]: ['Missing data for required field.'] },
        mark,
      );
    });
    it(`${contract.path}: reports a wrong value (${Object.keys(contract.wrong.patch).join(', ')})`, async () => {
      const t = app();
      const body = { apikey: t.apiKey, ...(await contract.valid()), ...contract.wrong.patch };
      expectValidationError(await t.post(url, body), contract.envelope, contract.wrong.errors, mark);
    });
    it(`${contract.path}: ${contract.isUnknownFieldIgnored ? 'ignores' : 'refuses'} an unknown field`, async () => {
      const t = app();
      const response = await t.post(url, { apikey: t.apiKey, ...(await contract.valid()), bogus: 1 });
      if (contract.isUnknownFieldIgnored) {
        expect(response.status, response.text).toBe(200);
      } else {
        expectValidationError(response, contract.envelope, { bogus: ['Unknown field.'] }, mark);
      }
    });
    it(`${contract.path}: answers malformed JSON and an empty body with 400`, async () => {
      const t = app();
      const expected = { status: 'error', message: 'Request body must be a JSON object' };
      const malformed = await t.post(url, `{"apikey": "${t.apiKey}", `);
      expect(malformed.status).toBe(400);
      expect(malformed.json).toEqual(expected);
      const empty = await t.post(url, '');
      expect(empty.status).toBe(400);
      expect(empty.json).toEqual(expected);
      const notAnObject = await t.post(url, '[]');
      expectValidationError(notAnObject, contract.envelope, { _schema: ['Invalid input type.'] }, mark);
    });
  }
}

/** Rate limits out of the way of functional tests (the limiter still runs). */
export const UNLIMITED_RATES: Record<string, string> = {
  ORDER_RATE_LIMIT: '100000 per second',
  SMART_ORDER_RATE_LIMIT: '100000 per second',
  API_RATE_LIMIT: '100000 per second',
};
