import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { apply, run } from './testing.js';
import {
  alertsAt,
  assessmentSchedule,
  attendanceFrom,
  bandFor,
  changeOf,
  checkAnswers,
  checkJournalDraft,
  clinicalFacts,
  cohortOutcome,
  defaultClinicSettings,
  initialCircleState,
  instrumentIds,
  instruments,
  isOpen,
  LOINC,
  mean,
  meansByPoint,
  median,
  optionScore,
  progressAt,
  readiness,
  scoreAnswers,
  shareTextFrom,
  SHARE_TEXT_LIMIT,
  statusAt,
  trendOf,
  viewFor,
  type Answers,
  type CircleActor,
  type CircleEvent,
  type InstrumentId,
  type ProgramCircle,
  type ScoredResponse,
} from './index.js';

const answersWith = (id: InstrumentId, score: (index: number) => number): Answers =>
  Object.fromEntries(instruments[id].item.map((item, i) => [item.linkId, score(i)]));

/** Complete, valid answers to an instrument: one of each item's own options. */
const validAnswers = (id: InstrumentId) =>
  fc.tuple(...instruments[id].item.map((item) => fc.constantFrom(...item.answerOption.map(optionScore)))).map((scores) => answersWith(id, (i) => scores[i]!));

describe('instruments', () => {
  it('QST0: PHQ-9 and GAD-7 carry the LOINC panel, total, item and answer codes', () => {
    expect(instruments.phq9.code[0]).toMatchObject({ system: LOINC, code: '44249-1' });
    expect(instruments.phq9.totalCode).toMatchObject({ system: LOINC, code: '44261-6' });
    expect(instruments.gad7.code[0]).toMatchObject({ system: LOINC, code: '69737-5' });
    expect(instruments.gad7.totalCode).toMatchObject({ system: LOINC, code: '70274-6' });
    expect(instruments.phq9.item.map((i) => i.linkId)).toEqual(['44250-9', '44255-8', '44259-0', '44254-1', '44251-7', '44258-2', '44252-5', '44253-3', '44260-8']);
    expect(instruments.gad7.item.map((i) => i.linkId)).toEqual(['69725-0', '68509-9', '69733-4', '69734-2', '69735-9', '69689-8', '69736-7']);
    for (const id of ['phq9', 'gad7'] as const) {
      for (const item of instruments[id].item) {
        expect(item.code[0]?.system).toBe(LOINC);
        expect(item.answerOption.map((o) => [o.valueCoding.code, optionScore(o)])).toEqual([
          ['LA6568-5', 0],
          ['LA6569-3', 1],
          ['LA6570-1', 2],
          ['LA6571-9', 3],
        ]);
      }
    }
  });

  it('QST0: item counts and score ranges are the published ones', () => {
    expect(instruments.phq9.item).toHaveLength(9);
    expect(instruments.gad7.item).toHaveLength(7);
    expect(instruments.pcl5.item).toHaveLength(20);
    for (const id of instrumentIds) {
      const max = instruments[id].item.reduce((sum, i) => sum + Math.max(...i.answerOption.map(optionScore)), 0);
      expect(max).toBe(instruments[id].maxScore);
    }
    expect([instruments.phq9.maxScore, instruments.gad7.maxScore, instruments.pcl5.maxScore]).toEqual([27, 21, 80]);
  });
});

describe('scoring', () => {
  it('QST3: PHQ-9 bands at every published boundary', () => {
    const cases: [number, string][] = [
      [0, 'minimal'], [4, 'minimal'], [5, 'mild'], [9, 'mild'], [10, 'moderate'], [14, 'moderate'],
      [15, 'moderately_severe'], [19, 'moderately_severe'], [20, 'severe'], [27, 'severe'],
    ];
    for (const [total, band] of cases) expect(bandFor(instruments.phq9, total).key, `PHQ-9 ${total}`).toBe(band);
  });

  it('QST3: GAD-7 bands at every published boundary', () => {
    const cases: [number, string][] = [[0, 'minimal'], [4, 'minimal'], [5, 'mild'], [9, 'mild'], [10, 'moderate'], [14, 'moderate'], [15, 'severe'], [21, 'severe']];
    for (const [total, band] of cases) expect(bandFor(instruments.gad7, total).key, `GAD-7 ${total}`).toBe(band);
  });

  it('QST3: PCL-5 is read against the probable-PTSD cut-off of 33', () => {
    expect(bandFor(instruments.pcl5, 32).key).toBe('below_cutoff');
    expect(bandFor(instruments.pcl5, 33).key).toBe('probable_ptsd');
    expect(bandFor(instruments.pcl5, 80).key).toBe('probable_ptsd');
  });

  it('QST3: a total outside the scale has no band', () => {
    expect(() => bandFor(instruments.phq9, 28)).toThrow(RangeError);
    expect(() => bandFor(instruments.gad7, -1)).toThrow(RangeError);
  });

  it('QST3: the bands of each instrument cover 0..max with no gap and no overlap, mildest first', () => {
    for (const id of instrumentIds) {
      const bands = instruments[id].bands;
      expect(bands[0]!.min).toBe(0);
      expect(bands.at(-1)!.max).toBe(instruments[id].maxScore);
      for (let i = 1; i < bands.length; i++) {
        expect(bands[i]!.min).toBe(bands[i - 1]!.max + 1);
        expect(bands[i]!.level).toBeGreaterThan(bands[i - 1]!.level);
      }
    }
  });

  it('QST3 (property): the total is the sum of the item scores, within 0..max, and its band holds it', () => {
    for (const id of instrumentIds) {
      fc.assert(
        fc.property(validAnswers(id), (answers) => {
          const score = scoreAnswers(id, answers);
          const sum = Object.values(answers).reduce((a, b) => a + b, 0);
          return score.total === sum && score.total >= 0 && score.total <= instruments[id].maxScore && score.band.min <= score.total && score.total <= score.band.max;
        }),
        { numRuns: 300 },
      );
    }
  });

  it('QST3 (property): answering any item higher never lowers the total or the band', () => {
    fc.assert(
      fc.property(validAnswers('phq9'), fc.nat(8), (answers, k) => {
        const item = instruments.phq9.item[k]!;
        const raised = { ...answers, [item.linkId]: Math.min(3, answers[item.linkId]! + 1) };
        const [a, b] = [scoreAnswers('phq9', answers), scoreAnswers('phq9', raised)];
        return b.total >= a.total && b.band.level >= a.band.level;
      }),
    );
  });

  it('QST1, QST2 (property): complete valid answers pass; a missing item or an answer outside the options is refused', () => {
    for (const id of instrumentIds) {
      fc.assert(
        fc.property(validAnswers(id), fc.nat(instruments[id].item.length - 1), fc.integer({ min: -3, max: 9 }), (answers, k, wrong) => {
          const linkId = instruments[id].item[k]!.linkId;
          const missing = { ...answers };
          delete missing[linkId];
          const valid = instruments[id].item[k]!.answerOption.map(optionScore);
          const outside = valid.includes(wrong) ? null : { ...answers, [linkId]: wrong };
          const ok = checkAnswers(instruments[id], answers);
          const refusedMissing = checkAnswers(instruments[id], missing);
          return ok.ok && !refusedMissing.ok && refusedMissing.rule === 'QST1' && (outside === null || checkAnswers(instruments[id], outside).ok === false);
        }),
        { numRuns: 200 },
      );
    }
  });

  it('QST2: an answer to a question the instrument does not have is refused', () => {
    const r = checkAnswers(instruments.gad7, { ...answersWith('gad7', () => 0), '44260-8': 1 });
    expect(r).toMatchObject({ ok: false, rule: 'QST2' });
  });

  it('QST1: the message says how many questions are still open', () => {
    expect(checkAnswers(instruments.phq9, { '44250-9': 1 })).toMatchObject({ ok: false, rule: 'QST1', message: expect.stringContaining('8 questions') });
  });

  it('CRS1 (property): a PHQ-9 is a crisis exactly when question 9 is answered above 0; GAD-7 and PCL-5 never are', () => {
    fc.assert(
      fc.property(validAnswers('phq9'), (answers) => {
        const score = scoreAnswers('phq9', answers);
        return score.crisis === (answers['44260-8']! > 0) && score.crisisAnswer === answers['44260-8'];
      }),
    );
    fc.assert(fc.property(validAnswers('gad7'), (answers) => !scoreAnswers('gad7', answers).crisis));
    fc.assert(fc.property(validAnswers('pcl5'), (answers) => !scoreAnswers('pcl5', answers).crisis), { numRuns: 50 });
  });
});

// ── schedule ────────────────────────────────────────────────────────────────────────────────────────────────────
const day = (d: number, hour = 17) => new Date(Date.UTC(2027, 0, 1 + d, hour)).toISOString();
const program: ProgramCircle[] = [
  { id: 'prep', kind: 'preparation', title: 'Preparation circle', startsAt: day(0) },
  { id: 'dose1', kind: 'dosing', title: 'Dosing circle 1', startsAt: day(7) },
  { id: 'int1', kind: 'integration', title: 'Integration circle 1', startsAt: day(9) },
  { id: 'dose2', kind: 'dosing', title: 'Dosing circle 2', startsAt: day(21) },
  { id: 'int2', kind: 'integration', title: 'Integration circle 2', startsAt: day(23) },
];

describe('schedule', () => {
  const schedule = assessmentSchedule(program, { followUpDays: 30 });
  const point = (key: string) => schedule.find((p) => p.key === key)!;

  it('SCH1: baseline is open from enrolment, due by the first circle and closed when the first dose is given', () => {
    expect(point('baseline')).toMatchObject({ opensAt: null, dueAt: day(0), closesAt: day(7) });
  });

  it('SCH2: after each dosing circle, when its integration circle starts, until the next dose', () => {
    expect(point('after-dose1')).toMatchObject({ kind: 'post_dosing', circleId: 'dose1', opensAt: day(9), dueAt: day(16), closesAt: day(21), label: 'After Dosing circle 1' });
    expect(point('after-dose2')).toMatchObject({ opensAt: day(23), dueAt: day(30), closesAt: day(53) });
  });

  it('SCH2: a dosing circle with no integration circle before the next dose opens a day later', () => {
    const s = assessmentSchedule([program[1]!, { ...program[3]! }], { followUpDays: 30 });
    expect(s.find((p) => p.key === 'after-dose1')).toMatchObject({ opensAt: day(8), closesAt: day(21) });
  });

  it('SCH2: the due date never falls after the point closes', () => {
    const close = assessmentSchedule([program[1]!, program[2]!, { ...program[3]!, startsAt: day(11) }], { followUpDays: 30 });
    expect(close.find((p) => p.key === 'after-dose1')).toMatchObject({ opensAt: day(9), dueAt: day(11), closesAt: day(11) });
  });

  it('SCH3: follow-up opens the set number of days after the last circle and stays open', () => {
    expect(point('follow_up')).toMatchObject({ opensAt: day(53), dueAt: day(60), closesAt: null, label: '30-day follow-up' });
    expect(assessmentSchedule(program, { followUpDays: 14 }).find((p) => p.key === 'follow_up')?.opensAt).toBe(day(37));
  });

  it('SCH1: a program with no circles has nothing to answer', () => {
    expect(assessmentSchedule([], { followUpDays: 30 })).toEqual([]);
  });

  it('SCH4: each point is upcoming, due, late, missed or done, by the time and what was answered', () => {
    const both = ['phq9', 'gad7'] as const;
    const at = (now: string, answered: { assessmentKey: string; instrument: InstrumentId }[] = []) =>
      Object.fromEntries(progressAt(schedule, both, answered, now).map((p) => [p.point.key, p.status]));
    expect(at(day(-1))).toMatchObject({ baseline: 'due', 'after-dose1': 'upcoming', follow_up: 'upcoming' });
    expect(at(day(1))).toMatchObject({ baseline: 'overdue' });
    expect(at(day(8))).toMatchObject({ baseline: 'missed' });
    expect(at(day(8), [{ assessmentKey: 'baseline', instrument: 'phq9' }, { assessmentKey: 'baseline', instrument: 'gad7' }])).toMatchObject({ baseline: 'done' });
    expect(at(day(10))).toMatchObject({ 'after-dose1': 'due' });
    const half = progressAt(schedule, both, [{ assessmentKey: 'baseline', instrument: 'phq9' }], day(-1)).find((p) => p.point.key === 'baseline')!;
    expect(half).toMatchObject({ status: 'due', missing: ['gad7'] });
    expect(at(day(61))).toMatchObject({ follow_up: 'overdue', 'after-dose2': 'missed' });
  });

  it('SCH4 (property): a point is open exactly while it is due or late', () => {
    fc.assert(
      fc.property(fc.integer({ min: -5, max: 80 }), fc.integer({ min: 0, max: 23 }), (d, h) => {
        const now = day(d, h);
        return progressAt(schedule, ['phq9'], [], now).every((p) => isOpen(p.point, now) === (p.status === 'due' || p.status === 'overdue'));
      }),
    );
  });
});

// ── outcomes ────────────────────────────────────────────────────────────────────────────────────────────────────
const resp = (participantId: string, instrument: InstrumentId, assessmentKey: string, total: number, d: number): ScoredResponse => ({
  participantId,
  instrument,
  assessmentKey,
  total,
  submittedAt: day(d),
});

describe('outcomes', () => {
  const responses = [
    resp('a', 'phq9', 'baseline', 16, -1),
    resp('a', 'phq9', 'after-dose1', 10, 10),
    resp('a', 'phq9', 'follow_up', 4, 55),
    resp('b', 'phq9', 'baseline', 12, -2),
    resp('b', 'phq9', 'after-dose1', 9, 11),
    resp('c', 'phq9', 'baseline', 8, -1),
    resp('a', 'gad7', 'baseline', 10, -1),
    resp('a', 'gad7', 'follow_up', 6, 55),
  ];

  it('OUT1: one person’s trend is in time order, with the band of each total', () => {
    expect(trendOf(responses, 'a', 'phq9').map((p) => [p.assessmentKey, p.total, p.band.key])).toEqual([
      ['baseline', 16, 'moderately_severe'],
      ['after-dose1', 10, 'moderate'],
      ['follow_up', 4, 'minimal'],
    ]);
  });

  it('OUT2, OUT3: baseline to latest, response at a 50% drop and remission below 5', () => {
    expect(changeOf(responses, 'a', 'phq9')).toEqual({ participantId: 'a', baseline: 16, latest: 4, change: -12, response: true, remission: true });
    expect(changeOf(responses, 'b', 'phq9')).toMatchObject({ change: -3, response: false, remission: false });
    expect(changeOf(responses, 'c', 'phq9')).toBeNull();
    expect(changeOf([resp('d', 'phq9', 'baseline', 10, 0), resp('d', 'phq9', 'follow_up', 5, 50)], 'd', 'phq9')).toMatchObject({ response: true, remission: false });
    expect(changeOf([resp('e', 'phq9', 'baseline', 0, 0), resp('e', 'phq9', 'follow_up', 0, 50)], 'e', 'phq9')).toMatchObject({ response: false, remission: true });
    expect(changeOf([resp('f', 'pcl5', 'baseline', 50, 0), resp('f', 'pcl5', 'follow_up', 2, 50)], 'f', 'pcl5')).toMatchObject({ response: true, remission: false });
  });

  it('OUT2: a cohort’s change from baseline: mean and median over the people with both', () => {
    const o = cohortOutcome(responses, ['a', 'b', 'c', 'z'], 'phq9');
    expect(o).toMatchObject({ enrolled: 4, withBaseline: 3, paired: 2, meanBaseline: 14, meanLatest: 6.5, meanChange: -7.5, medianChange: -7.5, responders: 1, remitters: 1 });
    expect(cohortOutcome(responses, ['a', 'b', 'c'], 'pcl5')).toMatchObject({ paired: 0, meanChange: null, medianChange: null, remitters: null });
  });

  it('OUT2 (property): the mean change is the mean latest minus the mean baseline, and the median lies within the changes', () => {
    const person = fc.record({ baseline: fc.integer({ min: 0, max: 27 }), latest: fc.integer({ min: 0, max: 27 }) });
    fc.assert(
      fc.property(fc.array(person, { minLength: 1, maxLength: 12 }), (people) => {
        const rs = people.flatMap((p, i) => [resp(`p${i}`, 'phq9', 'baseline', p.baseline, 0), resp(`p${i}`, 'phq9', 'follow_up', p.latest, 40)]);
        const o = cohortOutcome(rs, people.map((_, i) => `p${i}`), 'phq9');
        const changes = people.map((p) => p.latest - p.baseline);
        return (
          o.paired === people.length &&
          Math.abs(o.meanChange! - (o.meanLatest! - o.meanBaseline!)) < 1e-9 &&
          o.medianChange! >= Math.min(...changes) &&
          o.medianChange! <= Math.max(...changes) &&
          o.responders <= o.paired &&
          (o.remitters ?? 0) <= o.paired
        );
      }),
    );
  });

  it('OUT4: the cohort mean at each point, in schedule order', () => {
    expect(meansByPoint(responses, 'phq9', ['baseline', 'after-dose1', 'follow_up'])).toEqual([
      { assessmentKey: 'baseline', n: 3, mean: 12 },
      { assessmentKey: 'after-dose1', n: 2, mean: 9.5 },
      { assessmentKey: 'follow_up', n: 1, mean: 4 },
    ]);
  });

  it('mean and median of nothing are null; the median of an even count is the middle pair’s mean', () => {
    expect([mean([]), median([])]).toEqual([null, null]);
    expect(median([5, 1, 3, 9])).toBe(4);
    expect(median([7, 1, 3])).toBe(3);
  });
});

// ── attendance ──────────────────────────────────────────────────────────────────────────────────────────────────
describe('attendance', () => {
  let seq = 0;
  const e = (type: CircleEvent['type'], minutes: number, payload: object): CircleEvent =>
    ({ circleId: 'c1', seq: ++seq, at: new Date(Date.parse(day(0)) + minutes * 60_000).toISOString(), actor: 'x', audience: 'all', type, payload }) as CircleEvent;
  const joined = (personId: string, connectionId: string, m: number) => e('presence.joined', m, { personId, displayName: personId, role: 'participant', connectionId, device: 'phone' });
  const left = (personId: string, connectionId: string, m: number) => e('presence.left', m, { personId, connectionId });
  const events = [
    e('circle.opened', 0, {}),
    joined('a', 'n1', 1),
    joined('a', 'n2', 5),
    left('a', 'n1', 10),
    e('participant.admitted', 12, { personId: 'a', displayName: 'A' }),
    joined('b', 'n3', 20),
    left('b', 'n3', 30),
    e('dose.recorded', 40, { personId: 'a', doseMg: 200 }),
    e('circle.closed', 61, {}),
  ];

  it('ATT1: let in is attended; came but not let in is arrived; never came is absent', () => {
    const rows = attendanceFrom(events, ['a', 'b', 'c'], day(5));
    expect(rows.map((r) => [r.personId, r.status])).toEqual([
      ['a', 'attended'],
      ['b', 'arrived'],
      ['c', 'absent'],
    ]);
    expect(rows[0]).toMatchObject({ dosed: true, discharged: false, firstArrivedAt: new Date(Date.parse(day(0)) + 60_000).toISOString() });
  });

  it('ATT1: time present counts several devices once and stops when the circle closes', () => {
    const rows = attendanceFrom(events, ['a', 'b'], day(5));
    expect(rows.find((r) => r.personId === 'a')!.minutesPresent).toBe(60);
    expect(rows.find((r) => r.personId === 'b')!.minutesPresent).toBe(10);
  });

  it('ATT2: a circle still under way counts until now; one that never opened was not held', () => {
    const open = events.slice(0, 3);
    expect(attendanceFrom(open, ['a'], new Date(Date.parse(day(0)) + 31 * 60_000).toISOString())[0]!.minutesPresent).toBe(30);
    expect(attendanceFrom([], ['a'], day(1))[0]!.status).toBe('not_held');
  });
});

// ── journal ─────────────────────────────────────────────────────────────────────────────────────────────────────
describe('journal', () => {
  it('JRN2: an entry says something, within the limits', () => {
    expect(checkJournalDraft({ circleId: null, prompts: { insights: '  ' }, commitments: [{ text: ' ', done: false }] })).toMatchObject({ ok: false, rule: 'JRN2' });
    expect(checkJournalDraft({ circleId: null, prompts: { emotions: 'x'.repeat(5001) }, commitments: [] })).toMatchObject({ ok: false, rule: 'JRN2' });
    const ok = checkJournalDraft({ circleId: 'c1', prompts: { imagery: ' Blue light ' }, commitments: [{ text: ' Call my sister ', done: false }, { text: '', done: false }] });
    expect(ok).toEqual({ ok: true, value: { circleId: 'c1', prompts: { insights: '', emotions: '', imagery: 'Blue light' }, commitments: [{ text: 'Call my sister', done: false }] } });
  });

  it('JRN3: an entry brought to a circle becomes one share, its parts in order, within the share limit', () => {
    expect(shareTextFrom({ prompts: { insights: 'I can rest.', emotions: '', imagery: 'A wide river.' } })).toBe('I can rest.\n\nA wide river.');
    const long = shareTextFrom({ prompts: { insights: 'a'.repeat(3000), emotions: '', imagery: '' } });
    expect(long.length).toBe(SHARE_TEXT_LIMIT);
    expect(long.endsWith('…')).toBe(true);
  });
});

// ── crisis alerts on the live dashboard ─────────────────────────────────────────────────────────────────────────
describe('crisis alert in a circle', () => {
  const maya: CircleActor = { personId: 'f1', role: 'facilitator', displayName: 'Maya' };
  const river: CircleActor = { personId: 'p1', role: 'participant', displayName: 'River' };
  const wren: CircleActor = { personId: 'p2', role: 'participant', displayName: 'Wren' };
  const system: CircleActor = { personId: 'system', role: 'facilitator', displayName: 'Holdspace' };
  const T = '2027-01-01T17:00:00.000Z';
  const facts = clinicalFacts(null, defaultClinicSettings.vitalLimits, '2027-01-01', { current: {}, signed: {} });
  const synced = apply(
    initialCircleState('c1'),
    { type: 'roster.sync', kind: 'preparation', roster: { p1: { displayName: 'River', clinical: facts }, p2: { displayName: 'Wren', clinical: facts } }, settings: { fastingWindowHours: 4, minObservationMinutes: 120 } },
    system,
    T,
  );
  const crisis = { type: 'alert.crisis' as const, personId: 'p1', detail: 'PHQ-9 question 9 (thoughts of self-harm) answered “Several days”. Reach out now.', safetyAlertId: 's1' };

  it('CRS2: in a circle under way it raises the most urgent alert, for staff only, and the card turns red', () => {
    const open = apply(synced, { type: 'circle.open' }, maya, T);
    const step = run(open, crisis, system, T);
    expect(step.events).toHaveLength(1);
    expect(step.events[0]).toMatchObject({ type: 'alert.raised', audience: 'staff', payload: { personId: 'p1', kind: 'crisis', urgency: 1 } });
    expect(alertsAt(step.state, T)[0]).toMatchObject({ kind: 'crisis', urgency: 1, acknowledgeable: true });
    expect(statusAt(step.state, T).p1).toMatchObject({ level: 'red', reasons: [crisis.detail] });
    expect(viewFor(step.state, river).alerts).toEqual({});
    expect(viewFor(step.state, wren).alerts).toEqual({});
  });

  it('CRS2: a circle not under way, or a person not on its roster, records nothing (the clinic’s alert list has it)', () => {
    expect(run(synced, crisis, system, T).events).toEqual([]);
    const open = apply(synced, { type: 'circle.open' }, maya, T);
    expect(run(open, { ...crisis, personId: 'someone-else' }, system, T).events).toEqual([]);
    const closed = apply(open, { type: 'circle.close' }, maya, T);
    expect(run(closed, crisis, system, T).events).toEqual([]);
  });
});

// ── readiness badges ────────────────────────────────────────────────────────────────────────────────────────────
describe('readiness with questionnaires', () => {
  const schedule = assessmentSchedule(program, { followUpDays: 30 });
  const base = { currentConsents: {}, signedConsents: {}, latestScreening: null };
  const badges = (now: string, answered: { assessmentKey: string; instrument: InstrumentId }[] = []) => {
    const r = readiness({ ...base, assessments: progressAt(schedule, ['phq9', 'gad7'], answered, now) }, '2027-01-01');
    return [r.baseline, r.questionnaires];
  };
  const both = (assessmentKey: string) => (['phq9', 'gad7'] as const).map((instrument) => ({ assessmentKey, instrument }));

  it('RDY4: the baseline badge says due, late, missed or done; the questionnaire badge counts what is open now', () => {
    expect(badges(day(-1))).toEqual([{ state: 'warn', label: 'Baseline due' }, { state: 'ok', label: 'No questionnaires due' }]);
    expect(badges(day(1))[0]).toEqual({ state: 'warn', label: 'Baseline late' });
    expect(badges(day(8))[0]).toEqual({ state: 'missing', label: 'Baseline missed' });
    expect(badges(day(10), both('baseline'))).toEqual([{ state: 'ok', label: 'Baseline done' }, { state: 'warn', label: 'Questionnaires due' }]);
    expect(badges(day(17), both('baseline'))[1]).toEqual({ state: 'warn', label: 'Questionnaires late' });
    expect(readiness({ ...base, assessments: null }, '2027-01-01').baseline).toEqual({ state: 'warn', label: 'Baseline pending' });
  });
});
