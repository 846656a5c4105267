import { describe, expect, it } from 'vitest';
import {
  acknowledgementAsked,
  alertKey,
  alertsAt,
  fromCircleAlert,
  fromSafetyAlert,
  initialCircleState,
  mergeAlerts,
  type Alert,
  type CircleState,
  type ClinicAlert,
  type SafetyAlertRecord,
} from './index.js';

const T = '2026-11-22T15:00:00.000Z';
const later = '2026-11-22T15:05:00.000Z';

function circleWith(id: string, alerts: Alert[]): CircleState {
  const state = initialCircleState(id);
  state.admitted = { p1: { displayName: 'River', at: T } };
  state.alerts = Object.fromEntries(alerts.map((a) => [a.id, a]));
  return state;
}
const raised = (over: Partial<Alert>): Alert => ({
  id: 'a1',
  personId: 'p1',
  kind: 'support',
  urgency: 1,
  detail: 'Asked for support',
  raisedAt: T,
  ackedAt: null,
  ackedBy: null,
  ackNote: null,
  ...over,
});
const row: SafetyAlertRecord = {
  id: '00000000-0000-4000-8000-000000000001',
  participantId: 'p1',
  instrument: 'phq9',
  assessmentKey: 'baseline',
  item: '44260-8',
  answer: 1,
  raisedAt: T,
  acknowledgedAt: null,
  acknowledgedBy: null,
  note: null,
};
const people = { names: new Map([['p1', 'Jordan Ellis'], ['rx1', 'Dr Lindqvist']]), cohortsOf: () => [{ id: 'c1', name: 'Autumn cohort', displayName: 'River' }] };

describe('one alert model', () => {
  it('ALR4: a circle alert, a call after the close and a questionnaire safety alert are the same shape', () => {
    const circle = circleWith('circle-1', [raised({}), raised({ id: 'a2', afterClose: true, ackedAt: later, ackedBy: 'rx1', ackNote: 'Phoned' })]);
    const onDashboard = alertsAt(circle, T);
    const afterClose = fromCircleAlert(circle, circle.alerts.a2!, { title: 'Dosing circle', names: people.names });
    const safety = fromSafetyAlert(row, people);
    const shape = (a: ClinicAlert) => Object.keys(a).sort();
    expect(shape(onDashboard[0]!)).toEqual(shape(safety));
    expect(shape(afterClose)).toEqual(shape(safety));
    expect(onDashboard.map((a) => [a.id, a.person.name, a.circle])).toEqual([['a1', 'River', { id: 'circle-1', title: null }]]);
    expect(afterClose).toMatchObject({ afterClose: true, circle: { title: 'Dosing circle' }, acknowledgement: { by: { id: 'rx1', name: 'Dr Lindqvist' }, at: later, note: 'Phoned' } });
    expect(safety).toMatchObject({
      kind: 'crisis',
      urgency: 1,
      circle: null,
      safetyAlertId: row.id,
      person: { name: 'Jordan Ellis', cohorts: [{ displayName: 'River' }] },
      answer: { ref: 'PHQ-9 question 9', answer: 'Several days', question: expect.stringContaining('better off dead') },
      detail: 'answered PHQ-9 question 9 “Thoughts that you would be better off dead…”: Several days',
      acknowledgement: null,
    });
    expect(fromSafetyAlert({ ...row, acknowledgedAt: later, acknowledgedBy: 'rx1', note: 'Called River' }, people).acknowledgement).toEqual({
      by: { id: 'rx1', name: 'Dr Lindqvist' },
      at: later,
      note: 'Called River',
    });
    // A circle's ids are its own: the same id in two circles is two alerts.
    expect(alertKey(onDashboard[0]!)).not.toEqual(alertKey(alertsAt(circleWith('circle-2', [raised({})]), T)[0]!));
  });

  it('ALR5: how an alert is acknowledged follows from the alert alone', () => {
    const circle = circleWith('circle-1', [
      raised({}),
      raised({ id: 'a2', kind: 'break', urgency: 2, detail: 'Asked for a break' }),
      raised({ id: 'a3', kind: 'crisis', safetyAlertId: row.id }),
    ]);
    const asked = Object.fromEntries(alertsAt(circle, T).map((a) => [a.kind, acknowledgementAsked(a)]));
    expect(asked).toEqual({ support: 'optional-note', break: 'at-once', crisis: 'what-was-done' });
    expect(acknowledgementAsked(fromSafetyAlert(row, people))).toBe('what-was-done');
    expect(acknowledgementAsked({ kind: 'observation', urgency: 2, acknowledgeable: false })).toBeNull();
  });

  it('ALR6: copies of one alert make one entry, the acknowledged copy wins, newest first', () => {
    const open = fromSafetyAlert(row, people);
    const acked = fromSafetyAlert({ ...row, acknowledgedAt: later, acknowledgedBy: 'rx1', note: 'Called River' }, people);
    const newer = fromSafetyAlert({ ...row, id: '00000000-0000-4000-8000-000000000002', raisedAt: later }, people);
    expect(mergeAlerts([acked], [open, newer]).map((a) => [a.id, a.acknowledgement?.note ?? null])).toEqual([
      [newer.id, null],
      [row.id, 'Called River'],
    ]);
    expect(mergeAlerts([open], [acked])[0]!.acknowledgement).not.toBeNull();
  });
});
