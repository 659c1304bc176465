import fc from 'fast-check';
import { sql } from 'kysely';
import type { TestApp, TestResponse } from './test-app.js';

/**
 * Inputs and checks shared by the property-based fuzz suites (test/e2e/*fuzz*): random and
 * adversarial request bodies aimed at a route's own fields, and a watch over the tables a
 * request could write, so a refused request is shown to have written nothing.
 */

export interface FuzzCase {
  contentType: string | null;
  body: string;
  /** `/api/v1`: send the real key where the body says `"apikey":"k"` (so the handler runs). */
  useValidKey: boolean;
}

/** Quotes, comment markers, LIKE wildcards, placeholders, stacked statements, sleeps, NULs. */
export const SQL_METACHARACTERS = [
  "'",
  "''",
  '"',
  "' OR '1'='1",
  "' OR 1=1 --",
  "'; DROP TABLE order_log; --",
  "'; DELETE FROM users; --",
  "1' UNION SELECT username, password_hash FROM users --",
  "'||(SELECT pg_sleep(5))||'",
  "'; SELECT pg_sleep(5); --",
  '%',
  '_',
  '%%',
  '%_%',
  '\\',
  "\\'",
  '\\%',
  ';',
  '--',
  '/*',
  '*/',
  '$1',
  '$$',
  '$tag$',
  ':symbol',
  '?',
  'NSE:SBIN',
  "SBIN' --",
  'SBIN%',
  'SB_N',
  "E'\\x27'",
  'NULL',
  '\u0000',
  'SBIN\u0000',
  '[a-z]*',
  '.*',
  '(?:',
  '&|!',
  ':*',
  '<->',
  '\u202eNIBS',
  'ＳＢＩＮ',
] as const;

export const sqlMetaString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...SQL_METACHARACTERS),
  fc
    .tuple(
      fc.constantFrom(...SQL_METACHARACTERS),
      fc.string({ maxLength: 12 }),
      fc.constantFrom(...SQL_METACHARACTERS),
    )
    .map(([head, middle, tail]) => `${head}${middle}${tail}`),
);

export const hugeString = fc.integer({ min: 10_000, max: 400_000 }).map((length) => 'x'.repeat(length));

export function deepNesting(depth: number, kind: 'array' | 'object'): string {
  return kind === 'array'
    ? `${'['.repeat(depth)}${']'.repeat(depth)}`
    : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

export const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(
    null,
    true,
    false,
    0,
    -1,
    1e308,
    -0.5,
    '',
    ' ',
    'NaN',
    'Infinity',
    '1e999',
    '٣',
    '0x10',
    [],
    {},
  ),
  fc.string({ maxLength: 300 }),
  fc.integer(),
  fc.double({ noNaN: false }),
  hugeString,
  sqlMetaString,
);

export interface BodyCaseOptions {
  /** The body fields the route declares, to aim wrong values at. */
  fields: readonly string[];
  /**
   * Plausible values for some fields (each an arbitrary): the SQL-metacharacter bodies fill the
   * route's other fields with these, so validation passes and the metacharacters reach the
   * handler (symbol lookups, search, strategy names).
   */
  plausible?: Readonly<Record<string, fc.Arbitrary<unknown>>>;
  /** Fields that take text a query could see: each gets metacharacters. */
  textFields?: readonly string[];
  /** Add `"apikey":"k"` to the fixed adversarial bodies (`/api/v1`). */
  withApikey: boolean;
}

/** Every kind of bad body, aimed at one route's fields. */
export function bodyCases(options: BodyCaseOptions): fc.Arbitrary<FuzzCase> {
  const { fields, plausible = {}, textFields = [], withApikey } = options;
  const fieldNames = fields.length > 0 ? fc.constantFrom(...fields) : fc.constant('apikey');
  const keyPart = withApikey ? '"apikey":"k",' : '';
  const jsonCase = (body: fc.Arbitrary<string>, useValidKey: fc.Arbitrary<boolean> = fc.boolean()) =>
    fc.record({ contentType: fc.constant('application/json'), body, useValidKey });
  const objectWith = (entries: fc.Arbitrary<Array<[string, unknown]>>) =>
    entries.map((pairs) => JSON.stringify(Object.fromEntries(pairs)));
  const metaFields = fields.filter((name) => textFields.includes(name));
  /** The route's fields, plausible where we know how, with metacharacters in the text ones. */
  const metaBody = fc
    .record(
      Object.fromEntries(
        fields.map((name) => [
          name,
          name === 'apikey'
            ? fc.constant('k')
            : metaFields.includes(name)
              ? fc.oneof(sqlMetaString, ...(plausible[name] ? [plausible[name]] : []))
              : (plausible[name] ?? wrongValue),
        ]),
      ),
    )
    .map((record) => JSON.stringify(record));
  return fc.oneof(
    // Any JSON value at all.
    jsonCase(fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value) ?? 'null')),
    // The route's fields, some with wrong values, some missing, plus unknown ones.
    jsonCase(
      objectWith(
        fc.array(fc.tuple(fc.oneof(fieldNames, fc.string({ maxLength: 20 })), wrongValue), { maxLength: 12 }),
      ),
    ),
    // Huge strings in every field.
    jsonCase(objectWith(fc.array(fc.tuple(fieldNames, hugeString), { minLength: 1, maxLength: 2 }))),
    // Deep nesting, as a whole body and inside a field.
    jsonCase(
      fc
        .tuple(
          fc.integer({ min: 50, max: 20_000 }),
          fc.constantFrom<'array' | 'object'>('array', 'object'),
          fieldNames,
        )
        .chain(([depth, kind, name]) =>
          fc.constantFrom(
            deepNesting(depth, kind),
            `{${keyPart}${JSON.stringify(name)}:${deepNesting(depth, kind)}}`,
          ),
        ),
    ),
    // Prototype-pollution keys, top level and nested (written as JSON text: JSON.stringify drops them).
    jsonCase(
      fc
        .tuple(
          fc.constantFrom('__proto__', 'constructor', 'prototype'),
          fieldNames,
          fc.jsonValue({ maxDepth: 2 }),
          metaBody,
        )
        .chain(([key, name, value, body]) =>
          fc.constantFrom(
            withApikey ? `{"${key}":{"polluted":true},"apikey":"k"}` : `{"${key}":{"polluted":true}}`,
            `{"${key}":{"prototype":{"polluted":true}}}`,
            `{${JSON.stringify(name)}:{"${key}":${JSON.stringify(value) ?? 'null'}}}`,
            `{"a":[{"${key}":{"isAdmin":true}}]}`,
            // A body that is otherwise plausible, with the poisoned key beside its fields.
            body === '{}' ? `{"${key}":{"isAdmin":true}}` : `{"${key}":{"isAdmin":true},${body.slice(1)}`,
          ),
        ),
    ),
    // SQL metacharacters in the text fields of an otherwise plausible body, with the real key.
    jsonCase(metaBody, fc.constant(true)),
    // Not JSON at all, or JSON under another content type, or no content type.
    fc.record({
      contentType: fc.constantFrom(
        'application/json',
        'application/x-www-form-urlencoded',
        'text/plain',
        'multipart/form-data; boundary=x',
        'application/octet-stream',
        'application/json; charset=latin1',
        null,
      ),
      body: fc.oneof(
        fc.string({ maxLength: 500 }),
        fc.constantFrom('{', '{"apikey":', '}{', '\u0000', 'apikey=x&a=b', "username=admin'--&password=x"),
      ),
      useValidKey: fc.constant(false),
    }),
  );
}

/** Random query strings over a route's parameters: wrong types, repeats, metacharacters, pollution keys. */
export function queryCases(fields: readonly string[]): fc.Arbitrary<string> {
  const name = fc.oneof(
    ...(fields.length > 0 ? [fc.constantFrom(...fields)] : []),
    fc.constantFrom('__proto__', 'constructor', '__proto__[isAdmin]', 'a[b][c]'),
    fc.string({ maxLength: 20 }),
  );
  const value = fc.oneof(
    sqlMetaString,
    fc.string({ maxLength: 50 }),
    fc.constantFrom('', '-1', '0', '1', '1e9', '9007199254740993', 'NaN', 'true', '[]', '{}'),
    // Long, yet within Node's 16 KiB request head (past it Node answers 431 before the app).
    fc.integer({ min: 500, max: 2_000 }).map((length) => 'x'.repeat(length)),
  );
  return fc
    .array(fc.tuple(name, value), { maxLength: 6 })
    .map((pairs) =>
      pairs.map(([key, item]) => `${encodeURIComponent(key)}=${encodeURIComponent(item)}`).join('&'),
    );
}

/** Statuses that mean "your input is malformed": nothing at all may be written for them. */
const MALFORMED = new Set([400, 405, 413, 415]);
/**
 * What a well-formed request that is refused may still write: its audit row (a failed
 * sign-in) and its order-log row (a broker write is recorded before the broker is asked, and
 * settled as rejected when the broker refuses, e.g. an unknown order id).
 */
const REFUSAL_TRAIL = new Set(['audit_log', 'order_log']);

/**
 * Tables a refused request could wrongly write: accounts, keys, sessions, second factors, bans,
 * the audit log, the order log and its approval queue, strategies, the analyzer's log and
 * books. Logs of every request (traffic, latency) are left out. Each is counted after every
 * request, so the list stays at the ones that matter (PGlite counts cost a little each).
 */
export function watchedTables(sandboxSchema: string): string[] {
  return [
    'users',
    'api_keys',
    'web_sessions',
    'recovery_codes',
    'ip_bans',
    'audit_log',
    'order_log',
    'pending_orders',
    'strategies',
    'analyzer_log',
    `${sandboxSchema}.orders`,
    `${sandboxSchema}.positions`,
  ];
}

export type RowCounts = Record<string, number>;

/**
 * Row counts of the watched tables, compared around each request: a request answered with a
 * 4xx must leave them as they were (a refused sign-in may add its audit row, nothing else;
 * a malformed body not even that). Audit rows (batched) and order-log rows (group commit)
 * are written behind the answer, so the watch flushes both before counting.
 */
export class WriteWatch {
  readonly #t: TestApp;
  readonly #tables: string[];
  #counts: RowCounts = {};
  /** Requests by status, and how many 2xx answers wrote rows (allowed: the input was valid). */
  readonly statuses = new Map<number, number>();
  acceptedWrites = 0;

  constructor(t: TestApp, tables = watchedTables(t.database.sandboxSchema)) {
    this.#t = t;
    this.#tables = tables;
  }

  get counts(): RowCounts {
    return this.#counts;
  }

  async count(): Promise<RowCounts> {
    // Both write behind the answer: audit rows in batches, order-log rows in group commit
    // (the order itself was spooled before the broker call).
    await this.#t.app.services.audit.flush();
    await this.#t.app.services.orderJournal.flush();
    const selects = this.#tables.map((table) => `(select count(*) from ${table})::int as "${table}"`);
    const result = await sql.raw<RowCounts>(`select ${selects.join(', ')}`).execute(this.#t.database.db);
    return result.rows[0] ?? {};
  }

  /** Takes the counts the next check compares against. */
  async reset(): Promise<void> {
    this.#counts = await this.count();
  }

  /** Throws when the answer is a 5xx, or when a refused request changed a watched table. */
  async check(label: string, response: TestResponse): Promise<void> {
    this.statuses.set(response.status, (this.statuses.get(response.status) ?? 0) + 1);
    if (response.status >= 500) {
      throw new Error(`${label} answered ${response.status}: ${response.text.slice(0, 300)}`);
    }
    const after = await this.count();
    const changed = this.#tables.filter((table) => after[table] !== this.#counts[table]);
    const before = this.#counts;
    this.#counts = after;
    if (changed.length === 0) {
      return;
    }
    if (response.status < 300) {
      this.acceptedWrites += 1;
      return;
    }
    if (!MALFORMED.has(response.status) && changed.every((table) => REFUSAL_TRAIL.has(table))) {
      return;
    }
    const diff = changed.map((table) => `${table} ${before[table]} → ${after[table]}`).join(', ');
    throw new Error(
      `${label} answered ${response.status} but wrote rows (${diff}): ${response.text.slice(0, 300)}`,
    );
  }

  summary(): string {
    const byStatus = [...this.statuses.entries()]
      .sort(([a], [b]) => a - b)
      .map(([status, count]) => `${status}×${count}`)
      .join(' ');
    return `${byStatus}; ${this.acceptedWrites} accepted requests wrote rows`;
  }
}

/** A request that must answer within this: a hang fails the property instead of the suite timeout. */
export const REQUEST_DEADLINE_MS = 15_000;
