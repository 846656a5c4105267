import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { generateHOTP } from '@oslojs/otp';
import { schema } from '@holdspace/db';
import { defaultClinicSettings } from '@holdspace/domain';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demo, DEMO_PASSWORD, signIn, startTestServer, testDrivers, type TestServer } from '../support/harness.js';
import { call } from '../support/clinic-fixture.js';

describe.each(testDrivers())('two-factor sign-in (%s)', (driver) => {
  let server: TestServer;
  // The server's clock runs `offset` ahead of the real one: a test moves it to the next 30-second code.
  let offset = 0;
  const now = () => new Date(Date.now() + offset);
  beforeAll(async () => {
    server = await startTestServer(driver, { now });
  });
  afterAll(async () => server?.stop());

  const codeAt = (secret: string, at: Date) => generateHOTP(decodeBase32IgnorePadding(secret), BigInt(Math.floor(at.getTime() / 30_000)), 6);
  const nextStep = () => (offset += 30_000);
  const userRow = async (email: string) => (await server.db.db.select().from(schema.users).where(eq(schema.users.email, email)))[0]!;

  /** Turns two-factor on for a demo person; returns their secret and recovery codes. */
  async function enable(email: string) {
    const person = await signIn(server.url, email);
    const setup = await call(server, person.cookie, 'POST', '/api/auth/totp/setup', {});
    expect(setup.status).toBe(200);
    const secret = String(setup.json.secret);
    const enabled = await call(server, person.cookie, 'POST', '/api/auth/totp/enable', { code: codeAt(secret, now()) });
    expect(enabled.status).toBe(200);
    nextStep();
    return { person, secret, recoveryCodes: enabled.json.recoveryCodes as unknown as string[], setup };
  }

  it('once turned on, sign-in asks for the code and accepts only a right one', async () => {
    const maya = await signIn(server.url, demo.facilitator.email);
    const setup = await call(server, maya.cookie, 'POST', '/api/auth/totp/setup', {});
    expect(String(setup.json.uri)).toMatch(/^otpauth:\/\/totp\//);
    expect(String(setup.json.qrSvg)).toContain('<svg');
    const code = () => codeAt(String(setup.json.secret), now());
    expect((await call(server, maya.cookie, 'POST', '/api/auth/totp/enable', { code: code() === '123456' ? '654321' : '123456' })).status).toBe(400);
    const enabled = await call(server, maya.cookie, 'POST', '/api/auth/totp/enable', { code: code() });
    expect(enabled.status).toBe(200);
    expect(enabled.json.recoveryCodes).toHaveLength(10);
    nextStep();

    const creds = { email: demo.facilitator.email, password: DEMO_PASSWORD };
    expect(await call(server, null, 'POST', '/api/auth/sign-in', creds)).toMatchObject({ status: 401, json: { code: 'TWO_FACTOR_REQUIRED' } });
    const wrong = await call(server, null, 'POST', '/api/auth/sign-in', { ...creds, totp: code() === '000000' ? '111111' : '000000' });
    expect(wrong).toMatchObject({ status: 401, json: { code: 'TWO_FACTOR_REQUIRED' } });
    const right = await call(server, null, 'POST', '/api/auth/sign-in', { ...creds, totp: code() });
    expect(right).toMatchObject({ status: 200, json: { twoFactor: { enabled: true } } });
  });

  it('a code already used is refused, even inside its window; the next one works', async () => {
    const { secret } = await enable(demo.prescriber.email);
    const creds = { email: demo.prescriber.email, password: DEMO_PASSWORD };
    const code = codeAt(secret, now());
    expect((await call(server, null, 'POST', '/api/auth/sign-in', { ...creds, totp: code })).status).toBe(200);
    const replay = await call(server, null, 'POST', '/api/auth/sign-in', { ...creds, totp: code });
    expect(replay).toMatchObject({ status: 401, json: { code: 'TWO_FACTOR_REQUIRED', message: expect.stringMatching(/used already/) } });
    // The code of the step before is inside the grace window, but older than the one used: refused too.
    const earlier = codeAt(secret, new Date(now().getTime() - 30_000));
    expect((await call(server, null, 'POST', '/api/auth/sign-in', { ...creds, totp: earlier })).status).toBe(401);
    nextStep();
    expect((await call(server, null, 'POST', '/api/auth/sign-in', { ...creds, totp: codeAt(secret, now()) })).status).toBe(200);
  });

  it('ten recovery codes, each working once instead of a code', async () => {
    const { recoveryCodes } = await enable(demo.cofacilitator.email);
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    const creds = { email: demo.cofacilitator.email, password: DEMO_PASSWORD };
    const first = await call(server, null, 'POST', '/api/auth/sign-in', { ...creds, recoveryCode: recoveryCodes[0] });
    expect(first.status).toBe(200);
    const again = await call(server, null, 'POST', '/api/auth/sign-in', { ...creds, recoveryCode: recoveryCodes[0] });
    expect(again).toMatchObject({ status: 401, json: { code: 'TWO_FACTOR_REQUIRED' } });
    // Typed in lower case without dashes, another one works.
    expect((await call(server, null, 'POST', '/api/auth/sign-in', { ...creds, recoveryCode: recoveryCodes[1]!.replaceAll('-', '').toLowerCase() })).status).toBe(200);
    const stored = await server.db.db.select().from(schema.recoveryCodes).where(eq(schema.recoveryCodes.userId, (await userRow(creds.email)).id));
    expect(stored).toHaveLength(10);
    for (const code of recoveryCodes) expect(JSON.stringify(stored)).not.toContain(code.replaceAll('-', ''));
  });

  it('the secret column holds no plain secret, only a value sealed with the server key', async () => {
    const { secret } = await enable(demo.participants[2].email);
    const row = await userRow(demo.participants[2].email);
    expect(row.totpSecret).toMatch(/^v1:[A-Za-z0-9+/=]+$/);
    expect(row.totpSecret).not.toContain(secret);
    expect(Buffer.from(row.totpSecret!.slice(3), 'base64').toString('latin1')).not.toContain(secret);
    // Nor does anything in the row hold the secret in another encoding.
    expect(JSON.stringify(row)).not.toContain(Buffer.from(decodeBase32IgnorePadding(secret)).toString('hex'));
  });

  it('a secret stored in plain text by an earlier version is sealed at start, and keeps working', async () => {
    const email = demo.participants[3].email;
    const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
    await server.db.db.update(schema.users).set({ totpSecret: secret, totpEnabledAt: now() }).where(eq(schema.users.email, email));
    expect(await server.app.services.accounts.sealPlainSecrets()).toBe(1);
    expect((await userRow(email)).totpSecret).toMatch(/^v1:/);
    expect((await call(server, null, 'POST', '/api/auth/sign-in', { email, password: DEMO_PASSWORD, totp: codeAt(secret, now()) })).status).toBe(200);
  });

  it('an admin resets a staff member’s two-factor: audited, their sessions ended, sign-in without a code', async () => {
    if (!(await userRow(demo.cofacilitator.email)).totpEnabledAt) await enable(demo.cofacilitator.email);
    const admin = await signIn(server.url, demo.admin.email);
    const theo = await userRow(demo.cofacilitator.email);
    expect(theo.totpEnabledAt).not.toBeNull();
    const participant = await userRow(demo.participants[0].email);
    expect((await call(server, admin.cookie, 'POST', `/api/staff/${participant.id}/two-factor/reset`, {})).status).toBe(404);
    const sessionsOf = async () => (await server.db.db.select().from(schema.sessions).where(eq(schema.sessions.userId, theo.id))).length;
    expect(await sessionsOf()).toBeGreaterThan(0);
    expect((await call(server, admin.cookie, 'POST', `/api/staff/${theo.id}/two-factor/reset`, {})).status).toBe(204);
    expect(await sessionsOf()).toBe(0);
    const after = await userRow(demo.cofacilitator.email);
    expect(after).toMatchObject({ totpSecret: null, totpEnabledAt: null, totpLastStep: null });
    const codes = await server.db.db.select().from(schema.recoveryCodes).where(eq(schema.recoveryCodes.userId, theo.id));
    expect(codes).toEqual([]);
    const audit = await server.db.db.select().from(schema.auditLog).where(and(eq(schema.auditLog.action, 'two_factor_reset'), eq(schema.auditLog.resourceId, theo.id)));
    expect(audit).toHaveLength(1);
    expect(audit[0]!.actorId).toBe((await userRow(demo.admin.email)).id);
    expect((await call(server, null, 'POST', '/api/auth/sign-in', { email: demo.cofacilitator.email, password: DEMO_PASSWORD })).status).toBe(200);
  });

  it('when the clinic requires it, staff without it can only set it up', async () => {
    const admin = await signIn(server.url, demo.admin.email);
    expect((await call(server, admin.cookie, 'PUT', '/api/settings', { ...defaultClinicSettings, requireTwoFactor: true })).status).toBe(200);
    const me = await call(server, admin.cookie, 'GET', '/api/auth/me');
    expect(me.json.twoFactor).toEqual({ enabled: false, required: true });
    expect(await call(server, admin.cookie, 'GET', '/api/staff')).toMatchObject({ status: 403, json: { code: 'TWO_FACTOR_REQUIRED' } });
    expect((await call(server, admin.cookie, 'POST', '/api/auth/totp/setup', {})).status).toBe(200);
  });
});
