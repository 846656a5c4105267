import { randomUUID } from 'node:crypto';
import { schema } from '@holdspace/db';
import { noContraindications, type ScreeningRecord } from '@holdspace/domain';
import { hashPassword } from '@holdspace/server';
import { connected, demo, rawSocket, signIn, type Person, type TestServer } from './harness.js';

export const actorNames = ['anonymous', 'participant', 'otherCohortParticipant', 'facilitator', 'prescriber', 'admin', 'otherClinicAdmin'] as const;
export type ActorName = (typeof actorNames)[number];

export const OTHER_ADMIN = { email: 'admin@other-clinic.example', password: 'other-clinic-pass' };

/** A fresh (not signed-in) HTTP caller that sends JSON with the right Origin. */
export async function call(server: TestServer, cookie: string | null, method: string, path: string, body?: unknown) {
  const headers: Record<string, string> = { origin: server.url, accept: 'application/json' };
  if (cookie) headers.cookie = cookie;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${server.url}${path}`, { method, headers, body: body === undefined ? null : JSON.stringify(body) });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = text;
  }
  return { status: res.status, json: json as Record<string, unknown> & Array<Record<string, unknown>> };
}

export interface ClinicFixture {
  people: Record<Exclude<ActorName, 'anonymous'>, Person>;
  credentials: Record<Exclude<ActorName, 'anonymous'>, { email: string; password: string }>;
  cookie: (actor: ActorName) => string | null;
  ids: {
    cohortA: string;
    circleA: string;
    cohortB: string;
    river: string;
    theo: string;
    consentText: string;
  };
  /** A new participant in clinic A, made through the admin API: returns their id and invite token. */
  newParticipant(): Promise<{ id: string; token: string }>;
  /** An open safety alert about River (cohort A), stored as a crisis response would store it. */
  newSafetyAlert(): Promise<string>;
}

let counter = 0;

/**
 * The demo clinic plus what the demo lacks: a second cohort with its own participant, and a second clinic with its
 * own admin. Everything is made through the API, except the second clinic (there is no sign-up).
 */
export async function clinicFixture(server: TestServer): Promise<ClinicFixture> {
  const db = server.db.db;
  const [other] = await db.insert(schema.clinics).values({ name: 'Other Clinic' }).returning();
  await db.insert(schema.users).values({
    clinicId: other!.id,
    email: OTHER_ADMIN.email,
    name: 'Olga Other',
    kind: 'staff',
    roles: ['admin'],
    passwordHash: await hashPassword(OTHER_ADMIN.password),
  });

  const [admin, facilitator, prescriber, participant, otherClinicAdmin] = await Promise.all([
    signIn(server.url, demo.admin.email),
    signIn(server.url, demo.facilitator.email),
    signIn(server.url, demo.prescriber.email),
    signIn(server.url, demo.participants[0].email),
    signIn(server.url, OTHER_ADMIN.email, OTHER_ADMIN.password),
  ]);

  // A test that signs the admin out everywhere must still be able to make people: sign in again when refused.
  let adminCookie = admin.cookie;
  const newParticipant = async () => {
    const n = ++counter;
    const make = () => call(server, adminCookie, 'POST', '/api/participants', { name: `Fixture Person ${n}`, email: `fixture${n}-${Date.now()}@example.org` });
    let res = await make();
    if (res.status === 401) {
      adminCookie = (await signIn(server.url, demo.admin.email)).cookie;
      res = await make();
    }
    if (res.status !== 200) throw new Error(`participant not created: ${JSON.stringify(res.json)}`);
    const url = String((res.json.invite as { url: string }).url);
    return { id: String(res.json.id), token: url.split('/invite/')[1]! };
  };

  const staff = (await call(server, admin.cookie, 'GET', '/api/staff')).json;
  const theo = staff.find((s) => s.email === demo.cofacilitator.email)!.id as string;
  const cohorts = (await call(server, admin.cookie, 'GET', '/api/cohorts')).json;
  const cohortA = cohorts[0]!.id as string;
  const circleA = (cohorts[0]!.circles as { id: string }[])[0]!.id;
  const river = (await call(server, admin.cookie, 'GET', '/api/participants')).json.find((p) => p.email === demo.participants[0].email)!.id as string;
  const consentText = ((await call(server, admin.cookie, 'GET', '/api/consents')).json[0]!.id as string);

  // A second cohort in the same clinic, with its own participant.
  const cohortB = await call(server, admin.cookie, 'POST', '/api/cohorts', {
    name: 'Cohort B',
    format: 'online',
    timeZone: 'Europe/Berlin',
    facilitatorIds: [theo],
    program: [{ kind: 'preparation', startsAt: '2027-01-10T18:00' }],
  });
  if (cohortB.status !== 200) throw new Error(JSON.stringify(cohortB.json));
  const zed = await newParticipant();
  const accept = await call(server, null, 'POST', `/api/invites/${zed.token}/accept`, { password: 'zed-password-1' });
  if (accept.status !== 200) throw new Error(JSON.stringify(accept.json));
  await call(server, admin.cookie, 'POST', `/api/cohorts/${cohortB.json.id}/enrollments`, { participantId: zed.id, displayName: 'Zed' });
  const otherCohortParticipant = await signIn(server.url, String(accept.json.email), 'zed-password-1');

  const people = { participant, otherCohortParticipant, facilitator, prescriber, admin, otherClinicAdmin };
  const pw = 'holdspace-demo';
  const credentials = {
    participant: { email: demo.participants[0].email, password: pw },
    otherCohortParticipant: { email: String(accept.json.email), password: 'zed-password-1' },
    facilitator: { email: demo.facilitator.email, password: pw },
    prescriber: { email: demo.prescriber.email, password: pw },
    admin: { email: demo.admin.email, password: pw },
    otherClinicAdmin: OTHER_ADMIN,
  };
  const clinicA = (await db.select({ id: schema.clinics.id }).from(schema.clinics)).find((c) => c.id !== other!.id)!.id;
  const newSafetyAlert = async () => {
    const n = ++counter;
    const [response] = await db
      .insert(schema.questionnaireResponses)
      .values({ id: randomUUID(), clinicId: clinicA, participantId: river, cohortId: cohortA, instrument: 'phq9', assessmentKey: `fixture-${n}`, answers: {}, total: 1, band: 'minimal', crisis: true, submittedAt: new Date() })
      .returning();
    const [alert] = await db
      .insert(schema.safetyAlerts)
      .values({ clinicId: clinicA, participantId: river, responseId: response!.id, instrument: 'phq9', item: '44260-8', answer: 1, raisedAt: new Date() })
      .returning();
    return alert!.id;
  };

  return {
    people,
    credentials,
    cookie: (actor) => (actor === 'anonymous' ? null : people[actor].cookie),
    ids: { cohortA, cohortB: String(cohortB.json.id), circleA, river, theo, consentText },
    newParticipant,
    newSafetyAlert,
  };
}

/** A socket as this actor, or the handshake refusal. */
export async function socketAs(server: TestServer, cookie: string | null) {
  const s = await rawSocket(server.url, cookie ? { cookie } : {});
  try {
    await connected(s);
    return s;
  } catch {
    return null;
  }
}

/** A complete clearance that the server accepts (SCR1-SCR4 met). */
export const completeClearance = (over: Partial<ScreeningRecord> = {}): ScreeningRecord => ({
  contraindications: noContraindications(),
  notes: '',
  decision: 'cleared',
  validUntil: '2099-12-31',
  prescription: { doseMg: 150, route: 'sublingual_lozenge' },
  vitalLimits: {},
  medicationHolds: [],
  emergencyContact: { name: 'Kim', phone: '+1 555 0101' },
  chaperone: null,
  ...over,
});
