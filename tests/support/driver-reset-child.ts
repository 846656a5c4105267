/**
 * Run as its own process by tests/integration/postgres-driver.test.ts: postgres.js through a proxy that resets its
 * connections. RESET_MODE=transaction (default) resets transactions mid-query: an unguarded driver dies with an uncaught
 * TypeError from nextWrite. RESET_MODE=types resets each new connection while it fetches array types, its first query: an
 * unguarded driver dies of an unhandled rejection (ECONNRESET). A guarded one rejects the queries it could not run and
 * goes on answering. Prints one JSON line and exits 0 when it survived.
 */
import postgres from 'postgres';
import { dbProxy } from './db-proxy.js';

const databaseUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const rounds = Number(process.env.ROUNDS ?? 5);
const mode = process.env.RESET_MODE ?? 'transaction';

const proxy = await dbProxy(databaseUrl);
const connect = () => postgres(proxy.url, { max: 4, onnotice: () => {}, connect_timeout: 2 });
const sql = connect();
const outcomes: string[] = [];
const answers = async (round: number, db = sql) => {
  const [row] = await Promise.race([
    db`select ${round}::int as n`,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error('query after the reset hung')), 5000).unref()),
  ]);
  if (row?.n !== round) throw new Error('wrong answer after the reset');
};
for (let round = 0; mode === 'types' && round < rounds; round++) {
  // A new pool's first connection, reset while it fetches the array types (porsager/postgres#1192).
  const fresh = connect();
  proxy.resetWhenSent('pg_catalog.pg_type');
  outcomes.push(await fresh`select 1`.then(() => 'answered', (error: { code?: string }) => error.code ?? 'error'));
  await answers(round, fresh);
  // The reset connection still holds its failed type query, so a graceful end would wait out its timeout.
  await fresh.end({ timeout: 0 });
}
for (let round = 0; mode === 'transaction' && round < rounds; round++) {
  let started = false;
  // A transaction whose statement is in flight when the connection goes: postgres.js answers the failure with its
  // own ROLLBACK on the closed connection (porsager/postgres#1208).
  const tx = sql
    .begin(async (t) => {
      await t`select 1`;
      started = true;
      await t`select pg_sleep(2)`;
    })
    .then(
      () => 'committed',
      (error: { code?: string }) => error.code ?? 'error',
    );
  while (!started) await new Promise((r) => setTimeout(r, 5));
  await new Promise((r) => setTimeout(r, 20));
  proxy.reset({ hard: round % 2 === 1 });
  outcomes.push(await tx);
  // The pool must still answer afterwards (the teardown defect left a stale write timer that stalled every later
  // small write on the connection).
  await answers(round);
}
await sql.end({ timeout: 1 });
await proxy.close();
console.log(JSON.stringify({ survived: true, outcomes }));
