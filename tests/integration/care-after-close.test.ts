import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertIdFor, instruments, type ClientCommand } from '@holdspace/domain';
import type { ClinicAlert } from '@holdspace/protocol';
import { closeAllConnections, closeRawSockets, demo, signIn, startTestServer, testDrivers, waitFor, type Person, type TestServer } from '../support/harness.js';
import { call } from '../support/clinic-fixture.js';
import { demoDoseMg, signInCast, TappedSocket, vitalsPlan, type DosingCast, type ParticipantKey } from '../support/dosing-fixture.js';

const pushesOf = <T>(s: TappedSocket, event: string) => s.pushes.filter((p) => p[0] === event).map((p) => p[1] as T);

describe.each(testDrivers())('a closed circle is not an end of care; one alert, one acknowledgement (%s)', (driver) => {
  let server: TestServer;
  let cast: DosingCast;
  let prescriber: Person;
  let facilitator: TappedSocket;
  let rx: TappedSocket;
  const phones = {} as Record<ParticipantKey, TappedSocket>;
  const send = (who: ParticipantKey | 'facilitator', command: ClientCommand) =>
    (who === 'facilitator' ? facilitator : phones[who]).command(cast.circleId, command);
  const ok = async (who: ParticipantKey | 'facilitator', command: ClientCommand) => {
    const result = await send(who, command);
    if (!result.ok) throw new Error(`${who} ${command.type}: ${result.rule ?? result.code} ${result.message}`);
    return result.data;
  };

  beforeAll(async () => {
    server = await startTestServer(driver);
    cast = await signInCast(server.url);
    prescriber = await signIn(server.url, demo.prescriber.email);
    facilitator = await TappedSocket.open(server.url, cast.facilitator.person.cookie);
    rx = await TappedSocket.open(server.url, prescriber.cookie);
    await facilitator.join(cast.circleId);
    for (const k of ['river', 'wren', 'sage'] as const) {
      phones[k] = await TappedSocket.open(server.url, cast.participants[k].person.cookie);
      await phones[k].join(cast.circleId);
    }
  });
  afterAll(async () => {
    closeAllConnections();
    closeRawSockets();
    await server?.stop();
  });

  it('CARE1, CARE2: two people dosed and not discharged keep "I need support" after the close; it reaches the facilitators and prescribers anywhere, and nobody else may send it', async () => {
    await ok('facilitator', { type: 'circle.open', offSchedule: true });
    const lastFoodAt = new Date(Date.now() - 6 * 3_600_000).toISOString();
    for (const k of ['river', 'wren', 'sage'] as const) await ok('facilitator', { type: 'participant.admit', personId: cast.participants[k].id });
    await ok('facilitator', { type: 'circle.start' });
    for (const k of ['river', 'wren'] as const) {
      await ok(k, { type: 'checkin.predose', lastFoodAt, holdsFollowed: true, ride: 'ride' });
      await ok('facilitator', { type: 'vitals.record', personId: cast.participants[k].id, ...vitalsPlan[k].baseline });
      await ok('facilitator', { type: 'dose.record', personId: cast.participants[k].id, doseMg: demoDoseMg[k] });
    }
    await ok('facilitator', { type: 'circle.close', reason: 'Room needed; both moved to the recovery area' });
    const state = await server.app.services.log.snapshot(cast.circleId);
    expect(state.people[cast.participants.river.id]?.careUntil).toBeTruthy();

    // The facilitator has left the dashboard: only her app-wide socket (and the prescriber's) can hear it now.
    await facilitator.socket.emitWithAck('circle:leave', { circleId: cast.circleId });
    const sentAt = Date.now();
    const [river, wren] = await Promise.all([ok('river', { type: 'checkin.journey', signal: 'support' }), ok('wren', { type: 'checkin.journey', signal: 'support' })]);
    await waitFor(() => pushesOf(facilitator, 'care:alert').length === 2 && pushesOf(rx, 'care:alert').length === 2, { timeout: 2000, message: 'both calls on the staff sockets' });
    console.log(`support after close reached the facilitator and the prescriber in ${Date.now() - sentAt} ms`);
    expect(pushesOf<ClinicAlert>(rx, 'care:alert').map((a) => [a.person.name, a.id, a.acknowledgement]).sort()).toEqual(
      [
        ['River', alertIdFor(river.seq), null],
        ['Wren', alertIdFor(wren.seq), null],
      ].sort(),
    );
    // Not dosed: refused with a clear word; nothing is appended. A break is not open after the close either.
    const before = (await server.app.services.log.snapshot(cast.circleId)).seq;
    const sage = await send('sage', { type: 'checkin.journey', signal: 'support' });
    expect(sage).toMatchObject({ ok: false, rule: 'CARE2', message: expect.stringContaining('This circle has ended') });
    expect(await send('river', { type: 'checkin.journey', signal: 'break' })).toMatchObject({ ok: false, rule: 'CHK2' });
    expect((await server.app.services.log.snapshot(cast.circleId)).seq).toBe(before);
    // Participants never receive the staff pushes.
    for (const k of ['river', 'wren', 'sage'] as const) expect(pushesOf(phones[k], 'care:alert')).toEqual([]);

    // The list over HTTP holds both for whoever opens the alerts page later.
    const listed = await call(server, prescriber.cookie, 'GET', '/api/care-alerts');
    expect(listed.json.map((a) => (a.person as { name: string }).name).sort()).toEqual(['River', 'Wren']);
    expect((await call(server, cast.participants.river.person.cookie, 'GET', '/api/care-alerts')).status).toBe(403);
  });

  it('CARE3, ALR3: acknowledged once, on the alerts page or the dashboard, with an optional note; every clinician hears it; a discharge ends the care', async () => {
    const [riverAlert, wrenAlert] = ['River', 'Wren'].map((n) => pushesOf<ClinicAlert>(rx, 'care:alert').find((a) => a.person.name === n)!);
    // The prescriber, who is not in the circle, acknowledges River's from the alerts page.
    const done = await call(server, prescriber.cookie, 'POST', `/api/care-alerts/${cast.circleId}/${riverAlert!.id}/acknowledge`, { note: 'Phoned him: sitting with his partner' });
    expect(done).toMatchObject({ status: 200, json: { acknowledgement: { by: { name: demo.prescriber.name }, note: 'Phoned him: sitting with his partner' } } });
    await waitFor(() => pushesOf(facilitator, 'care:acknowledged').length === 1, { timeout: 2000, message: 'the acknowledgement on the facilitator’s socket' });
    expect(await call(server, prescriber.cookie, 'POST', `/api/care-alerts/${cast.circleId}/${riverAlert!.id}/acknowledge`, {})).toMatchObject({ status: 409 });
    // The facilitator acknowledges Wren's from the closed circle's dashboard, without a note.
    await facilitator.join(cast.circleId);
    await ok('facilitator', { type: 'alert.ack', alertId: wrenAlert!.id });
    await waitFor(() => pushesOf(rx, 'care:acknowledged').length === 2, { timeout: 2000, message: 'both acknowledgements on the prescriber’s socket' });
    expect((await call(server, prescriber.cookie, 'GET', '/api/care-alerts')).json).toEqual([]);

    await ok('facilitator', { type: 'participant.discharge', personId: cast.participants.wren.id, reason: 'Phoned: grounded, at home with partner' });
    expect(await send('wren', { type: 'checkin.journey', signal: 'support' })).toMatchObject({ ok: false, rule: 'CARE2' });
    expect(await send('river', { type: 'checkin.journey', signal: 'support' })).toMatchObject({ ok: true });
  });

  it('ALR3, CRS2: a crisis alert has one acknowledgement: refused on its own on the dashboard, and the clinic’s acknowledgement closes it there and reaches a second clinician', async () => {
    const circles = await cast.facilitator.person.api.circles();
    const preparation = circles.ok ? circles.data.find((c) => c.kind === 'preparation')!.id : '';
    await facilitator.join(preparation);
    await facilitator.command(preparation, { type: 'circle.open', offSchedule: true });
    const cohortId = String((await call(server, prescriber.cookie, 'GET', '/api/cohorts')).json[0]!.id);
    const answers = Object.fromEntries(instruments.phq9.item.map((item) => [item.linkId, 1]));
    const res = await call(server, cast.participants.sage.person.cookie, 'POST', '/api/me/questionnaires', { cohortId, responseId: randomUUID(), assessmentKey: 'baseline', instrument: 'phq9', answers });
    expect(res.json.crisis).toBe(true);
    const raised = await waitFor(() => facilitator.events.find((e) => e.circleId === preparation && e.type === 'alert.raised' && e.payload.kind === 'crisis'), { timeout: 2000, message: 'the crisis on the dashboard' });
    const [safetyAlert] = await waitFor(() => pushesOf<ClinicAlert>(rx, 'safety:alert'), { message: 'the crisis on the prescriber’s socket' });
    expect(raised.payload).toMatchObject({ safetyAlertId: safetyAlert!.id });

    expect(await facilitator.command(preparation, { type: 'alert.ack', alertId: alertIdFor(raised.seq) })).toMatchObject({ ok: false, rule: 'ALR3' });
    const sentAt = Date.now();
    const done = await call(server, cast.facilitator.person.cookie, 'POST', `/api/safety-alerts/${safetyAlert!.id}/acknowledge`, { note: 'Called Sage; safety plan reviewed, no intent.' });
    expect(done.status).toBe(200);
    const heard = await waitFor(() => pushesOf<ClinicAlert>(rx, 'safety:acknowledged')[0], { timeout: 2000, message: 'the acknowledgement on the prescriber’s socket' });
    console.log(`one acknowledgement reached the second clinician in ${Date.now() - sentAt} ms`);
    expect(heard).toMatchObject({ id: safetyAlert!.id, acknowledgement: { by: { name: demo.facilitator.name }, note: 'Called Sage; safety plan reviewed, no intent.' } });
    const closed = await waitFor(() => facilitator.events.find((e) => e.circleId === preparation && e.type === 'alert.acknowledged'), { timeout: 2000, message: 'the dashboard copy closed' });
    expect(closed.payload).toEqual({ alertId: alertIdFor(raised.seq), note: 'Called Sage; safety plan reviewed, no intent.' });
    const state = await server.app.services.log.snapshot(preparation);
    expect(state.alerts[alertIdFor(raised.seq)]).toMatchObject({ ackedBy: cast.facilitator.id, ackNote: 'Called Sage; safety plan reviewed, no intent.' });
    expect((await call(server, prescriber.cookie, 'GET', '/api/safety-alerts')).json).toEqual([]);
  });
});
