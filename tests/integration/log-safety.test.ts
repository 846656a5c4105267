import { Writable } from 'node:stream';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createDb } from '@holdspace/db';
import { buildApp, loadConfig } from '@holdspace/server';
import { createTestDatabase, testDrivers } from '../support/harness.js';

const CHECKIN = 'my chest feels tight and I slept three hours';
const JOURNAL = 'the image of my father at the lake came back';

for (const driver of testDrivers()) {
  describe(`logs hold no health data (${driver})`, () => {
    it('a failing query carrying a check-in and a journal entry leaves neither text in the log', async () => {
      const database = await createTestDatabase(driver);
      const lines: string[] = [];
      const stream = new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(chunk.toString()), done()) });
      const config = loadConfig({ NODE_ENV: 'test', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...database.env });
      const db = await createDb({ databaseUrl: config.DATABASE_URL, pgliteDir: database.env.PGLITE_DIR });
      await db.migrate();
      const app = await buildApp({ config, db, logger: { level: 'info', stream } });
      try {
        let failure: unknown = null;
        // Both texts as parameters, and one quoted back by PostgreSQL in its message.
        await db.db.execute(sql`select ${CHECKIN}::int as checkin, ${JOURNAL}::jsonb as journal`).catch((error: unknown) => (failure = error));
        expect(failure).not.toBeNull();
        expect(JSON.stringify(failure, Object.getOwnPropertyNames(failure)) + String((failure as Error).cause ? Object.entries((failure as Error).cause as object) : '')).toContain('my chest');
        // The way every handler logs: the error under `err`.
        app.fastify.log.error({ err: failure }, 'request failed');
        app.fastify.log.error(failure as Error);
        const log = lines.join('');
        expect(log).toContain('request failed');
        expect(log).toMatch(/Failed query/);
        expect(log).not.toContain('my chest');
        expect(log).not.toContain('slept three hours');
        expect(log).not.toContain('my father');
      } finally {
        await app.fastify.close();
        await db.close();
        await database.drop();
      }
    });
  });
}
