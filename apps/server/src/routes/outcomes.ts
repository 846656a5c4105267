import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ClinicScope, Database } from '@holdspace/db';
import {
  acknowledgeAlertSchema,
  acknowledgeUrgentSchema,
  careAlertParamsSchema,
  clinicOverviewSchema,
  cohortOutcomesSchema,
  cohortParamsSchema,
  participantOutcomesSchema,
  safetyAlertParamsSchema,
  safetyAlertQuerySchema,
  alertSchema,
  userParamsSchema,
} from '@holdspace/protocol';
import { auditMeta, authorize, scopeOf } from '../plugins/auth.js';
import { errorResponses, HttpError } from '../plugins/errors.js';
import { adverseEventsCsv, attendanceCsv, scoresCsv } from '../services/exports.js';
import { fhirBundle } from '../services/fhir.js';
import { alertViews, clinicOverview, cohortOutcomes, participantOutcomes, scheduleOf, type CohortRow } from '../services/outcomes.js';
import type { AuthedUser } from '../services/sessions.js';
import type { CircleService } from '../services/circle-service.js';
import { careAlertsOf, type SafetyNotifier } from '../services/safety.js';

/** CARE1 keeps care at most a day after the dose: older circles are not looked through. */
const CARE_LOOKBACK_MS = 2 * 24 * 3_600_000;
import { visibleCohort } from './cohorts.js';
import { fileSlug, sendFhir, sendFile } from './files.js';

const errors = errorResponses;
const seesAllCohorts = (user: AuthedUser) => user.roles.includes('admin') || user.roles.includes('prescriber');

/** The cohorts this staff member may see: all of them for admins and prescribers, their own for a facilitator. */
async function cohortsVisibleTo(scope: ClinicScope, user: AuthedUser): Promise<CohortRow[]> {
  return scope.cohorts(seesAllCohorts(user) ? {} : { facilitatedBy: user.id });
}

/** A participant of this clinic, and those of their cohorts this staff member may see; 404 when none. */
async function visibleParticipant(scope: ClinicScope, user: AuthedUser, userId: string) {
  const person = await scope.person(userId);
  if (person?.kind !== 'participant') throw new HttpError(404, 'NOT_FOUND', 'No such participant, or not one of yours.');
  const theirs = await scope.cohorts({ enrolled: person.id });
  const cohorts = seesAllCohorts(user) ? theirs : theirs.filter((c) => c.facilitators.some((f) => f.id === user.id));
  if (cohorts.length === 0) throw new HttpError(404, 'NOT_FOUND', 'No such participant, or not one of yours.');
  return { person, cohorts };
}

/** The participants whose safety alerts this clinician sees: every one for prescribers, their cohorts' for facilitators. */
async function alertScope(scope: ClinicScope, user: AuthedUser): Promise<string[] | undefined> {
  if (user.roles.includes('prescriber')) return undefined;
  const mine = await scope.cohorts({ facilitatedBy: user.id });
  const rosters = await Promise.all(mine.map((c) => scope.roster(c.id)));
  return [...new Set(rosters.flat().map((r) => r.participantId))];
}


/** Outcomes, attendance, safety alerts and exports for clinic staff. Every read of a person's scores is audited. */
export const outcomeRoutes: FastifyPluginAsyncZod<{ db: Database; now: () => Date; safety: SafetyNotifier; circles: CircleService }> = async (
  app,
  { db, now, safety, circles },
) => {
  // ── safety alerts ───────────────────────────────────────────────────────────────────────────────────────────
  app.get(
    '/api/safety-alerts',
    { schema: { tags: ['outcomes'], summary: 'Safety alerts from questionnaires, newest first', querystring: safetyAlertQuerySchema, response: { 200: z.array(alertSchema), ...errors } } },
    async (request) => {
      const user = authorize(request, 'safety.view');
      const scope = scopeOf(db, user);
      const rows = await scope.safetyAlerts({ open: request.query.status === 'open', participantIds: await alertScope(scope, user) });
      await scope.audit(rows.map((r) => ({ ...auditMeta(request), action: 'read', resourceType: 'safety_alert', resourceId: r.id, subjectId: r.participantId })));
      return alertViews(scope, rows);
    },
  );

  app.post(
    '/api/safety-alerts/:alertId/acknowledge',
    {
      schema: {
        tags: ['outcomes'],
        summary: 'Acknowledge a safety alert, saying what was done',
        params: safetyAlertParamsSchema,
        body: acknowledgeAlertSchema,
        response: { 200: alertSchema, ...errors },
      },
    },
    async (request) => {
      const user = authorize(request, 'safety.view');
      const scope = scopeOf(db, user);
      const allowed = await alertScope(scope, user);
      const [alert] = await scope.safetyAlerts({ id: request.params.alertId, participantIds: allowed });
      if (!alert) throw new HttpError(404, 'NOT_FOUND', 'No such safety alert.');
      if (alert.acknowledgedAt) throw new HttpError(409, 'CONFLICT', 'This alert has already been acknowledged.');
      const row = await scope.acknowledgeAlert(alert.id, user.id, request.body.note, now());
      if (!row) throw new HttpError(409, 'CONFLICT', 'This alert has already been acknowledged.');
      await scope.audit({ ...auditMeta(request), action: 'acknowledge', resourceType: 'safety_alert', resourceId: row.id, subjectId: row.participantId });
      return safety.acknowledged(scope, row, user);
    },
  );

  // ── care after close (CARE2) ────────────────────────────────────────────────────────────────────────────────
  /** The closed circles of the last days whose calls for support this clinician answers, with their states. */
  async function closedCircles(scope: ClinicScope, user: AuthedUser) {
    const cohorts = await scope.cohorts(user.roles.includes('prescriber') ? {} : { facilitatedBy: user.id });
    const since = now().getTime() - CARE_LOOKBACK_MS;
    // A circle may be opened ahead of its time: any scheduled since then may hold someone under care.
    const recent = cohorts.flatMap((c) => c.circles).filter((c) => c.startsAt.getTime() >= since);
    const states = await scope.circleStates(recent.map((c) => c.id));
    return recent.flatMap((c) => {
      const state = states.get(c.id);
      return state?.status === 'closed' ? [{ circle: c, state }] : [];
    });
  }

  app.get(
    '/api/care-alerts',
    { schema: { tags: ['outcomes'], summary: 'Open calls for support from people under care after their circle closed', response: { 200: z.array(alertSchema), ...errors } } },
    async (request) => {
      const user = authorize(request, 'safety.view');
      const scope = scopeOf(db, user);
      const alerts = (await closedCircles(scope, user)).flatMap(({ circle, state }) => careAlertsOf(circle, state, new Map()));
      await scope.audit(alerts.map((a) => ({ ...auditMeta(request), action: 'read', resourceType: 'care_alert', resourceId: a.circle!.id, subjectId: a.person.id })));
      return alerts.sort((a, b) => b.raisedAt.localeCompare(a.raisedAt));
    },
  );

  app.post(
    '/api/care-alerts/:circleId/:alertId/acknowledge',
    {
      schema: {
        tags: ['outcomes'],
        summary: 'Acknowledge a call for support made after the circle closed, with an optional note',
        params: careAlertParamsSchema,
        body: acknowledgeUrgentSchema,
        response: { 200: alertSchema, ...errors },
      },
    },
    async (request) => {
      const user = authorize(request, 'safety.view');
      const scope = scopeOf(db, user);
      const found = (await closedCircles(scope, user)).find((c) => c.circle.id === request.params.circleId);
      const alert = found?.state.alerts[request.params.alertId];
      if (!found) throw new HttpError(404, 'NOT_FOUND', 'No such circle, or not one you look after.');
      if (!alert?.afterClose) throw new HttpError(409, 'CONFLICT', 'There is no call for support with this id in this circle.');
      if (alert.ackedAt) throw new HttpError(409, 'CONFLICT', 'This alert has already been acknowledged.');
      const actor = { personId: user.id, role: 'facilitator' as const, displayName: user.name };
      const note = request.body.note;
      const result = await circles.execute(found.circle.id, actor, { type: 'alert.ack', alertId: alert.id, ...(note ? { note } : {}) }, null);
      if (!result.ok) throw new HttpError(409, 'CONFLICT', result.message);
      const after = (await scope.circleStates([found.circle.id])).get(found.circle.id)!;
      const [view] = careAlertsOf(found.circle, after, await scope.names([user.id]), false).filter((a) => a.id === alert.id);
      return view!;
    },
  );

  // ── outcomes ────────────────────────────────────────────────────────────────────────────────────────────────
  app.get(
    '/api/cohorts/:cohortId/outcomes',
    { schema: { tags: ['outcomes'], summary: "A cohort's scores, change from baseline, and attendance", params: cohortParamsSchema, response: { 200: cohortOutcomesSchema, ...errors } } },
    async (request) => {
      const user = authorize(request, 'outcomes.view');
      const scope = scopeOf(db, user);
      const cohort = await visibleCohort(scope, user, request.params.cohortId);
      const view = await cohortOutcomes(scope, cohort, now());
      await scope.audit(view.participants.map((p) => ({ ...auditMeta(request), action: 'read', resourceType: 'outcomes', resourceId: cohort.id, subjectId: p.participantId })));
      return view;
    },
  );

  app.get(
    '/api/participants/:userId/outcomes',
    { schema: { tags: ['outcomes'], summary: "One participant's questionnaire scores over time", params: userParamsSchema, response: { 200: participantOutcomesSchema, ...errors } } },
    async (request) => {
      const user = authorize(request, 'outcomes.view');
      const scope = scopeOf(db, user);
      const { person, cohorts } = await visibleParticipant(scope, user, request.params.userId);
      await scope.audit({ ...auditMeta(request), action: 'read', resourceType: 'outcomes', subjectId: person.id });
      return participantOutcomes(scope, { id: person.id, name: person.name }, cohorts);
    },
  );

  app.get('/api/outcomes/overview', { schema: { tags: ['outcomes'], summary: 'Every cohort side by side: change from baseline, response, remission, attendance', response: { 200: clinicOverviewSchema, ...errors } } }, async (request) => {
    const user = authorize(request, 'outcomes.view');
    const scope = scopeOf(db, user);
    const overview = await clinicOverview(scope, await cohortsVisibleTo(scope, user), now());
    await scope.audit({ ...auditMeta(request), action: 'read', resourceType: 'outcomes_overview' });
    return overview;
  });

  // ── exports ─────────────────────────────────────────────────────────────────────────────────────────────────
  const csvParams = z.object({
    cohortId: cohortParamsSchema.shape.cohortId,
    file: z.enum(['scores.csv', 'attendance.csv', 'adverse-events.csv'], { error: 'Export scores.csv, attendance.csv or adverse-events.csv' }),
  });
  app.get(
    '/api/cohorts/:cohortId/export/:file',
    { schema: { tags: ['outcomes'], summary: "A cohort's scores, attendance or adverse events as CSV", params: csvParams, response: { 200: z.string(), ...errors } } },
    async (request, reply) => {
      const user = authorize(request, 'outcomes.export');
      const scope = scopeOf(db, user);
      const cohort = await visibleCohort(scope, user, request.params.cohortId);
      const roster = await scope.roster(cohort.id);
      const kind = request.params.file.replace(/\.csv$/, '');
      let body: string;
      if (kind === 'scores') {
        body = scoresCsv(cohort, roster, await scope.responses({ cohortIds: [cohort.id] }), scheduleOf(cohort));
      } else {
        const events = await scope.circleEvents(cohort.circles.map((c) => c.id));
        body = kind === 'attendance' ? attendanceCsv(cohort, roster, events, now()) : adverseEventsCsv(cohort, roster, events, await scope.names([...new Set(events.map((e) => e.actor))].filter((a) => /^[0-9a-f-]{36}$/.test(a))));
      }
      await scope.audit(roster.map((r) => ({ ...auditMeta(request), action: 'export', resourceType: `cohort_${kind.replace('-', '_')}`, resourceId: cohort.id, subjectId: r.participantId })));
      return sendFile(reply, body, 'text/csv; charset=utf-8', `${fileSlug(cohort.name)}-${kind}.csv`);
    },
  );

  app.get(
    '/api/participants/:userId/export/fhir',
    { schema: { tags: ['outcomes'], summary: "One participant's questionnaires, scores and vital signs as a FHIR R4 Bundle", params: userParamsSchema, response: { 200: z.looseObject({ resourceType: z.literal('Bundle') }), ...errors } } },
    async (request, reply) => {
      const user = authorize(request, 'outcomes.export');
      const scope = scopeOf(db, user);
      const { person, cohorts } = await visibleParticipant(scope, user, request.params.userId);
      const bundle = await bundleFor(scope, person, cohorts, now());
      await scope.audit({ ...auditMeta(request), action: 'export', resourceType: 'fhir_bundle', subjectId: person.id });
      return sendFhir(reply, bundle, person.name);
    },
  );
};

/** A person's FHIR bundle over the cohorts given: their responses and the vitals of those cohorts' circles. */
export async function bundleFor(scope: ClinicScope, person: { id: string; name: string; email: string }, cohorts: CohortRow[], at: Date) {
  const cohortIds = cohorts.map((c) => c.id);
  const [responses, events] = await Promise.all([scope.responses({ participantId: person.id, cohortIds }), scope.circleEvents(cohorts.flatMap((c) => c.circles.map((x) => x.id)))]);
  return fhirBundle({ participant: person, responses, events, exportedAt: at });
}
