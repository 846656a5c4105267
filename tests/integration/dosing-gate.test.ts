import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CircleEvent } from '@holdspace/domain';
import { closeAllConnections, closeRawSockets, demo, signIn, startTestServer, testDrivers, waitFor, type Person, type TestServer } from '../support/harness.js';
import { call, completeClearance } from '../support/clinic-fixture.js';
import { arrivalOf, member, signInCast, TappedSocket, type DosingCast, type Member } from '../support/dosing-fixture.js';

// Juniper, in the demo, has no clearance and has signed no consent. The server must refuse her dose for as long as a
// consent is unsigned, whatever the dashboard shows, and a clearance or consent signed while the circle is live must
// reach the facilitator's socket by itself (GATE1, GATE2, ROS1). The demo's dosing circle is a week ahead (CIR5).
describe.each(testDrivers())('the dose gate on the server (%s)', (driver) => {
  let server: TestServer;
  let cast: DosingCast;
  let juniper: Member;
  let prescriber: Person;
  let maya: TappedSocket;

  beforeAll(async () => {
    server = await startTestServer(driver);
    [cast, juniper, prescriber] = await Promise.all([
      signInCast(server.url),
      member(server.url, demo.participants[4].email, demo.participants[4].displayName),
      signIn(server.url, demo.prescriber.email),
    ]);
    maya = await TappedSocket.open(server.url, cast.facilitator.person.cookie);
    await maya.join(cast.circleId);
  });
  afterEach(() => closeAllConnections());
  afterAll(async () => {
    closeRawSockets();
    await server?.stop();
  });

  /** The first roster sync pushed to Maya after `from` in which Juniper's facts pass `check`, and how long it took. */
  const rosterPush = async (from: number, started: number, check: (clinical: Record<string, unknown>) => boolean) => {
    const event = await waitFor(
      () =>
        maya.events
          .slice(from)
          .find((e): e is Extract<CircleEvent, { type: 'roster.synced' }> => e.type === 'roster.synced' && check(e.payload.roster[juniper.id]?.clinical as never)),
      { timeout: 10_000, message: 'a roster sync about Juniper' },
    );
    return { event, ms: Date.now() - started };
  };

  it('CIR5: a circle a week from its scheduled time is not opened without an explicit confirmation', async () => {
    const refused = await maya.command(cast.circleId, { type: 'circle.open' });
    expect(refused).toMatchObject({ ok: false, code: 'RULE_VIOLATION', rule: 'CIR5' });
    expect(refused.ok ? '' : refused.message).toMatch(/scheduled to start \d+ days from now/);
    expect((await server.app.services.log.snapshot(cast.circleId)).status).toBe('scheduled');
  });

  it('GATE2: a dose without signed consent is refused by the server, clearance or not, and consent cannot be overridden', async () => {
    const c = cast.circleId;
    expect(await maya.command(c, { type: 'circle.open', offSchedule: true })).toMatchObject({ ok: true });
    const jun = await TappedSocket.open(server.url, juniper.person.cookie);
    await jun.join(c);
    expect(await jun.command(c, arrivalOf('juniper'))).toMatchObject({ ok: true });
    expect(await maya.command(c, { type: 'participant.admit', personId: juniper.id })).toMatchObject({ ok: true });
    expect(await maya.command(c, { type: 'circle.start' })).toMatchObject({ ok: true });
    expect(await jun.command(c, { type: 'checkin.predose', lastFoodAt: new Date(Date.now() - 6 * 3_600_000).toISOString(), holdsFollowed: true, ride: 'ride' })).toMatchObject({ ok: true });
    expect(await maya.command(c, { type: 'vitals.record', personId: juniper.id, systolic: 120, diastolic: 78, heartRate: 70 })).toMatchObject({ ok: true });
    const dose = { type: 'dose.record', personId: juniper.id, doseMg: 150 } as const;
    expect(await maya.command(c, dose)).toMatchObject({ ok: false, code: 'RULE_VIOLATION', rule: 'GATE1' });

    // The prescriber clears her while the circle is live: the dashboard's socket hears of it with no staff command.
    const before = maya.events.length;
    const t0 = Date.now();
    const signed = await call(server, prescriber.cookie, 'POST', `/api/participants/${juniper.id}/screenings`, completeClearance());
    expect(signed.status).toBe(200);
    const cleared = await rosterPush(before, t0, (f) => f?.clearance === 'current');
    console.log(`clearance signed to the facilitator's socket: ${cleared.ms} ms (${driver})`);
    expect(cleared.ms).toBeLessThan(2000);
    expect(cleared.event.payload.roster[juniper.id]?.clinical.consentsToSign).toEqual(['treatment', 'group_confidentiality']);

    // Cleared, every other check met, consents unsigned: refused, and no override opens it.
    const refused = await maya.command(c, dose);
    expect(refused).toMatchObject({ ok: false, code: 'RULE_VIOLATION', rule: 'GATE2' });
    expect(await maya.command(c, { type: 'gate.override', personId: juniper.id, item: 'consent', reason: 'She said yes on the phone earlier' })).toMatchObject({ ok: false, rule: 'GATE2' });
    expect(await maya.command(c, dose)).toMatchObject({ ok: false, rule: 'GATE2' });
    const events = await server.app.services.log.eventsSince(c, 0, 10_000);
    expect(events.filter((e) => e.type === 'dose.recorded' || e.type === 'gate.overridden')).toEqual([]);

    // She signs both consents on her phone: the roster follows by itself, and the dose is allowed.
    const texts = (await call(server, juniper.person.cookie, 'GET', '/api/me/consents')).json;
    expect(texts.map((t) => t.kind).sort()).toEqual(['group_confidentiality', 'treatment']);
    const from = maya.events.length;
    const t1 = Date.now();
    for (const t of texts) expect((await call(server, juniper.person.cookie, 'POST', `/api/me/consents/${String(t.id)}/sign`, { typedName: 'Kim Tanaka' })).status).toBe(204);
    const consented = await rosterPush(from, t1, (f) => Array.isArray(f?.consentsToSign) && (f.consentsToSign as unknown[]).length === 0);
    console.log(`consents signed to the facilitator's socket: ${consented.ms} ms (${driver})`);
    expect(consented.ms).toBeLessThan(2000);

    // The clinic publishes a new version of the treatment consent: everyone must sign it again, at once (RDY2).
    const admin = await signIn(server.url, demo.admin.email);
    const republished = maya.events.length;
    const v2 = await call(server, admin.cookie, 'POST', '/api/consents', { kind: 'treatment', title: 'Consent to treatment', body: 'Version two of the treatment consent.' });
    expect(v2.status).toBe(200);
    await rosterPush(republished, Date.now(), (f) => JSON.stringify(f?.consentsToSign) === JSON.stringify(['treatment']));
    expect(await maya.command(c, dose)).toMatchObject({ ok: false, rule: 'GATE2' });
    const resigned = maya.events.length;
    expect((await call(server, juniper.person.cookie, 'POST', `/api/me/consents/${String(v2.json.id)}/sign`, { typedName: 'Kim Tanaka' })).status).toBe(204);
    await rosterPush(resigned, Date.now(), (f) => Array.isArray(f?.consentsToSign) && (f.consentsToSign as unknown[]).length === 0);
    expect(await maya.command(c, dose)).toMatchObject({ ok: true });
  });
});
