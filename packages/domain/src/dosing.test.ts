import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { apply, clearedScreening, run } from './testing.js';
import {
  boosterDue,
  alertsAt,
  clinicalFacts,
  currentSegment,
  decide,
  defaultAgenda,
  defaultClinicSettings,
  fold,
  gateFor,
  gateItems,
  initialCircleState,
  observationDue,
  quietSegments,
  readinessToLeave,
  statusAt,
  viewFor,
  visibleTo,
  vitalsDue,
  type AdverseEventInput,
  type CareSettings,
  type CircleActor,
  type ConsentStanding,
  type CircleCommand,
  type CircleEvent,
  type CircleState,
  type Decision,
  type GateItem,
  type JourneySignal,
  type PredoseCheckin,
  type RideHome,
  type RosterEntry,
  type ScreeningRecord,
  type VitalsInput,
} from './index.js';

// ── the fixture: one dosing circle, one facilitator, three participants ─────────────────────────────────────────

const circleId = 'dosing-1';
const T0 = '2026-11-22T15:00:00.000Z';
const today = '2026-11-22';
/** The instant `minutes` after T0 (before it when negative). */
const at = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString();

const maya: CircleActor = { personId: 'f1', role: 'facilitator', displayName: 'Maya' };
/** Prescribed a booster, 20 to 45 minutes after the first dose. */
const river: CircleActor = { personId: 'p1', role: 'participant', displayName: 'River' };
/** Personal limits from the prescriber: systolic at most 160. */
const wren: CircleActor = { personId: 'p2', role: 'participant', displayName: 'Wren' };
/** Holds a benzodiazepine for 48 h. */
const sky: CircleActor = { personId: 'p3', role: 'participant', displayName: 'Sky' };
const system: CircleActor = { personId: 'system', role: 'facilitator', displayName: 'Holdspace' };
const participants = [river, wren, sky];
type Pid = 'p1' | 'p2' | 'p3';

const screening = clearedScreening;

const screenings: Record<Pid, ScreeningRecord> = {
  p1: screening({ prescription: { doseMg: 200, route: 'sublingual_lozenge', boosterDoseMg: 100, boosterWindowMinutes: [20, 45] } }),
  p2: screening({ prescription: { doseMg: 150, route: 'sublingual_lozenge' }, vitalLimits: { systolicMax: 160 } }),
  p3: screening({ prescription: { doseMg: 250, route: 'sublingual_lozenge' }, medicationHolds: [{ medication: 'lorazepam', holdHours: 48 }] }),
};
const prescribed: Record<Pid, number> = { p1: 200, p2: 150, p3: 250 };
const pid = (p: CircleActor) => p.personId as Pid;

/** The roster the server loads: each person's clinical facts from their latest signed screening (ROS1). */
/** Both consents published in version 1 and signed by everyone, unless a test says otherwise. */
const allSigned: ConsentStanding = { current: { treatment: 1, group_confidentiality: 1 }, signed: { treatment: 1, group_confidentiality: 1 } };
function roster(over: Partial<Record<Pid, ScreeningRecord | null>> = {}, consents: Partial<Record<Pid, ConsentStanding>> = {}): Record<string, RosterEntry> {
  return Object.fromEntries(
    participants.map((p) => {
      const record = pid(p) in over ? over[pid(p)]! : screenings[pid(p)];
      return [p.personId, { displayName: p.displayName, clinical: clinicalFacts(record ?? null, defaultClinicSettings.vitalLimits, today, consents[pid(p)] ?? allSigned) }];
    }),
  );
}
const settings: CareSettings = { fastingWindowHours: 4, minObservationMinutes: 120 };
const sync = (r = roster(), care = settings): CircleCommand => ({ type: 'roster.sync', kind: 'dosing', roster: r, settings: care });

// ── commands ──────────────────────────────────────────────────────────────────────────────────────────────────

const baseline: VitalsInput = { systolic: 122, diastolic: 78, heartRate: 72 };
const high: VitalsInput = { systolic: 190, diastolic: 115, heartRate: 88 };
/** Inside the clinic's 180/110, above Wren's own systolic limit of 160. */
const highForWren: VitalsInput = { systolic: 165, diastolic: 95, heartRate: 80 };

const open: CircleCommand = { type: 'circle.open' };
const start: CircleCommand = { type: 'circle.start' };
const join = (connectionId: string): CircleCommand => ({ type: 'presence.join', connectionId, device: 'phone' });
const leave = (connectionId: string): CircleCommand => ({ type: 'presence.leave', connectionId });
const admit = (p: CircleActor): CircleCommand => ({ type: 'participant.admit', personId: p.personId });
const arrival: CircleCommand = { type: 'checkin.arrival', mood: 6, anxiety: 4, sleep: 'fair', body: 'Tight shoulders', intention: 'Meet the fear' };
const predose = (over: Partial<PredoseCheckin> = {}): CircleCommand => ({ type: 'checkin.predose', lastFoodAt: at(-300), holdsFollowed: true, ride: 'ride', ...over });
const journey = (signal: JourneySignal): CircleCommand => ({ type: 'checkin.journey', signal });
const after = (grounded: boolean): CircleCommand => ({ type: 'checkin.after', grounded, readyToLeave: grounded });
const vitals = (p: CircleActor, reading: VitalsInput = baseline): CircleCommand => ({ type: 'vitals.record', personId: p.personId, ...reading });
const dose = (p: CircleActor, doseMg = prescribed[pid(p)]): CircleCommand => ({ type: 'dose.record', personId: p.personId, doseMg });
const booster = (p: CircleActor, doseMg = 100): CircleCommand => ({ type: 'booster.record', personId: p.personId, doseMg });
const override = (p: CircleActor, item: GateItem, reason = 'Confirmed with the prescriber by phone'): CircleCommand => ({
  type: 'gate.override',
  personId: p.personId,
  item,
  reason,
});
const seen = (p: CircleActor): CircleCommand => ({ type: 'observation.seen', personId: p.personId });
const adverse = (p: CircleActor, event: AdverseEventInput): CircleCommand => ({ type: 'adverse.record', personId: p.personId, ...event });
const ack = (alertId: string): CircleCommand => ({ type: 'alert.ack', alertId });
const discharge = (p: CircleActor, reason?: string): CircleCommand => ({ type: 'participant.discharge', personId: p.personId, reason });
const close = (reason?: string): CircleCommand => ({ type: 'circle.close', reason });

// ── the log, as the server runs it ─────────────────────────────────────────────────────────────────────────────

const refused = (rule: string) => ({ ok: false, rule });
const allowed = (d: Decision<unknown>) => expect(d, d.ok ? '' : `${d.rule}: ${d.message}`).toMatchObject({ ok: true });

const synced = () => apply(initialCircleState(circleId), sync(), system, at(-60));

/** Open, everyone connected; participants admitted unless told otherwise. */
function opened(admitted = participants): CircleState {
  let s = apply(synced(), open, maya, at(-45));
  for (const a of [maya, ...participants]) s = apply(s, join(`${a.personId}-phone`), a, at(-44));
  for (const p of admitted) s = apply(s, admit(p), maya, at(-40));
  return s;
}

/** Open, with a roster loaded again after admission: the way a changed screening reaches a live circle. */
const resynced = (over: Partial<Record<Pid, ScreeningRecord | null>>) => apply(opened(), sync(roster(over)), system, at(-39));

/** In session since 20 minutes before T0. */
const inSession = (s = opened()) => apply(s, start, maya, at(-20));

/** A pre-dose check-in and a baseline reading for `p`: with no changes, every gate item is met at T0. */
function prepared(p: CircleActor, checkin: Partial<PredoseCheckin> = {}, reading: VitalsInput | null = baseline, s = inSession()): CircleState {
  s = apply(s, predose(checkin), p, at(-15));
  return reading ? apply(s, vitals(p, reading), maya, at(-10)) : s;
}

const allPrepared = () => participants.reduce((s, p) => prepared(p, {}, baseline, s), inSession());

/** `p` dosed at T0. */
const dosed = (p: CircleActor, s = prepared(p)) => apply(s, dose(p), maya, T0);

const unmetRules = (s: CircleState, p: CircleActor, now = T0) =>
  gateFor(s, p.personId, now)
    .items.filter((i) => !i.met)
    .map((i) => i.rule);

// ── lifecycle ──────────────────────────────────────────────────────────────────────────────────────────────────

describe('closing with people still in care', () => {
  it('CIR4: closing while someone is dosed and not discharged needs a written reason', () => {
    const s = dosed(river);
    const bare = decide(s, close(), maya, at(30));
    expect(bare).toMatchObject(refused('CIR4'));
    expect(bare.ok ? '' : bare.message).toContain('River');
    expect(decide(s, close('too short'), maya, at(30))).toMatchObject(refused('CIR4'));
    const closed = run(s, close('Fire alarm, moved to the clinic'), maya, at(30));
    expect(closed.events.map((e) => [e.type, e.audience])).toEqual([
      ['circle.closed', 'all'],
      ['circle.closeNoted', 'staff'],
      ['care.continued', 'person:p1'],
    ]);
    expect(closed.state.closeReason).toBe('Fire alarm, moved to the clinic');
  });

  it('CIR4: after discharge no reason is needed', () => {
    const s = apply(dosed(river), discharge(river, 'Left with partner, fully oriented'), maya, at(60));
    allowed(decide(s, close(), maya, at(61)));
    allowed(decide(inSession(), close(), maya, at(0)));
  });
});

describe('a closed circle is not an end of care', () => {
  const reason = 'Room needed, moved to recovery area';
  const twoDosed = () => dosed(wren, prepared(wren, {}, baseline, dosed(river)));

  it('CARE1: closing keeps each person dosed and not discharged under care, until 4 h after their last dose by default', () => {
    const s = apply(twoDosed(), discharge(wren, 'Left early with her partner, oriented'), maya, at(20));
    const closed = run(s, close(reason), maya, at(30));
    expect(closed.events.filter((e) => e.type === 'care.continued').map((e) => [e.audience, e.payload])).toEqual([
      ['person:p1', { personId: 'p1', until: at(240) }],
    ]);
    expect(viewFor(closed.state, river).people.p1?.careUntil).toBe(at(240));
    expect(closed.state.people.p2?.careUntil).toBeUndefined();
  });

  it('CARE1: the clinic sets the hours; a booster counts from itself', () => {
    let s = apply(twoDosed(), sync(roster(), { ...settings, careAfterCloseHours: 2 }), system, at(1));
    s = apply(s, booster(river), maya, at(25));
    const closed = run(s, close(reason), maya, at(30));
    expect(closed.state.people.p1?.careUntil).toBe(at(145));
    expect(closed.state.people.p2?.careUntil).toBe(at(120));
  });

  it('CARE2: after close, a person under care sends "I need support"; it raises an urgent alert marked after close', () => {
    const closed = apply(twoDosed(), close(reason), maya, at(30));
    for (const p of [river, wren]) {
      const step = run(closed, journey('support'), p, at(45));
      expect(step.events.map((e) => [e.type, e.audience])).toEqual([
        ['checkin.journey', `person:${p.personId}`],
        ['alert.raised', 'staff'],
      ]);
      expect(step.events[1]?.payload).toMatchObject({ personId: p.personId, kind: 'support', urgency: 1, afterClose: true });
    }
  });

  it('CARE2: everyone else is refused with a clear word: not dosed, discharged, past the time, or another check-in', () => {
    let s = prepared(sky, {}, baseline, twoDosed());
    s = apply(s, discharge(wren, 'Left early with her partner, oriented'), maya, at(20));
    const closed = apply(s, close(reason), maya, at(30));
    const refusal = decide(closed, journey('support'), sky, at(45));
    expect(refusal).toMatchObject(refused('CARE2'));
    expect(refusal.ok ? '' : refusal.message).toContain('This circle has ended');
    expect(decide(closed, journey('support'), wren, at(45))).toMatchObject(refused('CARE2'));
    expect(decide(closed, journey('support'), river, at(240))).toMatchObject(refused('CARE2'));
    expect(decide(closed, journey('break'), river, at(45))).toMatchObject(refused('CHK2'));
    const discharged = apply(closed, discharge(river, 'Grounded, partner collected him at the door'), maya, at(100));
    expect(decide(discharged, journey('support'), river, at(101))).toMatchObject(refused('CARE2'));
  });

  it('CARE3: after close the facilitator still acknowledges the alert (with a note) and discharges the person', () => {
    const closed = apply(twoDosed(), close(reason), maya, at(30));
    const raised = apply(closed, journey('support'), river, at(45));
    const [alert] = Object.values(raised.alerts);
    const acked = run(raised, { type: 'alert.ack', alertId: alert!.id, note: '  Called him, sitting with partner  ' }, maya, at(46));
    expect(acked.events[0]?.payload).toEqual({ alertId: alert!.id, note: 'Called him, sitting with partner', afterClose: true });
    expect(acked.state.alerts[alert!.id]).toMatchObject({ ackedBy: 'f1', ackNote: 'Called him, sitting with partner' });
    allowed(decide(acked.state, discharge(river, 'Phoned: grounded, at home with partner'), maya, at(90)));
  });
});

// ── agenda and hold ────────────────────────────────────────────────────────────────────────────────────────────

describe('agenda', () => {
  it('AGD1: the first roster sync sets the default agenda; it is editable until the session starts', () => {
    const first = run(initialCircleState(circleId), sync(), system, at(-60));
    expect(first.events.map((e) => [e.type, e.audience])).toEqual([
      ['agenda.set', 'all'],
      ['roster.synced', 'staff'],
    ]);
    expect(first.state.agenda).toEqual(defaultAgenda('dosing'));
    expect(first.state.kind).toBe('dosing');

    const mine = [{ id: 'x', kind: 'journey' as const, title: 'Journey', minutes: 90 }];
    const edited = apply(first.state, { type: 'agenda.edit', agenda: mine }, maya, at(-50));
    expect(edited.agenda).toEqual(mine);
    // A later sync keeps the facilitator's agenda.
    expect(run(edited, sync(roster({ p3: null })), system, at(-49)).events.map((e) => e.type)).toEqual(['roster.synced']);

    const started = inSession();
    expect(decide(started, { type: 'agenda.edit', agenda: mine }, maya, T0)).toMatchObject(refused('AGD1'));
    expect(decide(first.state, { type: 'agenda.edit', agenda: mine }, river, T0)).toMatchObject(refused('CIR1'));
  });

  it('AGD2: an agenda has at least one segment, each with its own id, a known kind and a title', () => {
    const s = synced();
    const edit = (agenda: unknown): CircleCommand => ({ type: 'agenda.edit', agenda } as CircleCommand);
    expect(decide(s, edit([]), maya, T0)).toMatchObject(refused('AGD2'));
    const a = { id: 'a', kind: 'arrival', title: 'Arrive', minutes: 10 };
    expect(decide(s, edit([a, { ...a, title: 'Again' }]), maya, T0)).toMatchObject(refused('AGD2'));
    expect(decide(s, edit([{ ...a, kind: 'party' }]), maya, T0)).toMatchObject(refused('AGD2'));
    expect(decide(s, edit([{ ...a, title: '   ' }]), maya, T0)).toMatchObject(refused('AGD2'));
    allowed(decide(s, edit([a]), maya, T0));
  });

  it('AGD3: opening puts the circle in the first segment; the facilitator moves to any segment; journey is quiet', () => {
    expect(decide(synced(), { type: 'segment.goto', index: 1 }, maya, T0)).toMatchObject(refused('AGD3'));
    const s = opened();
    expect(s.segment).toBe(0);
    expect(currentSegment(s)?.kind).toBe('arrival');
    const journeyAt = s.agenda.findIndex((g) => g.kind === 'journey');
    const moved = run(s, { type: 'segment.goto', index: journeyAt }, maya, at(1));
    expect(moved.events.map((e) => [e.type, e.audience])).toEqual([['segment.changed', 'all']]);
    expect(moved.state.segmentStartedAt).toBe(at(1));
    expect(quietSegments).toContain(currentSegment(moved.state)?.kind);
    expect(decide(moved.state, { type: 'segment.goto', index: journeyAt }, maya, at(2))).toEqual({ ok: true, value: [] });
    expect(decide(s, { type: 'segment.goto', index: s.agenda.length }, maya, T0)).toMatchObject(refused('AGD3'));
    expect(decide(s, { type: 'segment.goto', index: -1 }, maya, T0)).toMatchObject(refused('AGD3'));
    expect(decide(s, { type: 'segment.goto', index: 1 }, river, T0)).toMatchObject(refused('CIR1'));
  });

  it('HLD1: a facilitator puts an open circle on hold and ends it; everyone sees it', () => {
    expect(decide(synced(), { type: 'hold.start' }, maya, T0)).toMatchObject(refused('HLD1'));
    expect(decide(opened(), { type: 'hold.start' }, river, T0)).toMatchObject(refused('CIR1'));
    const held = run(opened(), { type: 'hold.start', message: '  ' }, maya, at(1));
    expect(held.events.map((e) => e.audience)).toEqual(['all']);
    expect(held.state.hold).toEqual({ since: at(1), message: 'Take a breath. We will continue shortly.' });
    expect(viewFor(held.state, river).hold).toEqual(held.state.hold);
    expect(decide(held.state, { type: 'hold.start' }, maya, at(2))).toEqual({ ok: true, value: [] });
    const ended = run(held.state, { type: 'hold.end' }, maya, at(3));
    expect(ended.events.map((e) => [e.type, e.audience])).toEqual([['hold.ended', 'all']]);
    expect(ended.state.hold).toBeNull();
  });
});

// ── roster and admission ───────────────────────────────────────────────────────────────────────────────────────

describe('roster and admission', () => {
  it('ROS1: the roster with clinical facts is staff-only; commands about someone not on it are refused', () => {
    const s = inSession();
    expect(s.roster.p1?.clinical).toMatchObject({ clearance: 'current', doseMg: 200, boosterDoseMg: 100, boosterWindowMinutes: [20, 45] });
    expect(s.roster.p2?.clinical.limits).toEqual({ ...defaultClinicSettings.vitalLimits, systolicMax: 160 });
    expect(s.roster.p3?.clinical.holds).toEqual([{ medication: 'lorazepam', holdHours: 48 }]);
    expect(viewFor(s, river).roster).toEqual({});
    expect(viewFor(s, river).settings).toBeNull();
    expect(viewFor(s, maya).roster).toEqual(s.roster);
    const stranger: CircleActor = { personId: 'p9', role: 'participant', displayName: 'Stranger' };
    for (const command of [admit(stranger), dose(stranger, 100), override(stranger, 'ride'), seen(stranger), discharge(stranger)]) {
      expect(decide(s, command, maya, T0), command.type).toMatchObject(refused('ROS1'));
    }
    expect(decide(s, vitals(stranger), maya, T0)).toMatchObject(refused('ROS1'));
    // The same roster again appends nothing.
    expect(decide(s, sync(), system, T0)).toEqual({ ok: true, value: [] });
  });

  it('ADM1: a facilitator admits each participant once the circle is open; admission shows the display name to all', () => {
    expect(decide(synced(), admit(river), maya, T0)).toMatchObject(refused('ADM1'));
    expect(decide(opened([]), admit(river), wren, T0)).toMatchObject(refused('CIR1'));
    const admitted = run(opened([]), admit(river), maya, at(-40));
    expect(admitted.events).toMatchObject([{ type: 'participant.admitted', audience: 'all', payload: { personId: 'p1', displayName: 'River' } }]);
    expect(JSON.stringify(admitted.events[0]?.payload)).not.toContain('clinical');
    expect(viewFor(admitted.state, wren).admitted).toEqual({ p1: { displayName: 'River', at: at(-40) } });
    expect(decide(admitted.state, admit(river), maya, T0)).toEqual({ ok: true, value: [] });
  });
});

// ── check-ins and support ──────────────────────────────────────────────────────────────────────────────────────

describe('check-ins', () => {
  it('CHK1: check-ins come from the participant themself and reach only them and the facilitators', () => {
    const s = opened();
    expect(decide(s, arrival, maya, T0)).toMatchObject(refused('CHK1'));
    const step = run(s, arrival, river, at(-39));
    expect(step.events).toMatchObject([{ type: 'checkin.arrival', audience: 'person:p1', payload: { personId: 'p1', intention: 'Meet the fear' } }]);
    const event = step.events[0]!;
    expect(visibleTo(river)(event)).toBe(true);
    expect(visibleTo(maya)(event)).toBe(true);
    expect(visibleTo(wren)(event)).toBe(false);
    expect(viewFor(step.state, river).people.p1?.arrival).toMatchObject({ mood: 6, at: at(-39) });
    expect(viewFor(step.state, wren).people).toEqual({});
  });

  it('CHK2: check-ins are taken only while the circle is open or in session', () => {
    expect(decide(synced(), arrival, river, T0)).toMatchObject(refused('CHK2'));
    const closed = apply(opened(), close(), maya, at(-30));
    expect(decide(closed, arrival, river, T0)).toMatchObject(refused('CHK2'));
    allowed(decide(opened(), arrival, river, T0));
    allowed(decide(inSession(), journey('okay'), river, T0));
  });

  it('CHK3: before admission only the arrival check-in is open', () => {
    const s = opened([]);
    allowed(decide(s, arrival, river, T0));
    for (const command of [predose(), journey('okay'), after(true)]) expect(decide(s, command, river, T0)).toMatchObject(refused('CHK3'));
    allowed(decide(apply(s, admit(river), maya, at(-40)), predose(), river, T0));
  });

  it('SUP1: "I need support" reaches every facilitator as an urgent alert; other participants see nothing', () => {
    const step = run(inSession(), journey('support'), river, at(30));
    expect(step.events.map((e) => [e.type, e.audience])).toEqual([
      ['checkin.journey', 'person:p1'],
      ['alert.raised', 'staff'],
    ]);
    expect(Object.values(step.state.alerts)).toMatchObject([{ personId: 'p1', kind: 'support', urgency: 1, raisedAt: at(30), ackedAt: null }]);
    expect(step.events.filter(visibleTo(wren))).toEqual([]);
    expect(step.events.filter(visibleTo(river)).map((e) => e.type)).toEqual(['checkin.journey']);
    expect(viewFor(step.state, river).alerts).toEqual({});
    expect(viewFor(step.state, river).people.p1?.journey).toEqual({ signal: 'support', at: at(30) });
  });

  it('SUP1: "I need a break" raises a less urgent alert; "okay" raises none', () => {
    const s = inSession();
    expect(run(s, journey('break'), wren, at(30)).events[1]).toMatchObject({ type: 'alert.raised', audience: 'staff', payload: { kind: 'break', urgency: 2 } });
    expect(run(s, journey('okay'), wren, at(30)).events.map((e) => e.type)).toEqual(['checkin.journey']);
  });
});

// ── the pre-dose gate ──────────────────────────────────────────────────────────────────────────────────────────

describe('pre-dose gate', () => {
  it('the fixture meets every gate item, so each test below fails on exactly one', () => {
    for (const p of participants) {
      const s = prepared(p);
      expect(unmetRules(s, p)).toEqual([]);
      expect(gateFor(s, p.personId, T0).open).toBe(true);
      allowed(decide(s, dose(p), maya, T0));
    }
  });

  it('GATE1: no dose without a current prescriber clearance, and once cleared the dose is allowed', () => {
    const lapsed: Record<string, ScreeningRecord | null> = {
      expired: { ...screenings.p1, validUntil: '2026-11-21' },
      not_cleared: screening({ decision: 'not_cleared', notes: 'Blood pressure not controlled', prescription: null }),
      needs_review: screening({ decision: 'needs_review', prescription: null }),
      missing: null,
    };
    for (const [status, record] of Object.entries(lapsed)) {
      const s = prepared(river, {}, baseline, inSession(resynced({ p1: record })));
      expect(s.roster.p1?.clinical.clearance).toBe(status);
      expect(unmetRules(s, river)).toEqual(['GATE1']);
      expect(decide(s, dose(river), maya, T0), status).toMatchObject(refused('GATE1'));
      // The prescriber renews the clearance; the next sync loads it and the gate opens.
      const renewed = apply(s, sync(), system, at(-1));
      expect(unmetRules(renewed, river)).toEqual([]);
      allowed(decide(renewed, dose(river), maya, T0));
    }
  });

  it('GATE1: clearance can never be overridden', () => {
    const s = prepared(river, {}, baseline, inSession(resynced({ p1: { ...screenings.p1, validUntil: '2026-11-21' } })));
    expect(decide(s, override(river, 'clearance'), maya, T0)).toMatchObject(refused('GATE1'));
    expect(decide(s, dose(river), maya, T0)).toMatchObject(refused('GATE1'));
  });

  it('GATE1: a clearance override found in the record is ignored and the gate stays closed', () => {
    const s = prepared(river, {}, baseline, inSession(resynced({ p1: null })));
    const p1 = s.people.p1!;
    const forged: CircleState = {
      ...s,
      people: { ...s.people, p1: { ...p1, overrides: { clearance: { at: at(-5), by: 'f1', reason: 'Prescriber said it was fine' } } } },
    };
    const gate = gateFor(forged, 'p1', T0);
    expect(gate.open).toBe(false);
    expect(gate.items.find((i) => i.key === 'clearance')).toMatchObject({ met: false, override: null, overridable: false });
    expect(decide(forged, dose(river), maya, T0)).toMatchObject(refused('GATE1'));
  });

  it('GATE1: the first unmet item names the refusal, and the message lists every unmet item', () => {
    const s = inSession(resynced({ p1: null }));
    const d = decide(s, dose(river), maya, T0);
    expect(d).toMatchObject(refused('GATE1'));
    expect(d.ok ? '' : d.message).toMatch(/clearance.*fasting.*ride.*holds.*baseline/);
  });

  it('GATE3: the fasting window must have passed since the last food (3 h 59 refused, 4 h allowed)', () => {
    const s = prepared(river, { lastFoodAt: at(-239) });
    expect(unmetRules(s, river)).toEqual(['GATE3']);
    expect(decide(s, dose(river), maya, T0)).toMatchObject(refused('GATE3'));
    expect(gateFor(s, 'p1', T0).items.find((i) => i.key === 'fasting')?.detail).toBe('Last food 3.9 h ago; 4 h needed');
    expect(unmetRules(s, river, at(1))).toEqual([]);
    allowed(decide(s, dose(river), maya, at(1)));
    allowed(decide(apply(s, override(river, 'fasting'), maya, at(-1)), dose(river), maya, T0));
  });

  it('GATE3: the window is the clinic setting', () => {
    const s = prepared(river, { lastFoodAt: at(-150) }, baseline, inSession(apply(opened(), sync(roster(), { ...settings, fastingWindowHours: 2 }), system, at(-39))));
    allowed(decide(s, dose(river), maya, T0));
    expect(decide(prepared(river, { lastFoodAt: at(-150) }), dose(river), maya, T0)).toMatchObject(refused('GATE3'));
  });

  it('GATE4: a ride home or a chaperone must be confirmed', () => {
    const s = prepared(river, { ride: 'none' });
    expect(unmetRules(s, river)).toEqual(['GATE4']);
    expect(decide(s, dose(river), maya, T0)).toMatchObject(refused('GATE4'));
    for (const ride of ['ride', 'chaperone'] as RideHome[]) {
      allowed(decide(apply(s, predose({ ride }), river, at(-1)), dose(river), maya, T0));
    }
    allowed(decide(apply(s, override(river, 'ride'), maya, at(-1)), dose(river), maya, T0));
  });

  it('GATE5: the participant must confirm their medication holds were followed', () => {
    const s = prepared(sky, { holdsFollowed: false });
    expect(unmetRules(s, sky)).toEqual(['GATE5']);
    expect(decide(s, dose(sky), maya, T0)).toMatchObject(refused('GATE5'));
    const kept = apply(s, predose(), sky, at(-1));
    expect(gateFor(kept, 'p3', T0).items.find((i) => i.key === 'holds')).toMatchObject({ met: true, detail: 'lorazepam 48 h' });
    allowed(decide(kept, dose(sky), maya, T0));
    allowed(decide(apply(s, override(sky, 'holds'), maya, at(-1)), dose(sky), maya, T0));
  });

  it('GATE6: the baseline reading must be inside that person’s limits', () => {
    const s = prepared(river, {}, high);
    expect(unmetRules(s, river)).toEqual(['GATE6']);
    expect(decide(s, dose(river), maya, T0)).toMatchObject(refused('GATE6'));
    allowed(decide(apply(s, vitals(river), maya, at(-1)), dose(river), maya, T0));
    allowed(decide(apply(s, override(river, 'vitals'), maya, at(-1)), dose(river), maya, T0));
  });

  it('GATE6: no baseline reading at all keeps the gate closed', () => {
    const s = prepared(river, {}, null);
    expect(unmetRules(s, river)).toEqual(['GATE6']);
    expect(decide(s, dose(river), maya, T0)).toMatchObject(refused('GATE6'));
  });

  it('GATE6: limits are per person (165/95 blocks Wren, whose systolic limit is 160, and not River)', () => {
    expect(decide(prepared(wren, {}, highForWren), dose(wren), maya, T0)).toMatchObject(refused('GATE6'));
    allowed(decide(prepared(river, {}, highForWren), dose(river), maya, T0));
  });

  it('GATE7: an override needs a written reason of at least 10 characters, and stays with staff', () => {
    const s = prepared(river, { ride: 'none' });
    expect(decide(s, override(river, 'ride', '  too short  '), maya, T0)).toMatchObject(refused('GATE7'));
    expect(decide(s, override(river, 'ride', 'x'.repeat(9)), maya, T0)).toMatchObject(refused('GATE7'));
    expect(decide(s, override(river, 'ride'), river, T0)).toMatchObject(refused('CIR1'));
    const step = run(s, override(river, 'ride', '  Chaperone arrives at noon  '), maya, at(-1));
    expect(step.events).toMatchObject([{ type: 'gate.overridden', audience: 'staff', payload: { item: 'ride', reason: 'Chaperone arrives at noon' } }]);
    expect(step.state.people.p1?.overrides.ride).toEqual({ at: at(-1), by: 'f1', reason: 'Chaperone arrives at noon' });
    expect(gateFor(step.state, 'p1', T0)).toMatchObject({ open: true });
    expect(viewFor(step.state, river).people.p1?.overrides).toEqual({});
    allowed(decide(s, override(river, 'ride', 'x'.repeat(10)), maya, T0));
  });
});

// ── dosing and boosters ────────────────────────────────────────────────────────────────────────────────────────

describe('dosing', () => {
  it('DOSE1: a facilitator records the dose, for an admitted participant, while in session', () => {
    let s = apply(opened(), predose(), river, at(-30));
    s = apply(s, vitals(river), maya, at(-29));
    expect(decide(s, dose(river), maya, T0)).toMatchObject(refused('DOSE1'));
    s = inSession(s);
    expect(decide(s, dose(river), river, T0)).toMatchObject(refused('CIR1'));
    const step = run(s, dose(river), maya, T0);
    expect(step.events).toMatchObject([{ type: 'dose.recorded', audience: 'person:p1', payload: { personId: 'p1', doseMg: 200 } }]);
    expect(step.state.people.p1?.dose).toEqual({ at: T0, by: 'f1', doseMg: 200 });
    expect(step.events.filter(visibleTo(wren))).toEqual([]);

    const notAdmitted = inSession(opened([river, wren]));
    expect(decide(notAdmitted, dose(sky), maya, T0)).toMatchObject(refused('DOSE1'));
  });

  it('DOSE1: someone already discharged is not dosed (nobody would be watching them)', () => {
    const sentHome = apply(prepared(river), discharge(river), maya, at(-1));
    expect(decide(sentHome, dose(river), maya, T0)).toMatchObject(refused('DOSE1'));
  });

  it('DOSE2: the dose recorded is the prescribed dose', () => {
    const s = prepared(wren);
    expect(decide(s, dose(wren, 200), maya, T0)).toMatchObject(refused('DOSE2'));
    allowed(decide(s, dose(wren, 150), maya, T0));
    const d = dosed(river);
    expect(decide(d, booster(river, 200), maya, at(30))).toMatchObject(refused('DOSE2'));
  });

  it('DOSE3: a person is dosed once per circle, and overrides after dosing are refused', () => {
    const s = dosed(river);
    expect(decide(s, dose(river), maya, at(5))).toMatchObject(refused('DOSE3'));
    expect(decide(s, override(river, 'fasting'), maya, at(5))).toMatchObject(refused('DOSE3'));
  });

  it('BST1: a booster follows a recorded first dose, once, during the session', () => {
    expect(decide(prepared(river), booster(river), maya, at(30))).toMatchObject(refused('BST1'));
    const s = dosed(river);
    const boosted = run(s, booster(river), maya, at(30));
    expect(boosted.events).toMatchObject([{ type: 'booster.recorded', audience: 'person:p1', payload: { doseMg: 100 } }]);
    expect(boosted.state.people.p1?.booster).toEqual({ at: at(30), by: 'f1', doseMg: 100 });
    expect(decide(boosted.state, booster(river), maya, at(35))).toMatchObject(refused('BST1'));
    const gone = apply(s, discharge(river, 'Family emergency, leaving with partner'), maya, at(25));
    expect(decide(gone, booster(river), maya, at(30))).toMatchObject(refused('BST1'));
    const closed = apply(s, close('Power cut in the building'), maya, at(25));
    expect(decide(closed, booster(river), maya, at(30))).toMatchObject(refused('BST1'));
    expect(decide(s, booster(river), river, at(30))).toMatchObject(refused('CIR1'));
  });

  it('BST2: a booster needs one in the prescription', () => {
    expect(decide(dosed(wren), booster(wren), maya, at(30))).toMatchObject(refused('BST2'));
  });

  it('BST3: the booster is given only inside the prescribed window [20, 45] minutes', () => {
    const s = dosed(river);
    expect(decide(s, booster(river), maya, at(19))).toMatchObject(refused('BST3'));
    expect(decide(s, booster(river), maya, at(19.99))).toMatchObject(refused('BST3'));
    allowed(decide(s, booster(river), maya, at(20)));
    allowed(decide(s, booster(river), maya, at(45)));
    expect(decide(s, booster(river), maya, at(45.01))).toMatchObject(refused('BST3'));
    expect(decide(s, booster(river), maya, at(46))).toMatchObject(refused('BST3'));
    // The dashboard reads the same window from boosterDue.
    expect(boosterDue(s, 'p1', at(19))).toMatchObject({ doseMg: 100, window: [20, 45], state: 'not_yet', opensAt: at(20), closesAt: at(45) });
    expect(boosterDue(s, 'p1', at(30))?.state).toBe('open');
    expect(boosterDue(s, 'p1', at(46))?.state).toBe('passed');
    expect(boosterDue(run(s, booster(river), maya, at(30)).state, 'p1', at(31))).toBeNull();
    expect(boosterDue(s, 'p2', at(30))).toBeNull();
  });
});

// ── vitals and observation ─────────────────────────────────────────────────────────────────────────────────────

describe('vitals and observation', () => {
  it('VIT1: facilitators record anyone’s vitals; a participant records only their own', () => {
    const s = inSession();
    const own = run(s, vitals(river), river, T0);
    expect(own.events).toMatchObject([{ type: 'vitals.recorded', audience: 'person:p1' }]);
    expect(own.state.people.p1?.vitals).toEqual([{ ...baseline, at: T0, by: 'p1' }]);
    expect(decide(s, vitals(wren), river, T0)).toMatchObject(refused('VIT1'));
    expect(run(s, vitals(wren), maya, T0).state.people.p2?.vitals).toEqual([{ ...baseline, at: T0, by: 'f1' }]);
    expect(decide(synced(), vitals(river), maya, T0)).toMatchObject(refused('VIT1'));
  });

  it('VIT2: a reading outside the person’s limits raises an urgent alert for staff at once', () => {
    const s = inSession();
    const out = run(s, vitals(river, high), maya, at(40));
    expect(out.events.map((e) => [e.type, e.audience])).toEqual([
      ['vitals.recorded', 'person:p1'],
      ['alert.raised', 'staff'],
    ]);
    expect(out.events[1]?.payload).toEqual({ personId: 'p1', kind: 'vitals', urgency: 1, detail: 'Vitals out of range: systolic 190 above 180; diastolic 115 above 110' });
    expect(run(s, vitals(wren, highForWren), wren, at(40)).events.map((e) => e.type)).toEqual(['vitals.recorded', 'alert.raised']);
    expect(run(s, vitals(river, highForWren), maya, at(40)).events.map((e) => e.type)).toEqual(['vitals.recorded']);
    expect(run(s, vitals(river, { ...baseline, spo2: 88 }), maya, at(40)).events[1]?.payload).toMatchObject({ detail: 'Vitals out of range: SpO2 88 below 92' });
  });

  it('VIT3: baseline vitals are due at the start of the session and overdue 10 minutes later', () => {
    expect(vitalsDue(opened(), 'p1', T0)).toBeNull();
    const s = inSession();
    expect(vitalsDue(s, 'p1', at(-10))).toEqual({ label: 'Baseline vitals', dueAt: at(-20), overdue: false });
    expect(vitalsDue(s, 'p1', at(-9))?.overdue).toBe(true);
    expect(vitalsDue(apply(s, vitals(river), maya, at(-9)), 'p1', at(-9))).toBeNull();
  });

  it('VIT3: after the dose, vitals are due at about 40 minutes and at the end of the observation time', () => {
    let s = dosed(river);
    expect(vitalsDue(s, 'p1', at(50))).toEqual({ label: 'Vitals 40 min after dose', dueAt: at(40), overdue: false });
    expect(vitalsDue(s, 'p1', at(51))?.overdue).toBe(true);
    // A reading before 30 minutes does not count as the 40-minute one; one at 30 minutes does.
    s = apply(s, vitals(river), maya, at(29));
    expect(vitalsDue(s, 'p1', at(29))?.label).toBe('Vitals 40 min after dose');
    s = apply(s, vitals(river), maya, at(30));
    expect(vitalsDue(s, 'p1', at(30))).toEqual({ label: 'End-of-session vitals', dueAt: at(120), overdue: false });
    expect(vitalsDue(s, 'p1', at(130))?.overdue).toBe(false);
    expect(vitalsDue(s, 'p1', at(131))?.overdue).toBe(true);
    s = apply(s, vitals(river), maya, at(105));
    expect(vitalsDue(s, 'p1', at(131))).toBeNull();
  });

  it('VIT3: a booster moves the end of the observation time, and the end-of-session reading with it (DIS2)', () => {
    let s = apply(dosed(river), booster(river), maya, at(30));
    s = apply(s, vitals(river), maya, at(40));
    expect(vitalsDue(s, 'p1', at(40))).toEqual({ label: 'End-of-session vitals', dueAt: at(150), overdue: false });
    // A reading at 110 minutes is too early to count as the end one.
    expect(vitalsDue(apply(s, vitals(river), maya, at(110)), 'p1', at(161))?.overdue).toBe(true);
    expect(vitalsDue(apply(s, vitals(river), maya, at(135)), 'p1', at(161))).toBeNull();
  });

  it('VIT3: nothing is due for someone discharged', () => {
    const s = apply(dosed(river), discharge(river, 'Left early with a nurse escort'), maya, at(10));
    expect(vitalsDue(s, 'p1', at(60))).toBeNull();
  });

  it('VIT4: diastolic pressure must be below systolic', () => {
    const s = inSession();
    expect(decide(s, vitals(river, { systolic: 90, diastolic: 90, heartRate: 70 }), maya, T0)).toMatchObject(refused('VIT4'));
    expect(decide(s, vitals(river, { systolic: 80, diastolic: 120, heartRate: 70 }), river, T0)).toMatchObject(refused('VIT4'));
    allowed(decide(s, vitals(river, { systolic: 91, diastolic: 90, heartRate: 70 }), maya, T0));
  });

  it('OBS1: a dosed person needs an observation check 15 minutes after the dose and after each check', () => {
    expect(observationDue(prepared(river), 'p1', T0)).toBeNull();
    let s = apply(prepared(river), seen(river), maya, at(-5));
    s = dosed(river, s);
    // A check before the dose does not count.
    expect(observationDue(s, 'p1', at(15))).toEqual({ label: 'Observation check', dueAt: at(15), overdue: false });
    expect(observationDue(s, 'p1', at(16))?.overdue).toBe(true);
    const step = run(s, seen(river), maya, at(12));
    expect(step.events.map((e) => [e.type, e.audience])).toEqual([['observation.seen', 'staff']]);
    expect(observationDue(step.state, 'p1', at(27))).toEqual({ label: 'Observation check', dueAt: at(27), overdue: false });
    expect(observationDue(step.state, 'p1', at(28))?.overdue).toBe(true);
    expect(viewFor(step.state, river).people.p1?.observedAt).toBeNull();
    expect(decide(s, seen(river), river, at(12))).toMatchObject(refused('CIR1'));
    const gone = apply(step.state, discharge(river, 'Left early with a nurse escort'), maya, at(20));
    expect(observationDue(gone, 'p1', at(60))).toBeNull();
  });
});

// ── alerts and adverse events ──────────────────────────────────────────────────────────────────────────────────

describe('alerts', () => {
  it('ALR1: only facilitators acknowledge; an alert stays open until one does; twice changes nothing', () => {
    const s = apply(inSession(), journey('support'), river, at(30));
    const [alert] = Object.values(s.alerts);
    expect(decide(s, ack(alert!.id), river, at(31))).toMatchObject(refused('CIR1'));
    expect(decide(s, ack('a999'), maya, at(31))).toMatchObject(refused('ALR1'));
    expect(alertsAt(s, at(90)).map((a) => a.id)).toContain(alert!.id);
    const acked = run(s, ack(alert!.id), maya, at(32));
    expect(acked.events.map((e) => [e.type, e.audience])).toEqual([['alert.acknowledged', 'staff']]);
    expect(acked.state.alerts[alert!.id]).toMatchObject({ ackedAt: at(32), ackedBy: 'f1' });
    expect(decide(acked.state, ack(alert!.id), maya, at(33))).toEqual({ ok: true, value: [] });
    expect(alertsAt(acked.state, at(33)).map((a) => a.id)).not.toContain(alert!.id);
  });

  it('ALR3: an urgent alert is acknowledged with an optional note and who did it; a crisis only once for the clinic', () => {
    const s = apply(inSession(), vitals(river, high), maya, at(1));
    const [alert] = Object.values(s.alerts);
    const bare = apply(s, ack(alert!.id), maya, at(2));
    expect(bare.alerts[alert!.id]).toMatchObject({ ackedBy: 'f1', ackNote: null });
    const noted = apply(s, { type: 'alert.ack', alertId: alert!.id, note: 'Rechecked, 150/90' }, maya, at(2));
    expect(noted.alerts[alert!.id]).toMatchObject({ ackedBy: 'f1', ackNote: 'Rechecked, 150/90' });

    const crisis = apply(s, { type: 'alert.crisis', personId: 'p1', detail: 'PHQ-9 question 9', safetyAlertId: 'sa-1' }, system, at(3));
    const crisisAlert = Object.values(crisis.alerts).find((a) => a.kind === 'crisis')!;
    expect(alertsAt(crisis, at(3))).toEqual(expect.arrayContaining([expect.objectContaining({ id: crisisAlert.id, safetyAlertId: 'sa-1' })]));
    expect(decide(crisis, ack(crisisAlert.id), maya, at(4))).toMatchObject(refused('ALR3'));
    const lena: CircleActor = { personId: 'rx1', role: 'facilitator', displayName: 'Lena' };
    const once = run(crisis, { type: 'alert.crisisAck', safetyAlertId: 'sa-1', note: 'Called River, safe at home' }, lena, at(5));
    expect(once.events.map((e) => [e.type, e.payload])).toEqual([['alert.acknowledged', { alertId: crisisAlert.id, note: 'Called River, safe at home' }]]);
    expect(once.state.alerts[crisisAlert.id]).toMatchObject({ ackedBy: 'rx1', ackNote: 'Called River, safe at home' });
    expect(decide(once.state, { type: 'alert.crisisAck', safetyAlertId: 'sa-1', note: 'again' }, lena, at(6))).toEqual({ ok: true, value: [] });
  });

  it('ALR2: open alerts are listed most urgent first, then oldest first', () => {
    let s = allPrepared();
    s = apply(s, journey('break'), river, at(1));
    s = apply(s, vitals(sky, high), maya, at(2));
    s = apply(s, journey('support'), wren, at(3));
    expect(alertsAt(s, at(4)).map((a) => [a.person.id, a.kind, a.urgency])).toEqual([
      ['p3', 'vitals', 1],
      ['p2', 'support', 1],
      ['p1', 'break', 2],
    ]);
    expect(alertsAt(s, at(4)).every((a) => a.acknowledgeable)).toBe(true);
  });

  it('ALR2: derived alerts (observation or vitals overdue, dosed and disconnected) clear when the thing is done', () => {
    let s = allPrepared();
    s = dosed(river, s);
    s = apply(s, journey('break'), wren, at(10));
    const derived = alertsAt(s, at(52));
    expect(derived.map((a) => [a.person.id, a.kind, a.raisedAt])).toEqual([
      ['p2', 'break', at(10)],
      ['p1', 'observation', at(15)],
      ['p1', 'vitals_due', at(40)],
    ]);
    expect(derived.filter((a) => a.person.id === 'p1').every((a) => !a.acknowledgeable)).toBe(true);
    s = apply(s, seen(river), maya, at(52));
    s = apply(s, vitals(river), maya, at(52));
    expect(alertsAt(s, at(52)).map((a) => a.kind)).toEqual(['break']);

    const away = apply(s, leave('p1-phone'), river, at(53));
    expect(alertsAt(away, at(53)).filter((a) => a.person.id === 'p1')).toMatchObject([
      { kind: 'disconnected', urgency: 2, detail: 'Dosed and not connected', acknowledgeable: false },
    ]);
    expect(alertsAt(apply(away, join('p1-laptop'), river, at(54)), at(54)).filter((a) => a.person.id === 'p1')).toEqual([]);
  });

  it('ADV1: a facilitator records an adverse event with kind, severity and action; staff only', () => {
    const s = dosed(river);
    const nausea: AdverseEventInput = { kind: 'nausea', severity: 'mild', action: '  Ondansetron 4 mg given  ' };
    expect(decide(s, adverse(river, nausea), river, at(20))).toMatchObject(refused('CIR1'));
    expect(decide(s, adverse(river, { ...nausea, action: '   ' }), maya, at(20))).toMatchObject(refused('ADV1'));
    const step = run(s, adverse(river, nausea), maya, at(20));
    expect(step.events).toMatchObject([{ type: 'adverse.recorded', audience: 'staff' }]);
    expect(step.state.people.p1?.adverse).toEqual([{ kind: 'nausea', severity: 'mild', action: 'Ondansetron 4 mg given', at: at(20), by: 'f1' }]);
    expect(viewFor(step.state, river).people.p1?.adverse).toEqual([]);
  });
});

// ── status ─────────────────────────────────────────────────────────────────────────────────────────────────────

describe('status', () => {
  const level = (s: CircleState, p: CircleActor, now: string) => statusAt(s, now)[p.personId];

  it('STA1: every participant is green by default, with no reasons', () => {
    expect(statusAt(opened(), T0)).toEqual({
      p1: { level: 'green', reasons: [] },
      p2: { level: 'green', reasons: [] },
      p3: { level: 'green', reasons: [] },
    });
    expect(Object.values(statusAt(allPrepared(), at(-9))).map((x) => x.level)).toEqual(['green', 'green', 'green']);
    expect(level(dosed(river), river, at(10))).toEqual({ level: 'green', reasons: [] });
  });

  it('STA2: red for an unacknowledged support call, cleared by an acknowledgement', () => {
    const s = apply(prepared(river), journey('support'), river, at(1));
    expect(level(s, river, at(2))).toEqual({ level: 'red', reasons: ['Asked for support'] });
    const acked = apply(s, ack(Object.keys(s.alerts)[0]!), maya, at(2));
    expect(level(acked, river, at(3))).toEqual({ level: 'green', reasons: [] });
  });

  it('STA2: red while the latest vitals are outside that person’s limits', () => {
    const s = inSession();
    const out = apply(s, vitals(river, high), maya, at(-15));
    expect(level(out, river, at(-14))?.level).toBe('red');
    // One reason for one reading: the open alert says it.
    expect(level(out, river, at(-14))?.reasons).toEqual(['Vitals out of range: systolic 190 above 180; diastolic 115 above 110']);
    // The latest reading, not the alert, keeps it red.
    const acked = apply(out, ack(Object.keys(out.alerts)[0]!), maya, at(-14));
    expect(level(acked, river, at(-14))?.level).toBe('red');
    expect(level(acked, river, at(-14))?.reasons).toEqual(['Last vitals: systolic 190 above 180; diastolic 115 above 110']);
    // Back inside limits, but no pre-dose check-in yet: not red, and not ready to dose either (STA4).
    expect(level(apply(acked, vitals(river), maya, at(-13)), river, at(-13))?.level).toBe('waiting');
    // 165/95 is red only for Wren, whose systolic limit is 160.
    let both = apply(s, vitals(river, highForWren), maya, at(-15));
    both = apply(both, vitals(wren, highForWren), maya, at(-15));
    expect(level(both, river, at(-14))?.level).toBe('waiting');
    expect(level(both, wren, at(-14))?.level).toBe('red');
  });

  it('STA2: red after a severe adverse event', () => {
    const s = apply(dosed(river), adverse(river, { kind: 'hypertension', severity: 'severe', action: 'Prescriber called' }), maya, at(10));
    expect(level(s, river, at(11))).toEqual({ level: 'red', reasons: ['Severe adverse event recorded'] });
    const mild = apply(dosed(river), adverse(river, { kind: 'nausea', severity: 'mild', action: 'Water and rest' }), maya, at(10));
    expect(level(mild, river, at(11))?.level).toBe('green');
  });

  it('STA3: amber for an unacknowledged break request', () => {
    const s = apply(prepared(river), journey('break'), river, at(1));
    expect(level(s, river, at(2))).toEqual({ level: 'amber', reasons: ['Asked for a break'] });
    expect(level(apply(s, ack(Object.keys(s.alerts)[0]!), maya, at(2)), river, at(3))?.level).toBe('green');
  });

  it('STA3: amber for an overdue observation check', () => {
    const s = dosed(river);
    expect(level(s, river, at(15))?.level).toBe('green');
    expect(level(s, river, at(16))).toEqual({ level: 'amber', reasons: ['Observation check overdue'] });
  });

  it('STA3: amber for an overdue vitals reading', () => {
    expect(level(inSession(), river, T0)).toEqual({ level: 'amber', reasons: ['Baseline vitals overdue'] });
  });

  it('STA3: amber when dosed and not connected', () => {
    const s = apply(dosed(river), leave('p1-phone'), river, at(5));
    expect(level(s, river, at(6))).toEqual({ level: 'amber', reasons: ['Dosed and not connected'] });
    expect(level(apply(prepared(wren), leave('p2-phone'), wren, at(5)), wren, at(6))?.level).toBe('green');
  });

  it('STA1: red outranks amber and every reason is given in words', () => {
    let s = apply(dosed(river), journey('support'), river, at(20));
    s = apply(s, leave('p1-phone'), river, at(21));
    expect(level(s, river, at(22))).toEqual({ level: 'red', reasons: ['Asked for support', 'Observation check overdue', 'Dosed and not connected'] });
  });
});

// ── readiness to leave ─────────────────────────────────────────────────────────────────────────────────────────

describe('readiness to leave', () => {
  /** River dosed at T0 from a 122/78 HR 72 baseline, grounded, with a reading back near baseline. */
  function recovered(reading: VitalsInput = { systolic: 130, diastolic: 82, heartRate: 76 }, s = dosed(river)) {
    s = apply(s, vitals(river, reading), maya, at(100));
    return apply(s, after(true), river, at(110));
  }
  const unmet = (s: CircleState, now: string) =>
    readinessToLeave(s, 'p1', now)
      .items.filter((i) => !i.met)
      .map((i) => i.rule);

  it('DIS1: a ready person is discharged without a reason; a person is discharged once', () => {
    const s = recovered();
    expect(readinessToLeave(s, 'p1', at(120)).ready).toBe(true);
    expect(decide(s, discharge(river), river, at(120))).toMatchObject(refused('CIR1'));
    const step = run(s, discharge(river), maya, at(120));
    expect(step.events).toMatchObject([{ type: 'participant.discharged', audience: 'person:p1', payload: { personId: 'p1' } }]);
    expect(step.state.people.p1?.discharge).toEqual({ at: at(120), by: 'f1', reason: null });
    expect(decide(step.state, discharge(river, 'Discharged again by mistake'), maya, at(121))).toMatchObject(refused('DIS1'));
  });

  it('DIS1: a dosed person who is not ready needs a written reason; someone never dosed does not', () => {
    const s = recovered();
    const early = decide(s, discharge(river), maya, at(90));
    expect(early).toMatchObject(refused('DIS2'));
    expect(early.ok ? '' : early.message).toContain('written reason');
    expect(decide(s, discharge(river, 'too short'), maya, at(90))).toMatchObject(refused('DIS2'));
    const anyway = run(s, discharge(river, '  Collected by spouse, prescriber agreed  '), maya, at(90));
    expect(anyway.state.people.p1?.discharge?.reason).toBe('Collected by spouse, prescriber agreed');
    // The reason is a clinical note: staff only; the person sees only that they were discharged.
    expect(anyway.events?.map((e) => [e.type, e.audience])).toEqual([['participant.discharged', 'person:p1'], ['discharge.noted', 'staff']]);
    expect(viewFor(anyway.state, river).people.p1?.discharge?.reason).toBeNull();
    allowed(decide(inSession(), discharge(wren), maya, T0));
  });

  it('DIS2: the minimum observation time passes from the last dose', () => {
    const s = recovered();
    expect(unmet(s, at(119))).toEqual(['DIS2']);
    expect(unmet(s, at(120))).toEqual([]);
    const boosted = recovered(undefined, apply(dosed(river), booster(river), maya, at(30)));
    expect(unmet(boosted, at(120))).toEqual(['DIS2']);
    expect(unmet(boosted, at(150))).toEqual([]);
    expect(readinessToLeave(prepared(river), 'p1', T0).items[0]).toMatchObject({ rule: 'DIS2', met: false, detail: 'Not dosed' });
  });

  it('DIS3: a reading after dosing must be inside limits and near baseline', () => {
    expect(unmet(apply(dosed(river), after(true), river, at(110)), at(120))).toEqual(['DIS3']);
    // Baseline 122/78, HR 72: within 20 / 15 / 20 above it.
    expect(unmet(recovered({ systolic: 142, diastolic: 93, heartRate: 92 }), at(120))).toEqual([]);
    expect(unmet(recovered({ systolic: 143, diastolic: 80, heartRate: 80 }), at(120))).toEqual(['DIS3']);
    expect(unmet(recovered({ systolic: 130, diastolic: 94, heartRate: 80 }), at(120))).toEqual(['DIS3']);
    expect(unmet(recovered({ systolic: 130, diastolic: 80, heartRate: 93 }), at(120))).toEqual(['DIS3']);
    // A high baseline overridden at the gate: back near it is still not enough while outside limits.
    const highBase = dosed(river, apply(prepared(river, {}, high), override(river, 'vitals'), maya, at(-1)));
    expect(unmet(recovered({ systolic: 185, diastolic: 112, heartRate: 80 }, highBase), at(120))).toEqual(['DIS3']);
    expect(readinessToLeave(recovered({ systolic: 143, diastolic: 80, heartRate: 80 }), 'p1', at(120)).items[1]?.detail).toBe(
      'Not yet near baseline (reading 100 min after the dose: 143/80, HR 80)',
    );
  });

  it('DIS4: the participant reports feeling grounded', () => {
    let s = apply(dosed(river), vitals(river), maya, at(100));
    expect(unmet(s, at(120))).toEqual(['DIS4']);
    s = apply(s, after(false), river, at(110));
    expect(unmet(s, at(120))).toEqual(['DIS4']);
    expect(unmet(apply(s, after(true), river, at(115)), at(120))).toEqual([]);
  });

  it('DIS5: the ride home or chaperone is confirmed', () => {
    const noRide = dosed(river, apply(prepared(river, { ride: 'none' }), override(river, 'ride'), maya, at(-1)));
    const s = recovered(undefined, noRide);
    expect(unmet(s, at(120))).toEqual(['DIS5']);
    expect(decide(s, discharge(river), maya, at(120))).toMatchObject(refused('DIS5'));
    expect(unmet(apply(s, predose({ ride: 'chaperone' }), river, at(115)), at(120))).toEqual([]);
  });
});

// ── time and the log ───────────────────────────────────────────────────────────────────────────────────────────

describe('time', () => {
  afterEach(() => vi.useRealTimers());

  it('LOG5: time rules are checked against the `now` the log stamps, never the machine clock', () => {
    const s = prepared(river, { lastFoodAt: at(-239) });
    for (const clock of ['2020-01-01T00:00:00.000Z', '2030-01-01T00:00:00.000Z']) {
      vi.useFakeTimers({ now: Date.parse(clock) });
      expect(decide(s, dose(river), maya, T0)).toMatchObject(refused('GATE3'));
      const step = run(s, dose(river), maya, at(1));
      expect(step.state.people.p1?.dose?.at).toBe(at(1));
      expect(decide(step.state, booster(river), maya, at(21))).toMatchObject({ ok: true });
      expect(decide(step.state, booster(river), maya, at(20.99))).toMatchObject(refused('BST3'));
    }
  });
});

// ── audience: a participant's view is the fold of what they may see ────────────────────────────────────────────

type Move =
  | { t: 'open' | 'start' | 'hold' | 'unhold' }
  | { t: 'close'; reason: boolean }
  | { t: 'admit' | 'seen' | 'arrival' | 'dose' | 'booster'; who: number }
  | { t: 'predose'; who: number; foodHoursAgo: number; holds: boolean; ride: RideHome }
  | { t: 'journey'; who: number; signal: JourneySignal }
  | { t: 'after'; who: number; grounded: boolean }
  | { t: 'vitals'; who: number; byStaff: boolean; reading: number }
  | { t: 'override'; who: number; item: GateItem }
  | { t: 'adverse'; who: number; severe: boolean }
  | { t: 'ack'; pick: number }
  | { t: 'discharge'; who: number; reason: boolean }
  | { t: 'presence'; who: number; conn: 'a' | 'b'; join: boolean }
  | { t: 'round'; goAround: boolean; newVoices: boolean }
  | { t: 'raise' | 'lowerOwn' | 'lowerFor' | 'front'; who: number }
  | { t: 'turn'; pass: boolean }
  | { t: 'roundStaff'; type: 'round.next' | 'round.skip' | 'round.extend' | 'round.pause' | 'round.resume' | 'round.end' }
  | { t: 'reorder' | 'setOrder' }
  | { t: 'write'; who: number; group: boolean; anonymous: boolean }
  | { t: 'moderate'; pick: number; act: 'share.approve' | 'share.decline' | 'share.proposeEdit' | 'share.acceptEdit' | 'share.withdraw' };

const readings: VitalsInput[] = [baseline, high, highForWren, { systolic: 140, diastolic: 88, heartRate: 90 }, { systolic: 80, diastolic: 90, heartRate: 60 }];
const who = fc.integer({ min: 0, max: 2 });
const move: fc.Arbitrary<Move> = fc.oneof(
  { weight: 20, arbitrary: fc.constantFrom<Move>({ t: 'open' }, { t: 'start' }) },
  { weight: 4, arbitrary: fc.constantFrom<Move>({ t: 'hold' }, { t: 'unhold' }) },
  // Rare, so that most runs see a whole session before the circle closes.
  { weight: 1, arbitrary: fc.record({ t: fc.constant('close' as const), reason: fc.boolean() }) },
  { weight: 12, arbitrary: fc.record({ t: fc.constant('admit' as const), who }) },
  { weight: 12, arbitrary: fc.record({ t: fc.constantFrom('seen' as const, 'arrival' as const, 'booster' as const), who }) },
  { weight: 16, arbitrary: fc.record({ t: fc.constant('dose' as const), who }) },
  {
    weight: 16,
    // Mostly ready to be dosed, so that walks reach the dose and what follows it.
    arbitrary: fc.record({
      t: fc.constant('predose' as const),
      who,
      foodHoursAgo: fc.constantFrom(1, 3, 4, 5, 8),
      holds: fc.constantFrom(true, true, true, false),
      ride: fc.constantFrom<RideHome>('ride', 'chaperone', 'ride', 'none'),
    }),
  },
  { weight: 12, arbitrary: fc.record({ t: fc.constant('journey' as const), who, signal: fc.constantFrom<JourneySignal>('okay', 'support', 'break') }) },
  { weight: 4, arbitrary: fc.record({ t: fc.constant('after' as const), who, grounded: fc.boolean() }) },
  { weight: 16, arbitrary: fc.record({ t: fc.constant('vitals' as const), who, byStaff: fc.boolean(), reading: fc.integer({ min: 0, max: readings.length - 1 }) }) },
  { weight: 8, arbitrary: fc.record({ t: fc.constant('override' as const), who, item: fc.constantFrom(...gateItems) }) },
  { weight: 4, arbitrary: fc.record({ t: fc.constant('adverse' as const), who, severe: fc.boolean() }) },
  { weight: 8, arbitrary: fc.record({ t: fc.constant('ack' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('discharge' as const), who, reason: fc.boolean() }) },
  { weight: 12, arbitrary: fc.record({ t: fc.constant('presence' as const), who: fc.integer({ min: 0, max: 3 }), conn: fc.constantFrom<'a' | 'b'>('a', 'b'), join: fc.boolean() }) },
);
/** Sharing rounds and written shares: drawn beside the moves above, so that walks reach dosing as often as before. */
const social: fc.Arbitrary<Move> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ t: fc.constant('round' as const), goAround: fc.boolean(), newVoices: fc.boolean() }) },
  { weight: 8, arbitrary: fc.record({ t: fc.constantFrom('raise' as const, 'raise' as const, 'lowerOwn' as const, 'lowerFor' as const, 'front' as const), who }) },
  { weight: 4, arbitrary: fc.record({ t: fc.constant('turn' as const), pass: fc.boolean() }) },
  {
    weight: 6,
    arbitrary: fc.record({
      t: fc.constant('roundStaff' as const),
      type: fc.constantFrom('round.next' as const, 'round.next' as const, 'round.skip' as const, 'round.extend' as const, 'round.pause' as const, 'round.resume' as const, 'round.end' as const),
    }),
  },
  { weight: 2, arbitrary: fc.constantFrom<Move>({ t: 'reorder' }, { t: 'setOrder' }) },
  { weight: 4, arbitrary: fc.record({ t: fc.constant('write' as const), who, group: fc.boolean(), anonymous: fc.boolean() }) },
  {
    weight: 6,
    arbitrary: fc.record({
      t: fc.constant('moderate' as const),
      pick: fc.nat(),
      act: fc.constantFrom('share.approve' as const, 'share.approve' as const, 'share.decline' as const, 'share.proposeEdit' as const, 'share.acceptEdit' as const, 'share.withdraw' as const),
    }),
  },
);

/** The actor and command a move stands for, in the state and at the time it is made. */
function commandFor(m: Move, s: CircleState, now: string): [CircleActor, CircleCommand] {
  const p = 'who' in m ? (participants[m.who] ?? maya) : maya;
  const reason = 'Agreed with the prescriber on call';
  switch (m.t) {
    case 'open':
      return [maya, open];
    case 'start':
      return [maya, start];
    case 'hold':
      return [maya, { type: 'hold.start' }];
    case 'unhold':
      return [maya, { type: 'hold.end' }];
    case 'close':
      return [maya, close(m.reason ? reason : undefined)];
    case 'admit':
      return [maya, admit(p)];
    case 'seen':
      return [maya, seen(p)];
    case 'arrival':
      return [p, arrival];
    case 'dose':
      return [maya, dose(p)];
    case 'booster':
      return [maya, booster(p)];
    case 'predose':
      return [p, { type: 'checkin.predose', lastFoodAt: new Date(Date.parse(now) - m.foodHoursAgo * 3_600_000).toISOString(), holdsFollowed: m.holds, ride: m.ride }];
    case 'journey':
      return [p, journey(m.signal)];
    case 'after':
      return [p, after(m.grounded)];
    case 'vitals':
      return [m.byStaff ? maya : p, vitals(p, readings[m.reading])];
    case 'override':
      return [maya, override(p, m.item)];
    case 'adverse':
      return [maya, adverse(p, { kind: 'distress', severity: m.severe ? 'severe' : 'moderate', action: 'Sat with them, breathing' })];
    case 'ack': {
      const ids = Object.keys(s.alerts);
      return [maya, ack(ids.length > 0 ? ids[m.pick % ids.length]! : 'a0')];
    }
    case 'discharge':
      return [maya, discharge(p, m.reason ? reason : undefined)];
    case 'presence':
      return [p, m.join ? join(`${p.personId}-${m.conn}`) : leave(`${p.personId}-${m.conn}`)];
    case 'round':
      return [maya, { type: 'round.start', prompt: 'What is here now?', mode: m.goAround ? 'go_around' : 'open_floor', timeBoxMinutes: 2, newVoicesFirst: m.newVoices }];
    case 'raise':
      return [p, { type: 'hand.raise' }];
    case 'lowerOwn':
      return [p, { type: 'hand.lower' }];
    case 'lowerFor':
      return [maya, { type: 'hand.lower', personId: p.personId }];
    case 'front':
      return [maya, { type: 'queue.front', personId: p.personId }];
    case 'turn':
      return [participants.find((x) => x.personId === s.round?.speaker?.personId) ?? maya, { type: m.pass ? 'turn.pass' : 'turn.done' }];
    case 'roundStaff':
      return [maya, { type: m.type }];
    case 'reorder':
      return [maya, { type: 'queue.reorder', queue: [...(s.round?.queue ?? [])].reverse() }];
    case 'setOrder':
      return [maya, { type: 'round.setOrder', order: [...(s.round?.order ?? [])].reverse() }];
    case 'write':
      return [p, { type: 'share.write', text: 'Something shifted today.', audience: m.group ? 'group' : 'facilitator', anonymous: m.anonymous }];
    case 'moderate': {
      const shares = Object.values(s.shares);
      const share = shares[m.pick % Math.max(1, shares.length)];
      const shareId = share?.id ?? 'sh0';
      const author = participants.find((x) => x.personId === share?.authorId) ?? river;
      if (m.act === 'share.decline') return [maya, { type: m.act, shareId, note: 'Let us talk about this one after.' }];
      if (m.act === 'share.proposeEdit') return [maya, { type: m.act, shareId, text: 'Something shifted.' }];
      return [m.act === 'share.approve' ? maya : author, { type: m.act, shareId }];
    }
  }
}

describe('audience', () => {
  it('AUD4: a participant’s view never holds another’s record, staff-only parts, alerts, roster or settings', () => {
    let s = dosed(river);
    s = apply(s, journey('support'), river, at(20));
    s = apply(s, adverse(river, { kind: 'distress', severity: 'moderate', action: 'Sat with them' }), maya, at(21));
    s = apply(s, seen(river), maya, at(22));
    s = apply(s, vitals(wren), maya, at(23));
    s = apply(s, close('Ended early for a fire drill'), maya, at(24));
    const view = viewFor(s, river);
    expect(Object.keys(view.people)).toEqual(['p1']);
    expect(view.people.p1).toMatchObject({ dose: { doseMg: 200 }, journey: { signal: 'support' }, observedAt: null, overrides: {}, adverse: [] });
    expect(view).toMatchObject({ alerts: {}, roster: {}, settings: null, closeReason: null });
    expect(viewFor(s, maya)).toBe(s);
  });

  it('AUD4: a staff-only event about someone gives them no record of their own', () => {
    const s = apply(apply(inSession(), seen(wren), maya, T0), adverse(wren, { kind: 'other', severity: 'mild', action: 'Blanket' }), maya, T0);
    expect(s.people.p2).toBeDefined();
    expect(viewFor(s, wren).people).toEqual({});
  });

  it('AUD4 (property): folding what a participant may see gives their view of the folded state', () => {
    const numRuns = 150;
    /** How many runs reached each kind of event: the property means little if the walks never dose anyone. */
    const reached = new Map<string, number>();
    fc.assert(
      fc.property(fc.array(fc.record({ m: move, also: fc.option(social, { freq: 2 }), minutes: fc.integer({ min: 0, max: 20 }) }), { minLength: 50, maxLength: 120 }), fc.nat(), (moves, cut) => {
        const start = initialCircleState(circleId);
        let s = start;
        let minutes = -60;
        const events: CircleEvent[] = [];
        const step = (actor: CircleActor, command: CircleCommand) => {
          const r = run(s, command, actor, at(minutes));
          s = r.state;
          events.push(...r.events);
        };
        step(system, sync());
        for (const { m, also, minutes: later } of moves) {
          minutes += later;
          step(...commandFor(m, s, at(minutes)));
          if (also) step(...commandFor(also, s, at(minutes)));
        }
        for (const type of new Set(events.map((e) => e.type))) reached.set(type, (reached.get(type) ?? 0) + 1);
        // From the empty state, from the synced roster, and from a point chosen at random.
        for (const from of new Set([0, 2, cut % (events.length + 1)])) {
          const initial = fold(start, events.slice(0, from));
          const rest = events.slice(from);
          for (const viewer of participants) {
            const seenEvents = rest.filter(visibleTo(viewer));
            const theirs = fold(viewFor(initial, viewer), seenEvents);
            const expected = viewFor(s, viewer);
            // A viewer's seq is that of the last event they saw: staff-only events after it are not theirs to count.
            expect(theirs.seq).toBe(seenEvents.at(-1)?.seq ?? initial.seq);
            expect({ ...theirs, seq: expected.seq }).toEqual(expected);
            expect(Object.keys(theirs.people).every((id) => id === viewer.personId)).toBe(true);
            expect(theirs).toMatchObject({ alerts: {}, roster: {}, settings: null, closeReason: null, roundSummaries: [] });
            expect(Object.values(theirs.shares).every((share) => share.authorId === viewer.personId)).toBe(true);
            const own = theirs.people[viewer.personId];
            if (own) expect(own).toMatchObject({ observedAt: null, overrides: {}, adverse: [] });
          }
        }
      }),
      { numRuns },
    );
    for (const type of ['dose.recorded', 'gate.overridden', 'observation.seen', 'adverse.recorded', 'alert.acknowledged', 'participant.discharged', 'round.summarized', 'share.published']) {
      // A loose floor: enough walks reach each event for the property to mean something, without flaking.
      expect(reached.get(type) ?? 0, type).toBeGreaterThan(numRuns / 30);
    }
  });
});
