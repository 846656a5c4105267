/**
 * Run as its own process by tests/integration/postgres-driver.test.ts: transactions on postgres.js through a proxy
 * that resets their connections mid-query. An unguarded driver dies here with an uncaught TypeError from nextWrite;
 * a guarded one rejects the transactions and goes on answering. Prints one JSON line and exits 0 when it survived.
 */
import postgres from 'postgres';
import { dbProxy } from './db-proxy.js';

const databaseUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const rounds = Number(process.env.ROUNDS ?? 5);

const proxy = await dbProxy(databaseUrl);
const sql = postgres(proxy.url, { max: 4, onnotice: () => {}, connect_timeout: 2 });
const outcomes: string[] = [];
for (let round = 0; round < rounds; round++) {
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
  const [row] = await Promise.race([
    sql`select ${round}::int as n`,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error('query after the reset hung')), 5000)),
  ]);
  if (row?.n !== round) throw new Error('wrong answer after the reset');
}
await sql.end({ timeout: 1 });
await proxy.close();
console.log(JSON.stringify({ survived: true, outcomes }));
