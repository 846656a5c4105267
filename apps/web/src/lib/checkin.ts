import { clockTime } from './format';
import {
  currentSegment,
  quietSegments,
  type ArrivalCheckin,
  type CircleState,
  type ClientCommand,
  type JourneySignal,
  type PredoseCheckin,
  type RideHome,
  type SegmentKind,
  type SleepQuality,
} from '@holdspace/domain';

/** The check-ins a participant answers as a form (journey signals are single buttons). */
export type FormCheckin = 'arrival' | 'predose' | 'after';

const formOrder: readonly FormCheckin[] = ['arrival', 'predose', 'after'];

export const checkinCommand = {
  arrival: 'checkin.arrival',
  predose: 'checkin.predose',
  after: 'checkin.after',
} as const satisfies Record<FormCheckin, ClientCommand['type']>;

/** The form check-in a command answers, if it is one. */
export function formCheckinOf(type: ClientCommand['type']): FormCheckin | null {
  return formOrder.find((f) => checkinCommand[f] === type) ?? null;
}

/** The newest command of a type among outbox entries: a form reopened after a reload shows what was sent. */
export function newestCommand<T extends ClientCommand['type']>(
  entries: readonly { command: ClientCommand }[],
  type: T,
): Extract<ClientCommand, { type: T }> | null {
  for (let i = entries.length - 1; i >= 0; i -= 1) {
    const command = entries[i]?.command;
    if (command?.type === type) return command as Extract<ClientCommand, { type: T }>;
  }
  return null;
}

/**
 * Where the participant is: still joining, waiting for the circle to open, waiting to be let in, in the circle, or
 * after the end.
 */
export type ParticipantStage = 'joining' | 'scheduled' | 'lobby' | 'admitted' | 'closed';

/** calm: the everyday screen; journey: dark and dim, three buttons; hold: the whole screen holds still. */
export type ParticipantMode = 'calm' | 'journey' | 'hold';

export interface ParticipantScreen {
  stage: ParticipantStage;
  mode: ParticipantMode;
  /** The check-ins to show: first the one to answer now (`open`), then the others, folded with their save state. */
  checkins: { type: FormCheckin; open: boolean }[];
  /** "I'm okay", "I need support", "I need a break": once admitted, for the whole session. */
  journeyButtons: boolean;
  /** The current segment is one where the room is dim (journey), even when a hold covers it. */
  dim: boolean;
  /** The facilitator decided this person is not dosed today (DOSE4): with the circle, no dose forms or wording. */
  withheld: boolean;
}

/** Segments in which a dosing circle is coming back from the journey: the after check-in is the one to answer. */
export const comingBackSegments: readonly SegmentKind[] = ['return', 'sharing', 'readiness', 'close'];

/**
 * What the participant's screen shows, from their view of the circle. `pending` holds the check-ins waiting in this
 * device's outbox: a check-in sent counts as answered, so the next one opens straight away, and a check-in still
 * waiting is always shown with its save state (even before the circle has loaded, after a reload while offline).
 */
export function participantScreen(state: CircleState | null, personId: string, pending: ReadonlySet<FormCheckin>): ParticipantScreen {
  const folded = (types: Iterable<FormCheckin>) => formOrder.filter((t) => [...types].includes(t)).map((type) => ({ type, open: false }));
  const quiet = { mode: 'calm' as const, journeyButtons: false, dim: false, withheld: false };
  if (!state) return { stage: 'joining', checkins: folded(pending), ...quiet };
  if (state.status === 'closed') return { stage: 'closed', checkins: [], ...quiet };
  if (state.status === 'scheduled') return { stage: 'scheduled', checkins: folded(pending), ...quiet };

  const record = state.people[personId] ?? null;
  const answered = (t: FormCheckin) => record?.[t] != null || pending.has(t);
  const admitted = personId in state.admitted;
  const segmentKind = currentSegment(state)?.kind ?? null;
  const dim = segmentKind !== null && quietSegments.includes(segmentKind);
  // Someone not dosed today is in the circle as in any other: no pre-dose or after check-in, no dark journey screen.
  const withheld = state.kind === 'dosing' && !!record?.withheld && !record.dose;
  const dosing = state.kind === 'dosing' && !withheld;

  let current: FormCheckin | null;
  if (!admitted) current = 'arrival';
  else if (!dosing) current = answered('arrival') ? null : 'arrival';
  else if (record?.dose || (segmentKind !== null && comingBackSegments.includes(segmentKind))) current = 'after';
  else current = answered('arrival') ? 'predose' : 'arrival';

  // Earlier check-ins stay reachable (folded) so an answer can be changed; later ones appear only when sent.
  const applicable: readonly FormCheckin[] = admitted && dosing ? formOrder : ['arrival'];
  const upTo = current === null ? applicable.length - 1 : applicable.indexOf(current);
  // The one to answer now comes first; the earlier ones follow, folded.
  const checkins = formOrder
    .filter((t) => (applicable.includes(t) && applicable.indexOf(t) <= upTo) || pending.has(t))
    .map((type) => ({ type, open: type === current }))
    .sort((a, b) => Number(b.open) - Number(a.open));

  const mode: ParticipantMode = state.hold ? 'hold' : admitted && dim && !withheld ? 'journey' : 'calm';
  return { stage: admitted ? 'admitted' : 'lobby', mode, checkins, journeyButtons: admitted && state.status === 'in_session', dim, withheld };
}

// ── save state ──────────────────────────────────────────────────────────────────────────────────────────────────────

/**
 * none: nothing sent yet. sending: in the outbox, connected. waiting: in the outbox, not connected. saved: the
 * circle's state holds it (so the server has committed it), at that time.
 */
export type SaveState = { kind: 'none' } | { kind: 'sending' } | { kind: 'waiting' } | { kind: 'saved'; at: string };

/** The outbox wins over the state: a changed answer still on its way is not yet saved, whatever was saved before. */
export function saveState(pending: boolean, connected: boolean, savedAt: string | null | undefined): SaveState {
  if (pending) return connected ? { kind: 'sending' } : { kind: 'waiting' };
  return savedAt ? { kind: 'saved', at: savedAt } : { kind: 'none' };
}

export const SENDING = 'Sending…';
export const NOT_SENT = "Not sent — we'll keep trying";


export function saveStateText(state: SaveState, locale?: string): string {
  switch (state.kind) {
    case 'none':
      return '';
    case 'sending':
      return SENDING;
    case 'waiting':
      return NOT_SENT;
    case 'saved':
      return `Saved at ${clockTime(state.at, locale)}`;
  }
}

// ── times of day ────────────────────────────────────────────────────────────────────────────────────────────────────

/**
 * A time of day from a time input ("HH:MM") as an ISO instant: today where the person is, or yesterday when that time
 * is still to come (a late meal the evening before).
 */
export function timeOfDayToIso(value: string, now: Date = new Date()): string | null {
  const match = /^(\d{2}):(\d{2})$/.exec(value);
  if (!match) return null;
  const hours = Number(match[1]);
  const minutes = Number(match[2]);
  if (hours > 23 || minutes > 59) return null;
  const at = new Date(now.getFullYear(), now.getMonth(), now.getDate(), hours, minutes);
  // A minute's grace for "just now" typed on a clock that runs slightly ahead.
  if (at.getTime() > now.getTime() + 60_000) at.setDate(at.getDate() - 1);
  return at.toISOString();
}

/** An ISO instant as a time input's value ("HH:MM"), where the person is. */
export function isoToTimeOfDay(iso: string): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(at.getHours())}:${pad(at.getMinutes())}`;
}

/** "About 5 hours ago", "45 minutes ago": how long ago a time was, in plain words. */
export function timeAgo(iso: string, now: Date = new Date()): string {
  const minutes = Math.round((now.getTime() - Date.parse(iso)) / 60_000);
  if (!Number.isFinite(minutes)) return '';
  if (minutes < 1) return 'Just now';
  if (minutes < 60) return minutes === 1 ? '1 minute ago' : `${minutes} minutes ago`;
  const halfHours = Math.round(minutes / 30) / 2;
  const hours = Number.isInteger(halfHours) ? String(halfHours) : `${Math.floor(halfHours)}½`;
  return `About ${hours} ${halfHours === 1 ? 'hour' : 'hours'} ago`;
}

// ── the forms' answers ──────────────────────────────────────────────────────────────────────────────────────────────

export const sleepOptions: readonly { value: SleepQuality; label: string }[] = [
  { value: 'poor', label: 'Poor' },
  { value: 'fair', label: 'Fair' },
  { value: 'good', label: 'Good' },
];

export const rideOptions: readonly { value: RideHome; label: string }[] = [
  { value: 'ride', label: 'Someone is driving me home' },
  { value: 'chaperone', label: 'My chaperone is with me' },
  { value: 'none', label: 'Not arranged yet' },
];

const labelOf = <T extends string>(options: readonly { value: T; label: string }[], value: T) =>
  options.find((o) => o.value === value)?.label ?? value;

export interface ArrivalDraft {
  mood: number | null;
  anxiety: number | null;
  sleep: SleepQuality | null;
  body: string;
  intention: string;
}

export interface PredoseDraft {
  /** "HH:MM" from the time input. */
  lastAte: string;
  holdsFollowed: boolean;
  ride: RideHome | null;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; errors: Partial<Record<string, string>> };

export function checkArrival(draft: ArrivalDraft): Checked<ArrivalCheckin> {
  const errors: Record<string, string> = {};
  if (draft.mood === null) errors.mood = 'Choose a number for your mood, from 0 to 10.';
  if (draft.anxiety === null) errors.anxiety = 'Choose a number for how anxious you feel, from 0 to 10.';
  if (draft.sleep === null) errors.sleep = 'Choose how you slept.';
  if (draft.mood === null || draft.anxiety === null || draft.sleep === null) return { ok: false, errors };
  return {
    ok: true,
    value: { mood: draft.mood, anxiety: draft.anxiety, sleep: draft.sleep, body: draft.body.trim(), intention: draft.intention.trim() },
  };
}

export function checkPredose(draft: PredoseDraft, now: Date = new Date()): Checked<PredoseCheckin> {
  const errors: Record<string, string> = {};
  const lastFoodAt = timeOfDayToIso(draft.lastAte, now);
  if (!lastFoodAt) errors.lastAte = 'Say roughly when you last ate.';
  if (draft.ride === null) errors.ride = 'Choose how you are getting home.';
  if (!lastFoodAt || draft.ride === null) return { ok: false, errors };
  return { ok: true, value: { lastFoodAt, holdsFollowed: draft.holdsFollowed, ride: draft.ride } };
}

export function arrivalSummary(a: ArrivalCheckin): string {
  return `Mood ${a.mood} of 10 · Anxiety ${a.anxiety} of 10 · Sleep: ${labelOf(sleepOptions, a.sleep).toLowerCase()}`;
}

export function predoseSummary(p: PredoseCheckin, locale?: string): string {
  return [
    `Last ate at ${clockTime(p.lastFoodAt, locale)}`,
    p.holdsFollowed ? 'Medication holds followed' : 'Medication holds not confirmed',
    labelOf(rideOptions, p.ride),
  ].join(' · ');
}

export function afterSummary(a: { grounded: boolean; readyToLeave: boolean }): string {
  return [a.grounded ? 'Feeling grounded' : 'Not grounded yet', a.readyToLeave ? 'Ready to leave' : 'Not ready to leave yet'].join(' · ');
}

// ── journey signals ─────────────────────────────────────────────────────────────────────────────────────────────────

export const journeySignals: readonly { signal: JourneySignal; label: string }[] = [
  { signal: 'okay', label: "I'm okay" },
  { signal: 'support', label: 'I need support' },
  { signal: 'break', label: 'I need a break' },
];

/** What the participant reads once their signal has reached the facilitators. */
export function journeyReply(signal: JourneySignal): string {
  switch (signal) {
    case 'okay':
      return "Thank you. Your facilitator can see you're okay.";
    case 'support':
      return 'A facilitator has been told. Someone is coming.';
    case 'break':
      return 'A facilitator has been told you would like a break.';
  }
}
