import { request as httpRequest } from 'node:http';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demo, signIn, startTestServer, testDrivers, type TestServer } from '../support/harness.js';
import { NO_ID, sampleOf, withLeafReplaced, type JsonSchema } from '../support/json-sample.js';

/** Rows in every table, audit reads left out (a read that succeeds is recorded): equal means nothing was written. */
async function fingerprint(server: TestServer): Promise<string> {
  const db = server.db.db;
  const rows = (r: unknown) => (Array.isArray(r) ? r : (r as { rows: unknown[] }).rows) as Record<string, unknown>[];
  const tables = rows(await db.execute(sql`select table_name from information_schema.tables where table_schema = 'public' order by table_name`)).map((r) => String(r.table_name));
  const counts: string[] = [];
  for (const t of tables) {
    const where = t === 'audit_log' ? ` where action not in ('read', 'export', 'circle.dashboard.read')` : '';
    counts.push(`${t}=${rows(await db.execute(sql.raw(`select count(*)::int as n from "${t}"${where}`)))[0]?.n}`);
  }
  return counts.join(' ');
}

interface Sent {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  what: string;
}

interface Answer {
  status: number;
  body: string;
}

/** One request as any client could send it: a body on any method, any Content-Type or none, any path bytes. */
function send(base: string, req: Sent): Promise<Answer> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const body = req.body === undefined ? undefined : Buffer.from(req.body);
    const headers: Record<string, string | number> = { origin: base, accept: 'application/json', ...req.headers };
    if (body) headers['content-length'] = body.length;
    const r = httpRequest({ host: hostname, port: Number(port), method: req.method, path: req.path, headers, timeout: 20_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    r.on('timeout', () => r.destroy(new Error('no answer within 20 s')));
    r.on('error', reject);
    // The server may answer (413, 415) before a large body is sent whole; that answer is what counts.
    r.on('response', () => r.removeAllListeners('error').on('error', () => {}));
    r.end(body);
  });
}

const JSON_TYPE = { 'content-type': 'application/json' };
const MB = 'x'.repeat(1 << 20);
const DEEP = 10_000;

/** Bodies no route accepts, with the Content-Type each is sent as. */
const bodies: { what: string; headers?: Record<string, string>; body: string | Buffer }[] = [
  { what: 'text/plain', headers: { 'content-type': 'text/plain' }, body: 'hello' },
  { what: 'text/plain JSON-looking', headers: { 'content-type': 'text/plain; charset=utf-8' }, body: '{"email":"a@b.org"}' },
  { what: 'form', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'email=a%40b.org&password=x' },
  { what: 'multipart', headers: { 'content-type': 'multipart/form-data; boundary=zz' }, body: '--zz\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--zz--\r\n' },
  { what: 'no content type', body: '{"a":1}' },
  { what: 'bogus content type', headers: { 'content-type': 'application/x-bogus+nonsense' }, body: '{}' },
  { what: 'malformed content type', headers: { 'content-type': ';;;=/' }, body: '{}' },
  { what: 'json with a bad charset', headers: { 'content-type': 'application/json; charset=klingon' }, body: '{}' },
  { what: 'not JSON', headers: JSON_TYPE, body: 'not json' },
  { what: 'cut-off JSON', headers: JSON_TYPE, body: '{"a":' },
  { what: 'empty JSON', headers: JSON_TYPE, body: '' },
  { what: 'NUL bytes', headers: JSON_TYPE, body: '\u0000\u0000' },
  { what: 'invalid UTF-8', headers: JSON_TYPE, body: Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xff, 0xfe, 0xc0]), Buffer.from('"}')]) },
  { what: `arrays ${DEEP} deep`, headers: JSON_TYPE, body: '['.repeat(DEEP) + ']'.repeat(DEEP) },
  { what: `objects ${DEEP} deep`, headers: JSON_TYPE, body: '{"a":'.repeat(DEEP) + '1' + '}'.repeat(DEEP) },
  { what: `deep under a known key`, headers: JSON_TYPE, body: `{"name":${'['.repeat(DEEP)}${']'.repeat(DEEP)},"answers":${'{"a":'.repeat(DEEP)}1${'}'.repeat(DEEP)}}` },
  { what: '__proto__', headers: JSON_TYPE, body: '{"__proto__":{"isAdmin":true},"email":"a@b.org"}' },
  { what: 'nested __proto__', headers: JSON_TYPE, body: '{"settings":{"__proto__":{"polluted":1}}}' },
  { what: 'constructor.prototype', headers: JSON_TYPE, body: '{"constructor":{"prototype":{"polluted":1}}}' },
  { what: '1 MB string', headers: JSON_TYPE, body: JSON.stringify({ name: MB, email: 'a@b.org', password: MB }) },
  { what: '1e308', headers: JSON_TYPE, body: '1e308' },
  { what: '-0', headers: JSON_TYPE, body: '-0' },
  { what: 'huge and negative-zero fields', headers: JSON_TYPE, body: '{"limit":1e308,"capacity":-0,"seat":1e309,"minutes":-1e308}' },
  { what: 'a top-level array', headers: JSON_TYPE, body: '[]' },
];

/** Path parameter values: each is put in every parameter of a route. */
const pathValues = ['x'.repeat(300), 'x'.repeat(20_000), '%00', 'a%00b', '%ZZ', '%E0%A4%A', encodeURIComponent('ünïcødé ✓ 🙂'), 'ünï', '..', '%2e%2e', '..%2F..%2Fetc%2Fpasswd', '-1', '1e308'];

/** Query strings: arrays, repeated and huge keys and values. */
const queries = [
  'a=1&a=2&a=3',
  'limit=1&limit=2',
  'a[]=1&a[]=2',
  'a[0][b][c]=1',
  '__proto__[admin]=1',
  'constructor[prototype][x]=1',
  `q=${'z'.repeat(8000)}`,
  `q=${'z'.repeat(1 << 20)}`,
  Array.from({ length: 2000 }, (_, i) => `k${i}=${i}`).join('&'),
  '%ZZ=1&x=%E0%A4%A',
  'x=%00',
  'limit=1e308&seq=-0',
];

/** A path for a route with every parameter well-formed and naming nothing that exists. */
const fill = (url: string, value?: string) => url.replace(/:(\w+)/g, (_, name: string) => value ?? (name === 'token' ? 'x'.repeat(32) : NO_ID));

function requestsFor(route: { method: string; url: string }): Sent[] {
  const out: Sent[] = [];
  const withBody = route.method !== 'GET';
  // A body no route takes, so a route that acts on an empty body (sign-out) still refuses.
  const refused = withBody ? { headers: JSON_TYPE, body: '[]' } : {};
  if (withBody) for (const b of bodies) out.push({ method: route.method, path: fill(route.url), headers: b.headers, body: b.body, what: b.what });
  else out.push({ method: 'GET', path: fill(route.url), headers: { 'content-type': 'text/plain' }, body: 'a body on a GET', what: 'GET with a body' });
  if (route.url.includes(':')) for (const v of pathValues) out.push({ method: route.method, path: fill(route.url, v), ...refused, what: `path ${v.slice(0, 30)}` });
  for (const q of queries) out.push({ method: route.method, path: `${fill(route.url)}?${q}`, ...refused, what: `query ${q.slice(0, 30)}` });
  return out;
}

/** What is wrong with an answer, or null: no 5xx, and every 4xx in the project's shape with a sentence for a person. */
function problemWith(answer: Answer): string | null {
  if (answer.status >= 500) return `${answer.status}`;
  if (answer.status < 400) return null;
  let json: { ok?: unknown; code?: unknown; message?: unknown };
  try {
    json = JSON.parse(answer.body) as typeof json;
  } catch {
    return `${answer.status} not JSON: ${answer.body.slice(0, 80)}`;
  }
  const { ok, code, message } = json;
  if (ok !== false || typeof code !== 'string' || typeof message !== 'string') return `${answer.status} not the error shape: ${answer.body.slice(0, 120)}`;
  if (!/^[A-Z].* .*[.?!)]$/.test(message) || /FST_|Error:|undefined|\[object/.test(message)) return `${answer.status} message not for a person: ${message.slice(0, 120)}`;
  return null;
}

/** Values for one field at a time of an otherwise well-shaped body. */
const extremes: unknown[] = [1e308, -1e308, -0, 5e-324, 2 ** 53 + 1, -1, 1.5, '', ' \t\n', '\u0000', 'x'.repeat(200_000), '🙂'.repeat(20_000), '\u202e\ud83d', '../../etc', 'true', null, [], {}];

interface OpenApi {
  paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: JsonSchema }> } }>>;
}

/** A record of each kind a path parameter names, from the demo clinic. */
async function realIds(server: TestServer): Promise<Record<string, string>> {
  const first = async (query: ReturnType<typeof sql>) => {
    const r: unknown = await server.db.db.execute(query);
    return String(((Array.isArray(r) ? r : (r as { rows: unknown[] }).rows) as { id: string }[])[0]?.id ?? NO_ID);
  };
  return {
    cohortId: await first(sql`select id from cohorts limit 1`),
    circleId: await first(sql`select id from circles limit 1`),
    userId: await first(sql`select id from users where kind = 'participant' limit 1`),
    consentTextId: await first(sql`select id from consent_texts limit 1`),
  };
}

describe.each(testDrivers())('bad requests on every HTTP route (%s)', (driver) => {
  let server: TestServer;
  let cookie: string;
  beforeAll(async () => {
    server = await startTestServer(driver);
    cookie = (await signIn(server.url, demo.admin.email)).cookie;
  });
  afterAll(async () => server?.stop());

  it('the route list is the OpenAPI document’s', async () => {
    const doc = (await server.app.fastify.inject({ method: 'GET', url: '/api/docs/json', headers: { cookie } })).json<{ paths: Record<string, Record<string, unknown>> }>();
    const documented = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith('/api/'))
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`));
    expect(server.app.routes.map((r) => `${r.method} ${r.url}`).sort()).toEqual(documented.filter((r) => !r.startsWith('HEAD ')).sort());
  });

  it('a route that acts on an empty body (sign-out) takes JSON in UTF-8 only, and says why not', async () => {
    const signOut = (headers: Record<string, string>, body: string) => send(server.url, { method: 'POST', path: '/api/auth/sign-out', headers: { ...headers, cookie }, body, what: 'sign-out' });
    const cases: [Record<string, string>, string, number, string][] = [
      [{ 'content-type': 'text/plain' }, '{}', 415, 'Send the body as application/json.'],
      [{ 'content-type': 'application/json; charset=latin1' }, '{}', 415, 'Send the body as application/json in UTF-8.'],
      [JSON_TYPE, '{"__proto__":{}}', 400, 'The body may not hold the keys __proto__ or constructor.'],
      [JSON_TYPE, '{"constructor":{"prototype":{}}}', 400, 'The body may not hold the keys __proto__ or constructor.'],
      [JSON_TYPE, '{"a":', 400, 'The body is not valid JSON.'],
    ];
    for (const [headers, body, status, message] of cases) {
      const answer = await signOut(headers, body);
      expect({ status: answer.status, message: (JSON.parse(answer.body) as { message: string }).message }, body).toEqual({ status, message });
    }
    expect((await send(server.url, { method: 'GET', path: '/api/auth/me', headers: { cookie }, what: 'me' })).status).toBe(200);
  });

  it('answers every odd request with a 4xx that says what was wrong (or a plain read), never a 5xx, and writes nothing', { timeout: 600_000 }, async () => {
    const routes = server.app.routes;
    expect(routes.length).toBeGreaterThan(40);
    const before = await fingerprint(server);
    const problems: string[] = [];
    let sent = 0;
    for (const who of ['signed out', 'admin'] as const) {
      for (const route of routes) {
        for (const req of requestsFor(route)) {
          const headers = who === 'admin' ? { ...req.headers, cookie } : req.headers;
          sent++;
          try {
            const problem = problemWith(await send(server.url, { ...req, headers }));
            if (problem) problems.push(`${who} ${route.method} ${route.url} [${req.what}]: ${problem}`);
          } catch (error) {
            problems.push(`${who} ${route.method} ${route.url} [${req.what}]: no answer (${(error as Error).message})`);
          }
        }
      }
    }
    console.log(`bad requests (${driver}): ${sent} sent to ${routes.length} routes, ${problems.length} problems`);
    expect(problems).toEqual([]);
    expect(await fingerprint(server)).toBe(before);
    // The admin's session survived everything sent with it.
    expect((await send(server.url, { method: 'GET', path: '/api/auth/me', headers: { cookie }, what: 'me' })).status).toBe(200);
  });

  it('answers well-shaped bodies holding extreme values in any one field without a 5xx', { timeout: 600_000 }, async () => {
    const doc = (await server.app.fastify.inject({ method: 'GET', url: '/api/docs/json', headers: { cookie } })).json<OpenApi>();
    // Real records where a path names one, so the handlers read on past "not found"; the rest name nothing.
    const ids = await realIds(server);
    const problems: string[] = [];
    let sent = 0;
    let shaped = 0;
    for (const route of server.app.routes) {
      const schema = doc.paths[route.url.replace(/:(\w+)/g, '{$1}')]?.[route.method.toLowerCase()]?.requestBody?.content['application/json']?.schema;
      if (!schema) continue;
      const base = sampleOf(schema);
      if ((route.schema.body as { safeParse(v: unknown): { success: boolean } }).safeParse(base).success) shaped++;
      const path = route.url.replace(/:(\w+)/g, (_, name: string) => ids[name] ?? (name === 'token' ? 'x'.repeat(32) : NO_ID));
      for (const odd of extremes) {
        for (const changed of withLeafReplaced(base, odd)) {
          sent++;
          const what = `${changed.path} = ${JSON.stringify(odd)?.slice(0, 20)}`;
          const started = Date.now();
          const problem = await send(server.url, { method: route.method, path, headers: { ...JSON_TYPE, cookie }, body: JSON.stringify(changed.value), what }).then(problemWith, (error: Error) => `no answer (${error.message})`);
          if (problem) problems.push(`${route.method} ${route.url} [${what}]: ${problem}`);
          if (Date.now() - started > 1000) console.log(`slow ${Date.now() - started} ms: ${route.method} ${route.url} [${what}]`);
        }
      }
    }
    console.log(`extreme fields (${driver}): ${sent} sent, ${shaped} of the bodies sampled are valid, ${problems.length} problems`);
    expect(shaped).toBeGreaterThan(10);
    expect(problems).toEqual([]);
  });
});
