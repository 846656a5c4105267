import fc from 'fast-check';
import { sql } from 'drizzle-orm';
import type { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demo, signIn, startTestServer, type TestServer } from '../support/harness.js';
import { call } from '../support/clinic-fixture.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 12);

/** Rows in every table: equal before and after means nothing was written. */
async function fingerprint(server: TestServer): Promise<string> {
  const db = server.db.db;
  const result: unknown = await db.execute(sql`select table_name from information_schema.tables where table_schema = 'public' order by table_name`);
  const tables = ((Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as { table_name: string }[]).map((r) => r.table_name);
  const counts: string[] = [];
  for (const t of tables) {
    const r: unknown = await db.execute(sql.raw(`select count(*)::int as n from "${t}"`));
    const rows = (Array.isArray(r) ? r : (r as { rows: unknown[] }).rows) as { n: number }[];
    counts.push(`${t}=${rows[0]?.n}`);
  }
  return counts.join(' ');
}

/** Anything JSON can carry, shaped both like objects and not. */
const anyJson = fc.oneof(
  fc.jsonValue(),
  fc.dictionary(fc.constantFrom('email', 'password', 'name', 'roles', 'kind', 'code', 'title', 'body', 'program', 'decision', 'typedName', 'participantId', 'displayName', 'x'), fc.jsonValue()),
  fc.constant(null),
  fc.constant([]),
);

describe('bad input on every route (pglite)', () => {
  let server: TestServer;
  let cookie: string;
  beforeAll(async () => {
    server = await startTestServer('pglite');
    cookie = (await signIn(server.url, demo.admin.email)).cookie;
  });
  afterAll(async () => server?.stop());

  it('answers 400 with field issues and writes nothing, for every body, params and query schema', async () => {
    const routes = server.app.routes.filter((r) => r.schema.body || r.schema.params || r.schema.querystring);
    expect(routes.length).toBeGreaterThan(15);
    const before = await fingerprint(server);
    const problems: string[] = [];

    const validPath = (url: string) =>
      url.replace(/:token/g, 'x'.repeat(32)).replace(/:(\w+)/g, () => '00000000-0000-4000-8000-000000000000');

    for (const route of routes) {
      const { body, params, querystring } = route.schema as { body?: z.ZodType; params?: z.ZodType; querystring?: z.ZodType };
      const cases: { path: string; body?: unknown; what: string }[] = [];
      if (body) {
        const bad = fc.sample(anyJson.filter((v) => !body.safeParse(v).success), RUNS);
        for (const b of bad) cases.push({ path: validPath(route.url), body: b, what: `body ${JSON.stringify(b).slice(0, 60)}` });
      }
      if (params) {
        const bad = fc.sample(fc.string({ minLength: 1, maxLength: 12 }).map(encodeURIComponent)
          // `.` and `..` are dot-segments: the URL drops them before the request leaves, so they never reach a route.
          .filter((v) => v !== '.' && v !== '..' && !params.safeParse(Object.fromEntries([...route.url.matchAll(/:(\w+)/g)].map((m) => [m[1], v]))).success), 4);
        for (const p of bad) cases.push({ path: route.url.replace(/:(\w+)/g, p), body: route.method === 'GET' ? undefined : {}, what: `params ${p}` });
      }
      if (querystring) {
        for (const q of ['limit=-5', 'limit=abc', 'action=explode', 'subjectId=not-a-uuid']) cases.push({ path: `${route.url}?${q}`, what: `query ${q}` });
      }
      for (const c of cases) {
        const res = await call(server, cookie, route.method, c.path, route.method === 'GET' ? undefined : c.body);
        const issues = (res.json as { issues?: unknown[] } | null)?.issues;
        if (res.status !== 400 || res.json?.code !== 'BAD_REQUEST' || !Array.isArray(issues) || issues.length === 0) {
          problems.push(`${route.method} ${route.url} ${c.what}: ${res.status} ${JSON.stringify(res.json).slice(0, 120)}`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(await fingerprint(server)).toBe(before);
  });
});
