import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canSee,
  decide,
  evolve,
  fold,
  initialCircleState,
  presenceList,
  type CircleActor,
  type CircleCommand,
  type CircleEvent,
  type CircleState,
  type NewEvent,
  viewFor,
} from './index.js';

const circleId = 'c1';
const T0 = '2026-11-22T10:00:00.000Z';
const maya: CircleActor = { personId: 'f1', role: 'facilitator', displayName: 'Maya' };
const river: CircleActor = { personId: 'p1', role: 'participant', displayName: 'River' };
const wren: CircleActor = { personId: 'p2', role: 'participant', displayName: 'Wren' };

/** Decide and, if allowed, fold, as the log does (LOG2). */
function run(state: CircleState, command: CircleCommand, actor: CircleActor, at = '2026-11-22T10:00:00.000Z') {
  const d = decide(state, command, actor, at);
  if (!d.ok) return { state, decision: d };
  const events: CircleEvent[] = d.value.map((e: NewEvent, i) => ({ ...e, circleId, seq: state.seq + i + 1, at, actor: actor.personId }));
  return { state: fold(state, events), decision: d, events };
}

const join = (id: string, device: 'phone' | 'desktop' = 'phone') => ({ type: 'presence.join' as const, connectionId: id, device });
const leave = (id: string) => ({ type: 'presence.leave' as const, connectionId: id });

describe('lifecycle', () => {
  it('CIR1: only a facilitator opens or closes a circle', () => {
    const s = initialCircleState(circleId);
    expect(decide(s, { type: 'circle.open' }, river, T0)).toMatchObject({ ok: false, rule: 'CIR1' });
    expect(decide(s, { type: 'circle.close' }, river, T0)).toMatchObject({ ok: false, rule: 'CIR1' });
    expect(run(s, { type: 'circle.open' }, maya).state.status).toBe('open');
  });

  it('CIR2: opens only when scheduled; closed stays closed', () => {
    const open = run(initialCircleState(circleId), { type: 'circle.open' }, maya).state;
    expect(decide(open, { type: 'circle.open' }, maya, T0)).toMatchObject({ ok: false, rule: 'CIR2' });
    const closed = run(open, { type: 'circle.close', reason: '  ' }, maya);
    expect(closed.state.status).toBe('closed');
    expect(closed.events?.map((e) => e.type)).toEqual(['circle.closed']);
    expect(decide(closed.state, { type: 'circle.close' }, maya, T0)).toMatchObject({ ok: false, rule: 'CIR2' });
    expect(decide(closed.state, { type: 'circle.open' }, maya, T0)).toMatchObject({ ok: false, rule: 'CIR2' });
  });

  it('CIR3: the closing reason goes to staff only', () => {
    const open = run(initialCircleState(circleId), { type: 'circle.open' }, maya).state;
    const closed = run(open, { type: 'circle.close', reason: 'Fire alarm' }, maya);
    expect(closed.events?.map((e) => [e.type, e.audience])).toEqual([['circle.closed', 'all'], ['circle.closeNoted', 'staff']]);
    expect(closed.state.closeReason).toBe('Fire alarm');
    expect(viewFor(closed.state, river).closeReason).toBeNull();
    expect(viewFor(closed.state, maya).closeReason).toBe('Fire alarm');
  });
});

describe('presence', () => {
  it('PRS1: a person who drops and returns is listed once', () => {
    let s = initialCircleState(circleId);
    s = run(s, join('a'), river).state;
    s = run(s, leave('a'), river).state;
    s = run(s, join('b'), river).state;
    expect(presenceList(s).map((p) => p.displayName)).toEqual(['River']);
  });

  it('PRS1: a person with two devices is listed once and stays until both leave', () => {
    let s = initialCircleState(circleId);
    s = run(s, join('a', 'phone'), river).state;
    s = run(s, join('b', 'desktop'), river).state;
    expect(presenceList(s)).toEqual([{ personId: 'p1', displayName: 'River', role: 'participant', devices: ['desktop', 'phone'] }]);
    s = run(s, leave('a'), river).state;
    expect(presenceList(s)).toHaveLength(1);
    s = run(s, leave('b'), river).state;
    expect(presenceList(s)).toEqual([]);
  });

  it('PRS2: nobody joins a closed circle, and closing ends presence', () => {
    let s = run(initialCircleState(circleId), join('a'), river).state;
    s = run(s, { type: 'circle.close' }, maya).state;
    expect(presenceList(s)).toEqual([]);
    expect(decide(s, join('b'), river, T0)).toMatchObject({ ok: false, rule: 'PRS2' });
  });

  it('PRS3: facilitators first, then by display name', () => {
    let s = initialCircleState(circleId);
    for (const [actor, id] of [[wren, 'w'], [maya, 'm'], [river, 'r']] as const) s = run(s, join(id), actor).state;
    expect(presenceList(s).map((p) => p.displayName)).toEqual(['Maya', 'River', 'Wren']);
  });

  it('PRS4: repeated joins and unknown leaves append nothing', () => {
    const s = run(initialCircleState(circleId), join('a'), river).state;
    expect(decide(s, join('a'), river, T0)).toEqual({ ok: true, value: [] });
    expect(decide(s, leave('zzz'), river, T0)).toEqual({ ok: true, value: [] });
  });

  it('PRS1 (property): after any sequence of joins and leaves, each present person has a live connection and appears once', () => {
    const people = [maya, river, wren];
    const step = fc.record({ who: fc.integer({ min: 0, max: 2 }), conn: fc.constantFrom('a', 'b', 'c'), join: fc.boolean() });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        let s = initialCircleState(circleId);
        const live = new Map<string, Set<string>>();
        for (const st of steps) {
          const actor = people[st.who]!;
          const connectionId = `${actor.personId}-${st.conn}`;
          s = run(s, st.join ? join(connectionId) : leave(connectionId), actor).state;
          const set = live.get(actor.personId) ?? new Set();
          if (st.join) set.add(connectionId);
          else set.delete(connectionId);
          live.set(actor.personId, set);
        }
        const expected = [...live.entries()].filter(([, set]) => set.size > 0).map(([id]) => id).sort();
        const listed = presenceList(s).map((p) => p.personId);
        expect([...listed].sort()).toEqual(expected);
        expect(new Set(listed).size).toBe(listed.length);
      }),
    );
  });
});

describe('log', () => {
  it('LOG2: accepted commands produce consecutive seqs; refused ones nothing', () => {
    let s = initialCircleState(circleId);
    const a = run(s, { type: 'circle.open' }, maya);
    s = a.state;
    expect(s.seq).toBe(1);
    const b = run(s, { type: 'circle.open' }, maya);
    expect(b.decision.ok).toBe(false);
    expect(b.state.seq).toBe(1);
    expect(run(s, join('x'), river).state.seq).toBe(2);
  });

  it('LOG4: an event at or below the current seq changes nothing', () => {
    const first = run(initialCircleState(circleId), { type: 'circle.open' }, maya);
    const s = first.state;
    const again = evolve(s, first.events![0]!);
    expect(again.status).toBe('open');
    expect(again.seq).toBe(1);
  });

  it('LOG1: the same events folded on two devices give the same state', () => {
    let s = initialCircleState(circleId);
    const all: CircleEvent[] = [];
    for (const [cmd, actor] of [[{ type: 'circle.open' }, maya], [join('r'), river], [join('w'), wren], [leave('r'), river]] as const) {
      const r = run(s, cmd as CircleCommand, actor);
      s = r.state;
      all.push(...(r.events ?? []));
    }
    expect(fold(initialCircleState(circleId), all)).toEqual(s);
  });
});

describe('audience', () => {
  it('AUD1: events for all reach everyone', () => {
    expect(canSee('all', river)).toBe(true);
    expect(canSee('all', maya)).toBe(true);
  });
  it('AUD2: staff events reach only facilitators', () => {
    expect(canSee('staff', river)).toBe(false);
    expect(canSee('staff', maya)).toBe(true);
  });
  it('AUD3: a person event reaches that person and facilitators, no other participant', () => {
    expect(canSee('person:p1', river)).toBe(true);
    expect(canSee('person:p1', wren)).toBe(false);
    expect(canSee('person:p1', maya)).toBe(true);
  });
});
