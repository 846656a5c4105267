import { randomUUID } from 'node:crypto';
import { defaultClinicSettings, instruments } from '@holdspace/domain';
import { clientEventSchemas } from '@holdspace/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import { schema } from '@holdspace/db';
import { closeAllConnections, closeRawSockets, demo, signIn, startTestServer, testDrivers, type RawSocket, type TestServer } from '../support/harness.js';
import { actorNames, call, clinicFixture, completeClearance, socketAs, type ActorName, type ClinicFixture } from '../support/clinic-fixture.js';

type Ctx = { fx: ClinicFixture; actor: ActorName; n: number };
interface RouteExpectation {
  /** Who may use the route. Everyone else must get 401, 403 or 404, and nobody listed may. */
  allow: readonly ActorName[];
  path?: (c: Ctx) => string | Promise<string>;
  body?: (c: Ctx) => unknown | Promise<unknown>;
  /** Ends or changes the caller's session: run with a fresh sign-in of that actor. */
  ownSession?: boolean;
}

const everyone = actorNames;
const signedIn = actorNames.filter((a) => a !== 'anonymous');
const admins = ['admin', 'otherClinicAdmin'] as const;
const participants = ['participant', 'otherCohortParticipant'] as const;


/** The one table of expectations: every API route, keyed as Fastify registers it. */
const table: Record<string, RouteExpectation> = {
  'GET /api/health': { allow: everyone },
  'POST /api/auth/sign-in': { allow: everyone, body: () => ({ email: demo.participants[2].email, password: 'holdspace-demo' }) },
  'POST /api/auth/sign-out': { allow: everyone, ownSession: true, body: () => ({}) },
  'POST /api/auth/sign-out-everywhere': { allow: signedIn, ownSession: true, body: () => ({}) },
  'GET /api/auth/me': { allow: signedIn },
  'POST /api/auth/totp/setup': { allow: signedIn, ownSession: true, body: () => ({}) },
  'POST /api/auth/totp/enable': { allow: signedIn, ownSession: true, body: () => ({ code: '000000' }) },
  'POST /api/auth/totp/disable': { allow: signedIn, ownSession: true, body: () => ({ code: '000000' }) },
  'GET /api/invites/:token': { allow: everyone, path: async ({ fx }) => `/api/invites/${(await fx.newParticipant()).token}` },
  'POST /api/invites/:token/accept': { allow: everyone, path: async ({ fx }) => `/api/invites/${(await fx.newParticipant()).token}/accept`, body: () => ({ password: 'a-new-password-1' }) },
  'GET /api/staff': { allow: admins },
  'POST /api/staff': { allow: admins, body: ({ n }) => ({ name: `Staff ${n}`, email: `staff-${n}-${Date.now()}@example.org`, roles: ['facilitator'] }) },
  'PATCH /api/staff/:userId': { allow: ['admin'], path: ({ fx }) => `/api/staff/${fx.ids.theo}`, body: () => ({ roles: ['facilitator'] }) },
  'POST /api/staff/:userId/two-factor/reset': { allow: ['admin'], path: ({ fx }) => `/api/staff/${fx.ids.theo}/two-factor/reset`, body: () => ({}) },
  'GET /api/participants': { allow: admins },
  'POST /api/participants': { allow: admins, body: ({ n }) => ({ name: `Person ${n}`, email: `person-${n}-${Date.now()}@example.org` }) },
  'POST /api/participants/:userId/invite': { allow: ['admin'], path: ({ fx }) => `/api/participants/${fx.ids.river}/invite`, body: () => ({}) },
  'GET /api/cohorts': { allow: ['facilitator', 'prescriber', ...admins] },
  'POST /api/cohorts': {
    allow: admins,
    body: ({ fx, n }) => ({ name: `Matrix cohort ${n}`, format: 'hybrid', timeZone: 'UTC', facilitatorIds: [fx.ids.theo], program: [{ kind: 'dosing', startsAt: '2027-02-01T10:00' }] }),
  },
  'GET /api/cohorts/:cohortId': { allow: ['facilitator', 'prescriber', 'admin'], path: ({ fx }) => `/api/cohorts/${fx.ids.cohortA}` },
  'POST /api/cohorts/:cohortId/enrollments': {
    allow: ['admin'],
    path: ({ fx }) => `/api/cohorts/${fx.ids.cohortA}/enrollments`,
    body: async ({ fx, n }) => ({ participantId: (await fx.newParticipant()).id, displayName: `Matrix ${n}` }),
  },
  'DELETE /api/cohorts/:cohortId/members/:userId': { allow: ['admin'], path: async ({ fx, n }) => `/api/cohorts/${fx.ids.cohortA}/members/${await enrolledNewcomer(fx, n)}` },
  'GET /api/cohorts/:cohortId/roster': { allow: ['facilitator', 'prescriber', 'admin'], path: ({ fx }) => `/api/cohorts/${fx.ids.cohortA}/roster` },
  'GET /api/consents': { allow: admins },
  'POST /api/consents': { allow: admins, body: () => ({ kind: 'treatment', title: 'Treatment consent', body: 'A complete consent text for the matrix test.' }) },
  'GET /api/me/consents': { allow: participants },
  'POST /api/me/consents/:consentTextId/sign': { allow: participants, path: ({ fx }) => `/api/me/consents/${fx.ids.consentText}/sign`, body: () => ({ typedName: 'Typed Name' }) },
  'GET /api/screening/queue': { allow: ['facilitator', 'prescriber'] },
  'GET /api/participants/:userId/screenings': { allow: ['facilitator', 'prescriber'], path: ({ fx }) => `/api/participants/${fx.ids.river}/screenings` },
  'POST /api/participants/:userId/screenings': { allow: ['prescriber'], path: ({ fx }) => `/api/participants/${fx.ids.river}/screenings`, body: () => completeClearance() },
  'GET /api/settings': { allow: admins },
  'PUT /api/settings': { allow: admins, body: () => defaultClinicSettings },
  'GET /api/audit': { allow: admins },
  'GET /api/outbox': { allow: admins },
  'GET /api/circles': { allow: signedIn },
  // Questionnaires, the journal and my data: each participant's own.
  'GET /api/me/questionnaires': { allow: participants },
  'POST /api/me/questionnaires': { allow: participants, body: ({ fx, actor }) => phq9Answer(actor === 'otherCohortParticipant' ? fx.ids.cohortB : fx.ids.cohortA) },
  'GET /api/me/journal': { allow: participants },
  'POST /api/me/journal': { allow: participants, body: () => journalBody({ entryId: randomUUID() }) },
  'PUT /api/me/journal/:entryId': { allow: participants, path: async (c) => `/api/me/journal/${(await entryOf(c)).id}`, body: () => journalBody() },
  'PUT /api/me/journal/:entryId/commitments/:commitmentId': {
    allow: participants,
    path: async (c) => {
      const entry = await entryOf(c);
      return `/api/me/journal/${entry.id}/commitments/${entry.commitmentId}`;
    },
    body: () => ({ done: true }),
  },
  'DELETE /api/me/journal/:entryId': { allow: participants, path: async (c) => `/api/me/journal/${(await entryOf(c)).id}` },
  'GET /api/me/export': { allow: participants },
  'GET /api/me/export/fhir': { allow: participants },
  // Safety alerts reach the clinicians: facilitators of the person's cohorts, and prescribers.
  'GET /api/safety-alerts': { allow: ['facilitator', 'prescriber'] },
  'POST /api/safety-alerts/:alertId/acknowledge': { allow: ['facilitator', 'prescriber'], path: async ({ fx }) => `/api/safety-alerts/${await fx.newSafetyAlert()}/acknowledge`, body: () => ({ note: 'Called them; safety plan reviewed.' }) },
  // Calls for support after a circle closed (CARE2): the same clinicians; a closed circle of cohort A is needed.
  'GET /api/care-alerts': { allow: ['facilitator', 'prescriber'] },
  'POST /api/care-alerts/:circleId/:alertId/acknowledge': { allow: ['facilitator', 'prescriber'], path: async ({ fx }) => `/api/care-alerts/${await closedCircleOf(fx)}/a1/acknowledge`, body: () => ({}) },
  // Outcomes: staff of the clinic (facilitators only for their cohorts); exports: admins and prescribers.
  'GET /api/cohorts/:cohortId/outcomes': { allow: ['facilitator', 'prescriber', 'admin'], path: ({ fx }) => `/api/cohorts/${fx.ids.cohortA}/outcomes` },
  'PUT /api/cohorts/:cohortId/outcome-settings': { allow: ['admin'], path: ({ fx }) => `/api/cohorts/${fx.ids.cohortA}/outcome-settings`, body: () => ({ instruments: ['phq9', 'gad7'], followUpDays: 30 }) },
  'GET /api/participants/:userId/outcomes': { allow: ['facilitator', 'prescriber', 'admin'], path: ({ fx }) => `/api/participants/${fx.ids.river}/outcomes` },
  'GET /api/outcomes/overview': { allow: ['facilitator', 'prescriber', ...admins] },
  'GET /api/cohorts/:cohortId/export/:file': { allow: ['prescriber', 'admin'], path: ({ fx }) => `/api/cohorts/${fx.ids.cohortA}/export/scores.csv` },
  'GET /api/participants/:userId/export/fhir': { allow: ['prescriber', 'admin'], path: ({ fx }) => `/api/participants/${fx.ids.river}/export/fhir` },
  'GET /api/circles/:circleId': { allow: ['participant', 'facilitator'], path: ({ fx }) => `/api/circles/${fx.ids.circleA}` },
};

const phq9Answer = (cohortId: string) => ({
  responseId: randomUUID(),
  cohortId,
  assessmentKey: 'baseline',
  instrument: 'phq9',
  answers: Object.fromEntries(instruments.phq9.item.map((i) => [i.linkId, 0])),
});
const journalBody = (extra: Record<string, unknown> = {}) => ({ circleId: null, prompts: { insights: 'A quiet morning.' }, commitments: [{ text: 'Walk at lunch', done: false }], ...extra });

let current: TestServer | null = null;
/** A new participant enrolled in cohort A, for a route that takes someone off it (the previous one leaves first, so the cohort never fills). */
let lastNewcomer: string | null = null;
async function enrolledNewcomer(fx: ClinicFixture, n: number): Promise<string> {
  if (lastNewcomer) await call(current!, fx.cookie('admin'), 'DELETE', `/api/cohorts/${fx.ids.cohortA}/members/${lastNewcomer}`);
  const { id } = await fx.newParticipant();
  lastNewcomer = id;
  const res = await call(current!, fx.cookie('admin'), 'POST', `/api/cohorts/${fx.ids.cohortA}/enrollments`, { participantId: id, displayName: `Newcomer ${n}` });
  if (res.status !== 204) throw new Error(`not enrolled: ${JSON.stringify(res.json)}`);
  return id;
}
/** A journal entry of the caller's own, when the caller is a participant; otherwise ids that exist nowhere. */
async function entryOf(c: Ctx): Promise<{ id: string; commitmentId: string }> {
  const id = randomUUID();
  if (c.actor !== 'participant' && c.actor !== 'otherCohortParticipant') return { id, commitmentId: 'c0' };
  const res = await call(current!, c.fx.cookie(c.actor), 'POST', '/api/me/journal', journalBody({ entryId: id }));
  if (res.status !== 200) throw new Error(`journal entry not made: ${JSON.stringify(res.json)}`);
  return { id, commitmentId: String((res.json.commitments as unknown as { id: string }[])[0]?.id) };
}

/** The last circle of cohort A, closed (closing a circle twice is refused, and changes nothing). */
async function closedCircleOf(fx: ClinicFixture): Promise<string> {
  const cohort = (await call(current!, fx.cookie('admin'), 'GET', `/api/cohorts/${fx.ids.cohortA}`)).json as unknown as { circles: { id: string }[] };
  const circleId = cohort.circles.at(-1)!.id;
  const socket = await socketAs(current!, fx.cookie('facilitator'));
  await socket!.emitWithAck('circle:command', { commandId: `matrix-close-${Date.now()}`, circleId, command: { type: 'circle.close', reason: 'Closed for the authorization matrix' } });
  socket!.disconnect();
  return circleId;
}

/** Socket events: join and command need membership of circle A; leave is a harmless no-op for anyone connected. */
const socketTable: Record<keyof typeof clientEventSchemas, { allow: readonly ActorName[]; body: (fx: ClinicFixture, n: number) => unknown }> = {
  'circle:join': { allow: ['participant', 'facilitator'], body: (fx) => ({ circleId: fx.ids.circleA, device: 'phone' }) },
  'circle:leave': { allow: signedIn, body: (fx) => ({ circleId: fx.ids.circleA }) },
  'circle:command': { allow: ['facilitator'], body: (fx, n) => ({ commandId: `matrix-${n}-${Date.now()}`, circleId: fx.ids.circleA, command: { type: 'circle.open', offSchedule: true } }) },
};

describe.each(testDrivers())('authorization matrix (%s)', (driver) => {
  let server: TestServer;
  let fx: ClinicFixture;

  beforeAll(async () => {
    server = await startTestServer(driver);
    current = server;
    fx = await clinicFixture(server);
  });
  afterAll(async () => {
    closeAllConnections();
    closeRawSockets();
    await server?.stop();
  });

  it('has an entry for every HTTP route the server registers, and no stale ones', () => {
    const registered = server.app.routes.map((r) => `${r.method} ${r.url}`).sort();
    expect(registered).toEqual(Object.keys(table).sort());
  });

  it('allows exactly the listed actors on every route, and denies everyone else', async () => {
    const surprises: string[] = [];
    let n = 0;
    const keys = Object.keys(table).sort((a, b) => Number(Boolean(table[a]!.ownSession)) - Number(Boolean(table[b]!.ownSession)));
    for (const key of keys) {
      const route = table[key]!;
      const [method, pattern] = key.split(' ') as [string, string];
      for (const actor of actorNames) {
        n++;
        const ctx = { fx, actor, n };
        const path = route.path ? await route.path(ctx) : pattern;
        const cookie = route.ownSession && actor !== 'anonymous' ? (await fresh(actor)).cookie : fx.cookie(actor);
        const body = route.body ? await route.body(ctx) : undefined;
        const res = await call(server, cookie, method, path, body);
        const allowed = ![401, 403, 404].includes(res.status) && res.status < 500;
        const expected = route.allow.includes(actor);
        if (res.status >= 500 || allowed !== expected) surprises.push(`${key} as ${actor}: ${res.status} ${JSON.stringify(res.json).slice(0, 160)}`);
      }
    }
    expect(surprises).toEqual([]);
  });

  it('allows exactly the listed actors on every socket event', async () => {
    expect(Object.keys(socketTable).sort()).toEqual(Object.keys(clientEventSchemas).sort());
    const surprises: string[] = [];
    let n = 0;
    for (const [event, rule] of Object.entries(socketTable) as [keyof typeof clientEventSchemas, (typeof socketTable)[keyof typeof socketTable]][]) {
      for (const actor of actorNames) {
        const socket = await socketAs(server, actor === 'anonymous' ? null : (await fresh(actor)).cookie);
        let allowed = false;
        if (socket) {
          const ack = (await socket.emitWithAck(event as 'circle:leave', rule.body(fx, ++n) as never)) as { ok: boolean; code?: string; rule?: string };
          // A state rule (the circle is already open) still means the actor was let in; CIR1 is a role refusal.
          allowed = ack.ok || (ack.code === 'RULE_VIOLATION' && ack.rule !== 'CIR1');
          socket.disconnect();
        }
        if (allowed !== rule.allow.includes(actor)) surprises.push(`${event} as ${actor}: ${allowed ? 'allowed' : 'denied'}`);
      }
    }
    expect(surprises).toEqual([]);
  });

  it('POL3: screening records and the queue follow need-to-know, for every role and relationship', async () => {
    // Subjects: River (cohort A: Maya and Theo facilitate it), Zed (cohort B: Theo only), and someone in no cohort.
    const cookie = await freshCookies();
    const loner = (await fx.newParticipant()).id;
    const subjects = { river: fx.ids.river, zed: await idOf(cookie('otherCohortParticipant')), loner } as const;
    const theo = await signIn(server.url, demo.cofacilitator.email);
    const viewers: Record<string, { cookie: string | null; sees: (keyof typeof subjects)[] }> = {
      'facilitator of cohort A only (Maya)': { cookie: cookie('facilitator'), sees: ['river'] },
      'facilitator of cohorts A and B (Theo)': { cookie: theo.cookie, sees: ['river', 'zed'] },
      prescriber: { cookie: cookie('prescriber'), sees: ['river', 'zed', 'loner'] },
      admin: { cookie: cookie('admin'), sees: [] },
      'admin of another clinic': { cookie: cookie('otherClinicAdmin'), sees: [] },
      participant: { cookie: cookie('participant'), sees: [] },
      'participant of another cohort': { cookie: cookie('otherCohortParticipant'), sees: [] },
      anonymous: { cookie: null, sees: [] },
    };
    const surprises: string[] = [];
    for (const [viewer, { cookie, sees }] of Object.entries(viewers)) {
      const queue = await call(server, cookie, 'GET', '/api/screening/queue');
      const listed = queue.status === 200 ? new Set(queue.json.map((e) => e.participantId as string)) : new Set<string>();
      for (const [name, id] of Object.entries(subjects) as [keyof typeof subjects, string][]) {
        const expected = sees.includes(name);
        const record = await call(server, cookie, 'GET', `/api/participants/${id}/screenings`);
        if ((record.status === 200) !== expected || record.status >= 500) surprises.push(`${viewer} reading ${name}'s screening: ${record.status}`);
        if (listed.has(id) !== expected) surprises.push(`${viewer}'s queue ${listed.has(id) ? 'lists' : 'omits'} ${name}`);
      }
    }
    expect(surprises).toEqual([]);
  });

  it('POL2: a demoted facilitator is cut from the live circle within 1 s, and their next join and command are refused', async () => {
    const cookie = await freshCookies();
    const circleId = fx.ids.circleA;
    const theoId = fx.ids.theo;
    const theo = await signIn(server.url, demo.cofacilitator.email);
    const sockets = [await joinedAs(theo.cookie, circleId), await joinedAs(theo.cookie, circleId)];
    const before = await eventsBy(theoId);

    const started = performance.now();
    const cut = Promise.all(sockets.map((s) => new Promise<number>((resolve) => s.once('disconnect', () => resolve(performance.now() - started)))));
    expect((await call(server, cookie('admin'), 'PATCH', `/api/staff/${theoId}`, { roles: ['prescriber'] })).status).toBe(200);
    const cutMs = Math.max(...(await cut));
    console.log(`demoted facilitator (${driver}): both sockets cut ${cutMs.toFixed(0)} ms after the role change was sent`);
    expect(cutMs).toBeLessThan(1000);

    // Signed in again, with the cohort row still naming them: no circle, no join, no command.
    const again = await signIn(server.url, demo.cofacilitator.email);
    expect((await again.api.circles()).ok && (await again.api.circles())).toMatchObject({ data: [] });
    const socket = await socketAs(server, again.cookie);
    expect(await socket!.emitWithAck('circle:join', { circleId, device: 'desktop' })).toMatchObject({ ok: false, code: 'NOT_FOUND' });
    for (const command of [{ type: 'hold.start', message: 'Pause' }, { type: 'circle.open', offSchedule: true }] as const) {
      expect(await socket!.emitWithAck('circle:command', { commandId: randomUUID(), circleId, command })).toMatchObject({ ok: false, code: 'NOT_FOUND' });
    }
    expect(await eventsBy(theoId)).toBe(before);
    socket!.disconnect();

    // Given the role back, Theo is in again; then taken off the cohort, cut again within 1 s and refused.
    expect((await call(server, cookie('admin'), 'PATCH', `/api/staff/${theoId}`, { roles: ['facilitator'] })).status).toBe(200);
    const restored = await signIn(server.url, demo.cofacilitator.email);
    const live = await joinedAs(restored.cookie, circleId);
    const removedAt = performance.now();
    const gone = new Promise<number>((resolve) => live.once('disconnect', () => resolve(performance.now() - removedAt)));
    expect((await call(server, cookie('admin'), 'DELETE', `/api/cohorts/${fx.ids.cohortA}/members/${theoId}`)).status).toBe(204);
    expect(await gone).toBeLessThan(1000);
    const retry = await socketAs(server, restored.cookie);
    expect(await retry!.emitWithAck('circle:join', { circleId, device: 'desktop' })).toMatchObject({ ok: false, code: 'NOT_FOUND' });
    expect(await retry!.emitWithAck('circle:command', { commandId: randomUUID(), circleId, command: { type: 'hold.end' } })).toMatchObject({ ok: false, code: 'NOT_FOUND' });
    expect(await eventsBy(theoId)).toBe(before);
    retry!.disconnect();
  });

  it('POL2: a participant taken off the cohort is cut from its live circle and refused the next join', async () => {
    const cookie = await freshCookies();
    const { id, token } = await fx.newParticipant();
    const accepted = await call(server, null, 'POST', `/api/invites/${token}/accept`, { password: 'leaver-password-1' });
    expect(accepted.status).toBe(200);
    expect((await call(server, cookie('admin'), 'POST', `/api/cohorts/${fx.ids.cohortA}/enrollments`, { participantId: id, displayName: 'Leaver' })).status).toBe(204);
    const leaver = await signIn(server.url, String(accepted.json.email), 'leaver-password-1');
    const live = await joinedAs(leaver.cookie, fx.ids.circleA);
    const removedAt = performance.now();
    const gone = new Promise<number>((resolve) => live.once('disconnect', () => resolve(performance.now() - removedAt)));
    expect((await call(server, cookie('admin'), 'DELETE', `/api/cohorts/${fx.ids.cohortA}/members/${id}`)).status).toBe(204);
    expect(await gone).toBeLessThan(1000);
    const retry = await socketAs(server, leaver.cookie);
    expect(await retry!.emitWithAck('circle:join', { circleId: fx.ids.circleA, device: 'phone' })).toMatchObject({ ok: false, code: 'NOT_FOUND' });
    expect(await retry!.emitWithAck('circle:command', { commandId: randomUUID(), circleId: fx.ids.circleA, command: { type: 'checkin.journey', signal: 'okay' } })).toMatchObject({
      ok: false,
      code: 'NOT_FOUND',
    });
    retry!.disconnect();
  });

  /** A socket of this session that has joined the circle. */
  async function joinedAs(cookie: string, circleId: string): Promise<RawSocket> {
    const socket = await socketAs(server, cookie);
    const ack = await socket!.emitWithAck('circle:join', { circleId, device: 'desktop' });
    expect(ack.ok).toBe(true);
    return socket!;
  }
  /** Events the person's commands appended to circle A (presence comes from connecting, not from a command). */
  const eventsBy = async (actor: string) => {
    const { circleEvents: e } = schema;
    const where = and(eq(e.circleId, fx.ids.circleA), eq(e.actor, actor), sql`${e.type} not like 'presence.%'`);
    return Number((await server.db.db.select({ n: sql<number>`count(*)::int` }).from(e).where(where))[0]!.n);
  };
  const idOf = async (cookie: string | null) => String((await call(server, cookie, 'GET', '/api/auth/me')).json.id);

  /** Cookies of new sessions (the route matrix signs everyone out everywhere along the way). */
  async function freshCookies() {
    const made = new Map<ActorName, string | null>([['anonymous', null]]);
    for (const actor of signedIn) made.set(actor, (await fresh(actor)).cookie);
    return (actor: ActorName) => made.get(actor) ?? null;
  }

  const fresh = (actor: Exclude<ActorName, 'anonymous'>) => signIn(server.url, fx.credentials[actor].email, fx.credentials[actor].password);
});
