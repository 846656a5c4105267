import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeRawSockets, connected, demo, rawSocket, signIn, startTestServer, testDrivers, type Person, type TestServer } from '../support/harness.js';

/** One raw HTTP request, as a client that skips every library's checks would send it. */
function rawRequest(url: string, request: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(request));
    let answer = '';
    socket.on('data', (d: Buffer) => (answer += d.toString()));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

describe.each(testDrivers())('request guards (%s)', (driver) => {
  let server: TestServer;
  let admin: Person;
  beforeAll(async () => {
    server = await startTestServer(driver);
    admin = await signIn(server.url, demo.admin.email);
  });
  afterAll(async () => {
    closeRawSockets();
    await server?.stop();
  });

  const write = (url: string, payload: unknown, origin = server.url) =>
    fetch(`${server.url}${url}`, { method: 'PUT', headers: { cookie: admin.cookie, origin, 'content-type': 'application/json' }, body: JSON.stringify(payload) });

  it('CRS4: a crisis line’s web address must be https; javascript:, data: and http: are refused and nothing changes', async () => {
    const before = await (await fetch(`${server.url}/api/settings`, { headers: { cookie: admin.cookie } })).json();
    for (const url of ['javascript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'http://988lifeline.org', 'JAVASCRIPT://x.org/%0aalert(1)']) {
      const settings = { ...before, crisisResources: [{ ...before.crisisResources[0], url }, ...before.crisisResources.slice(1)] };
      const res = await write('/api/settings', settings);
      expect(res.status, url).toBe(400);
      expect((await res.json()).issues.map((i: { path: string }) => i.path)).toEqual(['body.crisisResources.0.url']);
    }
    expect(await (await fetch(`${server.url}/api/settings`, { headers: { cookie: admin.cookie } })).json()).toEqual(before);
    const fine = { ...before, crisisResources: [{ ...before.crisisResources[0], url: 'https://988lifeline.org/chat' }, ...before.crisisResources.slice(1)] };
    expect((await write('/api/settings', fine)).status).toBe(200);
  });

  it('the Origin check compares the scheme too: an http page is not the https site, and the other way round', async () => {
    const other = server.url.replace('http://', 'https://');
    const res = await write('/api/settings', {}, other);
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    await expect(connected(await rawSocket(server.url, { cookie: admin.cookie, origin: other }))).rejects.toThrow();
    await connected(await rawSocket(server.url, { cookie: admin.cookie, origin: server.url }));
  });

  it('answers from /api are never kept by a browser or proxy (no-store)', async () => {
    for (const path of ['/api/me', '/api/settings', '/api/health', '/api/no-such-thing']) {
      const res = await fetch(`${server.url}${path}`, { headers: { cookie: admin.cookie } });
      expect(res.headers.get('cache-control'), path).toBe('no-store');
    }
  });

  it('the framework’s own errors come in the project’s shape and never echo what was sent', async () => {
    const marker = 'ECHO'.repeat(1250);
    const long = await fetch(`${server.url}/api/circles/${marker}`, { headers: { cookie: admin.cookie } });
    expect(long.status).toBe(414);
    const longBody = await long.text();
    expect(JSON.parse(longBody)).toMatchObject({ ok: false, code: 'BAD_REQUEST' });
    const unknown = await fetch(`${server.url}/api/${marker.slice(0, 400)}`, { headers: { cookie: admin.cookie } });
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toBe(JSON.stringify({ ok: false, code: 'NOT_FOUND', message: 'No such endpoint.' }));
    expect(longBody).not.toContain('ECHO');

    const badUrl = await rawRequest(server.url, `GET /api/circles/%E0%A4%A${marker} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    expect(badUrl).toMatch(/^HTTP\/1.1 4\d\d/);
    expect(badUrl).not.toContain('ECHO');
    expect(JSON.parse(badUrl.slice(badUrl.indexOf('\r\n\r\n') + 4))).toMatchObject({ ok: false });

    const badJson = await fetch(`${server.url}/api/auth/sign-in`, { method: 'POST', headers: { origin: server.url, 'content-type': 'application/json' }, body: `{"email": "${marker}` });
    expect(badJson.status).toBe(400);
    expect(await badJson.text()).not.toContain('ECHO');

    const badType = await fetch(`${server.url}/api/auth/sign-in`, { method: 'POST', headers: { origin: server.url, 'content-type': `text/${marker.slice(0, 40)}` }, body: 'x' });
    expect(badType.status).toBe(415);
    expect(await badType.text()).not.toContain('ECHO');

    const huge = await rawRequest(server.url, `GET /api/${'ECHO'.repeat(5000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(huge).toMatch(/^HTTP\/1.1 (414|431) /);
    expect(huge).not.toContain('ECHO');
    expect(JSON.parse(huge.slice(huge.indexOf('\r\n\r\n') + 4))).toMatchObject({ ok: false, code: 'BAD_REQUEST' });
  });
});
