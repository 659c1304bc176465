import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from '../database.js';
import type { NewSymbolRow, SymbolRow } from '../tables/symbols.js';

type Executor = Kysely<Database> | Transaction<Database>;

const INSERT_BATCH = 2_000;

/**
 * Replaces one broker's master contract atomically: readers see the old rows until the new
 * ones are all in. Rows are streamed in batches (an async iterable keeps memory flat).
 */
export async function replaceSymbols(
  db: Kysely<Database>,
  broker: string,
  rows: AsyncIterable<NewSymbolRow[]> | Iterable<NewSymbolRow[]>,
  onProgress?: (inserted: number) => void,
): Promise<number> {
  return db.transaction().execute(async (trx) => {
    await trx.deleteFrom('symbols').execute();
    let inserted = 0;
    for await (const batch of rows) {
      for (let start = 0; start < batch.length; start += INSERT_BATCH) {
        const slice = batch.slice(start, start + INSERT_BATCH).map((row) => ({ ...row, broker }));
        await trx.insertInto('symbols').values(slice).execute();
        inserted += slice.length;
        onProgress?.(inserted);
      }
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
