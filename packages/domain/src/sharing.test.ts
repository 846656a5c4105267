import { describe, expect, it } from 'vitest';
import { allowedStep, apply, run, type Step } from './testing.js';
import {
  clinicalFacts,
  decide,
  defaultAgenda,
  defaultClinicSettings,
  fold,
  initialCircleState,
  remainingMs,
  viewFor,
  visibleTo,
  type CircleActor,
  type CircleCommand,
  type CircleEvent,
  type CircleKind,
  type CircleState,
  type Round,
  type RoundCommand,
  type ShareAudience,
  type ShareCommand,
} from './index.js';

// ── the fixture: an integration circle, one facilitator, five people on the roster ─────────────────────────────

const circleId = 'integration-1';
const T0 = '2026-11-29T17:00:00.000Z';
/** The instant `minutes` after T0 (before it when negative). */
const at = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString();

const maya: CircleActor = { personId: 'f1', role: 'facilitator', displayName: 'Maya' };
const river: CircleActor = { personId: 'p1', role: 'participant', displayName: 'River' };
const wren: CircleActor = { personId: 'p2', role: 'participant', displayName: 'Wren' };
const sky: CircleActor = { personId: 'p3', role: 'participant', displayName: 'Sky' };
/** Let in, then dropped: not here now. */
const ash: CircleActor = { personId: 'p4', role: 'participant', displayName: 'Ash' };
/** Here, still in the lobby. */
const jo: CircleActor = { personId: 'p5', role: 'participant', displayName: 'Jo' };
const system: CircleActor = { personId: 'system', role: 'facilitator', displayName: 'Holdspace' };

const roster = Object.fromEntries(
  [river, wren, sky, ash, jo].map((p) => [p.personId, { displayName: p.displayName, clinical: clinicalFacts(null, defaultClinicSettings.vitalLimits, '2026-11-29', { current: {}, signed: {} }) }]),
);

// ── the log, as the server runs it ─────────────────────────────────────────────────────────────────────────────

/** Runs each [command, actor, minute] in turn, keeping every event the log appends. */
function play(state: CircleState, moves: [CircleCommand, CircleActor, number][]): { state: CircleState; events: CircleEvent[] } {
  const events: CircleEvent[] = [];
  for (const [command, actor, minute] of moves) {
    const step = allowedStep(state, command, actor, at(minute));
    state = step.state;
    events.push(...step.events);
  }
  return { state, events };
}

const refused = (rule: string) => ({ ok: false, rule });
const nothing = { ok: true, value: [] };
const kinds = (step: Step) => step.events.map((e) => [e.type, e.audience]);

const scheduled = () => apply(initialCircleState(circleId), { type: 'roster.sync', kind: 'integration', roster, settings: { fastingWindowHours: 4, minObservationMinutes: 120 } }, system, at(-60));

/** Open: River, Wren and Sky here and let in; Ash let in and gone; Jo here in the lobby. */
function opened(): CircleState {
  let s = apply(scheduled(), { type: 'circle.open' }, maya, at(-30));
  for (const p of [maya, river, wren, sky, jo, ash]) s = apply(s, { type: 'presence.join', connectionId: `${p.personId}-phone`, device: 'phone' }, p, at(-29));
  for (const p of [river, wren, sky, ash]) s = apply(s, { type: 'participant.admit', personId: p.personId }, maya, at(-25));
  return apply(s, { type: 'presence.leave', connectionId: 'p4-phone' }, ash, at(-24));
}

const inSession = () => apply(opened(), { type: 'circle.start' }, maya, at(-20));

// ── commands ──────────────────────────────────────────────────────────────────────────────────────────────────

const goAround = (over: Partial<Extract<RoundCommand, { type: 'round.start' }>> = {}): CircleCommand => ({
  type: 'round.start',
  prompt: '  What has stayed with you?  ',
  mode: 'go_around',
  timeBoxMinutes: 3,
  ...over,
});
const openFloor = (newVoicesFirst = false): CircleCommand => goAround({ mode: 'open_floor', newVoicesFirst });
const next: CircleCommand = { type: 'round.next' };
const skip: CircleCommand = { type: 'round.skip' };
const pass: CircleCommand = { type: 'turn.pass' };
const done: CircleCommand = { type: 'turn.done' };
const raise: CircleCommand = { type: 'hand.raise' };
const lower = (p?: CircleActor): CircleCommand => ({ type: 'hand.lower', personId: p?.personId });
const extend: CircleCommand = { type: 'round.extend' };
const pause: CircleCommand = { type: 'round.pause' };
const resume: CircleCommand = { type: 'round.resume' };
const end: CircleCommand = { type: 'round.end' };
const setOrder = (...people: CircleActor[]): CircleCommand => ({ type: 'round.setOrder', order: people.map((p) => p.personId) });
const reorder = (...people: CircleActor[]): CircleCommand => ({ type: 'queue.reorder', queue: people.map((p) => p.personId) });
const front = (p: CircleActor): CircleCommand => ({ type: 'queue.front', personId: p.personId });

const roundOf = (s: CircleState): Round => {
  if (!s.round) throw new Error('no round under way');
  return s.round;
};
const ids = (...people: CircleActor[]) => people.map((p) => p.personId);
const speakerOf = (s: CircleState) => s.round?.speaker?.personId ?? null;

/** A go-around started at T0 in the default seat order: River, Sky, Wren. */
const goingAround = (s = inSession()) => apply(s, goAround(), maya, T0);
const floor = (newVoicesFirst = false, s = inSession()) => apply(s, openFloor(newVoicesFirst), maya, T0);
/** Hands raised in this order, a minute apart from `minute`. */
const hands = (s: CircleState, people: CircleActor[], minute = 1) => people.reduce((acc, p, i) => apply(acc, raise, p, at(minute + i)), s);

// ── rounds ─────────────────────────────────────────────────────────────────────────────────────────────────────

describe('starting and running a round', () => {
  it('RND1: a facilitator starts a round while the circle is open or in session, one at a time', () => {
    expect(decide(scheduled(), goAround(), maya, T0)).toMatchObject(refused('RND1'));
    expect(decide(inSession(), goAround(), river, T0)).toMatchObject(refused('CIR1'));
    const started = run(opened(), goAround(), maya, T0);
    expect(kinds(started)).toEqual([['round.updated', 'all']]);
    expect(roundOf(started.state)).toMatchObject({ prompt: 'What has stayed with you?', mode: 'go_around', timeBoxSeconds: 180, startedAt: T0, newVoicesFirst: false });
    expect(decide(started.state, openFloor(), maya, at(1))).toMatchObject(refused('RND1'));
    const closed = apply(started.state, { type: 'circle.close' }, maya, at(2));
    expect(closed.round).toBeNull();
    expect(decide(closed, goAround(), maya, at(3))).toMatchObject(refused('RND1'));
  });

  it('RND1: only a facilitator moves a round on, pauses, resumes, extends or ends it; with no round there is nothing to move', () => {
    const s = goingAround();
    for (const command of [next, skip, pause, resume, extend, end, setOrder(sky, river, wren)]) {
      expect(decide(s, command, wren, at(1)), command.type).toMatchObject(refused('CIR1'));
    }
    const paused = apply(s, pause, maya, at(1));
    expect(decide(paused, resume, sky, at(2))).toMatchObject(refused('CIR1'));
    for (const command of [next, skip, pause, resume, extend, end, raise, done, pass]) {
      expect(decide(inSession(), command, command === raise || command === done || command === pass ? river : maya, T0), command.type).toMatchObject(refused('RND1'));
    }
  });

  it('RND2: by default a go-around seats those let in and here now, by display name, and the first seat speaks', () => {
    const s = goingAround();
    // Ash was let in but is gone; Jo is here but still in the lobby.
    expect(roundOf(s).order).toEqual(ids(river, sky, wren));
    expect(roundOf(s).queue).toEqual([]);
    expect(speakerOf(s)).toBe('p1');
    const chosen = apply(inSession(), goAround({ order: ids(wren, ash) }), maya, T0);
    expect(roundOf(chosen).order).toEqual(ids(wren, ash));
    expect(speakerOf(chosen)).toBe('p2');
  });

  it('RND2: a seat order lists people let into the circle, each once; a go-around needs somebody', () => {
    expect(decide(inSession(), goAround({ order: ids(river, jo) }), maya, T0)).toMatchObject(refused('RND2'));
    expect(decide(inSession(), goAround({ order: ids(river, wren, river) }), maya, T0)).toMatchObject(refused('RND2'));
    expect(decide(inSession(), goAround({ order: [] }), maya, T0)).toMatchObject(refused('RND2'));
    const empty = ['p1', 'p2', 'p3'].reduce((s, id) => apply(s, { type: 'presence.leave', connectionId: `${id}-phone` }, { ...river, personId: id }, at(-1)), inSession());
    expect(decide(empty, goAround(), maya, T0)).toMatchObject(refused('RND2'));
    // An open floor has no seats.
    expect(roundOf(apply(empty, openFloor(), maya, T0)).order).toEqual([]);
  });

  it('RND2: the facilitator changes the order, but cannot take out someone who has had their turn or holds it now', () => {
    let s = apply(goingAround(), done, river, at(2));
    expect(speakerOf(s)).toBe('p3');
    expect(decide(s, setOrder(sky, wren), maya, at(3))).toMatchObject(refused('RND2'));
    expect(decide(s, setOrder(river, wren), maya, at(3))).toMatchObject(refused('RND2'));
    expect(decide(s, setOrder(river, sky, wren, jo), maya, at(3))).toMatchObject(refused('RND2'));
    expect(decide(s, setOrder(river, sky, wren, wren), maya, at(3))).toMatchObject(refused('RND2'));
    // Wren has not spoken yet: she may be taken out, and Ash, back again, put in.
    const changed = run(s, setOrder(river, ash, sky), maya, at(3));
    expect(kinds(changed)).toEqual([['round.updated', 'all']]);
    s = apply(changed.state, done, sky, at(4));
    expect(speakerOf(s)).toBe('p4');
    expect(decide(floor(), setOrder(river), maya, at(1))).toMatchObject(refused('RND2'));
  });

  it('RND3: "next" ends the turn as spoken and "skip" as skipped; each seat speaks once, then the round cannot move on', () => {
    let s = goingAround();
    s = apply(s, next, maya, at(2));
    expect(speakerOf(s)).toBe('p3');
    s = apply(s, skip, maya, at(3));
    expect(speakerOf(s)).toBe('p2');
    s = apply(s, next, maya, at(5));
    expect(roundOf(s).speaker).toBeNull();
    expect(roundOf(s).turns).toEqual([
      { personId: 'p1', outcome: 'spoke', ms: 120_000 },
      { personId: 'p3', outcome: 'skipped', ms: 60_000 },
      { personId: 'p2', outcome: 'spoke', ms: 120_000 },
    ]);
    expect(decide(s, next, maya, at(6))).toMatchObject(refused('RND3'));
    expect(decide(s, skip, maya, at(6))).toMatchObject(refused('RND3'));
  });

  it('RND3: someone seated after everyone has spoken is next', () => {
    let s = apply(apply(apply(goingAround(), next, maya, at(1)), next, maya, at(2)), next, maya, at(3));
    expect(roundOf(s).speaker).toBeNull();
    s = apply(s, setOrder(river, sky, wren, ash), maya, at(4));
    s = apply(s, next, maya, at(5));
    expect(speakerOf(s)).toBe('p4');
  });

  it('RND3: in an open floor "next" gives the floor to the head of the queue; with nobody waiting it cannot move on', () => {
    let s = floor();
    expect(roundOf(s).speaker).toBeNull();
    expect(decide(s, next, maya, at(1))).toMatchObject(refused('RND3'));
    s = hands(s, [wren, river]);
    s = apply(s, next, maya, at(3));
    expect(speakerOf(s)).toBe('p2');
    expect(roundOf(s).queue).toEqual(ids(river));
    s = apply(s, next, maya, at(4));
    expect(speakerOf(s)).toBe('p1');
    expect(roundOf(s).queue).toEqual([]);
    s = apply(s, done, river, at(5));
    expect(roundOf(s).speaker).toBeNull();
    expect(decide(s, next, maya, at(6))).toMatchObject(refused('RND3'));
  });

  it('RND4: the round, its queue and its speaker reach every device and fold to the same state there', () => {
    const start = inSession();
    const { state, events } = play(start, [
      [openFloor(), maya, 0],
      [raise, sky, 1],
      [raise, river, 2],
      [next, maya, 3],
      [raise, wren, 4],
      [front(wren), maya, 5],
      [pause, maya, 6],
    ]);
    expect(events.every((e) => e.type === 'round.updated' && e.audience === 'all')).toBe(true);
    for (const viewer of [river, wren, sky, jo]) {
      expect(fold(viewFor(start, viewer), events.filter(visibleTo(viewer))).round, viewer.displayName).toEqual(state.round);
      expect(viewFor(state, viewer).round).toEqual(state.round);
    }
    expect(roundOf(state)).toMatchObject({ speaker: { personId: 'p3' }, queue: ids(wren, river), paused: { since: at(6) } });
  });

  it('RND5: ending a round records who spoke, passed or was skipped and for how long, for staff only', () => {
    const { state, events } = play(goingAround(), [
      [done, river, 2],
      [pass, sky, 2.5],
      [skip, maya, 3],
      [end, maya, 4],
    ]);
    const ending = events.slice(-2);
    expect(ending.map((e) => [e.type, e.audience])).toEqual([
      ['round.updated', 'all'],
      ['round.summarized', 'staff'],
    ]);
    expect(state.round).toBeNull();
    expect(state.roundSummaries).toEqual([
      {
        roundId: expect.stringMatching(/^r\d+$/),
        prompt: 'What has stayed with you?',
        mode: 'go_around',
        startedAt: T0,
        endedAt: at(4),
        turns: [
          { personId: 'p1', displayName: 'River', outcome: 'spoke', seconds: 120 },
          { personId: 'p3', displayName: 'Sky', outcome: 'passed', seconds: 30 },
          { personId: 'p2', displayName: 'Wren', outcome: 'skipped', seconds: 30 },
        ],
      },
    ]);
    expect(viewFor(state, river).roundSummaries).toEqual([]);
    expect(viewFor(state, maya).roundSummaries).toHaveLength(1);
    expect(ending.filter(visibleTo(river)).map((e) => e.type)).toEqual(['round.updated']);
  });

  it('RND5: closing the circle during a round ends it and keeps its summary', () => {
    const { state, events } = play(goingAround(), [
      [done, river, 2],
      [{ type: 'circle.close' }, maya, 3],
    ]);
    expect(events.slice(-3).map((e) => [e.type, e.audience])).toEqual([
      ['round.updated', 'all'],
      ['round.summarized', 'staff'],
      ['circle.closed', 'all'],
    ]);
    expect(state.round).toBeNull();
    expect(state.roundSummaries.at(-1)?.turns.map((t) => t.outcome)).toEqual(['spoke', 'spoke']);
  });

  it('RND5: the speaker holding the floor when the round ends is counted as having spoken, without the paused time', () => {
    const { state } = play(goingAround(), [
      [pause, maya, 1],
      [resume, maya, 6],
      [end, maya, 6.5],
    ]);
    expect(state.roundSummaries[0]?.turns).toEqual([{ personId: 'p1', displayName: 'River', outcome: 'spoke', seconds: 90 }]);
    const s = apply(state, openFloor(), maya, at(7));
    expect(roundOf(s).turns).toEqual([]);
  });

  it.each<[CircleKind, string[]]>([
    ['preparation', ['intention:go_around', 'sharing:open_floor']],
    ['dosing', ['intention:go_around', 'sharing:open_floor']],
    ['integration', ['sharing:go_around']],
    ['follow_up', ['sharing:open_floor']],
  ])('RND6: the default %s agenda holds its rounds, each started with one tap', (kind, expected) => {
    const withRounds = defaultAgenda(kind).filter((g) => g.round);
    expect(withRounds.map((g) => `${g.kind}:${g.round?.mode}`)).toEqual(expected);
    for (const { round } of withRounds) {
      const s = apply(inSession(), { type: 'round.start', ...round! }, maya, T0);
      expect(roundOf(s)).toMatchObject({ prompt: round!.prompt, mode: round!.mode, timeBoxSeconds: round!.timeBoxMinutes * 60 });
    }
  });

  it('RND6: preparation holds an intention round and integration an integration round', () => {
    const intention = defaultAgenda('preparation').find((g) => g.kind === 'intention')?.round;
    expect(intention).toMatchObject({ mode: 'go_around', prompt: expect.stringMatching(/intention/i) });
    const integration = defaultAgenda('integration').find((g) => g.title === 'Integration round')?.round;
    expect(integration).toMatchObject({ mode: 'go_around', prompt: expect.stringMatching(/daily life/) });
  });
});

describe('the talking piece', () => {
  it('TRN1: only the speaker passes the talking piece on: "pass" as passed, "done" as spoken', () => {
    let s = goingAround();
    for (const actor of [sky, wren, maya]) {
      expect(decide(s, pass, actor, at(1)), actor.displayName).toMatchObject(refused('TRN1'));
      expect(decide(s, done, actor, at(1)), actor.displayName).toMatchObject(refused('TRN1'));
    }
    s = apply(s, pass, river, at(0.5));
    expect(speakerOf(s)).toBe('p3');
    s = apply(s, done, sky, at(3));
    expect(roundOf(s).turns.map((t) => [t.personId, t.outcome])).toEqual([
      ['p1', 'passed'],
      ['p3', 'spoke'],
    ]);
    expect(decide(s, done, river, at(4))).toMatchObject(refused('TRN1'));
  });
});

// ── the open-floor queue ───────────────────────────────────────────────────────────────────────────────────────

describe('open floor', () => {
  it('QUE1: a participant let in raises their own hand and joins the end of the queue', () => {
    const s = hands(floor(), [sky, river]);
    expect(roundOf(s).queue).toEqual(ids(sky, river));
    expect(decide(s, raise, jo, at(5))).toMatchObject(refused('QUE1'));
    expect(decide(s, raise, maya, at(5))).toMatchObject(refused('QUE1'));
    expect(decide(goingAround(), raise, sky, at(1))).toMatchObject(refused('QUE1'));
  });

  it('QUE1: raising a hand already raised, or the speaker’s, changes nothing', () => {
    let s = hands(floor(), [sky, river]);
    expect(decide(s, raise, river, at(5))).toEqual(nothing);
    s = apply(s, next, maya, at(6));
    expect(speakerOf(s)).toBe('p3');
    expect(decide(s, raise, sky, at(7))).toEqual(nothing);
  });

  it('QUE2: a participant lowers only their own hand; a facilitator lowers anyone’s, one at a time', () => {
    let s = hands(floor(), [sky, river, wren]);
    expect(decide(s, lower(sky), river, at(5))).toMatchObject(refused('QUE2'));
    s = apply(s, lower(), river, at(5));
    expect(roundOf(s).queue).toEqual(ids(sky, wren));
    s = apply(s, lower(river), river, at(5));
    expect(roundOf(s).queue).toEqual(ids(sky, wren));
    expect(decide(s, lower(river), river, at(6))).toEqual(nothing);
    s = apply(s, lower(wren), maya, at(6));
    expect(roundOf(s).queue).toEqual(ids(sky));
  });

  it('QUE3: with new voices first, someone who has not spoken goes ahead of those who have, behind other new voices', () => {
    let s = hands(floor(true), [river]);
    s = apply(s, next, maya, at(2));
    s = apply(s, done, river, at(4));
    s = hands(s, [river, wren, sky], 5);
    expect(roundOf(s).queue).toEqual(ids(wren, sky, river));
    // Without it, hands are taken in the order they were raised.
    let plain = hands(floor(false), [river]);
    plain = apply(apply(plain, next, maya, at(2)), done, river, at(4));
    expect(roundOf(hands(plain, [river, wren, sky], 5)).queue).toEqual(ids(river, wren, sky));
  });

  it('QUE3: those who have spoken stay in the order they raised their hands', () => {
    let s = hands(floor(true), [river, wren]);
    s = apply(apply(s, next, maya, at(3)), next, maya, at(4));
    s = apply(s, done, wren, at(5));
    s = hands(s, [wren, river, sky], 6);
    expect(roundOf(s).queue).toEqual(ids(sky, wren, river));
  });

  it('QUE4: a facilitator reorders the queue, the same people in a new order', () => {
    const s = hands(floor(), [sky, river, wren]);
    const reordered = run(s, reorder(wren, sky, river), maya, at(5));
    expect(kinds(reordered)).toEqual([['round.updated', 'all']]);
    expect(roundOf(reordered.state).queue).toEqual(ids(wren, sky, river));
    expect(decide(s, reorder(wren, sky, river), river, at(5))).toMatchObject(refused('CIR1'));
    expect(roundOf(apply(reordered.state, next, maya, at(6))).speaker?.personId).toBe('p2');
  });

  it('QUE4: a reorder made against a queue that changed meanwhile is refused, never half applied', () => {
    // The facilitator saw Sky and River; Wren raised her hand before the reorder arrived.
    const s = hands(floor(), [sky, river, wren]);
    const stale = run(s, reorder(river, sky), maya, at(5));
    expect(stale.decision).toMatchObject(refused('QUE4'));
    expect(stale.events).toEqual([]);
    const lowered = apply(s, lower(), river, at(5));
    expect(decide(lowered, reorder(wren, river, sky), maya, at(6))).toMatchObject(refused('QUE4'));
    expect(decide(s, reorder(wren, sky, sky), maya, at(6))).toMatchObject(refused('QUE4'));
    expect(decide(s, reorder(wren, sky, river, river), maya, at(6))).toMatchObject(refused('QUE4'));
  });

  it('QUE4: a facilitator moves someone with a raised hand to the front; next takes the head of the queue', () => {
    let s = hands(floor(), [sky, river, wren]);
    s = apply(s, front(wren), maya, at(5));
    expect(roundOf(s).queue).toEqual(ids(wren, sky, river));
    expect(decide(s, front(jo), maya, at(5))).toMatchObject(refused('QUE4'));
    expect(decide(s, front(sky), sky, at(5))).toMatchObject(refused('CIR1'));
    s = apply(s, next, maya, at(6));
    expect(speakerOf(s)).toBe('p2');
    expect(roundOf(s).queue).toEqual(ids(sky, river));
  });
});

// ── the timer ──────────────────────────────────────────────────────────────────────────────────────────────────

describe('timer', () => {
  it('TMR1: the deadline is in the state; after it passes the time left is negative and the speaker keeps the floor', () => {
    let s = goingAround();
    expect(roundOf(s).speaker).toEqual({ personId: 'p1', startedAt: T0, endsAt: at(3), spentMs: 0 });
    expect(remainingMs(roundOf(s), at(1))).toBe(120_000);
    expect(remainingMs(roundOf(s), at(4))).toBe(-60_000);
    // Other commands after the deadline leave the turn where it is.
    s = apply(s, setOrder(river, wren, sky), maya, at(5));
    expect(speakerOf(s)).toBe('p1');
    s = apply(s, done, river, at(6));
    expect(roundOf(s).turns).toEqual([{ personId: 'p1', outcome: 'spoke', ms: 360_000 }]);
    expect(roundOf(s).speaker).toMatchObject({ personId: 'p2', startedAt: at(6), endsAt: at(9) });
    expect(remainingMs(roundOf(floor()), T0)).toBeNull();
  });

  it('TMR2: a facilitator extends the current turn by one minute at a time', () => {
    let s = goingAround();
    s = apply(s, extend, maya, at(1));
    expect(roundOf(s).speaker?.endsAt).toBe(at(4));
    s = apply(s, extend, maya, at(3.5));
    expect(roundOf(s).speaker?.endsAt).toBe(at(5));
    expect(remainingMs(roundOf(s), at(4))).toBe(60_000);
    expect(decide(s, extend, river, at(4))).toMatchObject(refused('CIR1'));
    expect(decide(floor(), extend, maya, at(1))).toMatchObject(refused('TMR2'));
    const paused = apply(apply(goingAround(), pause, maya, at(1)), extend, maya, at(2));
    expect(remainingMs(roundOf(paused), at(9))).toBe(180_000);
  });

  it('TMR3: pausing stops the countdown where it is; resuming restarts it with the same time left', () => {
    let s = apply(goingAround(), pause, maya, at(1));
    expect(roundOf(s).paused).toEqual({ since: at(1), remainingMs: 120_000 });
    expect(roundOf(s).speaker?.endsAt).toBeNull();
    expect(remainingMs(roundOf(s), at(30))).toBe(120_000);
    expect(decide(s, pause, maya, at(2))).toEqual(nothing);
    s = apply(s, resume, maya, at(10));
    expect(roundOf(s).paused).toBeNull();
    expect(roundOf(s).speaker?.endsAt).toBe(at(12));
    expect(remainingMs(roundOf(s), at(11))).toBe(60_000);
    expect(decide(s, resume, maya, at(11))).toEqual(nothing);
    s = apply(s, done, river, at(11.5));
    // One minute before the pause and a minute and a half after it.
    expect(roundOf(s).turns).toEqual([{ personId: 'p1', outcome: 'spoke', ms: 150_000 }]);
  });

  it('TMR3: a turn that starts while the round is paused waits with its whole time box', () => {
    let s = apply(goingAround(), pause, maya, at(1));
    s = apply(s, next, maya, at(2));
    expect(roundOf(s).speaker).toMatchObject({ personId: 'p3', endsAt: null });
    expect(roundOf(s).turns).toEqual([{ personId: 'p1', outcome: 'spoke', ms: 60_000 }]);
    expect(remainingMs(roundOf(s), at(8))).toBe(180_000);
    s = apply(s, resume, maya, at(8));
    expect(roundOf(s).speaker?.endsAt).toBe(at(11));
  });

  it('TMR3: a pause holds when a turn ends with nobody waiting, until the facilitator resumes', () => {
    let s = apply(hands(floor(), [river]), next, maya, at(2));
    s = apply(apply(s, pause, maya, at(3)), done, river, at(4));
    expect(roundOf(s).speaker).toBeNull();
    expect(roundOf(s).paused).not.toBeNull();
    s = apply(apply(s, raise, wren, at(5)), next, maya, at(6));
    expect(roundOf(s).speaker).toMatchObject({ personId: 'p2', endsAt: null });
    expect(remainingMs(roundOf(s), at(9))).toBe(180_000);
    s = apply(s, resume, maya, at(9));
    expect(roundOf(s).speaker?.endsAt).toBe(at(12));
  });
});

// ── written shares ─────────────────────────────────────────────────────────────────────────────────────────────

const write = (text: string, audience: ShareAudience = 'group', anonymous = false): CircleCommand => ({ type: 'share.write', text, audience, anonymous });
const about = (type: Exclude<ShareCommand['type'], 'share.write' | 'share.decline' | 'share.proposeEdit'>, shareId: string): CircleCommand => ({ type, shareId });
const decline = (shareId: string, note: string): CircleCommand => ({ type: 'share.decline', shareId, note });
const proposeEdit = (shareId: string, text: string): CircleCommand => ({ type: 'share.proposeEdit', shareId, text });

/** `author` writes a share at `minute`: the state after it and the share's id. */
function written(s: CircleState, author: CircleActor, command = write('The drive home felt new.'), minute = 1): [CircleState, string] {
  const step = run(s, command, author, at(minute));
  const event = step.events[0];
  if (event?.type !== 'share.updated') throw new Error(`share.write refused: ${JSON.stringify(step.decision)}`);
  return [step.state, event.payload.share.id];
}

const statusOf = (s: CircleState, id: string) => s.shares[id]?.status;

describe('written shares', () => {
  it('SHR0: a share is seen only by its author and the facilitators; to anyone else it does not exist', () => {
    const start = inSession();
    const writing = run(start, write('I noticed my hands unclench.'), river, at(1));
    expect(kinds(writing)).toEqual([['share.updated', 'person:p1']]);
    const [s, id] = written(start, river, write('I noticed my hands unclench.'));
    const [both] = written(s, wren, write('Only for Maya.', 'facilitator'), 2);
    expect(Object.values(viewFor(both, river).shares).map((sh) => sh.authorId)).toEqual(['p1']);
    expect(Object.values(viewFor(both, wren).shares).map((sh) => sh.authorId)).toEqual(['p2']);
    expect(viewFor(both, sky).shares).toEqual({});
    expect(Object.keys(viewFor(both, maya).shares)).toHaveLength(2);
    expect(writing.events.filter(visibleTo(wren))).toEqual([]);
    const unknown = decide(both, about('share.withdraw', 'sh999'), wren, at(3));
    for (const command of [about('share.withdraw', id), about('share.acceptEdit', id), about('share.approve', id), decline(id, 'No'), proposeEdit(id, 'Hm')]) {
      const d = decide(both, command, wren, at(3));
      expect(d, command.type).toMatchObject(refused('SHR0'));
      expect(d, command.type).toEqual(unknown);
    }
  });

  it('SHR1: a participant writes a share, not empty, while the circle is open, for the facilitators or the group', () => {
    expect(decide(scheduled(), write('Early'), river, T0)).toMatchObject(refused('SHR1'));
    expect(decide(opened(), write('   '), river, T0)).toMatchObject(refused('SHR1'));
    expect(decide(opened(), write('From the chair'), maya, T0)).toMatchObject(refused('SHR1'));
    const [s, id] = written(opened(), river, write('  Lighter than last week.  ', 'group', true));
    expect(s.shares[id]).toEqual({
      id,
      authorId: 'p1',
      text: 'Lighter than last week.',
      audience: 'group',
      anonymous: true,
      status: 'pending',
      writtenAt: at(1),
      proposedText: null,
      note: null,
    });
    const closed = apply(s, { type: 'circle.close' }, maya, at(2));
    expect(decide(closed, write('Too late'), river, at(3))).toMatchObject(refused('SHR1'));
  });

  it('SHR2: a share for the facilitators only is never published', () => {
    const [s, id] = written(inSession(), river, write('My sister does not know I am here.', 'facilitator'));
    expect(statusOf(s, id)).toBe('private');
    expect(decide(s, about('share.approve', id), maya, at(2))).toMatchObject(refused('SHR3'));
    expect(decide(s, proposeEdit(id, 'My sister knows.'), maya, at(2))).toMatchObject(refused('SHR4'));
    expect(s.published).toEqual([]);
  });

  it('SHR2: a share for the group waits for approval and reaches no other participant until then', () => {
    const start = inSession();
    const [s, id] = written(start, river, write('I felt held.'));
    expect(statusOf(s, id)).toBe('pending');
    expect(s.published).toEqual([]);
    expect({ ...viewFor(s, wren), seq: start.seq }).toEqual(viewFor(start, wren));
  });

  it('SHR3: a facilitator approves a waiting share; it is published to everyone and the author is told', () => {
    const [s, id] = written(inSession(), river, write('I felt held.'));
    expect(decide(s, about('share.approve', id), river, at(2))).toMatchObject(refused('CIR1'));
    const approved = run(s, about('share.approve', id), maya, at(2));
    expect(kinds(approved)).toEqual([
      ['share.updated', 'person:p1'],
      ['share.published', 'all'],
    ]);
    expect(statusOf(approved.state, id)).toBe('published');
    expect(decide(approved.state, about('share.approve', id), maya, at(3))).toMatchObject(refused('SHR3'));
    expect(decide(approved.state, decline(id, 'Sorry'), maya, at(3))).toMatchObject(refused('SHR3'));
  });

  it('SHR3: declining needs a kind note for the author, and the share is then never published', () => {
    const [s, id] = written(inSession(), river, write('Names of everyone else in my family.'));
    expect(decide(s, decline(id, '   '), maya, at(2))).toMatchObject(refused('SHR3'));
    expect(decide(s, decline(id, 'Let us talk after'), river, at(2))).toMatchObject(refused('CIR1'));
    const declined = run(s, decline(id, '  Thank you. This is better kept between us; let us talk after.  '), maya, at(2));
    expect(kinds(declined)).toEqual([['share.updated', 'person:p1']]);
    expect(declined.state.shares[id]).toMatchObject({ status: 'declined', note: 'Thank you. This is better kept between us; let us talk after.' });
    expect(viewFor(declined.state, river).shares[id]?.note).toContain('Thank you');
    expect(decide(declined.state, about('share.approve', id), maya, at(3))).toMatchObject(refused('SHR3'));
    expect(declined.state.published).toEqual([]);
  });

  it('SHR4: a proposed edit is accepted by the author, then waits for approval again before it is published', () => {
    const [pending, id] = written(inSession(), river, write('Wren cried and so did I.'));
    expect(decide(pending, proposeEdit(id, 'x'), river, at(2))).toMatchObject(refused('CIR1'));
    expect(decide(pending, proposeEdit(id, '  '), maya, at(2))).toMatchObject(refused('SHR4'));
    expect(decide(pending, about('share.acceptEdit', id), river, at(2))).toMatchObject(refused('SHR4'));
    const proposed = run(pending, proposeEdit(id, '  Someone cried and so did I.  '), maya, at(2));
    expect(kinds(proposed)).toEqual([['share.updated', 'person:p1']]);
    let s = proposed.state;
    expect(s.shares[id]).toMatchObject({ status: 'edit_proposed', text: 'Wren cried and so did I.', proposedText: 'Someone cried and so did I.' });
    expect(decide(s, about('share.approve', id), maya, at(3))).toMatchObject(refused('SHR3'));
    expect(decide(s, about('share.acceptEdit', id), maya, at(3))).toMatchObject(refused('SHR4'));
    s = apply(s, about('share.acceptEdit', id), river, at(3));
    expect(s.shares[id]).toMatchObject({ status: 'pending', text: 'Someone cried and so did I.', proposedText: null });
    expect(s.published).toEqual([]);
    s = apply(s, about('share.approve', id), maya, at(4));
    expect(s.published.map((p) => p.text)).toEqual(['Someone cried and so did I.']);
  });

  it('SHR5: the author withdraws a share until it is published, never after', () => {
    const [s, id] = written(inSession(), river, write('Not sure about this one.'));
    expect(decide(s, about('share.withdraw', id), maya, at(2))).toMatchObject(refused('SHR5'));
    const withdrawn = run(s, about('share.withdraw', id), river, at(2));
    expect(kinds(withdrawn)).toEqual([['share.updated', 'person:p1']]);
    expect(statusOf(withdrawn.state, id)).toBe('withdrawn');
    expect(decide(withdrawn.state, about('share.approve', id), maya, at(3))).toMatchObject(refused('SHR3'));
    expect(decide(withdrawn.state, about('share.withdraw', id), river, at(3))).toMatchObject(refused('SHR5'));

    const editing = apply(s, proposeEdit(id, 'Not sure.'), maya, at(2));
    expect(statusOf(apply(editing, about('share.withdraw', id), river, at(3)), id)).toBe('withdrawn');

    const published = apply(s, about('share.approve', id), maya, at(2));
    expect(decide(published, about('share.withdraw', id), river, at(3))).toMatchObject(refused('SHR5'));
  });

  it('SHR6: a published share reaches every device with its text and display name, never the author’s id', () => {
    const [s, id] = written(inSession(), river, write('I can breathe again.'));
    const named = run(s, about('share.approve', id), maya, at(2));
    const event = named.events.find((e) => e.type === 'share.published');
    expect(event?.payload).toEqual({ share: { id, text: 'I can breathe again.', displayName: 'River', at: at(2) } });
    expect(event?.actor).toBe('f1');
    for (const viewer of [wren, sky, jo]) expect(viewFor(named.state, viewer).published).toEqual(named.state.published);
  });

  it('SHR6: an anonymous share is published with no name and nothing that points to its author', () => {
    const [s, id] = written(inSession(), river, write('I was afraid of the dark part.', 'group', true));
    const step = run(s, about('share.approve', id), maya, at(2));
    const published = step.events.filter(visibleTo(wren));
    expect(published.map((e) => e.type)).toEqual(['share.published']);
    expect(published[0]?.payload).toEqual({ share: { id, text: 'I was afraid of the dark part.', displayName: null, at: at(2) } });
    expect(published[0]?.payload).not.toHaveProperty('share.authorId');
    expect(JSON.stringify(published)).not.toMatch(/p1|River/);
    expect(viewFor(step.state, wren).shares).toEqual({});
    // The author still sees their own share, now published.
    expect(viewFor(step.state, river).shares[id]).toMatchObject({ status: 'published', anonymous: true });
  });
});
