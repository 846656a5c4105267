import type { Checked } from './checkin';
import { nextSpeaker, remainingMs, type CircleState, type Round, type RoundMode, type Share, type ShareAudience } from '@holdspace/domain';

/** A display name for a person of the circle (public), or a neutral word when it is not known. */
export function displayNameOf(state: Pick<CircleState, 'admitted'>, personId: string): string {
  return state.admitted[personId]?.displayName ?? 'Someone';
}

/** "3:05" for a time left, in minutes and seconds, rounded up so "0:00" shows only once the time has passed. */
export function minutesSeconds(ms: number): string {
  const seconds = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

/** What the round's timer shows at `now`: the time left (never below zero), whether it has run out, and paused. */
export interface TurnTime {
  remainingMs: number;
  text: string;
  timeUp: boolean;
  paused: boolean;
}

export function turnTime(round: Round, now: string): TurnTime | null {
  const left = remainingMs(round, now);
  if (left === null) return null;
  const shown = Math.max(0, Math.round(left));
  return { remainingMs: shown, text: minutesSeconds(shown), timeUp: left <= 0, paused: round.paused !== null };
}

/** How long until the countdown's text changes next: just past the next whole second of time left. */
export function untilNextSecond(round: Round, now: string): number {
  const left = remainingMs(round, now);
  if (left === null || left <= 0) return 1000;
  const rest = left % 1000;
  return (rest === 0 ? 1000 : rest) + 20;
}

export const roundModeLabels: Record<RoundMode, string> = { go_around: 'Go-around', open_floor: 'Open floor' };

/** "3 minutes each", "1 minute each", "2½ minutes each", "30 seconds each". */
export function timeBoxText(seconds: number): string {
  if (seconds < 60) return `${seconds} seconds each`;
  const whole = Math.floor(seconds / 60);
  if (seconds % 60 === 0) return `${whole} ${whole === 1 ? 'minute' : 'minutes'} each`;
  if (seconds % 60 === 30) return `${whole}½ minutes each`;
  return `${minutesSeconds(seconds * 1000)} each`;
}

/** "Speaking: Wren", or "Speaking: you" on the speaker's own screen; null when nobody holds the floor. */
export function speakerText(round: Round, state: Pick<CircleState, 'admitted'>, selfId: string | null): string | null {
  const id = round.speaker?.personId;
  if (!id) return null;
  return `Speaking: ${id === selfId ? 'you' : displayNameOf(state, id)}`;
}

/** The people in line: the open floor's queue, or the go-around's seat order. */
export function lineOf(round: Round): string[] {
  return round.mode === 'open_floor' ? round.queue : round.order;
}

/** Where a person stands in the open-floor queue, counting from 1; null when their hand is not raised. */
export function queuePosition(round: Round, personId: string): number | null {
  const at = round.queue.indexOf(personId);
  return at === -1 ? null : at + 1;
}

export function queuePositionText(position: number): string {
  return `You are number ${position} in the queue`;
}

/** Each person of the go-around's seat order: had their turn, speaking now, or still to come. */
export type SeatState = 'done' | 'speaking' | 'next' | 'waiting';

export function seatState(round: Round, personId: string): SeatState {
  if (round.speaker?.personId === personId) return 'speaking';
  if (round.turns.some((t) => t.personId === personId)) return 'done';
  return nextSpeaker(round) === personId ? 'next' : 'waiting';
}

/** What a round with nobody speaking says instead of a speaker. */
export function nobodySpeakingText(round: Round): string {
  if (round.mode === 'go_around') return round.turns.length > 0 ? 'Everyone has had a turn.' : 'The round is about to begin.';
  return round.queue.length > 0 ? 'Waiting for the facilitator to give the floor.' : 'Nobody is speaking. Raise a hand to share.';
}

// ── written shares ──────────────────────────────────────────────────────────────────────────────────────────────────

export const shareAudienceOptions: readonly { value: ShareAudience; label: string }[] = [
  { value: 'facilitator', label: 'Only the facilitators' },
  { value: 'group', label: 'The group, after the facilitator approves it' },
];

export interface ShareDraft {
  text: string;
  audience: ShareAudience;
  anonymous: boolean;
}

export function checkShare(draft: ShareDraft): Checked<ShareDraft> {
  const text = draft.text.trim();
  if (text.length === 0) return { ok: false, errors: { text: 'Write something to share.' } };
  return { ok: true, value: { ...draft, text } };
}

/** A share's status as its author reads it. */
export function shareStatusText(share: Pick<Share, 'status' | 'note'>): string {
  switch (share.status) {
    case 'pending':
      return 'Waiting for approval';
    case 'private':
      return 'Only for the facilitators';
    case 'published':
      return 'Shared with the group';
    case 'declined':
      return share.note ? `Not shared: ${share.note}` : 'Not shared';
    case 'edit_proposed':
      return 'The facilitator suggested an edit';
    case 'withdrawn':
      return 'Withdrawn';
  }
}

/** The author may withdraw a share until it is published (SHR5). */
export function isWaiting(share: Pick<Share, 'status'>): boolean {
  return share.status === 'pending' || share.status === 'edit_proposed';
}

/** "For the group, without your name", "For the facilitators". */
export function shareAudienceText(share: Pick<Share, 'audience' | 'anonymous'>): string {
  const who = share.audience === 'group' ? 'For the group' : 'For the facilitators';
  return share.anonymous ? `${who}, without your name` : who;
}

/** A published share's author as the group sees it. */
export function publishedAuthor(displayName: string | null): string {
  return displayName ?? 'Anonymous';
}
