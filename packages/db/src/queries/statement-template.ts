import {
  type Compilable,
  CompiledQuery,
  type QueryExecutorProvider,
  type QueryResult,
  type RawBuilder,
} from 'kysely';

/**
 * Statements of a hot path compiled once per shape instead of once per call. Kysely builds an
 * operation tree, runs it through the plugins (the sandbox's `withSchema` copies the whole
 * tree) and compiles it every time a query runs — tens of kilobytes of garbage for one
 * statement. A template is the statement compiled once with marker values in place of its
 * parameters (`parameterMarker(i)` for the i-th value); each call then only lists its values
 * and the template places them where the markers went. The text is exactly what Kysely
 * compiles for those values, so the database sees the same statements as before.
 */
export interface StatementTemplate {
  readonly sql: string;
  /** For each parameter of `sql`, the index of the value that goes there. */
  readonly order: readonly number[];
}

const MARKER_PREFIX = '\u0000statement-parameter:';
const MARKER_SUFFIX = '\u0000';

/** The stand-in for the `index`-th value while a template compiles. */
export function parameterMarker(index: number): string {
  return `${MARKER_PREFIX}${index}${MARKER_SUFFIX}`;
}

function markerIndex(parameter: unknown): number | undefined {
  if (
    typeof parameter !== 'string' ||
    !parameter.startsWith(MARKER_PREFIX) ||
    !parameter.endsWith(MARKER_SUFFIX)
  ) {
    return undefined;
  }
  const index = Number(parameter.slice(MARKER_PREFIX.length, -MARKER_SUFFIX.length));
  return Number.isInteger(index) && index >= 0 ? index : undefined;
}

/**
 * Compiles `query`, built with `parameterMarker(0 … valueCount - 1)` as its values, into a
 * template. Throws when a parameter is not a marker or a value is not used exactly once: the
 * query then has a parameter the template could not fill from the call's values.
 */
export function compileTemplate(query: Compilable<unknown>, valueCount: number): StatementTemplate {
  const compiled = query.compile();
  const seen = new Array<boolean>(valueCount).fill(false);
  const order = compiled.parameters.map((parameter, position) => {
    const index = markerIndex(parameter);
    if (index === undefined || index >= valueCount || seen[index]) {
      throw new Error(`statement template: parameter $${position + 1} is not a fresh value marker`);
    }
    seen[index] = true;
    return index;
  });
  if (seen.includes(false)) {
    throw new Error('statement template: a value never reached the compiled statement');
  }
  return { sql: compiled.sql, order };
}

/** The template's statement with `values` in place of its markers, ready to execute. */
export function instantiate<R>(template: StatementTemplate, values: readonly unknown[]): CompiledQuery<R> {
  const { order } = template;
  const parameters = new Array<unknown>(order.length);
  for (let position = 0; position < order.length; position += 1) {
    parameters[position] = values[order[position] as number];
  }
  return CompiledQuery.raw(template.sql, parameters) as CompiledQuery<R>;
}

/**
 * Statements (templates, or text) by shape key. The shapes of a hot path are few; the bound
 * only keeps a caller whose keys never repeat from growing it without limit (it starts over
 * when full).
 */
export class StatementCache<T> {
  readonly #entries = new Map<string, T>();

  constructor(readonly limit = 512) {}

  get(key: string, compile: () => T): T {
    let entry = this.#entries.get(key);
    if (entry === undefined) {
      entry = compile();
      if (this.#entries.size >= this.limit) {
        this.#entries.clear();
      }
      this.#entries.set(key, entry);
    }
    return entry;
  }

  get size(): number {
    return this.#entries.size;
  }
}

/** What runs a fixed statement: a database or a transaction. */
export type StatementRunner = QueryExecutorProvider & {
  executeQuery<R>(query: CompiledQuery<R>): Promise<QueryResult<R>>;
};

/**
 * A raw statement of one shape, templated on its first call: `build` gets markers for its
 * arguments (each must reach the statement exactly once), and every call binds its own
 * arguments to the template. For the batched log writes, whose builders and compile cost more
 * on the main thread than the rest of a small batch's write. Only an executor without plugins
 * uses the template (both PostgreSQL dialects compile the same text); with plugins, which may
 * rewrite the statement, it is built and compiled as usual.
 */
export function fixedStatement<Args extends readonly string[], Row>(
  build: (...args: Args) => RawBuilder<Row>,
): (db: StatementRunner, ...args: Args) => Promise<QueryResult<Row>> {
  let template: StatementTemplate | undefined;
  return (db, ...args) => {
    if (db.getExecutor().plugins.length > 0) {
      // A plugin may rewrite the statement (`withSchema`, a test's counter): built every time.
      return build(...args).execute(db);
    }
    template ??= compileTemplate(
      {
        compile: () =>
          build(...(args.map((_, index) => parameterMarker(index)) as unknown as Args)).compile(db),
      },
      args.length,
    );
    return db.executeQuery(instantiate<Row>(template, args));
  };
}
