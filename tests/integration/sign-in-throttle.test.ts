import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demo, DEMO_PASSWORD, startTestServer, testDrivers, type TestServer } from '../support/harness.js';

// Sign-in throttling per account and source: a stranger cannot lock a real person out, nor learn which emails exist.

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

describe.each(testDrivers())('sign-in throttling (%s)', (driver) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(driver);
  });
  afterAll(async () => server?.stop());

  /** One sign-in attempt; `device` is a device cookie the browser holds. Answers with the cookies it set and the time taken. */
  async function attempt(email: string, password: string, device?: string) {
    const headers: Record<string, string> = { origin: server.url, 'content-type': 'application/json' };
    if (device) headers.cookie = device;
    const started = performance.now();
    const res = await fetch(`${server.url}/api/auth/sign-in`, { method: 'POST', headers, body: JSON.stringify({ email, password }) });
    const body = await res.text();
    const ms = performance.now() - started;
    const cookies = res.headers.getSetCookie().map((c) => c.split(';')[0]!);
    return { status: res.status, body, ms, device: cookies.find((c) => c.startsWith('hs_device=')) };
  }

  it('50 wrong passwords for a facilitator from one source do not stop her signing in from her usual device', async () => {
    const email = demo.facilitator.email;
    const usual = await attempt(email, DEMO_PASSWORD);
    expect(usual.status).toBe(200);
    expect(usual.device).toBeTruthy();

    const statuses: number[] = [];
    for (let i = 0; i < 50; i++) statuses.push((await attempt(email, `wrong-${i}`)).status);
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(new Set(statuses.slice(5))).toEqual(new Set([429]));

    // The stranger's source waits, even with the right password; a forged device cookie does not help.
    const stranger = await attempt(email, DEMO_PASSWORD);
    expect(stranger.status).toBe(429);
    expect(JSON.parse(stranger.body).message).toMatch(/Try again in \d+ minutes?\. A device you have signed in from before is not affected\./);
    expect((await attempt(email, DEMO_PASSWORD, `${usual.device!.slice(0, -3)}AAA`)).status).toBe(429);
    // Her own browser signs in at once, from the same address.
    const again = await attempt(email, DEMO_PASSWORD, usual.device);
    expect(again.status).toBe(200);
    expect(again.device).toBe(usual.device);
  });

  it('an unknown email and a wrong password get the same answer, in the same time; so does a throttled one', async () => {
    const known = demo.participants[1].email;
    const unknown: { status: number; body: string; ms: number }[] = [];
    const wrong: typeof unknown = [];
    for (let i = 0; i < 50; i++) {
      // Interleaved, so a slower moment of a busy machine falls on both.
      const u = () => attempt(`nobody-${i}-${driver}@example.org`, 'wrong-password').then((r) => unknown.push(r));
      const w = () => attempt(known, 'wrong-password').then((r) => wrong.push(r));
      if (i % 2) await u().then(w);
      else await w().then(u);
      // A right password resets the count for this source, so each wrong one measured is a plain wrong password.
      expect((await attempt(known, DEMO_PASSWORD)).status).toBe(200);
    }
    expect(new Set([...unknown, ...wrong].map((r) => `${r.status} ${r.body}`)).size).toBe(1);
    expect(unknown[0]).toMatchObject({ status: 401, body: JSON.stringify({ ok: false, code: 'UNAUTHENTICATED', message: 'That email and password do not match an account.' }) });
    const [mu, mw] = [median(unknown.map((r) => r.ms)), median(wrong.map((r) => r.ms))];
    console.log(`sign-in (${driver}), 50 tries each: median unknown email ${mu.toFixed(1)} ms, wrong password ${mw.toFixed(1)} ms (${((Math.abs(mu - mw) / Math.min(mu, mw)) * 100).toFixed(1)}% apart)`);
    expect(Math.abs(mu - mw) / Math.min(mu, mw)).toBeLessThan(0.2);

    // Five more failures each, then both are throttled with one and the same answer.
    const ghost = `ghost-${driver}@example.org`;
    for (let i = 0; i < 5; i++) {
      await attempt(known, 'wrong-password');
      await attempt(ghost, 'wrong-password');
    }
    const [tk, tg] = [await attempt(known, 'wrong-password'), await attempt(ghost, 'wrong-password')];
    expect(tk.status).toBe(429);
    expect(tk.body).toBe(tg.body);
    expect(tk.status).toBe(tg.status);
  }, 180_000);
});
