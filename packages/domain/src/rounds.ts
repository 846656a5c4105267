/** Sharing rounds and written shares: types and the pure steps decide uses. Rules RND, QUE, TMR and SHR in SPEC.md. */

export type RoundMode = 'go_around' | 'open_floor';
export type TurnOutcome = 'spoke' | 'passed' | 'skipped';

export interface Speaker {
  personId: string;
  startedAt: string;
  /** TMR1: the deadline every device counts down to; null while the round is paused. */
  endsAt: string | null;
  /** Time already spoken before a pause. */
  spentMs: number;
}

export interface Round {
  id: string;
  prompt: string;
  mode: RoundMode;
  timeBoxSeconds: number;
  /** Open floor: those who have not spoken yet go ahead of those who have (QUE3). */
  newVoicesFirst: boolean;
  /** Go-around: the seat order. */
  order: string[];
  /** Open floor: raised hands, first to speak first. */
  queue: string[];
  speaker: Speaker | null;
  /** While paused, how long the speaker had left. */
  paused: { since: string; remainingMs: number } | null;
  turns: { personId: string; outcome: TurnOutcome; ms: number }[];
  startedAt: string;
}

/** A round plan a segment of the agenda carries: the facilitator starts it with one tap. */
export interface RoundPlan {
  mode: RoundMode;
  prompt: string;
  timeBoxMinutes: number;
}

export type ShareAudience = 'facilitator' | 'group';
export type ShareStatus = 'private' | 'pending' | 'edit_proposed' | 'published' | 'declined' | 'withdrawn';

/** A written share: its author and the facilitators hold it; the group sees only its published copy. */
export interface Share {
  id: string;
  authorId: string;
  text: string;
  audience: ShareAudience;
  anonymous: boolean;
  status: ShareStatus;
  writtenAt: string;
  proposedText: string | null;
  note: string | null;
}

/** What every device of the circle shows for a published share: never the author's id. */
export interface PublishedShare {
  id: string;
  text: string;
  /** The author's display name, or null when they chose to share anonymously. */
  displayName: string | null;
  at: string;
}

export interface RoundSummary {
  roundId: string;
  prompt: string;
  mode: RoundMode;
  startedAt: string;
  endedAt: string;
  turns: { personId: string; displayName: string; outcome: TurnOutcome; seconds: number }[];
}

/** A share is named by the seq of the event that first recorded it, so every device names it the same. */
export const shareIdFor = (seq: number) => `sh${seq}`;

export const DEFAULT_TIME_BOX_SECONDS = 180;
export const EXTEND_SECONDS = 60;

const ms = (iso: string) => Date.parse(iso);
const plus = (iso: string, add: number) => new Date(ms(iso) + add).toISOString();

/** TMR1: a speaker's turn starting now, with the round's time box. */
export function startTurn(round: Round, personId: string, now: string): Round {
  const speaker: Speaker = { personId, startedAt: now, endsAt: round.paused ? null : plus(now, round.timeBoxSeconds * 1000), spentMs: 0 };
  return { ...round, speaker, paused: round.paused ? { since: now, remainingMs: round.timeBoxSeconds * 1000 } : null };
}

/** TMR1: the remaining time every device shows, in ms (negative once the time box has passed: a cue, never a cut). */
export function remainingMs(round: Round, now: string): number | null {
  if (!round.speaker) return null;
  if (round.paused) return round.paused.remainingMs;
  return round.speaker.endsAt ? ms(round.speaker.endsAt) - ms(now) : null;
}

/** RND3: who speaks next: the go-around's next seat not yet taken, or the head of the open-floor queue. */
export function nextSpeaker(round: Round): string | null {
  if (round.mode === 'go_around') {
    const done = new Set(round.turns.map((t) => t.personId));
    return round.order.find((id) => !done.has(id) && id !== round.speaker?.personId) ?? null;
  }
  return round.queue[0] ?? null;
}

/** Ends the current turn with an outcome and gives the floor to the next speaker, if any. */
export function advance(round: Round, outcome: TurnOutcome, now: string): Round {
  const s = round.speaker;
  const turns = s ? [...round.turns, { personId: s.personId, outcome, ms: elapsedOf(round, now) }] : round.turns;
  const ended: Round = { ...round, speaker: null, turns };
  const next = nextSpeaker(ended);
  // A pause holds until the facilitator resumes, even with nobody left to speak (TMR3).
  if (!next) return round.paused ? { ...ended, paused: { since: round.paused.since, remainingMs: round.timeBoxSeconds * 1000 } } : ended;
  const queue = ended.mode === 'open_floor' ? ended.queue.filter((id) => id !== next) : ended.queue;
  return startTurn({ ...ended, queue }, next, now);
}

/** Time the current speaker has held the floor, not counting a pause. */
export function elapsedOf(round: Round, now: string): number {
  const s = round.speaker;
  if (!s) return 0;
  if (round.paused) return s.spentMs;
  return s.spentMs + Math.max(0, ms(now) - ms(s.startedAt));
}

/** QUE1, QUE3: where a newly raised hand goes. */
export function withHandRaised(round: Round, personId: string): Round {
  if (round.queue.includes(personId) || round.speaker?.personId === personId) return round;
  if (!round.newVoicesFirst) return { ...round, queue: [...round.queue, personId] };
  const spoke = new Set(round.turns.filter((t) => t.outcome === 'spoke').map((t) => t.personId));
  if (spoke.has(personId)) return { ...round, queue: [...round.queue, personId] };
  // Ahead of everyone who has spoken already, behind other new voices.
  const firstRepeat = round.queue.findIndex((id) => spoke.has(id));
  const at = firstRepeat === -1 ? round.queue.length : firstRepeat;
  return { ...round, queue: [...round.queue.slice(0, at), personId, ...round.queue.slice(at)] };
}

/** Pause stops the clock where it is; resume starts it again with the same time left (TMR3). */
export function pauseRound(round: Round, now: string): Round {
  if (round.paused) return round;
  const left = remainingMs(round, now) ?? round.timeBoxSeconds * 1000;
  const speaker = round.speaker ? { ...round.speaker, spentMs: elapsedOf(round, now), endsAt: null } : null;
  return { ...round, speaker, paused: { since: now, remainingMs: left } };
}

export function resumeRound(round: Round, now: string): Round {
  if (!round.paused) return round;
  const speaker = round.speaker ? { ...round.speaker, startedAt: now, endsAt: plus(now, round.paused.remainingMs) } : null;
  return { ...round, speaker, paused: null };
}

export function extendTurn(round: Round, seconds: number): Round {
  if (!round.speaker) return round;
  if (round.paused) return { ...round, paused: { ...round.paused, remainingMs: round.paused.remainingMs + seconds * 1000 } };
  return { ...round, speaker: { ...round.speaker, endsAt: plus(round.speaker.endsAt ?? round.speaker.startedAt, seconds * 1000) } };
}

/** True when `next` holds exactly the same people as `current`, in any order. */
export function isPermutation(current: readonly string[], next: readonly string[]): boolean {
  if (current.length !== next.length || new Set(next).size !== next.length) return false;
  const have = new Set(current);
  return next.every((id) => have.has(id));
}
