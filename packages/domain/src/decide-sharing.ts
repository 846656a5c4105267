import { personAudience, type Audience } from './audience.js';
import type { CircleEventPayloads, CircleEventType, CircleState, NewEvent, RoundCommand, ShareCommand } from './circle.js';
import type { CircleActor } from './people.js';
import { isStaff } from './people.js';
import { allow, refuse, type Decision } from './result.js';
import { visibleLength } from './text.js';
import {
  advance,
  EXTEND_SECONDS,
  elapsedOf,
  extendTurn,
  isPermutation,
  nextSpeaker,
  pauseRound,
  resumeRound,
  startTurn,
  withHandRaised,
  type Round,
  type RoundSummary,
  shareIdFor,
  type Share,
} from './rounds.js';

const ev = <K extends CircleEventType>(type: K, payload: CircleEventPayloads[K], audience: Audience): NewEvent =>
  ({ type, payload, audience }) as NewEvent;

const live = (s: CircleState) => s.status === 'open' || s.status === 'in_session';
const staffOnly = (what: string) => refuse('CIR1', `Only a facilitator of this circle can ${what}.`);
const displayName = (s: CircleState, id: string) => s.admitted[id]?.displayName ?? s.roster[id]?.displayName ?? 'Someone';

/** Participants who can take part in a round: let in, and (by default) here now, in name order. */
function seats(state: CircleState): string[] {
  return Object.keys(state.admitted)
    .filter((id) => state.presence[id])
    .sort((a, b) => displayName(state, a).localeCompare(displayName(state, b)) || a.localeCompare(b));
}

/** RND, QUE and TMR rules: the events a round command produces. */
export function decideRound(state: CircleState, command: RoundCommand, actor: CircleActor, now: string): Decision<NewEvent[]> {
  const updated = (round: Round | null) => allow([ev('round.updated', { round, cause: command.type }, 'all')]);
  if (command.type === 'round.start') {
    if (!isStaff(actor)) return staffOnly('start a round');
    if (!live(state)) return refuse('RND1', 'Open the circle before starting a round.');
    if (state.round) return refuse('RND1', 'A round is already under way: end it before starting another.');
    const order = command.order ?? (command.mode === 'go_around' ? seats(state) : []);
    if (new Set(order).size !== order.length || order.some((id) => !state.admitted[id])) {
      return refuse('RND2', 'The seat order must list people let into the circle, each once.');
    }
    if (command.mode === 'go_around' && order.length === 0) return refuse('RND2', 'Nobody is here to go around yet.');
    const round: Round = {
      id: `r${state.seq + 1}`,
      prompt: command.prompt.trim(),
      mode: command.mode,
      timeBoxSeconds: Math.round(command.timeBoxMinutes * 60),
      newVoicesFirst: command.newVoicesFirst ?? false,
      order: command.mode === 'go_around' ? order : [],
      queue: [],
      speaker: null,
      paused: null,
      turns: [],
      startedAt: now,
    };
    return updated(command.mode === 'go_around' ? startTurn(round, order[0]!, now) : round);
  }

  const round = state.round;
  if (!round) return refuse('RND1', 'No round is under way.');
  const self = actor.personId;
  const speaking = round.speaker?.personId === self;

  switch (command.type) {
    case 'round.setOrder': {
      if (!isStaff(actor)) return staffOnly('change the seat order');
      if (round.mode !== 'go_around') return refuse('RND2', 'Only a go-around has a seat order.');
      if (new Set(command.order).size !== command.order.length || command.order.some((id) => !state.admitted[id])) {
        return refuse('RND2', 'The seat order must list people let into the circle, each once.');
      }
      const done = new Set(round.turns.map((t) => t.personId));
      const keepsDone = round.order.filter((id) => done.has(id) || id === round.speaker?.personId).every((id) => command.order.includes(id));
      if (!keepsDone) return refuse('RND2', 'Someone who has already had their turn cannot be taken out of the order.');
      return updated({ ...round, order: command.order });
    }
    case 'hand.raise':
      if (actor.role !== 'participant') return refuse('QUE1', 'Participants raise their hands; facilitators call on people.');
      if (round.mode !== 'open_floor') return refuse('QUE1', 'In a go-around the talking piece comes to you in turn.');
      if (!state.admitted[self]) return refuse('QUE1', 'You can raise your hand once you are let into the circle.');
      if (round.queue.includes(self) || speaking) return allow([]);
      return updated(withHandRaised(round, self));
    case 'hand.lower': {
      const who = command.personId ?? self;
      if (who !== self && !isStaff(actor)) return refuse('QUE2', 'You can lower only your own hand.');
      if (!round.queue.includes(who)) return allow([]);
      return updated({ ...round, queue: round.queue.filter((id) => id !== who) });
    }
    case 'turn.pass':
    case 'turn.done':
      if (!speaking) return refuse('TRN1', 'Only the person holding the talking piece can pass it on.');
      return updated(advance(round, command.type === 'turn.pass' ? 'passed' : 'spoke', now));
    case 'round.next':
    case 'round.skip':
      if (!isStaff(actor)) return staffOnly('move the round on');
      if (!round.speaker && !nextSpeaker(round)) return refuse('RND3', 'Nobody is waiting to speak.');
      return updated(advance(round, command.type === 'round.skip' ? 'skipped' : 'spoke', now));
    case 'round.extend':
      if (!isStaff(actor)) return staffOnly('give more time');
      if (!round.speaker) return refuse('TMR2', 'Nobody is speaking.');
      return updated(extendTurn(round, EXTEND_SECONDS));
    case 'queue.reorder':
      if (!isStaff(actor)) return staffOnly('reorder the queue');
      if (!isPermutation(round.queue, command.queue)) return refuse('QUE4', 'The queue changed meanwhile: reorder the people in it now.');
      if (command.queue.every((id, i) => round.queue[i] === id)) return allow([]);
      return updated({ ...round, queue: command.queue });
    case 'queue.front':
      if (!isStaff(actor)) return staffOnly('move someone to the front');
      if (!round.queue.includes(command.personId)) return refuse('QUE4', 'That person’s hand is not raised.');
      if (round.queue[0] === command.personId) return allow([]);
      return updated({ ...round, queue: [command.personId, ...round.queue.filter((id) => id !== command.personId)] });
    case 'round.pause':
      if (!isStaff(actor)) return staffOnly('pause the round');
      return round.paused ? allow([]) : updated(pauseRound(round, now));
    case 'round.resume':
      if (!isStaff(actor)) return staffOnly('resume the round');
      return round.paused ? updated(resumeRound(round, now)) : allow([]);
    case 'round.end': {
      if (!isStaff(actor)) return staffOnly('end the round');
      const turns = [...round.turns, ...(round.speaker ? [{ personId: round.speaker.personId, outcome: 'spoke' as const, ms: elapsedOf(round, now) }] : [])];
      const summary: RoundSummary = {
        roundId: round.id,
        prompt: round.prompt,
        mode: round.mode,
        startedAt: round.startedAt,
        endedAt: now,
        turns: turns.map((t) => ({ personId: t.personId, displayName: displayName(state, t.personId), outcome: t.outcome, seconds: Math.round(t.ms / 1000) })),
      };
      // RND5: the summary (who spoke, who passed, time used) is for staff only.
      return allow([ev('round.updated', { round: null, cause: 'round.end' }, 'all'), ev('round.summarized', { summary }, 'staff')]);
    }
  }
}

/** SHR rules: the events a written-share command produces. */
export function decideShare(state: CircleState, command: ShareCommand, actor: CircleActor, now: string): Decision<NewEvent[]> {
  const to = (share: Share) => ev('share.updated', { share }, personAudience(share.authorId));
  if (command.type === 'share.write') {
    if (actor.role !== 'participant') return refuse('SHR1', 'Written shares come from participants.');
    if (!live(state)) return refuse('SHR1', 'Shares are written while the circle is open.');
    if (!state.admitted[actor.personId]) return refuse('SHR1', 'You can write a share once you are let into the circle.');
    const text = command.text.trim();
    if (text.length === 0) return refuse('SHR1', 'Write something to share.');
    const share: Share = {
      id: shareIdFor(state.seq + 1),
      authorId: actor.personId,
      text,
      audience: command.audience,
      anonymous: command.anonymous,
      status: command.audience === 'group' ? 'pending' : 'private',
      writtenAt: now,
      proposedText: null,
      note: null,
    };
    return allow([to(share)]);
  }

  const share = state.shares[command.shareId];
  const mine = share?.authorId === actor.personId;
  if (!share || (!mine && !isStaff(actor))) return refuse('SHR0', 'There is no such share.');
  const waiting = share.status === 'pending' || share.status === 'edit_proposed';

  switch (command.type) {
    case 'share.withdraw':
      if (!mine) return refuse('SHR5', 'Only the author can withdraw a share.');
      if (!waiting) return refuse('SHR5', share.status === 'published' ? 'This share has already been published.' : 'This share is not waiting for approval.');
      return allow([to({ ...share, status: 'withdrawn' })]);
    case 'share.approve': {
      if (!isStaff(actor)) return staffOnly('approve a share');
      if (share.status !== 'pending') {
        return refuse('SHR3', share.status === 'edit_proposed' ? 'The author has not accepted your edit yet.' : 'This share is not waiting for approval.');
      }
      // SHR6: the group sees the text and the display name, or no name at all; never who wrote it otherwise.
      const published = { id: share.id, text: share.text, displayName: share.anonymous ? null : displayName(state, share.authorId), at: now };
      return allow([to({ ...share, status: 'published' }), ev('share.published', { share: published }, 'all')]);
    }
    case 'share.decline':
      if (!isStaff(actor)) return staffOnly('decline a share');
      if (!waiting) return refuse('SHR3', 'This share is not waiting for approval.');
      if (visibleLength(command.note) === 0) return refuse('SHR3', 'Add a kind note for the author.');
      return allow([to({ ...share, status: 'declined', note: command.note.trim(), proposedText: null })]);
    case 'share.proposeEdit':
      if (!isStaff(actor)) return staffOnly('propose an edit');
      if (!waiting) return refuse('SHR4', 'This share is not waiting for approval.');
      if (visibleLength(command.text) === 0) return refuse('SHR4', 'The proposed text is empty.');
      return allow([to({ ...share, status: 'edit_proposed', proposedText: command.text.trim() })]);
    case 'share.acceptEdit':
      if (!mine) return refuse('SHR4', 'Only the author can accept an edit to their share.');
      if (share.status !== 'edit_proposed' || share.proposedText === null) return refuse('SHR4', 'No edit is waiting for you.');
      // Accepted, it waits for the facilitator's approval again, so publishing stays the facilitator's act.
      return allow([to({ ...share, status: 'pending', text: share.proposedText, proposedText: null })]);
  }
}
