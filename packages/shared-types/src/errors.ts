import { z } from 'zod';
import { MESSAGES } from './fields.js';

/**
 * OpenAlgo's error envelopes (api-v1 §2.6). Field errors are a nested map
 * `{ field: [messages] }`, nested objects and list items keyed by name or index.
 */
export interface FieldErrors {
  [key: string]: string[] | FieldErrors;
}

export const fieldErrorsSchema: z.ZodType<FieldErrors> = z.lazy(() =>
  z.record(z.string(), z.union([z.array(z.string()), fieldErrorsSchema])),
);

/** E1: `message` is a Python-dict-looking string. E5: a human message. */
export const errorStringResponseSchema = z.object({
  status: z.literal('error'),
  message: z.string(),
  mode: z.literal('analyze').optional(),
});
export type ErrorStringResponse = z.infer<typeof errorStringResponseSchema>;

/** E2: `message` is the field-error object itself. */
export const errorObjectResponseSchema = z.object({
  status: z.literal('error'),
  message: fieldErrorsSchema,
  mode: z.literal('analyze').optional(),
});
export type ErrorObjectResponse = z.infer<typeof errorObjectResponseSchema>;

/** E3/E4: a fixed message plus an `errors` object. */
export const errorWithDetailsResponseSchema = z.object({
  status: z.literal('error'),
  message: z.string(),
  errors: fieldErrorsSchema,
});
export type ErrorWithDetailsResponse = z.infer<typeof errorWithDetailsResponseSchema>;

/** The 429 body we answer (api-v1 §6.3 recommendation). */
export const rateLimitResponseSchema = z.object({
  status: z.literal('error'),
  message: z.string(),
  retry_after: z.number().int(),
});
export type RateLimitResponse = z.infer<typeof rateLimitResponseSchema>;

/** Any error body a route may answer. */
export const errorResponseSchema = z.union([
  errorStringResponseSchema,
  errorObjectResponseSchema,
  errorWithDetailsResponseSchema,
  rateLimitResponseSchema,
]);
export type ErrorResponse = z.infer<typeof errorResponseSchema>;

/** How a route reports validation errors (api-v1 §2.6). */
export type ValidationEnvelope = 'E1' | 'E2' | 'E3' | 'E4';

function insert(target: FieldErrors, path: readonly PropertyKey[], message: string): void {
  let node = target;
  const keys = path.length > 0 ? path.map(String) : ['_schema'];
  for (const [index, key] of keys.entries()) {
    if (index === keys.length - 1) {
      const existing = node[key];
      if (Array.isArray(existing)) {
        if (!existing.includes(message)) {
          existing.push(message);
        }
      } else {
        node[key] = [message];
      }
      return;
    }
    const next = node[key];
    if (next === undefined || Array.isArray(next)) {
      const created: FieldErrors = {};
      node[key] = created;
      node = created;
    } else {
      node = next;
    }
  }
}

/** Turns zod issues into OpenAlgo's nested field-error map. */
export function toFieldErrors(issues: readonly z.core.$ZodIssue[]): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        insert(errors, [...issue.path, key], MESSAGES.unknownField);
      }
    } else if (issue.code === 'invalid_type' && issue.expected === 'object') {
      // Issues carry no input (zod 4), but the field's error map already chose the message.
      const isAbsent = issue.message === MESSAGES.required || issue.message === MESSAGES.notNull;
      if (issue.path.length > 0 && isAbsent) {
        insert(errors, issue.path, issue.message);
      } else {
        insert(errors, [...issue.path, '_schema'], MESSAGES.notObject);
      }
    } else {
      insert(errors, issue.path, issue.message);
    }
  }
  return errors;
}

function pythonString(text: string): string {
  const escaped = text.replace(/\\/g, '\\\\');
  if (!text.includes("'") || text.includes('"')) {
    return `'${escaped.replace(/'/g, "\\'")}'`;
  }
  return `"${escaped}"`;
}

function pythonKey(key: string): string {
  return /^(0|[1-9]\d*)$/.test(key) ? key : pythonString(key);
}

/**
 * Renders field errors the way Python prints a dict (E1):
 * `{'quantity': ['Missing data for required field.']}`, list indexes as bare integers.
 */
export function formatPythonDict(errors: FieldErrors): string {
  const entries = Object.entries(errors).map(([key, value]) => {
    const rendered = Array.isArray(value)
      ? `[${value.map(pythonString).join(', ')}]`
      : formatPythonDict(value);
    return `${pythonKey(key)}: ${rendered}`;
  });
  return `{${entries.join(', ')}}`;
}

/** Builds the error body of a validation failure in the route's envelope style. */
export function buildValidationErrorBody(
  envelope: ValidationEnvelope,
  errors: FieldErrors,
  options: { mode?: 'analyze' } = {},
): ErrorResponse {
  switch (envelope) {
    case 'E1':
      return {
        status: 'error',
        message: formatPythonDict(errors),
        ...(options.mode ? { mode: options.mode } : {}),
      };
    case 'E2':
      return { status: 'error', message: errors, ...(options.mode ? { mode: options.mode } : {}) };
    case 'E3':
      return { status: 'error', message: 'Validation error', errors };
    case 'E4':
      return { status: 'error', message: 'Validation failed', errors };
  }
}

/** Messages fixed by the contract. */
export const API_MESSAGES = {
  invalidApiKey: 'Invalid openalgo apikey',
  invalidJsonBody: 'Request body must be a JSON object',
  notFound: 'Not found',
  methodNotAllowed: 'The method is not allowed for the requested URL.',
  unexpected: 'An unexpected error occurred',
  rateLimited: 'Rate limit exceeded. Please slow down your requests.',
  ipBanned: 'Access Denied: Your IP has been banned',
} as const;
