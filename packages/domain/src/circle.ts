import type { CircleKind, Segment } from './agenda.js';
import type { Audience } from './audience.js';
import { canSee } from './audience.js';
import type { VitalLimits } from './clinic.js';
import type { CircleActor, CircleRole, Device } from './people.js';
import { isStaff } from './people.js';
import type { EligibilityFacts } from './eligibility.js';
import type { MedicationHold } from './screening.js';
import type { PublishedShare, Round, RoundMode, RoundSummary, Share, ShareAudience } from './rounds.js';

export type CircleStatus = 'scheduled' | 'open' | 'in_session' | 'closed';

export interface Connection {
  device: Device;
  since: string;
}

export interface PresentPerson {
  personId: string;
  displayName: string;
  role: CircleRole;
  /** One entry per live connection; a person with none is not present. */
  connections: Record<string, Connection>;
}

/** A person's clinical facts as the prescriber signed them, loaded by the server for the circle: staff only. */
export interface ClinicalFacts extends EligibilityFacts {
  doseMg: number | null;
  boosterDoseMg: number | null;
  /** Minutes after the first dose within which a booster may be given. */
  boosterWindowMinutes: [number, number] | null;
  /** The limits for this person: the prescriber's, falling back to the clinic's (SCR5). */
  limits: VitalLimits;
  holds: MedicationHold[];
}

export interface RosterEntry {
  displayName: string;
  clinical: ClinicalFacts;
}

export interface CareSettings {
  fastingWindowHours: number;
  minObservationMinutes: number;
  /** When the circle is scheduled to start (CIR5); absent in logs from before it was kept. */
  scheduledAt?: string | undefined;
  /** CARE1: hours after the dose during which a closed circle keeps a dosed, undischarged person's call for help. */
  careAfterCloseHours?: number | undefined;
}

export type SleepQuality = 'poor' | 'fair' | 'good';
export type RideHome = 'ride' | 'chaperone' | 'none';
export type JourneySignal = 'okay' | 'support' | 'break';

export interface ArrivalCheckin {
  mood: number;
  anxiety: number;
  sleep: SleepQuality;
  body: string;
  intention: string;
}

export interface PredoseCheckin {
  /** When the person last ate (ISO instant). */
  lastFoodAt: string;
  holdsFollowed: boolean;
  ride: RideHome;
}

export interface AfterCheckin {
  grounded: boolean;
  readyToLeave: boolean;
}

export interface VitalsInput {
  systolic: number;
  diastolic: number;
  heartRate: number;
  spo2?: number | undefined;
}

export type VitalsReading = VitalsInput & { at: string; by: string };

export type GateItem = 'clearance' | 'consent' | 'fasting' | 'ride' | 'holds' | 'vitals';
export const gateItems: readonly GateItem[] = ['clearance', 'consent', 'fasting', 'ride', 'holds', 'vitals'];

export type AdverseKind = 'hypertension' | 'tachycardia' | 'nausea' | 'disorientation' | 'distress' | 'other';
export type Severity = 'mild' | 'moderate' | 'severe';

export interface AdverseEventInput {
  kind: AdverseKind;
  severity: Severity;
  action: string;
}

/** crisis: a questionnaire answer that needs a clinician now (CRS2), raised by the server. */
export type AlertKind = 'support' | 'break' | 'vitals' | 'crisis';

export interface Alert {
  id: string;
  personId: string;
  kind: AlertKind;
  /** 1 is the most urgent. */
  urgency: 1 | 2 | 3;
  detail: string;
  raisedAt: string;
  ackedAt: string | null;
  ackedBy: string | null;
  /** ALR3: what was done, as the clinician who acknowledged said. */
  ackNote: string | null;
  /** CRS2: the clinic's safety alert this one shows on the dashboard; it is acknowledged there and here at once. */
  safetyAlertId?: string | undefined;
  /** CARE2: raised after the circle closed, so it is pushed to staff wherever they are. */
  afterClose?: boolean | undefined;
}

export interface Stamp {
  at: string;
  by: string;
}

/** One participant's record in this circle. Private: only they and the facilitators ever hold it (AUD3). */
export interface ParticipantRecord {
  personId: string;
  arrival: (ArrivalCheckin & { at: string }) | null;
  predose: (PredoseCheckin & { at: string }) | null;
  journey: { signal: JourneySignal; at: string } | null;
  after: (AfterCheckin & { at: string }) | null;
  dose: (Stamp & { doseMg: number }) | null;
  booster: (Stamp & { doseMg: number }) | null;
  vitals: VitalsReading[];
  /** Staff only: the last 15-minute observation check. */
  observedAt: string | null;
  /** A facilitator decided this person is not dosed today: they stay in the circle, with no dose wording (DOSE4). */
  withheld: Stamp | null;
  /** Staff only: gate items a facilitator overrode, with the written reason. */
  overrides: Partial<Record<GateItem, Stamp & { reason: string }>>;
  /** Staff only. */
  adverse: (AdverseEventInput & Stamp)[];
  /** The reason (discharged while not ready) is staff only. */
  discharge: (Stamp & { reason: string | null }) | null;
  /** CARE1: the circle closed while this person was dosed and not discharged: their call for help stays open until then. */
  careUntil?: string | undefined;
}

/** The fold of a circle's events. Everything a circle knows is here; nothing is kept elsewhere. */
export interface CircleState {
  circleId: string;
  seq: number;
  status: CircleStatus;
  kind: CircleKind | null;
  openedAt: string | null;
  startedAt: string | null;
  closedAt: string | null;
  /** Why the facilitator closed the circle: staff only (CIR3). */
  closeReason: string | null;
  agenda: Segment[];
  /** Index into the agenda, or null before the first segment. */
  segment: number | null;
  segmentStartedAt: string | null;
  hold: { since: string; message: string } | null;
  presence: Record<string, PresentPerson>;
  /** Participants admitted from the lobby, with when: display names are public, so this is for everyone. */
  admitted: Record<string, { displayName: string; at: string }>;
  /** Staff only: the enrolled participants and their clinical facts. */
  roster: Record<string, RosterEntry>;
  /** Staff only. */
  settings: CareSettings | null;
  /** Private records: a participant's view holds only their own. */
  people: Record<string, ParticipantRecord>;
  /** Staff only. */
  alerts: Record<string, Alert>;
  /** The sharing round under way: public (display names come from `admitted`). */
  round: Round | null;
  /** Staff only: who spoke, who passed and for how long, per finished round. */
  roundSummaries: RoundSummary[];
  /** Written shares: a participant's view holds only their own. */
  shares: Record<string, Share>;
  /** Approved shares, as every device shows them. */
  published: PublishedShare[];
}

/** Payload of each event type: the single declaration of the circle's events. */
export interface CircleEventPayloads {
  'circle.opened': Record<string, never>;
  'circle.started': Record<string, never>;
  'circle.closed': Record<string, never>;
  'circle.closeNoted': { reason: string };
  'agenda.set': { kind: CircleKind; agenda: Segment[] };
  'segment.changed': { index: number };
  'hold.started': { message: string };
  'hold.ended': Record<string, never>;
  'roster.synced': { roster: Record<string, RosterEntry>; settings: CareSettings };
  'participant.admitted': { personId: string; displayName: string };
  'presence.joined': { personId: string; displayName: string; role: CircleRole; connectionId: string; device: Device };
  'presence.left': { personId: string; connectionId: string };
  'checkin.arrival': { personId: string } & ArrivalCheckin;
  'checkin.predose': { personId: string } & PredoseCheckin;
  'checkin.journey': { personId: string; signal: JourneySignal };
  'checkin.after': { personId: string } & AfterCheckin;
  'gate.overridden': { personId: string; item: GateItem; reason: string };
  'dose.recorded': { personId: string; doseMg: number };
  'dose.withheld': { personId: string; withheld: boolean };
  'booster.recorded': { personId: string; doseMg: number };
  'vitals.recorded': { personId: string } & VitalsInput;
  'observation.seen': { personId: string };
  'adverse.recorded': { personId: string } & AdverseEventInput;
  'alert.raised': { personId: string; kind: AlertKind; urgency: 1 | 2 | 3; detail: string; safetyAlertId?: string; afterClose?: boolean };
  'alert.acknowledged': { alertId: string; note?: string; afterClose?: boolean };
  'care.continued': { personId: string; until: string };
  'participant.discharged': { personId: string };
  'round.updated': { round: Round | null; cause: RoundCommand['type'] };
  'round.summarized': { summary: RoundSummary };
  'share.updated': { share: Share };
  'share.published': { share: PublishedShare };
  /** Why someone was discharged while not ready: a clinical note, staff only. */
  'discharge.noted': { personId: string; reason: string };
}

export type CircleEventType = keyof CircleEventPayloads;

export type CircleEventBody = {
  [K in CircleEventType]: { type: K; payload: CircleEventPayloads[K] };
}[CircleEventType];

/** An event as the log holds it and as viewers receive it. */
export type CircleEvent = CircleEventBody & {
  circleId: string;
  seq: number;
  at: string;
  actor: string;
  audience: Audience;
};

/** An event the domain decided on, before the log gives it a seq and a time. */
export type NewEvent = CircleEventBody & { audience: Audience };

type P = { personId: string };

/** Commands a person sends from a device. */
export type ClientCommand =
  | { type: 'circle.open'; offSchedule?: true | undefined }
  | { type: 'circle.start' }
  | { type: 'circle.close'; reason?: string | undefined }
  | { type: 'agenda.edit'; agenda: Segment[] }
  | { type: 'segment.goto'; index: number }
  | { type: 'hold.start'; message?: string | undefined }
  | { type: 'hold.end' }
  | ({ type: 'participant.admit' } & P)
  | ({ type: 'checkin.arrival' } & ArrivalCheckin)
  | ({ type: 'checkin.predose' } & PredoseCheckin)
  | { type: 'checkin.journey'; signal: JourneySignal }
  | ({ type: 'checkin.after' } & AfterCheckin)
  | ({ type: 'gate.override'; item: GateItem; reason: string } & P)
  | ({ type: 'dose.record'; doseMg: number } & P)
  | ({ type: 'dose.withhold'; withheld: boolean } & P)
  | ({ type: 'booster.record'; doseMg: number } & P)
  | ({ type: 'vitals.record' } & P & VitalsInput)
  | ({ type: 'observation.seen' } & P)
  | ({ type: 'adverse.record' } & P & AdverseEventInput)
  | { type: 'alert.ack'; alertId: string; note?: string | undefined }
  | ({ type: 'participant.discharge'; reason?: string | undefined } & P)
  | RoundCommand
  | ShareCommand;

/** Commands of a sharing round. */
export type RoundCommand =
  | { type: 'round.start'; prompt: string; mode: RoundMode; timeBoxMinutes: number; newVoicesFirst?: boolean | undefined; order?: string[] | undefined }
  | { type: 'round.setOrder'; order: string[] }
  | { type: 'hand.raise' }
  | { type: 'hand.lower'; personId?: string | undefined }
  | { type: 'turn.pass' }
  | { type: 'turn.done' }
  | { type: 'round.next' }
  | { type: 'round.skip' }
  | { type: 'round.extend' }
  | { type: 'queue.reorder'; queue: string[] }
  | ({ type: 'queue.front' } & P)
  | { type: 'round.pause' }
  | { type: 'round.resume' }
  | { type: 'round.end' };

/** Commands about written shares. */
export type ShareCommand =
  | { type: 'share.write'; text: string; audience: ShareAudience; anonymous: boolean }
  | { type: 'share.withdraw'; shareId: string }
  | { type: 'share.approve'; shareId: string }
  | { type: 'share.decline'; shareId: string; note: string }
  | { type: 'share.proposeEdit'; shareId: string; text: string }
  | { type: 'share.acceptEdit'; shareId: string };

/**
 * Commands the server issues: a socket joins or drops, the roster and clinical facts are loaded, or a questionnaire
 * answer outside the circle needs the facilitators now.
 */
export type SystemCommand =
  | { type: 'presence.join'; connectionId: string; device: Device }
  | { type: 'presence.leave'; connectionId: string }
  /** PRS5: the ends of many connections in one append (a stopping server's sockets, a dead run's leftovers). */
  | { type: 'presence.end'; connections: { personId: string; connectionId: string }[] }
  | { type: 'roster.sync'; kind: CircleKind; roster: Record<string, RosterEntry>; settings: CareSettings }
  | { type: 'alert.crisis'; personId: string; detail: string; safetyAlertId: string }
  | { type: 'alert.crisisAck'; safetyAlertId: string; note: string };

export type CircleCommand = ClientCommand | SystemCommand;

export function initialCircleState(circleId: string): CircleState {
  return {
    circleId,
    seq: 0,
    status: 'scheduled',
    kind: null,
    openedAt: null,
    startedAt: null,
    closedAt: null,
    closeReason: null,
    agenda: [],
    segment: null,
    segmentStartedAt: null,
    hold: null,
    presence: {},
    admitted: {},
    roster: {},
    settings: null,
    people: {},
    alerts: {},
    round: null,
    roundSummaries: [],
    shares: {},
    published: [],
  };
}

export const emptyRecord = (personId: string): ParticipantRecord => ({
  personId,
  arrival: null,
  predose: null,
  journey: null,
  after: null,
  dose: null,
  booster: null,
  vitals: [],
  observedAt: null,
  withheld: null,
  overrides: {},
  adverse: [],
  discharge: null,
});

export const recordOf = (state: CircleState, personId: string): ParticipantRecord => state.people[personId] ?? emptyRecord(personId);

function withRecord(state: CircleState, personId: string, change: (r: ParticipantRecord) => Partial<ParticipantRecord>): CircleState {
  const before = recordOf(state, personId);
  return { ...state, people: { ...state.people, [personId]: { ...before, ...change(before) } } };
}

/** evolve(state, event): the state after one event. Used by the server and by every client (LOG1, LOG4). */
export function evolve(state: CircleState, event: CircleEvent): CircleState {
  if (event.seq <= state.seq) return state;
  const next: CircleState = { ...state, seq: event.seq };
  const at = event.at;
  const stamp = { at, by: event.actor };
  switch (event.type) {
    case 'circle.opened':
      return { ...next, status: 'open', openedAt: at, segment: next.agenda.length > 0 ? 0 : null, segmentStartedAt: at };
    case 'circle.started':
      return { ...next, status: 'in_session', startedAt: at };
    case 'circle.closed':
      return { ...next, status: 'closed', closedAt: at, presence: {}, hold: null, round: null };
    case 'circle.closeNoted':
      return { ...next, closeReason: event.payload.reason };
    case 'agenda.set':
      return { ...next, kind: event.payload.kind, agenda: event.payload.agenda, segment: next.status === 'scheduled' ? null : 0 };
    case 'segment.changed':
      return { ...next, segment: event.payload.index, segmentStartedAt: at };
    case 'hold.started':
      return { ...next, hold: { since: at, message: event.payload.message } };
    case 'hold.ended':
      return { ...next, hold: null };
    case 'roster.synced':
      return { ...next, roster: event.payload.roster, settings: event.payload.settings };
    case 'participant.admitted':
      return { ...next, admitted: { ...next.admitted, [event.payload.personId]: { displayName: event.payload.displayName, at } } };
    case 'presence.joined': {
      const p = event.payload;
      const before = state.presence[p.personId];
      const person: PresentPerson = {
        personId: p.personId,
        displayName: p.displayName,
        role: p.role,
        connections: { ...before?.connections, [p.connectionId]: { device: p.device, since: at } },
      };
      return { ...next, presence: { ...state.presence, [p.personId]: person } };
    }
    case 'presence.left': {
      const p = event.payload;
      const before = state.presence[p.personId];
      if (!before) return next;
      const connections = { ...before.connections };
      delete connections[p.connectionId];
      const presence = { ...state.presence };
      if (Object.keys(connections).length === 0) delete presence[p.personId];
      else presence[p.personId] = { ...before, connections };
      return { ...next, presence };
    }
    case 'checkin.arrival': {
      const { personId, ...body } = event.payload;
      return withRecord(next, personId, () => ({ arrival: { ...body, at } }));
    }
    case 'checkin.predose': {
      const { personId, ...body } = event.payload;
      return withRecord(next, personId, () => ({ predose: { ...body, at } }));
    }
    case 'checkin.journey':
      return withRecord(next, event.payload.personId, () => ({ journey: { signal: event.payload.signal, at } }));
    case 'checkin.after': {
      const { personId, ...body } = event.payload;
      return withRecord(next, personId, () => ({ after: { ...body, at } }));
    }
    case 'gate.overridden': {
      const { personId, item, reason } = event.payload;
      return withRecord(next, personId, (r) => ({ overrides: { ...r.overrides, [item]: { ...stamp, reason } } }));
    }
    case 'dose.recorded':
      return withRecord(next, event.payload.personId, () => ({ dose: { ...stamp, doseMg: event.payload.doseMg } }));
    case 'dose.withheld':
      return withRecord(next, event.payload.personId, () => ({ withheld: event.payload.withheld ? stamp : null }));
    case 'booster.recorded':
      return withRecord(next, event.payload.personId, () => ({ booster: { ...stamp, doseMg: event.payload.doseMg } }));
    case 'vitals.recorded': {
      const { personId, ...reading } = event.payload;
      return withRecord(next, personId, (r) => ({ vitals: [...r.vitals, { ...reading, ...stamp }] }));
    }
    case 'observation.seen':
      return withRecord(next, event.payload.personId, () => ({ observedAt: at }));
    case 'adverse.recorded': {
      const { personId, ...body } = event.payload;
      return withRecord(next, personId, (r) => ({ adverse: [...r.adverse, { ...body, ...stamp }] }));
    }
    case 'participant.discharged':
      return withRecord(next, event.payload.personId, () => ({ discharge: { ...stamp, reason: null } }));
    case 'discharge.noted':
      return withRecord(next, event.payload.personId, (r) => ({ discharge: r.discharge ? { ...r.discharge, reason: event.payload.reason } : null }));
    case 'round.updated':
      return { ...next, round: event.payload.round };
    case 'round.summarized':
      return { ...next, roundSummaries: [...next.roundSummaries, event.payload.summary] };
    case 'share.updated':
      return { ...next, shares: { ...next.shares, [event.payload.share.id]: event.payload.share } };
    case 'share.published':
      return { ...next, published: [...next.published, event.payload.share] };
    case 'alert.raised': {
      const id = alertIdFor(event.seq);
      const alert: Alert = { id, ...event.payload, raisedAt: at, ackedAt: null, ackedBy: null, ackNote: null };
      return { ...next, alerts: { ...next.alerts, [id]: alert } };
    }
    case 'alert.acknowledged': {
      const before = next.alerts[event.payload.alertId];
      if (!before) return next;
      return { ...next, alerts: { ...next.alerts, [before.id]: { ...before, ackedAt: at, ackedBy: event.actor, ackNote: event.payload.note ?? null } } };
    }
    case 'care.continued': {
      const r = next.people[event.payload.personId];
      if (!r) return next;
      return { ...next, people: { ...next.people, [r.personId]: { ...r, careUntil: event.payload.until } } };
    }
  }
}

/** An alert is named by the seq of the event that raised it, so every device names it the same. */
export const alertIdFor = (seq: number) => `a${seq}`;

export const fold = (state: CircleState, events: readonly CircleEvent[]): CircleState => events.reduce(evolve, state);

/**
 * The part of the state a viewer may hold (AUD1-AUD3): a participant keeps only their own record, without the
 * staff-only parts, and none of the roster, settings, alerts or closing reason. Folding the events they may see
 * onto it keeps it that way.
 */
export function viewFor(state: CircleState, viewer: Pick<CircleActor, 'personId' | 'role'>): CircleState {
  if (isStaff(viewer)) return state;
  const own = state.people[viewer.personId];
  const visible = own && { ...own, observedAt: null, overrides: {}, adverse: [], discharge: own.discharge && { ...own.discharge, reason: null } };
  return {
    ...state,
    closeReason: null,
    roster: {},
    settings: null,
    alerts: {},
    roundSummaries: [],
    shares: Object.fromEntries(Object.entries(state.shares).filter(([, share]) => share.authorId === viewer.personId)),
    people: visible && holdsWhatTheySee(visible) ? { [viewer.personId]: visible } : {},
  };
}

/** Staff-only events (an observation check, an override, an adverse event) create a record its person never receives. */
const holdsWhatTheySee = (r: ParticipantRecord) =>
  r.vitals.length > 0 || [r.arrival, r.predose, r.journey, r.after, r.dose, r.booster, r.discharge].some((part) => part !== null);

export const visibleTo = (viewer: Pick<CircleActor, 'personId' | 'role'>) => (event: Pick<CircleEvent, 'audience'>) =>
  canSee(event.audience, viewer);

export interface PresenceEntry {
  personId: string;
  displayName: string;
  role: CircleRole;
  devices: Device[];
}

/** Who is here, facilitators first, then by name: the same order on every device (PRS3). */
export function presenceList(state: CircleState): PresenceEntry[] {
  return Object.values(state.presence)
    .map((p) => ({
      personId: p.personId,
      displayName: p.displayName,
      role: p.role,
      devices: [...new Set(Object.values(p.connections).map((c) => c.device))].sort(),
    }))
    .sort((a, b) =>
      a.role !== b.role ? (a.role === 'facilitator' ? -1 : 1) : a.displayName.localeCompare(b.displayName) || a.personId.localeCompare(b.personId),
    );
}

export function describe(status: CircleStatus): string {
  return { scheduled: 'not open yet', open: 'open', in_session: 'in session', closed: 'closed' }[status];
}

/** The segment the circle is in, if any. */
export const currentSegment = (state: CircleState): Segment | null => (state.segment === null ? null : (state.agenda[state.segment] ?? null));

/**
 * PRS5: a connection id is `<node>/<run>/<socket>`: the server process run that holds it is named in it. Null for an
 * id of another shape (an older release's `<node>/<socket>`), which no live run can hold.
 */
export function runOfConnection(connectionId: string): string | null {
  const parts = connectionId.split('/');
  return parts.length >= 3 ? (parts.at(-2) ?? null) : null;
}

export const connectionIdFor = (nodeId: string, runId: string, socketId: string) => `${nodeId}/${runId}/${socketId}`;

/** PRS5: connections recorded in the state that no live run holds: what a sweep ends. */
export function connectionsNotOf(state: CircleState, liveRuns: ReadonlySet<string>): { personId: string; connectionId: string }[] {
  return Object.values(state.presence).flatMap((p) =>
    Object.keys(p.connections)
      .filter((id) => {
        const run = runOfConnection(id);
        return run === null || !liveRuns.has(run);
      })
      .map((connectionId) => ({ personId: p.personId, connectionId })),
  );
}
