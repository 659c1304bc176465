import { z } from 'zod';

/**
 * Field builders that reproduce OpenAlgo's request-validation semantics (api-v1 §2.4):
 * the same coercions and the same messages, so a client sees exactly what it saw before.
 * Request schemas in this package are built from these; response schemas use plain zod.
 */

export const MESSAGES = {
  required: 'Missing data for required field.',
  notNull: 'Field may not be null.',
  notString: 'Not a valid string.',
  notNumber: 'Not a valid number.',
  notInteger: 'Not a valid integer.',
  notBoolean: 'Not a valid boolean.',
  notList: 'Not a valid list.',
  notObject: 'Invalid input type.',
  unknownField: 'Unknown field.',
  length: (min: number, max: number) => `Length must be between ${min} and ${max}.`,
  listMin: (min: number) => `Shorter than minimum length ${min}.`,
  oneOf: (choices: readonly string[]) => `Must be one of: ${choices.join(', ')}.`,
  range: (min: number, max: number) =>
    `Must be greater than or equal to ${min} and less than or equal to ${max}.`,
  atLeast: (min: number) => `Must be greater than or equal to ${min}.`,
  notDate: 'Not a valid date.',
} as const;

function missingOrNull(input: unknown, fallback: string): string {
  if (input === undefined) {
    return MESSAGES.required;
  }
  if (input === null) {
    return MESSAGES.notNull;
  }
  return fallback;
}

export interface StringFieldOptions {
  min?: number;
  max?: number;
}

/** A string field; numbers are refused ("Not a valid string."). */
export function stringField(options: StringFieldOptions = {}) {
  const { min, max } = options;
  let schema = z.string({ error: (issue) => missingOrNull(issue.input, MESSAGES.notString) });
  if (min !== undefined && max !== undefined) {
    schema = schema.min(min, MESSAGES.length(min, max)).max(max, MESSAGES.length(min, max));
  } else if (min !== undefined) {
    schema = schema.min(min, `Shorter than minimum length ${min}.`);
  } else if (max !== undefined) {
    schema = schema.max(max, `Longer than maximum length ${max}.`);
  }
  return schema;
}

/** The `apikey` body field every POST schema carries: a string of 1–256 characters. */
export const apikeyField = () => stringField({ min: 1, max: 256 });

/** An enum field (`OneOf`), case-sensitive unless `caseInsensitive` is set. */
export function enumField<const T extends readonly [string, ...string[]]>(
  choices: T,
  options: { caseInsensitive?: boolean; message?: string } = {},
) {
  const message = options.message ?? MESSAGES.oneOf(choices);
  const base = z.enum(choices, { error: (issue) => missingOrNull(issue.input, message) });
  if (!options.caseInsensitive) {
    return base;
  }
  return z.preprocess(
    (value) => (typeof value === 'string' ? value.toUpperCase() : value),
    base,
  ) as unknown as typeof base;
}

const numericText = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * A float field: a JSON number or a numeric string (`"10"`, `"10.5"`), returned as a number.
 * Booleans, NaN, Infinity and non-numeric strings give "Not a valid number.".
 * Use `decimalField` instead for prices and money.
 */
export function floatField() {
  return z
    .union([z.number(), z.string()], { error: (issue) => missingOrNull(issue.input, MESSAGES.notNumber) })
    .transform((value, context) => {
      const text = typeof value === 'number' ? String(value) : value.trim();
      const parsed = Number(text);
      if (!numericText.test(text) || !Number.isFinite(parsed)) {
        context.addIssue({ code: 'custom', message: MESSAGES.notNumber, input: value });
        return z.NEVER;
      }
      return parsed;
    });
}

/**
 * A decimal (money) field: a JSON number or numeric string, returned as a canonical decimal
 * string (`"500"`, `"10.5"`), so no float arithmetic ever touches it. Exponents are refused.
 */
export function decimalField() {
  return z
    .union([z.number(), z.string()], { error: (issue) => missingOrNull(issue.input, MESSAGES.notNumber) })
    .transform((value, context) => {
      const text = typeof value === 'number' ? String(value) : value.trim();
      const match = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text);
      if (
        !match ||
        !Number.isFinite(Number(text)) ||
        text === '' ||
        text === '.' ||
        /^[+-]?\.?$/.test(text)
      ) {
        context.addIssue({ code: 'custom', message: MESSAGES.notNumber, input: value });
        return z.NEVER;
      }
      return canonicalDecimal(match[1] ?? '', match[2] ?? '', match[3] ?? '');
    });
}

function canonicalDecimal(sign: string, integerDigits: string, fractionDigits: string): string {
  const integerPart = integerDigits.replace(/^0+(?=\d)/, '') || '0';
  const fractionPart = fractionDigits.replace(/0+$/, '');
  const body = fractionPart ? `${integerPart}.${fractionPart}` : integerPart;
  return sign === '-' && body !== '0' ? `-${body}` : body;
}

/**
 * An integer field: integers, numeric strings of integers (`"65"`) and floats, which are
 * truncated (65.9 → 65). `"65.5"` as a string gives "Not a valid integer.".
 */
export function integerField() {
  return z
    .union([z.number(), z.string()], { error: (issue) => missingOrNull(issue.input, MESSAGES.notInteger) })
    .transform((value, context) => {
      if (typeof value === 'number') {
        if (!Number.isFinite(value)) {
          context.addIssue({ code: 'custom', message: MESSAGES.notInteger, input: value });
          return z.NEVER;
        }
        return Math.trunc(value);
      }
      const text = value.trim();
      if (!/^[+-]?\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
        context.addIssue({ code: 'custom', message: MESSAGES.notInteger, input: value });
        return z.NEVER;
      }
      return Number(text);
    });
}

const TRUTHY = new Set([
  'true',
  'True',
  'TRUE',
  't',
  'T',
  'yes',
  'Yes',
  'YES',
  'y',
  'Y',
  'on',
  'On',
  'ON',
  '1',
]);
const FALSY = new Set([
  'false',
  'False',
  'FALSE',
  'f',
  'F',
  'no',
  'No',
  'NO',
  'n',
  'N',
  'off',
  'Off',
  'OFF',
  '0',
]);

/** A boolean field: true/false, 1/0 and the usual truthy/falsy strings. */
export function booleanField() {
  return z
    .union([z.boolean(), z.number(), z.string()], {
      error: (issue) => missingOrNull(issue.input, MESSAGES.notBoolean),
    })
    .transform((value, context) => {
      if (typeof value === 'boolean') {
        return value;
      }
      if (value === 1 || TRUTHY.has(String(value))) {
        return true;
      }
      if (value === 0 || FALSY.has(String(value))) {
        return false;
      }
      context.addIssue({ code: 'custom', message: MESSAGES.notBoolean, input: value });
      return z.NEVER;
    });
}

/** A list field with OpenAlgo's "Not a valid list." and minimum-length messages. */
export function listField<T extends z.ZodType>(item: T, options: { min?: number } = {}) {
  const schema = z.array(item, { error: (issue) => missingOrNull(issue.input, MESSAGES.notList) });
  return options.min === undefined ? schema : schema.min(options.min, MESSAGES.listMin(options.min));
}

/**
 * A strict object: unknown keys are refused with "Unknown field." (api-v1 §2.4). The few
 * schemas that silently drop unknown keys (GTT place/modify) use `lenientRequestObject`.
 */
export function requestObject<T extends z.core.$ZodLooseShape>(shape: T) {
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code === 'unrecognized_keys') {
        return MESSAGES.unknownField;
      }
      return missingOrNull(issue.input, MESSAGES.notObject);
    },
  });
}

/** An object that drops unknown keys instead of refusing them (marshmallow `EXCLUDE`). */
export function lenientRequestObject<T extends z.core.$ZodLooseShape>(shape: T) {
  return z.object(shape, {
    error: (issue) => missingOrNull(issue.input, MESSAGES.notObject),
  });
}

/** A range check with marshmallow's `Range` messages (either bound may be omitted). */
export function inRange(bounds: { min?: number; max?: number }): (value: number) => boolean {
  return (value) =>
    (bounds.min === undefined || value >= bounds.min) && (bounds.max === undefined || value <= bounds.max);
}

/** The message `inRange` failures carry, worded as marshmallow words it. */
export function rangeMessage(bounds: { min?: number; max?: number }): string {
  if (bounds.min !== undefined && bounds.max !== undefined) {
    return MESSAGES.range(bounds.min, bounds.max);
  }
  if (bounds.min !== undefined) {
    return MESSAGES.atLeast(bounds.min);
  }
  return `Must be less than or equal to ${bounds.max}.`;
}

const isoDate = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * A calendar date `YYYY-MM-DD` (marshmallow `Date`): kept as the same text once it names a real
 * day; anything else is "Not a valid date.".
 */
export function dateField() {
  return z.string({ error: (issue) => missingOrNull(issue.input, MESSAGES.notDate) }).refine(
    (value) => {
      const match = isoDate.exec(value);
      if (!match) {
        return false;
      }
      const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
      const date = new Date(Date.UTC(year, month - 1, day));
      return (
        year >= 1 &&
        date.getUTCFullYear() === year &&
        date.getUTCMonth() === month - 1 &&
        date.getUTCDate() === day
      );
    },
    { message: MESSAGES.notDate },
  );
}

/**
 * A query-string parameter: the reference reads it with `args.get`, so an absent parameter
 * is `None` and fails as "Field may not be null." rather than as a missing field.
 */
export function queryParameter<T extends z.ZodType>(schema: T) {
  return z.preprocess((value) => (value === undefined ? null : value), schema);
}
