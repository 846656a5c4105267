import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { closeRawSockets, connected, demo, firstCircleId, rawSocket, signIn, startTestServer, type Person, type TestServer } from '../support/harness.js';

// Socket.IO bypasses Fastify's hooks; each check here is one the gateway must do itself.
describe('realtime gateway security (pglite)', () => {
  let server: TestServer;
  let maya: Person;
  let river: Person;
  let circleId: string;

  beforeAll(async () => {
    server = await startTestServer('pglite');
    [maya, river] = await Promise.all([signIn(server.url, demo.facilitator.email), signIn(server.url, demo.participants[0].email)]);
    circleId = await firstCircleId(maya);
  });
  afterEach(() => closeRawSockets());
  afterAll(async () => server?.stop());

  it('refuses a socket without a session cookie', async () => {
    await expect(connected(await rawSocket(server.url))).rejects.toThrow(/UNAUTHENTICATED/);
  });

  it('refuses a socket with a forged session cookie', async () => {
    await expect(connected(await rawSocket(server.url, { cookie: 'hs_session=forged' }))).rejects.toThrow(/UNAUTHENTICATED/);
  });

  it('refuses another protocol version at the handshake', async () => {
    await expect(connected(await rawSocket(server.url, { cookie: maya.cookie, protocolVersion: 999 }))).rejects.toThrow(/PROTOCOL_MISMATCH/);
  });

  it('refuses a foreign Origin, and a missing one', async () => {
    await expect(connected(await rawSocket(server.url, { cookie: maya.cookie, origin: 'https://evil.example' }))).rejects.toThrow();
    await expect(connected(await rawSocket(server.url, { cookie: maya.cookie, origin: null }))).rejects.toThrow();
  });

  it('answers bad input with BAD_REQUEST and field issues, and changes nothing', async () => {
    const s = await rawSocket(server.url, { cookie: maya.cookie });
    await connected(s);
    const before = (await server.app.services.log.snapshot(circleId)).seq;
    // @ts-expect-error deliberately malformed
    const bad = await s.emitWithAck('circle:command', { commandId: 'x', circleId: 'not-a-uuid', command: { type: 'circle.explode' } });
    expect(bad).toMatchObject({ ok: false, code: 'BAD_REQUEST' });
    if (bad.ok) throw new Error('unreachable');
    expect(bad.issues?.map((i) => i.path).sort()).toEqual(['circleId', 'command.type', 'commandId']);
    expect((await server.app.services.log.snapshot(circleId)).seq).toBe(before);
  });

  it('refuses a participant opening the circle (CIR1), and changes nothing', async () => {
    const s = await rawSocket(server.url, { cookie: river.cookie });
    await connected(s);
    const before = (await server.app.services.log.snapshot(circleId)).seq;
    const res = await s.emitWithAck('circle:command', { commandId: 'river-open-001', circleId, command: { type: 'circle.open' } });
    expect(res).toMatchObject({ ok: false, code: 'RULE_VIOLATION', rule: 'CIR1' });
    expect((await server.app.services.log.snapshot(circleId)).seq).toBe(before);
  });

  it('treats a circle the person is not part of as not found', async () => {
    const s = await rawSocket(server.url, { cookie: river.cookie });
    await connected(s);
    const res = await s.emitWithAck('circle:join', { circleId: '00000000-0000-4000-8000-000000000000', device: 'phone' });
    expect(res).toMatchObject({ ok: false, code: 'NOT_FOUND' });
  });

  it('rate limits a socket that floods, with a clear error', async () => {
    const s = await rawSocket(server.url, { cookie: river.cookie });
    await connected(s);
    const acks = await Promise.all(Array.from({ length: 80 }, () => s.emitWithAck('circle:leave', { circleId })));
    expect(acks.filter((a) => !a.ok && a.code === 'RATE_LIMITED').length).toBeGreaterThan(0);
  });

  it('disconnects the sockets of a session that signs out', async () => {
    const person = await signIn(server.url, demo.participants[2].email);
    const s = await rawSocket(server.url, { cookie: person.cookie });
    await connected(s);
    const ended = new Promise<string>((resolve) => s.on('session:ended', ({ reason }) => resolve(reason)));
    const gone = new Promise<void>((resolve) => s.on('disconnect', () => resolve()));
    await person.api.signOut();
    await expect(ended).resolves.toMatch(/signed out/);
    await gone;
    expect((await person.api.me()).ok).toBe(false);
  });
});
