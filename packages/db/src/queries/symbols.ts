import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from '../database.js';
import type { NewSymbolRow, SymbolRow } from '../tables/symbols.js';

type Executor = Kysely<Database> | Transaction<Database>;

/** Rows per INSERT: each is one statement with one array parameter per column. */
const INSERT_BATCH = 5_000;

type SymbolBatch = ReadonlyArray<NewSymbolRow>;

/** One `INSERT … SELECT FROM unnest(…)` of a slice into `table`: 13 array parameters, any row count. */
async function insertSlice(
  trx: Transaction<Database>,
  table: 'symbols' | 'symbols_load',
  broker: string,
  slice: SymbolBatch,
): Promise<void> {
  const column = <K extends keyof NewSymbolRow>(name: K, fallback: NewSymbolRow[K] | null) =>
    slice.map((row) => row[name] ?? fallback);
  await sql`
    insert into ${sql.table(table)} (broker, symbol, brsymbol, name, exchange, brexchange, token, expiry,
      expiry_date, strike, lotsize, instrumenttype, tick_size, contract_value)
    select ${broker}, * from unnest(
      ${column('symbol', null)}::text[], ${column('brsymbol', null)}::text[],
      ${column('name', '')}::text[], ${column('exchange', null)}::text[],
      ${column('brexchange', null)}::text[], ${column('token', null)}::text[],
      ${column('expiry', '')}::text[], ${column('expiry_date', null)}::date[],
      ${column('strike', '0')}::numeric[], ${column('lotsize', 1)}::integer[],
      ${column('instrumenttype', null)}::text[], ${column('tick_size', null)}::numeric[],
      ${column('contract_value', null)}::numeric[])`.execute(trx);
}

/**
 * Replaces the master contract with one broker's rows, atomically: readers see the old rows
 * until the new ones are all in, and a failed load (a duplicate, a bad value, a broken
 * download) leaves the old contract in place. Rows are streamed in batches, read one batch
 * ahead so producing the next (a download, a parse) overlaps the database work.
 *
 * An empty table is filled directly, its secondary indexes rebuilt once at the end. A full one — the daily case — is diffed: the new rows go
 * to a temporary table first, then rows that vanished are deleted, new and changed ones are
 * upserted, and identical ones are left alone, so a daily reload rewrites only what changed
 * instead of churning 100,000 tuples and their seven indexes.
 */
export async function replaceSymbols(
  db: Kysely<Database>,
  broker: string,
  rows: AsyncIterable<SymbolBatch> | Iterable<SymbolBatch>,
  onProgress?: (inserted: number) => void,
): Promise<number> {
  return db.transaction().execute(async (trx) => {
    // GIN (trigram) indexes collect entries in a pending list; a larger one batches the work.
    await sql`set local gin_pending_list_limit = '64MB'`.execute(trx);
    const existing = await trx.selectFrom('symbols').select('id').limit(1).executeTakeFirst();
    const isDiff = existing !== undefined;
    if (isDiff) {
      await sql`
        create temporary table symbols_load (
          broker text not null, symbol text not null, brsymbol text not null, name text not null,
          exchange text not null, brexchange text not null, token text not null, expiry text not null,
          expiry_date date, strike numeric not null, lotsize integer not null,
          instrumenttype text not null, tick_size numeric not null, contract_value numeric,
          unique (symbol, exchange)
        ) on commit drop`.execute(trx);
    }
    // Filling an empty table: building the secondary indexes once afterwards is several times
    // cheaper than maintaining them row by row (the table is empty, so the lock hides nothing).
    const rebuild = isDiff
      ? []
      : (
          await sql<{ indexname: string; indexdef: string }>`
            select indexname, indexdef from pg_indexes
            where schemaname = current_schema() and tablename = 'symbols'
              and indexdef not like 'CREATE UNIQUE INDEX%'`.execute(trx)
        ).rows;
    for (const index of rebuild) {
      await sql`drop index ${sql.id(index.indexname)}`.execute(trx);
    }
    const target = isDiff ? 'symbols_load' : 'symbols';
    let inserted = 0;
    const iterator =
      Symbol.asyncIterator in rows
        ? rows[Symbol.asyncIterator]()
        : (rows as Iterable<SymbolBatch>)[Symbol.iterator]();
    let next = Promise.resolve(iterator.next());
    for (;;) {
      const result = await next;
      if (result.done) {
        break;
      }
      next = Promise.resolve(iterator.next());
      // A failed insert must not leave the read-ahead's rejection unhandled.
      next.catch(() => {});
      const batch = result.value;
      for (let start = 0; start < batch.length; start += INSERT_BATCH) {
        const slice = batch.slice(start, start + INSERT_BATCH);
        await insertSlice(trx, target, broker, slice);
        inserted += slice.length;
        onProgress?.(inserted);
      }
    }
    for (const index of rebuild) {
      await sql.raw(index.indexdef).execute(trx);
    }
    if (isDiff) {
      await sql`
        delete from symbols
        where broker <> ${broker} or not exists (
          select 1 from symbols_load l where l.symbol = symbols.symbol and l.exchange = symbols.exchange
        )`.execute(trx);
      await sql`
        insert into symbols (broker, symbol, brsymbol, name, exchange, brexchange, token, expiry,
          expiry_date, strike, lotsize, instrumenttype, tick_size, contract_value)
        select broker, symbol, brsymbol, name, exchange, brexchange, token, expiry,
          expiry_date, strike, lotsize, instrumenttype, tick_size, contract_value
        from symbols_load
        on conflict (symbol, exchange) do update set
          broker = excluded.broker, brsymbol = excluded.brsymbol, name = excluded.name,
          brexchange = excluded.brexchange, token = excluded.token, expiry = excluded.expiry,
          expiry_date = excluded.expiry_date, strike = excluded.strike, lotsize = excluded.lotsize,
          instrumenttype = excluded.instrumenttype, tick_size = excluded.tick_size,
          contract_value = excluded.contract_value
        where (symbols.broker, symbols.brsymbol, symbols.name, symbols.brexchange, symbols.token,
            symbols.expiry, symbols.expiry_date, symbols.strike, symbols.lotsize,
            symbols.instrumenttype, symbols.tick_size, symbols.contract_value)
          is distinct from (excluded.broker, excluded.brsymbol, excluded.name, excluded.brexchange,
            excluded.token, excluded.expiry, excluded.expiry_date, excluded.strike, excluded.lotsize,
            excluded.instrumenttype, excluded.tick_size, excluded.contract_value)`.execute(trx);
    }
    return inserted;
  });
}

export async function countSymbols(db: Executor): Promise<number> {
  const row = await db
    .selectFrom('symbols')
    .select((eb) => eb.fn.countAll<string | number>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export async function findSymbol(
  db: Executor,
  symbol: string,
  exchange: string,
): Promise<SymbolRow | undefined> {
  return db
    .selectFrom('symbols')
    .selectAll()
    .where('symbol', '=', symbol)
    .where('exchange', '=', exchange)
    .executeTakeFirst();
}

export async function findSymbolByBrokerSymbol(
  db: Executor,
  brsymbol: string,
  exchange: string,
): Promise<SymbolRow | undefined> {
  return db
    .selectFrom('symbols')
    .selectAll()
    .where('brsymbol', '=', brsymbol)
    .where('exchange', '=', exchange)
    .executeTakeFirst();
}

export async function findSymbolByToken(
  db: Executor,
  token: string,
  exchange: string,
): Promise<SymbolRow | undefined> {
  return db
    .selectFrom('symbols')
    .selectAll()
    .where('token', '=', token)
    .where('exchange', '=', exchange)
    .executeTakeFirst();
}

export interface SearchSymbolsInput {
  query: string;
  exchange?: string | undefined;
  instrumenttype?: string | undefined;
  limit?: number | undefined;
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}

/**
 * Search: exact and prefix matches first, then fuzzy (trigram) matches on symbol and name.
 * Every input is a bound parameter; LIKE metacharacters in the query are escaped.
 */
export async function searchSymbols(db: Executor, input: SearchSymbolsInput): Promise<SymbolRow[]> {
  const query = input.query.trim().toUpperCase();
  const limit = Math.min(Math.max(input.limit ?? 50, 1), 5_000);
  if (query.length === 0) {
    return [];
  }
  const prefix = `${escapeLike(query)}%`;
  const contains = `%${escapeLike(query)}%`;
  let builder = db
    .selectFrom('symbols')
    .selectAll()
    .where((eb) =>
      eb.or([
        eb('symbol', 'like', prefix),
        eb('symbol', 'like', contains),
        eb(sql`upper(name)`, 'like', contains),
        eb(sql`symbol`, sql`%`, query),
      ]),
    );
  if (input.exchange) {
    builder = builder.where('exchange', '=', input.exchange);
  }
  if (input.instrumenttype) {
    builder = builder.where('instrumenttype', '=', input.instrumenttype);
  }
  return builder
    .orderBy(sql`case when symbol = ${query} then 0 when symbol like ${prefix} then 1 else 2 end`)
    .orderBy(sql`similarity(symbol, ${query})`, 'desc')
    .orderBy('symbol')
    .limit(limit)
    .execute();
}

/** Every row of the master contract, optionally one exchange, for the in-memory index. */
export async function listSymbols(db: Executor, exchange?: string): Promise<SymbolRow[]> {
  let builder = db.selectFrom('symbols').selectAll();
  if (exchange) {
    builder = builder.where('exchange', '=', exchange);
  }
  return builder.orderBy('id').execute();
}

export interface SearchSymbolTermsInput {
  /** Free text; split on whitespace, every term must match. */
  query: string;
  exchange?: string | undefined;
  limit?: number | undefined;
}

/**
 * OpenAlgo's `/search` semantics (api-v1 §4.4.2): every whitespace-separated term must occur,
 * case-insensitively, in the symbol, broker symbol, name or token, or equal the strike
 * numerically. Ranked exact symbol, prefix, substring, other-field match, then shorter
 * symbols first. Terms are bound parameters with LIKE metacharacters escaped.
 */
export async function searchSymbolTerms(db: Executor, input: SearchSymbolTermsInput): Promise<SymbolRow[]> {
  const terms = input.query.trim().toUpperCase().split(/\s+/).filter(Boolean);
  const first = terms[0];
  if (first === undefined) {
    return [];
  }
  const limit = Math.min(Math.max(input.limit ?? 500, 1), 5_000);
  let builder = db.selectFrom('symbols').selectAll();
  for (const term of terms) {
    const contains = `%${escapeLike(term)}%`;
    const isNumeric = /^\d+(\.\d+)?$/.test(term);
    builder = builder.where((eb) =>
      eb.or([
        eb('symbol', 'like', contains),
        eb(sql`upper(brsymbol)`, 'like', contains),
        eb(sql`upper(name)`, 'like', contains),
        eb(sql`upper(token)`, 'like', contains),
        ...(isNumeric ? [eb('strike', '=', term)] : []),
      ]),
    );
  }
  if (input.exchange) {
    builder = builder.where('exchange', '=', input.exchange);
  }
  const whole = terms.join(' ');
  const prefix = `${escapeLike(first)}%`;
  const contains = `%${escapeLike(first)}%`;
  return builder
    .orderBy(
      sql`case when symbol = ${whole} then 0 when symbol like ${prefix} then 1
        when symbol like ${contains} then 2 else 3 end`,
    )
    .orderBy(sql`length(symbol)`)
    .orderBy('symbol')
    .orderBy('exchange')
    .limit(limit)
    .execute();
}
