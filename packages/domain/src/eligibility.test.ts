import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { apply, clearedScreening, run } from './testing.js';
import {
  clinicalFacts,
  consentKinds,
  decide,
  defaultClinicSettings,
  dischargeReading,
  eligibilityIn,
  gateFor,
  initialCircleState,
  readiness,
  readinessToLeave,
  statusAt,
  viewFor,
  type CircleActor,
  type CircleCommand,
  type CircleState,
  type ConsentKind,
  type ConsentStanding,
  type PredoseCheckin,
  type ScreeningRecord,
} from './index.js';

const T0 = '2026-11-22T15:00:00.000Z';
const today = '2026-11-22';
const at = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString();
const maya: CircleActor = { personId: 'f1', role: 'facilitator', displayName: 'Maya' };
const juniper: CircleActor = { personId: 'p1', role: 'participant', displayName: 'Juniper' };
const system: CircleActor = { personId: 'system', role: 'facilitator', displayName: 'Holdspace' };

const cleared = clearedScreening;
const signedAll: ConsentStanding = { current: { treatment: 1, group_confidentiality: 1 }, signed: { treatment: 1, group_confidentiality: 1 } };
const unsigned: ConsentStanding = { current: { treatment: 1, group_confidentiality: 1 }, signed: {} };

const sync = (screening: ScreeningRecord | null, consents: ConsentStanding): CircleCommand => ({
  type: 'roster.sync',
  kind: 'dosing',
  roster: { p1: { displayName: 'Juniper', clinical: clinicalFacts(screening, defaultClinicSettings.vitalLimits, today, consents) } },
  settings: { fastingWindowHours: 4, minObservationMinutes: 120 },
});
const predose = (over: Partial<PredoseCheckin> = {}): CircleCommand => ({ type: 'checkin.predose', lastFoodAt: at(-300), holdsFollowed: true, ride: 'ride', ...over });
const baseline: CircleCommand = { type: 'vitals.record', personId: 'p1', systolic: 122, diastolic: 78, heartRate: 72 };
const dose: CircleCommand = { type: 'dose.record', personId: 'p1', doseMg: 200 };

/** In session, Juniper let in, checked in and with a baseline reading: only what the roster says decides. */
function ready(screening: ScreeningRecord | null, consents: ConsentStanding): CircleState {
  let s = apply(initialCircleState('c1'), sync(screening, consents), system, at(-60));
  s = apply(s, { type: 'circle.open' }, maya, at(-45));
  s = apply(s, { type: 'participant.admit', personId: 'p1' }, maya, at(-40));
  s = apply(s, { type: 'circle.start' }, maya, at(-20));
  s = apply(s, predose(), juniper, at(-15));
  return apply(s, baseline, maya, at(-10));
}

describe('one rule for who may be dosed', () => {
  it('GATE2: no dose while a required consent is unsigned; signing it during the circle opens the gate', () => {
    const s = ready(cleared(), unsigned);
    const item = gateFor(s, 'p1', T0).items.find((i) => i.key === 'consent')!;
    expect(item).toMatchObject({ rule: 'GATE2', met: false, overridable: false, detail: 'Not signed: treatment consent, group confidentiality agreement' });
    expect(gateFor(s, 'p1', T0).open).toBe(false);
    expect(decide(s, dose, maya, T0)).toMatchObject({ ok: false, rule: 'GATE2' });
    const signed = apply(s, sync(cleared(), signedAll), system, at(-1));
    expect(gateFor(signed, 'p1', T0).open).toBe(true);
    expect(decide(signed, dose, maya, T0)).toMatchObject({ ok: true });
  });

  it('GATE2: a newer version of a consent text must be signed again; a text the clinic has not published is not required', () => {
    const outdated = ready(cleared(), { current: { treatment: 2, group_confidentiality: 1 }, signed: { treatment: 1, group_confidentiality: 1 } });
    expect(decide(outdated, dose, maya, T0)).toMatchObject({ ok: false, rule: 'GATE2' });
    const onlyOne = ready(cleared(), { current: { treatment: 1 }, signed: { treatment: 1 } });
    expect(decide(onlyOne, dose, maya, T0)).toMatchObject({ ok: true });
  });

  it('GATE2: consent can never be overridden, and an override found in the record is ignored', () => {
    const s = ready(cleared(), unsigned);
    expect(decide(s, { type: 'gate.override', personId: 'p1', item: 'consent', reason: 'Verbal consent given on the phone' }, maya, T0)).toMatchObject({ ok: false, rule: 'GATE2' });
    const forged: CircleState = { ...s, people: { ...s.people, p1: { ...s.people.p1!, overrides: { consent: { at: T0, by: 'f1', reason: 'forged override of consent' } } } } };
    expect(gateFor(forged, 'p1', T0).items.find((i) => i.key === 'consent')?.override).toBeNull();
    expect(decide(forged, dose, maya, T0)).toMatchObject({ ok: false, rule: 'GATE2' });
  });

  it('RDY1: facts loaded without consents (an older roster) count as not signed', () => {
    const s = ready(cleared(), signedAll);
    const old: CircleState = { ...s, roster: { p1: { ...s.roster.p1!, clinical: { ...s.roster.p1!.clinical, consentsToSign: undefined as never } } } };
    expect(eligibilityIn(old, 'p1').mayBeDosed).toBe(false);
    expect(decide(old, dose, maya, T0)).toMatchObject({ ok: false, rule: 'GATE2' });
  });

  const decision = fc.constantFrom<ScreeningRecord['decision']>('cleared', 'not_cleared', 'needs_review');
  const version = fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined });
  const standing = fc.record({
    current: fc.record(Object.fromEntries(consentKinds.map((k) => [k, version])) as Record<ConsentKind, typeof version>),
    signed: fc.record(Object.fromEntries(consentKinds.map((k) => [k, version])) as Record<ConsentKind, typeof version>),
  });
  const history = fc.record({
    screening: fc.option(fc.record({ decision, validUntil: fc.constantFrom('2026-11-21', '2026-11-22', '2027-01-01') }), { nil: null }),
    consents: standing,
    predose: fc.option(fc.record({ hoursSinceFood: fc.integer({ min: 0, max: 8 }), holdsFollowed: fc.boolean(), ride: fc.constantFrom<PredoseCheckin['ride']>('ride', 'chaperone', 'none') }), { nil: null }),
    systolic: fc.option(fc.integer({ min: 90, max: 200 }), { nil: null }),
    overrides: fc.subarray(['clearance', 'consent', 'fasting', 'ride', 'holds', 'vitals'] as const),
    /** A consent or clearance changed while the circle is live. */
    resync: fc.option(fc.record({ consents: standing, decision }), { nil: null }),
  });
  const clean = (c: { current: Partial<Record<ConsentKind, number | undefined>>; signed: Partial<Record<ConsentKind, number | undefined>> }): ConsentStanding => ({
    current: Object.fromEntries(Object.entries(c.current).filter(([, v]) => v !== undefined)),
    signed: Object.fromEntries(Object.entries(c.signed).filter(([, v]) => v !== undefined)),
  });

  it('RDY1 (property): the roster verdict and the live gate agree on "may be dosed" in every history', () => {
    fc.assert(
      fc.property(history, (h) => {
        let screening = h.screening ? cleared(h.screening) : null;
        let consents = clean(h.consents);
        let s = apply(initialCircleState('c1'), sync(screening, consents), system, at(-60));
        s = apply(s, { type: 'circle.open' }, maya, at(-45));
        s = apply(s, { type: 'participant.admit', personId: 'p1' }, maya, at(-40));
        s = apply(s, { type: 'circle.start' }, maya, at(-20));
        if (h.predose) s = apply(s, predose({ lastFoodAt: at(-h.predose.hoursSinceFood * 60), holdsFollowed: h.predose.holdsFollowed, ride: h.predose.ride }), juniper, at(-15));
        if (h.systolic) s = apply(s, { type: 'vitals.record', personId: 'p1', systolic: h.systolic, diastolic: 60, heartRate: 70 }, maya, at(-12));
        for (const item of h.overrides) s = run(s, { type: 'gate.override', personId: 'p1', item, reason: 'Checked with the prescriber' }, maya, at(-5)).state;
        if (h.resync) {
          screening = cleared({ decision: h.resync.decision, validUntil: '2027-01-01' });
          consents = clean(h.resync.consents);
          s = apply(s, sync(screening, consents), system, at(-2));
        }
        const roster = readiness({ currentConsents: consents.current, signedConsents: consents.signed, latestScreening: screening, assessments: null }, today);
        const live = eligibilityIn(s, 'p1');
        const gate = gateFor(s, 'p1', T0);
        const gateSays = gate.items.filter((i) => i.key === 'clearance' || i.key === 'consent').every((i) => i.met);
        const command = decide(s, dose, maya, T0);
        expect(live.mayBeDosed).toBe(roster.mayBeDosed);
        expect(gateSays).toBe(roster.mayBeDosed);
        // Nothing opens the gate, or lets the dose through, for someone the roster says may not be dosed.
        if (!roster.mayBeDosed) {
          expect(gate.open).toBe(false);
          expect(command).toMatchObject({ ok: false });
          expect(['GATE1', 'GATE2']).toContain(command.ok ? '' : command.rule);
        }
        if (command.ok) expect(roster.mayBeDosed).toBe(true);
      }),
      { numRuns: 400 },
    );
  });
});

describe('the board tells the truth', () => {
  it('STA4: someone who may not be dosed is never "steady": not cleared, or consents not signed, with the reason', () => {
    expect(statusAt(ready(null, signedAll), T0).p1).toEqual({ level: 'hold', reasons: ['No clearance: not to be dosed today'] });
    expect(statusAt(ready(cleared({ decision: 'not_cleared', notes: 'BP' }), signedAll), T0).p1).toEqual({ level: 'hold', reasons: ['Not cleared: not to be dosed today'] });
    expect(statusAt(ready(cleared(), unsigned), T0).p1).toEqual({ level: 'hold', reasons: ['Consents not signed: not to be dosed today'] });
    expect(statusAt(ready(cleared(), signedAll), T0).p1).toEqual({ level: 'green', reasons: [] });
  });

  it('STA4: in session, someone let in whose gate is not met is "not ready to dose", saying what is missing', () => {
    let s = apply(initialCircleState('c1'), sync(cleared(), signedAll), system, at(-60));
    s = apply(s, { type: 'circle.open' }, maya, at(-45));
    s = apply(s, { type: 'participant.admit', personId: 'p1' }, maya, at(-40));
    expect(statusAt(s, T0).p1?.level).toBe('green');
    s = apply(s, { type: 'circle.start' }, maya, at(-20));
    s = apply(s, predose({ ride: 'none' }), juniper, at(-15));
    s = apply(s, baseline, maya, at(-10));
    expect(statusAt(s, T0).p1).toEqual({ level: 'waiting', reasons: ['Not ready to dose: ride home or chaperone confirmed'] });
    // Overridden is not missing.
    s = apply(s, { type: 'gate.override', personId: 'p1', item: 'ride', reason: 'Chaperone confirmed by phone' }, maya, at(-5));
    expect(statusAt(s, T0).p1).toEqual({ level: 'green', reasons: [] });
  });

  it('DOSE4: a facilitator marks someone not to be dosed today; the dose is refused, the person sees the decision, and it can be undone', () => {
    const s = ready(cleared(), signedAll);
    const withhold: CircleCommand = { type: 'dose.withhold', personId: 'p1', withheld: true };
    expect(decide(s, withhold, juniper, T0)).toMatchObject({ ok: false, rule: 'CIR1' });
    const step = run(s, withhold, maya, T0);
    expect(step.events.map((e) => [e.type, e.audience])).toEqual([['dose.withheld', 'person:p1']]);
    expect(viewFor(step.state, juniper).people.p1?.withheld).toMatchObject({ at: T0 });
    expect(decide(step.state, dose, maya, at(1))).toMatchObject({ ok: false, rule: 'DOSE4' });
    expect(statusAt(step.state, at(1)).p1).toEqual({ level: 'hold', reasons: ['Not to be dosed today (facilitator’s decision)'] });
    expect(run(step.state, withhold, maya, at(1)).events).toEqual([]);
    const undone = apply(step.state, { ...withhold, withheld: false }, maya, at(2));
    expect(decide(undone, dose, maya, at(3))).toMatchObject({ ok: true });
    const dosed = apply(undone, dose, maya, at(3));
    expect(decide(dosed, withhold, maya, at(4))).toMatchObject({ ok: false, rule: 'DOSE3' });
  });
});

describe('readiness to leave uses the right reading', () => {
  const dosed = () => apply(apply(ready(cleared(), signedAll), dose, maya, T0), { type: 'checkin.after', grounded: true, readyToLeave: true }, juniper, at(100));
  const reading = (minutes: number, systolic = 124) => (s: CircleState) => apply(s, { type: 'vitals.record', personId: 'p1', systolic, diastolic: 78, heartRate: 72 }, maya, at(minutes));

  it('DIS3: a reading taken before the 40-minute point does not count as near baseline', () => {
    const early = reading(11)(dosed());
    const vitals = readinessToLeave(early, 'p1', at(130)).items.find((i) => i.key === 'vitals')!;
    expect(vitals).toMatchObject({ met: false, detail: 'No reading from 40 min after the dose yet' });
    expect(dischargeReading(early.people.p1!)).toBeNull();
  });

  it('DIS3: the reading used is the latest from 40 min on, and the check says which', () => {
    const s = reading(95, 150)(reading(45)(reading(11)(dosed())));
    expect(readinessToLeave(s, 'p1', at(130)).items.find((i) => i.key === 'vitals')).toMatchObject({ met: false, detail: 'Not yet near baseline (reading 95 min after the dose: 150/78, HR 72)' });
    const settled = reading(110)(s);
    expect(readinessToLeave(settled, 'p1', at(130)).items.find((i) => i.key === 'vitals')).toMatchObject({ met: true, detail: 'Used the reading 110 min after the dose: 124/78, HR 72' });
    expect(readinessToLeave(settled, 'p1', at(130)).ready).toBe(true);
  });
});

describe('opening on schedule', () => {
  const scheduled = (scheduledAt: string) =>
    apply(initialCircleState('c1'), { ...sync(cleared(), signedAll), settings: { fastingWindowHours: 4, minObservationMinutes: 120, scheduledAt } } as CircleCommand, system, at(-300));
  const open: CircleCommand = { type: 'circle.open' };

  it('CIR5: within 2 h of its scheduled start a circle opens at once; further either side it needs a confirmation', () => {
    expect(decide(scheduled(at(120)), open, maya, T0)).toMatchObject({ ok: true });
    expect(decide(scheduled(at(-120)), open, maya, T0)).toMatchObject({ ok: true });
    const early = decide(scheduled(at(7 * 1440)), open, maya, T0);
    expect(early).toMatchObject({ ok: false, rule: 'CIR5', message: 'This circle is scheduled to start 7 days from now. Confirm to open it now anyway.' });
    expect(decide(scheduled(at(-181)), open, maya, T0)).toMatchObject({ ok: false, rule: 'CIR5', message: expect.stringContaining('3 h ago') });
    expect(decide(scheduled(at(7 * 1440)), { type: 'circle.open', offSchedule: true }, maya, T0)).toMatchObject({ ok: true });
    // A log from before the schedule was kept has nothing to compare with.
    expect(decide(apply(initialCircleState('c1'), sync(cleared(), signedAll), system, at(-300)), open, maya, T0)).toMatchObject({ ok: true });
  });
});
