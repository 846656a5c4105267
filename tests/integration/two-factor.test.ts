import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { generateTOTP } from '@oslojs/otp';
import { defaultClinicSettings } from '@holdspace/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demo, signIn, startTestServer, type TestServer } from '../support/harness.js';
import { call } from '../support/clinic-fixture.js';

describe('two-factor sign-in (pglite)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('pglite');
  });
  afterAll(async () => server?.stop());

  it('once turned on, sign-in asks for the code and accepts only a right one', async () => {
    const maya = await signIn(server.url, demo.facilitator.email);
    const setup = await call(server, maya.cookie, 'POST', '/api/auth/totp/setup', {});
    expect(setup.status).toBe(200);
    expect(String(setup.json.uri)).toMatch(/^otpauth:\/\/totp\//);
    expect(String(setup.json.qrSvg)).toContain('<svg');
    const code = () => generateTOTP(decodeBase32IgnorePadding(String(setup.json.secret)), 30, 6);
    expect((await call(server, maya.cookie, 'POST', '/api/auth/totp/enable', { code: code() === '123456' ? '654321' : '123456' })).status).toBe(400);
    expect((await call(server, maya.cookie, 'POST', '/api/auth/totp/enable', { code: code() })).status).toBe(204);

    const creds = { email: demo.facilitator.email, password: 'holdspace-demo' };
    const withoutCode = await call(server, null, 'POST', '/api/auth/sign-in', creds);
    expect(withoutCode).toMatchObject({ status: 401, json: { code: 'TWO_FACTOR_REQUIRED' } });
    const wrong = await call(server, null, 'POST', '/api/auth/sign-in', { ...creds, totp: code() === '000000' ? '111111' : '000000' });
    expect(wrong).toMatchObject({ status: 401, json: { code: 'TWO_FACTOR_REQUIRED' } });
    const right = await call(server, null, 'POST', '/api/auth/sign-in', { ...creds, totp: code() });
    expect(right).toMatchObject({ status: 200, json: { twoFactor: { enabled: true } } });
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
