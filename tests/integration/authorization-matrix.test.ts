import { randomUUID } from 'node:crypto';
import { defaultClinicSettings, instruments } from '@holdspace/domain';
import { clientEventSchemas } from '@holdspace/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeAllConnections, closeRawSockets, demo, signIn, startTestServer, type TestServer } from '../support/harness.js';
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

describe('authorization matrix (postgres)', () => {
  let server: TestServer;
  let fx: ClinicFixture;

  beforeAll(async () => {
    server = await startTestServer('postgres');
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

  const fresh = (actor: Exclude<ActorName, 'anonymous'>) => signIn(server.url, fx.credentials[actor].email, fx.credentials[actor].password);
});
