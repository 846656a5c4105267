import {
  assessmentSchedule,
  attendanceFrom,
  bandFor,
  checkAnswers,
  cohortOutcome,
  instruments,
  isOpen,
  meansByPoint,
  changeOf,
  progressAt,
  scoreAnswers,
  trendOf,
  fromSafetyAlert,
  type AssessmentPoint,
  type ClinicAlert,
  type CircleEvent,
  type InstrumentId,
  type PointProgress,
  type ScoredResponse,
} from '@holdspace/domain';
import type { ClinicScope, ResponseRow, SafetyAlertRow } from '@holdspace/db';
import type { CohortOutcomes, ClinicOverview, MyAssessment, ParticipantOutcomes, ResponseSummary, SubmitResponse } from '@holdspace/protocol';
import { HttpError } from '../plugins/errors.js';

export type CohortRow = NonNullable<Awaited<ReturnType<ClinicScope['cohort']>>>;

/** The cohort's assessment points, from its program (SCH1-SCH3). */
export function scheduleOf(cohort: CohortRow): AssessmentPoint[] {
  return assessmentSchedule(
    cohort.circles.map((c) => ({ id: c.id, kind: c.kind, title: c.title, startsAt: c.startsAt.toISOString() })),
    { followUpDays: cohort.followUpDays },
  );
}

const scored = (r: ResponseRow): ScoredResponse => ({
  participantId: r.participantId,
  instrument: r.instrument,
  assessmentKey: r.assessmentKey,
  total: r.total,
  submittedAt: r.submittedAt.toISOString(),
});

/** Where one person stands at each of a cohort's points (SCH4). */
export function progressOf(cohort: CohortRow, responses: readonly ResponseRow[], participantId: string, now: Date): PointProgress[] {
  const mine = responses.filter((r) => r.participantId === participantId && r.cohortId === cohort.id);
  return progressAt(scheduleOf(cohort), cohort.instruments, mine, now.toISOString());
}

/** Safety alerts as the clinicians see them, with names and the cohorts each person is in. */
export async function alertViews(scope: ClinicScope, rows: SafetyAlertRow[]): Promise<ClinicAlert[]> {
  if (rows.length === 0) return [];
  const participantIds = [...new Set(rows.map((r) => r.participantId))];
  const [names, enrolled] = await Promise.all([
    scope.names([...new Set([...participantIds, ...rows.flatMap((r) => (r.acknowledgedBy ? [r.acknowledgedBy] : []))])]),
    scope.enrollmentsOf(participantIds),
  ]);
  const cohortsOf = (id: string) => enrolled.filter((e) => e.userId === id).map((e) => ({ id: e.cohortId, name: e.cohortName, displayName: e.displayName }));
  return rows.map((row) =>
    fromSafetyAlert({ ...row, raisedAt: row.raisedAt.toISOString(), acknowledgedAt: row.acknowledgedAt?.toISOString() ?? null }, { names, cohortsOf }),
  );
}

const labelOf = (schedule: readonly AssessmentPoint[], key: string) => schedule.find((p) => p.key === key)?.label ?? key;

export function toResponseSummary(r: ResponseRow, schedule: readonly AssessmentPoint[]): ResponseSummary {
  return {
    id: r.id,
    cohortId: r.cohortId,
    instrument: r.instrument,
    assessmentKey: r.assessmentKey,
    assessmentLabel: labelOf(schedule, r.assessmentKey),
    submittedAt: r.submittedAt.toISOString(),
    total: r.total,
    band: bandFor(instruments[r.instrument], r.total),
    answers: r.answers,
  };
}

/** The questionnaires of the signed-in participant, per cohort and point, soonest first. */
export async function myAssessments(scope: ClinicScope, participantId: string, now: Date): Promise<MyAssessment[]> {
  const [cohorts, responses] = await Promise.all([scope.cohorts({ enrolled: participantId }), scope.responses({ participantId })]);
  // What can be answered now first, then what opens next, then what is done or missed.
  const rank = { due: 0, overdue: 0, upcoming: 1, done: 2, missed: 3 } as const;
  return cohorts
    .flatMap((cohort) =>
      progressOf(cohort, responses, participantId, now).map((p): MyAssessment => ({
        cohort: { id: cohort.id, name: cohort.name },
        point: p.point,
        status: p.status,
        instruments: cohort.instruments.map((id) => ({
          id,
          answeredAt: responses.find((r) => r.cohortId === cohort.id && r.assessmentKey === p.point.key && r.instrument === id)?.submittedAt.toISOString() ?? null,
        })),
      })),
    )
    .sort((a, b) => rank[a.status] - rank[b.status] || a.point.dueAt.localeCompare(b.point.dueAt));
}

/**
 * QST1-QST5: checks a submitted questionnaire against the person's cohort, schedule and the instrument, and scores
 * it. Throws a clear error that changes nothing when anything is off.
 */
export async function checkSubmission(scope: ClinicScope, participantId: string, body: SubmitResponse, now: Date) {
  const [cohort] = await scope.cohorts({ id: body.cohortId, enrolled: participantId });
  if (!cohort) throw new HttpError(404, 'NOT_FOUND', 'You are not part of that cohort.');
  if (!cohort.instruments.includes(body.instrument)) throw new HttpError(400, 'RULE_VIOLATION', `${instruments[body.instrument].shortTitle} is not given in this cohort.`, 'QST4');
  const point = scheduleOf(cohort).find((p) => p.key === body.assessmentKey);
  if (!point) throw new HttpError(404, 'NOT_FOUND', 'There is no such questionnaire in your program.');
  if (!isOpen(point, now.toISOString())) {
    const message = point.opensAt && now.toISOString() < point.opensAt ? 'This questionnaire is not open yet.' : 'This questionnaire has closed.';
    throw new HttpError(409, 'RULE_VIOLATION', message, 'QST5');
  }
  const checked = checkAnswers(instruments[body.instrument], body.answers);
  if (!checked.ok) throw new HttpError(400, 'RULE_VIOLATION', checked.message, checked.rule);
  return { cohort, point, answers: checked.value, score: scoreAnswers(body.instrument, checked.value) };
}

/** OUT1-OUT4, ATT1: one cohort's outcomes and attendance. */
export async function cohortOutcomes(scope: ClinicScope, cohort: CohortRow, now: Date): Promise<CohortOutcomes> {
  const circleIds = cohort.circles.map((c) => c.id);
  const [roster, responses, events, alerts] = await Promise.all([
    scope.roster(cohort.id),
    scope.responses({ cohortIds: [cohort.id] }),
    scope.circleEvents(circleIds),
    scope.safetyAlerts({ open: true }),
  ]);
  const ids = roster.map((r) => r.participantId);
  const schedule = scheduleOf(cohort);
  const all = responses.map(scored);
  const byCircle = groupEvents(events);
  const attendance = cohort.circles.map((c) => ({ circle: c, rows: attendanceFrom(byCircle.get(c.id) ?? [], ids, now.toISOString()) }));
  return {
    cohort: { id: cohort.id, name: cohort.name, timeZone: cohort.timeZone },
    settings: { instruments: cohort.instruments, followUpDays: cohort.followUpDays },
    schedule,
    summary: cohort.instruments.map((i) => cohortOutcome(all, ids, i)),
    means: cohort.instruments.map((i) => ({ instrument: i, points: meansByPoint(all, i, schedule.map((p) => p.key)) })),
    participants: roster.map((r) => ({
      participantId: r.participantId,
      name: r.name,
      displayName: r.displayName,
      progress: progressOf(cohort, responses, r.participantId, now).map((p) => ({ key: p.point.key, status: p.status })),
      latest: cohort.instruments.flatMap((i) => {
        const last = trendOf(all, r.participantId, i).at(-1);
        return last ? [{ instrument: i, total: last.total, band: last.band, at: last.at }] : [];
      }),
      openSafetyAlerts: alerts.filter((a) => a.participantId === r.participantId).length,
    })),
    circles: cohort.circles.map((c) => ({ id: c.id, title: c.title, kind: c.kind, startsAt: c.startsAt.toISOString(), status: statusFrom(byCircle.get(c.id) ?? []) })),
    attendance: roster.map((r) => ({
      participantId: r.participantId,
      cells: attendance.map(({ circle, rows }) => {
        const a = rows.find((x) => x.personId === r.participantId)!;
        return { circleId: circle.id, status: a.status, minutesPresent: a.minutesPresent, dosed: a.dosed };
      }),
    })),
  };
}

/** One person's responses, changes and safety alerts, across the cohorts they are in. */
export async function participantOutcomes(scope: ClinicScope, person: { id: string; name: string }, cohortsVisible: CohortRow[]): Promise<ParticipantOutcomes> {
  const cohortIds = cohortsVisible.map((c) => c.id);
  const [responses, enrolled, alerts] = await Promise.all([
    scope.responses({ participantId: person.id, cohortIds }),
    scope.enrollmentsOf([person.id]),
    scope.safetyAlerts({ participantIds: [person.id] }),
  ]);
  const schedules = new Map(cohortsVisible.map((c) => [c.id, scheduleOf(c)]));
  return {
    participant: person,
    cohorts: cohortsVisible.map((c) => ({ id: c.id, name: c.name, displayName: enrolled.find((e) => e.cohortId === c.id)?.displayName ?? '', instruments: c.instruments })),
    responses: responses.map((r) => toResponseSummary(r, schedules.get(r.cohortId) ?? [])),
    changes: cohortsVisible.flatMap((c) =>
      c.instruments.map((i) => ({ cohortId: c.id, instrument: i, change: changeOf(responses.filter((r) => r.cohortId === c.id).map(scored), person.id, i) })),
    ),
    safetyAlerts: await alertViews(scope, alerts.filter((a) => responses.some((r) => r.id === a.responseId))),
  };
}

/** OUT5: every cohort of the clinic, side by side. */
export async function clinicOverview(scope: ClinicScope, cohorts: CohortRow[], now: Date): Promise<ClinicOverview> {
  const [responses, events] = await Promise.all([scope.responses({ cohortIds: cohorts.map((c) => c.id) }), scope.circleEvents(cohorts.flatMap((c) => c.circles.map((x) => x.id)))]);
  const byCircle = groupEvents(events);
  const rosters = await Promise.all(cohorts.map((c) => scope.roster(c.id)));
  return {
    cohorts: cohorts.map((cohort, k) => {
      const ids = rosters[k]!.map((r) => r.participantId);
      const all = responses.filter((r) => r.cohortId === cohort.id).map(scored);
      const cells = cohort.circles.flatMap((c) => attendanceFrom(byCircle.get(c.id) ?? [], ids, now.toISOString())).filter((a) => a.status !== 'not_held');
      return {
        id: cohort.id,
        name: cohort.name,
        enrolled: ids.length,
        firstCircleAt: cohort.circles[0]?.startsAt.toISOString() ?? null,
        lastCircleAt: cohort.circles.at(-1)?.startsAt.toISOString() ?? null,
        attendanceRate: cells.length === 0 ? null : cells.filter((a) => a.status === 'attended').length / cells.length,
        summary: cohort.instruments.map((i: InstrumentId) => {
          const { changes: _changes, ...rest } = cohortOutcome(all, ids, i);
          return rest;
        }),
      };
    }),
  };
}

export function groupEvents(events: readonly CircleEvent[]): Map<string, CircleEvent[]> {
  const by = new Map<string, CircleEvent[]>();
  for (const e of events) {
    const list = by.get(e.circleId);
    if (list) list.push(e);
    else by.set(e.circleId, [e]);
  }
  return by;
}

/** A circle's status from its log: the last lifecycle event says it. */
function statusFrom(events: readonly CircleEvent[]): 'scheduled' | 'open' | 'in_session' | 'closed' {
  const types = new Set(events.map((e) => e.type));
  return types.has('circle.closed') ? 'closed' : types.has('circle.started') ? 'in_session' : types.has('circle.opened') ? 'open' : 'scheduled';
}
