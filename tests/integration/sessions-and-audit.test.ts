import { schema } from '@holdspace/db';
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { closeRawSockets, connected, demo, rawSocket, signIn, startTestServer, testDrivers, type TestServer } from '../support/harness.js';
import { call, completeClearance } from '../support/clinic-fixture.js';

/** Time under test control: everything the server asks of the clock goes through here. */
function testClock(start = Date.now()) {
  let offset = 0;
  return { now: () => new Date(start + offset + (Date.now() - start)), advance: (ms: number) => (offset += ms) };
}

describe.each(testDrivers())('sessions end everywhere within a second (%s)', (driver) => {
  let server: TestServer;
  const clock = testClock();
  beforeAll(async () => {
    server = await startTestServer(driver, { now: clock.now });
  });
  afterEach(() => closeRawSockets());
  afterAll(async () => server?.stop());

  async function liveSocket(email: string) {
    const person = await signIn(server.url, email);
    const socket = await rawSocket(server.url, { cookie: person.cookie });
    await connected(socket);
    const closed = new Promise<number>((resolve) => socket.on('disconnect', () => resolve(Date.now())));
    return { person, socket, closed };
  }

  it('sign out: HTTP refused and the socket closed within 1 s', async () => {
    const { person, closed } = await liveSocket(demo.participants[1].email);
    const start = Date.now();
    await person.api.signOut();
    expect((await closed) - start).toBeLessThan(1000);
    expect((await call(server, person.cookie, 'GET', '/api/auth/me')).status).toBe(401);
  });

  it('role change: that person is signed out everywhere, HTTP and sockets, within 1 s', async () => {
    const { person, closed } = await liveSocket(demo.cofacilitator.email);
    const admin = await signIn(server.url, demo.admin.email);
    const theo = (await call(server, admin.cookie, 'GET', '/api/staff')).json.find((s) => s.email === demo.cofacilitator.email)!;
    const start = Date.now();
    const res = await call(server, admin.cookie, 'PATCH', `/api/staff/${theo.id}`, { roles: ['facilitator', 'prescriber'] });
    expect(res.status).toBe(200);
    expect((await closed) - start).toBeLessThan(1000);
    expect((await call(server, person.cookie, 'GET', '/api/auth/me')).status).toBe(401);
  });

  it('idle timeout (the clinic setting): HTTP refused and the socket closed within 1 s of the deadline', async () => {
    const { person, closed } = await liveSocket(demo.participants[2].email);
    const idleMinutes = 30;
    clock.advance((idleMinutes + 1) * 60_000);
    const start = Date.now();
    expect((await closed) - start).toBeLessThan(1000);
    expect((await call(server, person.cookie, 'GET', '/api/auth/me')).status).toBe(401);
  });

  it('sign out everywhere ends the other devices too', async () => {
    const a = await liveSocket(demo.participants[3].email);
    const b = await signIn(server.url, demo.participants[3].email);
    const res = await call(server, b.cookie, 'POST', '/api/auth/sign-out-everywhere', {});
    expect(res.status).toBe(204);
    await a.closed;
    expect((await call(server, a.person.cookie, 'GET', '/api/auth/me')).status).toBe(401);
  });

  it('after five wrong passwords from one source, that source waits, even with the right password', async () => {
    const email = demo.participants[4].email;
    for (let i = 0; i < 5; i++) expect((await call(server, null, 'POST', '/api/auth/sign-in', { email, password: 'wrong-password' })).status).toBe(401);
    const locked = await call(server, null, 'POST', '/api/auth/sign-in', { email, password: 'holdspace-demo' });
    expect(locked.status).toBe(429);
    expect(locked.json.message).toMatch(/Too many sign-in attempts for this email from here/);
  });
});

describe.each(testDrivers())('audit trail (%s)', (driver) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(driver);
  });
  afterAll(async () => server?.stop());

  it('records each read and write of health data in onboarding, with who, what, which record, when and from where', async () => {
    const admin = await signIn(server.url, demo.admin.email);
    const created = await call(server, admin.cookie, 'POST', '/api/participants', { name: 'Audit Person', email: 'audit.person@example.org' });
    const id = String(created.json.id);
    const token = String((created.json.invite as { url: string }).url.split('/invite/')[1]);
    const cohorts = (await call(server, admin.cookie, 'GET', '/api/cohorts')).json;
    await call(server, admin.cookie, 'POST', `/api/cohorts/${cohorts[0]!.id}/enrollments`, { participantId: id, displayName: 'Birch' });

    const accepted = await call(server, null, 'POST', `/api/invites/${token}/accept`, { password: 'a-strong-password' });
    expect(accepted.status).toBe(200);
    const me = await signIn(server.url, 'audit.person@example.org', 'a-strong-password');
    for (const c of (await call(server, me.cookie, 'GET', '/api/me/consents')).json) {
      expect((await call(server, me.cookie, 'POST', `/api/me/consents/${c.id}/sign`, { typedName: 'Audit Person' })).status).toBe(204);
    }

    const dr = await signIn(server.url, demo.prescriber.email);
    await call(server, dr.cookie, 'GET', `/api/participants/${id}/screenings`);
    const signed = await call(server, dr.cookie, 'POST', `/api/participants/${id}/screenings`, completeClearance({ vitalLimits: { systolicMax: 170 } }));
    expect(signed.status).toBe(200);
    const maya = await signIn(server.url, demo.facilitator.email);
    await call(server, maya.cookie, 'GET', `/api/cohorts/${cohorts[0]!.id}/roster`);

    const trail = (await call(server, admin.cookie, 'GET', `/api/audit?subjectId=${id}`)).json;
    const seen = trail.map((e) => `${e.action} ${e.resourceType} by ${(e.actor as { name: string }).name}`).reverse();
    expect(seen).toEqual([
      'create participant by Dana Reyes',
      'create enrollment by Dana Reyes',
      'sign consent by Audit Person',
      'sign consent by Audit Person',
      'read screening by Dr. Sam Lindqvist',
      'sign screening by Dr. Sam Lindqvist',
      'read clearance by Maya Okafor',
    ]);
    expect(trail.every((e) => typeof e.at === 'string' && e.ip)).toBe(true);
    expect(trail.find((e) => e.action === 'sign' && e.resourceType === 'screening')!.resourceId).toBe(signed.json.id);
  });

  it('the database refuses UPDATE, DELETE and TRUNCATE on the audit table, and on signed screenings', async () => {
    const db = server.db.db;
    const refused = async (query: Promise<unknown>) => {
      const error = await query.then(() => null, (e: unknown) => e as Error & { cause?: Error });
      expect(String(error?.cause?.message ?? error?.message)).toMatch(/append-only/);
    };
    const [row] = await db.select({ id: schema.auditLog.id }).from(schema.auditLog).limit(1);
    expect(row).toBeDefined();
    await refused(db.execute(sql`update audit_log set action = 'tampered' where id = ${row!.id}`));
    await refused(db.execute(sql`delete from audit_log where id = ${row!.id}`));
    await refused(db.execute(sql`truncate audit_log`));
    await refused(db.execute(sql`update screenings set decision = 'not_cleared'`));
    await refused(db.execute(sql`delete from screenings`));
    const [still] = await db.select().from(schema.auditLog).where(sql`id = ${row!.id}`);
    expect(still!.action).not.toBe('tampered');
  });

  it('the circle log is append-only: the database refuses to change, delete or truncate an event', async () => {
    const db = server.db.db;
    const [circle] = await db.select({ id: schema.circles.id }).from(schema.circles).limit(1);
    const [last] = await db.select({ seq: sql<number>`coalesce(max(seq), 0)::int` }).from(schema.circleEvents).where(sql`circle_id = ${circle!.id}`);
    const seq = last!.seq + 1;
    await db.insert(schema.circleEvents).values({ circleId: circle!.id, seq, type: 'test.appended', actor: 'system', audience: 'staff', payload: {}, at: new Date() });
    const refused = async (query: Promise<unknown>) => {
      const error = await query.then(() => null, (e: unknown) => e as Error & { cause?: Error });
      expect(String(error?.cause?.message ?? error?.message)).toMatch(/circle_events are append-only/);
    };
    await refused(db.execute(sql`update circle_events set type = 'tampered' where circle_id = ${circle!.id} and seq = ${seq}`));
    await refused(db.execute(sql`delete from circle_events where circle_id = ${circle!.id} and seq = ${seq}`));
    await refused(db.execute(sql`truncate circle_events`));
    const [still] = await db.select({ type: schema.circleEvents.type }).from(schema.circleEvents).where(sql`circle_id = ${circle!.id} and seq = ${seq}`);
    expect(still!.type).toBe('test.appended');
  });
});
