import { io, type Socket } from 'socket.io-client';
import { PROTOCOL_VERSION, type ClientToServerEvents, type ServerToClientEvents } from '@holdspace/protocol';
import { noContraindications, type ClientCommand } from '@holdspace/domain';
import { DEMO_PASSWORD } from '../pages/people';
import { ApiCaller } from './api';

/** "YYYY-MM-DDTHH:mm" in UTC, as a cohort in UTC schedules a circle. */
const localUtc = (d: Date) => d.toISOString().slice(0, 16);

export interface Enrolled {
  id: string;
  email: string;
  name: string;
  displayName: string;
}

export interface GateCircle {
  circleId: string;
  cohortId: string;
  title: string;
  /** A new participant, enrolled, signed in with the demo password: no clearance, no consent signed. */
  participant: Enrolled;
  admin: ApiCaller;
  prescriber: ApiCaller;
}

let made = 0;

/**
 * A cohort of its own with one dosing circle scheduled now, Maya facilitating, and one new participant who has signed
 * nothing: made through the API, so the spec depends on no other spec's circle. Until the circle's start, the cohort's
 * baseline questionnaires are open (they close when the first dosing circle starts).
 */
export async function gateCircle(baseURL: string, displayName: string, startsInMinutes = 0): Promise<GateCircle> {
  const n = `${Date.now()}-${++made}`;
  const [admin, prescriber] = await Promise.all([ApiCaller.signIn(baseURL, 'admin@demo.holdspace.example'), ApiCaller.signIn(baseURL, 'dr.lindqvist@demo.holdspace.example')]);
  const staff = await admin.ok<{ id: string; email: string }[]>('GET', '/api/staff');
  const maya = staff.find((s) => s.email === 'maya@demo.holdspace.example')!;
  const title = `Gate check ${n}`;
  const cohort = await admin.ok<{ id: string; circles: { id: string }[] }>('POST', '/api/cohorts', {
    name: `Gate cohort ${n}`,
    format: 'in_person',
    timeZone: 'UTC',
    facilitatorIds: [maya.id],
    program: [{ kind: 'dosing', title, startsAt: localUtc(new Date(Date.now() + startsInMinutes * 60_000)) }],
  });
  const participant = await enrollNew(admin, cohort.id, displayName);
  return { circleId: cohort.circles[0]!.id, cohortId: cohort.id, title, participant, admin, prescriber };
}

/** One more new participant in the cohort, invited, with a password set and nothing signed. */
export async function enrollNew(admin: ApiCaller, cohortId: string, displayName: string): Promise<Enrolled> {
  const email = `${displayName.toLowerCase()}-${Date.now()}-${++made}@example.org`;
  const name = `${displayName} Tester`;
  const created = await admin.ok<{ id: string; invite: { url: string } }>('POST', '/api/participants', { name, email });
  const token = created.invite.url.split('/invite/')[1]!;
  await admin.ok('POST', `/api/invites/${token}/accept`, { password: DEMO_PASSWORD });
  await admin.ok('POST', `/api/cohorts/${cohortId}/enrollments`, { participantId: created.id, displayName });
  return { id: created.id, email, name, displayName };
}

/** A clearance as the prescriber signs it. */
export const clearance = (doseMg = 150) => ({
  contraindications: noContraindications(),
  notes: '',
  decision: 'cleared',
  validUntil: '2099-12-31',
  prescription: { doseMg, route: 'sublingual_lozenge' },
  vitalLimits: {},
  medicationHolds: [],
  emergencyContact: { name: 'Kim', phone: '+1 555 0101' },
  chaperone: null,
});

/** A bare socket as someone signed in: to ask the server directly, not through the page. */
export async function socketAs(caller: ApiCaller): Promise<{ send(circleId: string, command: ClientCommand): Promise<{ ok: boolean; code?: string; rule?: string }>; close(): void }> {
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(caller.baseURL, {
    transports: ['websocket'],
    auth: { protocolVersion: PROTOCOL_VERSION },
    extraHeaders: { cookie: caller.cookie, origin: caller.baseURL },
    reconnection: false,
    forceNew: true,
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return {
    async send(circleId, command) {
      const joined = await socket.emitWithAck('circle:join', { circleId, device: 'desktop' });
      if (!joined.ok) throw new Error(`join refused: ${joined.message}`);
      return socket.emitWithAck('circle:command', { circleId, commandId: `gate-${Date.now()}-${Math.random().toString(36).slice(2)}`, command });
    },
    close: () => void socket.disconnect(),
  };
}

/** The prescriber clears the participant and the participant signs every consent: ready to be dosed. */
export async function clearAndConsent(setup: GateCircle, doseMg = 150, participant: Enrolled = setup.participant): Promise<void> {
  await setup.prescriber.ok('POST', `/api/participants/${participant.id}/screenings`, clearance(doseMg));
  const me = await ApiCaller.signIn(setup.prescriber.baseURL, participant.email);
  for (const text of await me.ok<{ id: string }[]>('GET', '/api/me/consents')) {
    await me.ok('POST', `/api/me/consents/${text.id}/sign`, { typedName: participant.name });
  }
}
