import {
  type CompiledQuery,
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  sql,
} from 'kysely';
import { describe, expect, it } from 'vitest';
import {
  compileTemplate,
  fixedStatement,
  instantiate,
  parameterMarker,
  StatementCache,
} from './statement-template.js';

interface Tables {
  items: { id: number; name: string; price: string; at: Date };
}

const plain = new Kysely<Tables>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (inner) => new PostgresIntrospector(inner),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});
const db = plain.withSchema('shop');

describe('statement templates', () => {
  it('give the text Kysely compiles, with the call values where the markers went', () => {
    const [name, price, id] = [0, 1, 2].map(parameterMarker) as [string, string, string];
    const template = compileTemplate(
      db
        .updateTable('items')
        .set({ price, name })
        .where('id', '=', id as unknown as number),
      3,
    );
    const at = new Date('2026-11-24T05:00:00Z');
    const direct = db.updateTable('items').set({ price: '12.5', name: 'pen' }).where('id', '=', 7).compile();
    const placed = instantiate(template, ['pen', '12.5', 7]);
    expect(placed.sql).toBe(direct.sql);
    expect(placed.sql).toContain('"shop"."items"');
    expect(placed.parameters).toEqual(['12.5', 'pen', 7]);
    // A template serves any values of its shape.
    expect(instantiate(template, ['ink', '3', 8]).parameters).toEqual(['3', 'ink', 8]);
    expect(instantiate(template, [null, at, 9]).parameters).toEqual([at, null, 9]);
  });

  it('refuses a query with a parameter that is not a marker, or a value it never used', () => {
    const name = parameterMarker(0);
    expect(() =>
      compileTemplate(db.updateTable('items').set({ name, price: '1' }).where('id', '=', 1), 1),
    ).toThrow(/not a fresh value marker/);
    expect(() =>
      compileTemplate(db.updateTable('items').set({ name, price: name }).where(sql<boolean>`true`), 1),
    ).toThrow(/not a fresh value marker/);
    expect(() => compileTemplate(db.updateTable('items').set({ name }).where(sql<boolean>`true`), 2)).toThrow(
      /never reached/,
    );
  });

  it('compiles each key once, and starts over when full', () => {
    const cache = new StatementCache<{ sql: string; order: number[] }>(2);
    let compiled = 0;
    const compile = () => {
      compiled += 1;
      return { sql: 'select 1', order: [] };
    };
    cache.get('a', compile);
    cache.get('a', compile);
    cache.get('b', compile);
    expect(compiled).toBe(2);
    cache.get('c', compile);
    expect(cache.size).toBe(1);
    cache.get('a', compile);
    expect(compiled).toBe(4);
  });

  it('a fixed statement is built once and binds each call its own arguments', async () => {
    const ran: CompiledQuery[] = [];
    const runner = {
      getExecutor: () => plain.getExecutor(),
      executeQuery: <R>(query: CompiledQuery<R>) => {
        ran.push(query);
        return Promise.resolve({ rows: [] as R[] });
      },
    };
    let builds = 0;
    const rename = fixedStatement((name: string, id: string) => {
      builds += 1;
      return sql`update items set name = ${name} where id = ${id}::int and name <> 'x'`;
    });
    await rename(runner, 'pen', '7');
    await rename(runner, 'ink', '8');
    expect(builds).toBe(1);
    expect(ran.map((query) => query.sql)).toEqual([
      "update items set name = $1 where id = $2::int and name <> 'x'",
      "update items set name = $1 where id = $2::int and name <> 'x'",
    ]);
    expect(ran.map((query) => query.parameters)).toEqual([
      ['pen', '7'],
      ['ink', '8'],
    ]);
    // Through a plugin (which may rewrite it), the statement is built and compiled each time.
    const seenByPlugin: string[] = [];
    const withPlugin = plain.withPlugin({
      transformQuery: (args) => {
        seenByPlugin.push(args.node.kind);
        return args.node;
      },
      transformResult: async (args) => args.result,
    });
    await rename(withPlugin, 'cap', '9');
    await rename(withPlugin, 'nib', '10');
    expect(builds).toBe(3);
    expect(seenByPlugin).toEqual(['RawNode', 'RawNode']);
    const twice = fixedStatement((name: string) => sql`select ${name}, ${name}`);
    await expect(async () => twice(runner, 'pen')).rejects.toThrow(/not a fresh value marker/);
  });
});
