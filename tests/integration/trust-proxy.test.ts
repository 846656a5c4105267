import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '@holdspace/server';
import { demo, DEMO_PASSWORD, startTestServer, testDrivers, type TestServer } from '../support/harness.js';

// The proxy is trusted, the client is not: a forged X-Forwarded-For never changes the source that the sign-in
// throttle counts (per email and source, see services/sign-in.ts). Each case uses its own email so that the
// counts of one case never reach another.

let n = 0;
const forged = () => `198.51.100.${(++n % 250) + 1}`;

async function attempt(server: TestServer, email: string, password: string, xff?: string) {
  const headers: Record<string, string> = { origin: server.url, 'content-type': 'application/json' };
  if (xff) headers['x-forwarded-for'] = xff;
  const res = await fetch(`${server.url}/api/auth/sign-in`, { method: 'POST', headers, body: JSON.stringify({ email, password }) });
  await res.text();
  return res.status;
}

/** Six wrong passwords, each with the X-Forwarded-For that `xff(i)` gives; the statuses. */
async function sixFailures(server: TestServer, email: string, xff: (i: number) => string) {
  const statuses: number[] = [];
  for (let i = 0; i < 6; i++) statuses.push(await attempt(server, email, `wrong-${i}`, xff(i)));
  return statuses;
}

describe('TRUST_PROXY at config load', () => {
  it.each(['true', 'TRUE', 'yes', 'any', '*'])('refuses %s: trusting every peer is never allowed', (value) => {
    expect(() => loadConfig({ TRUST_PROXY: value })).toThrow(ConfigError);
    expect(() => loadConfig({ TRUST_PROXY: value })).toThrow(/TRUST_PROXY: trusting every peer lets any client forge its address; give the proxy's address/);
  });

  it('refuses what is not an address, range or hop count', () => {
    expect(() => loadConfig({ TRUST_PROXY: '10.0.0.1,proxy.example' })).toThrow(/not an address, CIDR range or hop count: proxy.example/);
    expect(() => loadConfig({ TRUST_PROXY: '10.0.0.0/33' })).toThrow(/not an address, CIDR range or hop count: 10.0.0.0\/33/);
    expect(() => loadConfig({ TRUST_PROXY: '99' })).toThrow(/hop count/);
  });

  it('takes addresses, CIDR ranges, range names and hop counts', () => {
    expect(loadConfig({}).TRUST_PROXY).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'false' }).TRUST_PROXY).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '1' }).TRUST_PROXY).toBe(1);
    expect(loadConfig({ TRUST_PROXY: '127.0.0.1, 10.0.0.0/8,::1,loopback' }).TRUST_PROXY).toEqual(['127.0.0.1', '10.0.0.0/8', '::1', 'loopback']);
  });
});

describe.each(testDrivers())('forged X-Forwarded-For (%s)', (driver) => {
  describe('behind a proxy the server trusts by address, reached directly by a client', () => {
    let server: TestServer;
    // The proxy lives elsewhere; the test's own peer address (127.0.0.1) is not it.
    beforeAll(async () => {
      server = await startTestServer(driver, { env: { TRUST_PROXY: '10.255.255.1' } });
    });
    afterAll(async () => server?.stop());

    it('a new forged address on every attempt does not escape the sign-in throttle', async () => {
      const statuses = await sixFailures(server, `forger-a-${driver}@example.org`, () => forged());
      expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
      // The right password from a "new" forged address is still held back.
      expect(await attempt(server, demo.participants[0].email, DEMO_PASSWORD, forged())).toBe(200);
    });

    it('nor does a forged chain that names the trusted proxy itself', async () => {
      const statuses = await sixFailures(server, `forger-b-${driver}@example.org`, (i) => `203.0.113.${i + 1}, 10.255.255.1`);
      expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    });
  });

  describe.each([
    ['its address', '127.0.0.1'],
    ['a hop count', '1'],
  ])('behind a proxy trusted by %s (this test is the proxy, setting X-Forwarded-For as infra/nginx does)', (_how, trust) => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer(driver, { env: { TRUST_PROXY: trust } });
    });
    afterAll(async () => server?.stop());

    it('what a client put before the proxy\'s entry is ignored: the source stays the client the proxy saw', async () => {
      // A proxy that appends (nginx's $proxy_add_x_forwarded_for) passes the client's forgery on in front of the
      // address it saw; only the proxy's own entry counts.
      const statuses = await sixFailures(server, `forger-c-${driver}@example.org`, () => `${forged()}, ${forged()}, 192.0.2.10`);
      expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    });

    it('control: the trusted proxy does name the client, so another real client is another source', async () => {
      const email = `forger-d-${driver}@example.org`;
      expect(await sixFailures(server, email, () => '192.0.2.20')).toEqual([401, 401, 401, 401, 401, 429]);
      // Someone else behind the same proxy is not held back by the first one's failures.
      expect(await attempt(server, email, 'wrong', '192.0.2.21')).toBe(401);
    });
  });
});
