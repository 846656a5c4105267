import { shippedMigrations } from '@holdspace/db';
import { loadConfig } from '@holdspace/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demo, DEMO_PASSWORD, signIn, startTestServer, testDrivers, type TestServer } from '../support/harness.js';

describe.each(testDrivers())('HTTP API (%s)', (driver) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(driver);
  });
  afterAll(async () => server?.stop());

  it('health names the driver, the migration level and the cluster adapter', async () => {
    const res = await server.app.fastify.inject({ method: 'GET', url: '/api/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ok', database: { driver, reachable: true, migrations: shippedMigrations() } });
    // One node: Postgres shares rooms through LISTEN/NOTIFY (nobody else listening yet); the embedded database has no adapter.
    expect(res.json()).toMatchObject({ cluster: { adapter: driver === 'postgres' ? 'postgres' : 'none', nodes: 1 } });
  });

  it('sign-in with bad input answers 400 with field errors', async () => {
    const res = await server.app.fastify.inject({
      method: 'POST',
      url: '/api/auth/sign-in',
      headers: { origin: 'http://localhost', host: 'localhost' },
      payload: { email: 'nope', password: '' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ ok: false, code: 'BAD_REQUEST', issues: [{ path: 'body.email' }, { path: 'body.password' }] });
  });

  it('a wrong password and an unknown email get the same answer', async () => {
    const post = (email: string) =>
      server.app.fastify.inject({ method: 'POST', url: '/api/auth/sign-in', headers: { origin: 'http://localhost', host: 'localhost' }, payload: { email, password: 'wrong-password' } });
    const [a, b] = await Promise.all([post(demo.facilitator.email), post('nobody@example.org')]);
    expect(a.statusCode).toBe(401);
    expect(b.statusCode).toBe(401);
    expect(a.json()).toEqual(b.json());
  });

  it('refuses a cookie-authenticated write from another origin (CSRF)', async () => {
    const res = await server.app.fastify.inject({
      method: 'POST',
      url: '/api/auth/sign-in',
      headers: { origin: 'https://evil.example', host: 'localhost' },
      payload: { email: demo.facilitator.email, password: DEMO_PASSWORD },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'FORBIDDEN' });
  });

  it('lists only the circles a person belongs to, and 404s others', async () => {
    const river = await signIn(server.url, demo.participants[0].email);
    const list = await river.api.circles();
    if (!list.ok) throw new Error(list.message);
    expect(list.data.map((c) => c.kind)).toEqual(['preparation', 'dosing', 'integration']);
    expect(list.data.every((c) => c.myRole === 'participant' && c.myDisplayName === 'River')).toBe(true);
    const admin = await signIn(server.url, demo.admin.email);
    const other = await admin.api.circle(list.data[0]!.id);
    expect(other).toMatchObject({ ok: false, code: 'NOT_FOUND' });
  });

  it('answers an unknown API path with a JSON 404, and the OpenAPI document is served', async () => {
    const res = await server.app.fastify.inject({ method: 'GET', url: '/api/nope' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ ok: false, code: 'NOT_FOUND' });
    const docs = await server.app.fastify.inject({ method: 'GET', url: '/api/docs/json' });
    expect(docs.json()).toMatchObject({ openapi: expect.stringMatching(/^3/), paths: { '/api/health': {} } });
  });

  it('sends security headers with a strict script policy', async () => {
    const res = await server.app.fastify.inject({ method: 'GET', url: '/api/health' });
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toMatch(/script-src 'self'( 'sha256-[^']+')*;/);
    expect(csp).not.toContain('unsafe-eval');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });
});

describe('when the database fails', () => {
  it('answers 500 without internals, and health reports degraded', async () => {
    const server = await startTestServer('pglite');
    try {
      const maya = await signIn(server.url, demo.facilitator.email);
      await server.db.close(); // the database goes away under a running server
      const res = await server.app.fastify.inject({ method: 'GET', url: '/api/circles', headers: { cookie: maya.cookie } });
      expect(res.statusCode).toBe(500);
      expect(res.json()).toEqual({ ok: false, code: 'INTERNAL', message: 'Something went wrong on our side. Nothing was changed.' });
      expect(res.body).not.toMatch(/pglite|stack|at .*\.ts/i);
      const health = await server.app.fastify.inject({ method: 'GET', url: '/api/health' });
      expect(health.statusCode).toBe(503);
      expect(health.json()).toMatchObject({ status: 'degraded', database: { reachable: false } });
    } finally {
      await server.stop();
    }
  });
});

describe('API documentation access', () => {
  it('is for signed-in staff in production, open elsewhere, and either way by API_DOCS', () => {
    expect(loadConfig({}).API_DOCS).toBe('staff');
    expect(loadConfig({ NODE_ENV: 'development' }).API_DOCS).toBe('public');
    expect(loadConfig({ NODE_ENV: 'test', API_DOCS: 'staff' }).API_DOCS).toBe('staff');
    expect(loadConfig({ NODE_ENV: 'production', API_DOCS: 'public' }).API_DOCS).toBe('public');
    expect(() => loadConfig({ API_DOCS: 'everyone' })).toThrow(/API_DOCS: use public or staff/);
  });

  it('with API_DOCS=staff, the UI and the OpenAPI document answer staff only', async () => {
    const server = await startTestServer('pglite', { env: { API_DOCS: 'staff' } });
    try {
      const [admin, participant] = await Promise.all([signIn(server.url, demo.admin.email), signIn(server.url, demo.participants[0].email)]);
      for (const path of ['/api/docs', '/api/docs/json', '/api/docs/static/index.html']) {
        const anonymous = await fetch(`${server.url}${path}`);
        expect(anonymous.status, path).toBe(401);
        expect(await anonymous.json()).toMatchObject({ ok: false, code: 'UNAUTHENTICATED', message: 'Please sign in.' });
        expect((await fetch(`${server.url}${path}`, { headers: { cookie: participant.cookie } })).status, path).toBe(403);
        expect((await fetch(`${server.url}${path}`, { headers: { cookie: admin.cookie }, redirect: 'manual' })).status, path).toBeLessThan(400);
      }
      const doc = await (await fetch(`${server.url}/api/docs/json`, { headers: { cookie: admin.cookie } })).json();
      expect(doc).toMatchObject({ openapi: expect.stringMatching(/^3/) });
    } finally {
      await server.stop();
    }
  });
});
