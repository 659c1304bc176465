import { createServer } from 'node:http';
import { createDatabase, type DatabaseHandle, sql } from '@openalgo/db';

/**
 * The alert bench's floor: a bare node:http server in its own process that does, per alert,
 * only the database round trips the api's alert path makes, with none of the api's code —
 * no framework, no validation, no order path. Timed by the same client at the same pace as
 * the webhook, it shows what this machine charges for the work any design that stores the
 * alert and the order in the database must do before it answers.
 *
 * `FLOOR_WORK` says what a request does before its answer:
 * - `answer`: nothing (the HTTP floor);
 * - `alert`: one insert (the alert stored);
 * - `alert-order`: that insert, then a transaction shaped like the sandbox's placement:
 *   the account's row locked (BEGIN travels with it), one statement writing the order and
 *   the funds, COMMIT.
 *
 * The database is `FLOOR_DATABASE_URL` (PostgreSQL) or an embedded PGlite in `FLOOR_DATA_DIR`,
 * opened as the api opens it. Driven over the fork IPC channel: it sends `{ url }` once it
 * listens and exits when the channel closes.
 */

export type FloorWork = 'answer' | 'alert' | 'alert-order';

export interface FloorReady {
  url: string;
}

async function prepare(handle: DatabaseHandle): Promise<void> {
  await sql`create table floor_alerts (id bigserial primary key, received_at timestamptz not null, payload jsonb not null)`.execute(
    handle.db,
  );
  await sql`create table floor_funds (user_id integer primary key, cash numeric not null)`.execute(handle.db);
  await sql`create table floor_orders (id bigserial primary key, alert_id bigint not null, symbol text not null, quantity integer not null)`.execute(
    handle.db,
  );
  await sql`insert into floor_funds (user_id, cash) values (1, 10000000)`.execute(handle.db);
}

async function work(handle: DatabaseHandle, kind: FloorWork, body: string): Promise<void> {
  if (kind === 'answer') {
    return;
  }
  const payload = JSON.parse(body) as { symbol?: string };
  const stored = await sql<{ id: string }>`
    insert into floor_alerts (received_at, payload) values (${new Date()}, ${body}::jsonb) returning id
  `.execute(handle.db);
  if (kind === 'alert') {
    return;
  }
  const alertId = stored.rows[0]?.id ?? '0';
  await handle.db.transaction().execute(async (trx) => {
    await sql`select cash from floor_funds where user_id = 1 for update`.execute(trx);
    await sql`
      with placed as (
        insert into floor_orders (alert_id, symbol, quantity) values (${alertId}, ${payload.symbol ?? ''}, 1)
        returning id
      )
      update floor_funds set cash = cash - 100 where user_id = 1 returning (select id from placed)
    `.execute(trx);
  });
}

async function main(): Promise<void> {
  const kind = (process.env.FLOOR_WORK ?? 'answer') as FloorWork;
  const handle = await createDatabase({
    url: process.env.FLOOR_DATABASE_URL || undefined,
    dataDir: process.env.FLOOR_DATA_DIR,
  });
  await prepare(handle);
  const server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      body += chunk;
    });
    request.on('end', () => {
      work(handle, kind, body).then(
        () =>
          response
            .writeHead(200, { 'content-type': 'application/json' })
            .end(JSON.stringify({ status: 'success' })),
        (error: unknown) =>
          response
            .writeHead(500, { 'content-type': 'application/json' })
            .end(JSON.stringify({ status: 'error', message: String(error) })),
      );
    });
  });
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    process.send?.({ url: `http://127.0.0.1:${port}` } satisfies FloorReady);
  });
  process.on('disconnect', () => {
    server.close();
    void handle.close().finally(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
