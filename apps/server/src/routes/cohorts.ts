import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { readiness, zonedToUtc, dateIn, type ConsentKind } from '@holdspace/domain';
import type { ClinicScope, Database } from '@holdspace/db';
import {
  cohortMemberParamsSchema,
  cohortParamsSchema,
  cohortSummarySchema,
  createCohortSchema,
  enrollSchema,
  outcomeSettingsSchema,
  rosterEntrySchema,
  type CohortSummary,
} from '@holdspace/protocol';
import { auditMeta, authorize, scopeOf } from '../plugins/auth.js';
import { errorResponses, HttpError } from '../plugins/errors.js';
import { progressOf } from '../services/outcomes.js';
import type { AuthedUser } from '../services/sessions.js';

const errors = errorResponses;

const kindTitles = { preparation: 'Preparation circle', dosing: 'Dosing circle', integration: 'Integration circle', follow_up: 'Follow-up circle' } as const;

type CohortRow = NonNullable<Awaited<ReturnType<ClinicScope['cohort']>>>;
const toSummary = (c: CohortRow): CohortSummary => ({
  id: c.id,
  name: c.name,
  capacity: c.capacity,
  format: c.format,
  location: c.location,
  jurisdiction: c.jurisdiction,
  timeZone: c.timeZone,
  enrolled: c.enrolled,
  facilitators: c.facilitators,
  circles: c.circles.map((x) => ({ id: x.id, kind: x.kind, title: x.title, startsAt: x.startsAt.toISOString(), timeZone: x.timeZone })),
  outcomes: { instruments: c.instruments, followUpDays: c.followUpDays },
});

/** Admins and prescribers see every cohort of the clinic; a facilitator sees the cohorts they facilitate. */
export async function visibleCohort(scope: ClinicScope, user: AuthedUser, cohortId: string) {
  const cohort = await scope.cohort(cohortId);
  const allowed = cohort && (user.roles.includes('admin') || user.roles.includes('prescriber') || cohort.facilitators.some((f) => f.id === user.id));
  if (!allowed) throw new HttpError(404, 'NOT_FOUND', 'No such cohort, or it is not one of yours.');
  return cohort;
}

/** After someone leaves a cohort: their live connections to these circles are cut and the rosters reloaded (POL2). */
export type MembershipLost = (scope: ClinicScope, userId: string, circleIds: string[]) => Promise<void>;

export const cohortRoutes: FastifyPluginAsyncZod<{ db: Database; now: () => Date; membershipLost: MembershipLost }> = async (app, { db, now, membershipLost }) => {
  app.get('/api/cohorts', { schema: { tags: ['cohorts'], summary: 'Cohorts the signed-in staff member can see', response: { 200: z.array(cohortSummarySchema), ...errors } } }, async (request) => {
    const user = authorize(request, 'cohorts.view');
    const all = user.roles.includes('admin') || user.roles.includes('prescriber');
    return (await scopeOf(db, user).cohorts(all ? {} : { facilitatedBy: user.id })).map(toSummary);
  });

  app.post(
    '/api/cohorts',
    { schema: { tags: ['cohorts'], summary: 'Create a cohort with its program of circles', body: createCohortSchema, response: { 200: cohortSummarySchema, ...errors } } },
    async (request) => {
      const user = authorize(request, 'cohorts.manage');
      const scope = scopeOf(db, user);
      const body = request.body;
      const facilitatorIds = [...new Set(body.facilitatorIds)];
      for (const id of facilitatorIds) {
        const person = await scope.person(id);
        if (!person || !person.roles.includes('facilitator')) {
          throw new HttpError(400, 'BAD_REQUEST', 'Each facilitator must be a staff member of this clinic with the facilitator role.');
        }
      }
      const counts = new Map<string, number>();
      const program = body.program.map((c) => {
        const n = (counts.get(c.kind) ?? 0) + 1;
        counts.set(c.kind, n);
        const title = c.title?.trim() || `${kindTitles[c.kind]}${body.program.filter((x) => x.kind === c.kind).length > 1 ? ` ${n}` : ''}`;
        return { kind: c.kind, title, startsAt: zonedToUtc(c.startsAt, body.timeZone), timeZone: body.timeZone };
      });
      const id = await scope.createCohort({ ...body, facilitatorIds, program });
      await scope.audit({ ...auditMeta(request), action: 'create', resourceType: 'cohort', resourceId: id });
      return toSummary((await scope.cohort(id))!);
    },
  );

  app.get(
    '/api/cohorts/:cohortId',
    { schema: { tags: ['cohorts'], summary: 'One cohort with its program', params: cohortParamsSchema, response: { 200: cohortSummarySchema, ...errors } } },
    async (request) => {
      const user = authorize(request, 'cohorts.view');
      return toSummary(await visibleCohort(scopeOf(db, user), user, request.params.cohortId));
    },
  );

  app.post(
    '/api/cohorts/:cohortId/enrollments',
    { schema: { tags: ['cohorts'], summary: 'Enroll a participant under the display name the group will see', params: cohortParamsSchema, body: enrollSchema, response: { 204: z.null(), ...errors } } },
    async (request, reply) => {
      const user = authorize(request, 'cohorts.manage');
      const scope = scopeOf(db, user);
      const cohort = await visibleCohort(scope, user, request.params.cohortId);
      const person = await scope.person(request.body.participantId);
      if (!person || person.kind !== 'participant') throw new HttpError(404, 'NOT_FOUND', 'No such participant in this clinic.');
      const roster = await scope.roster(cohort.id);
      if (roster.some((r) => r.participantId === person.id)) throw new HttpError(409, 'CONFLICT', 'This participant is already in the cohort.');
      if (roster.length >= cohort.capacity) throw new HttpError(409, 'CONFLICT', `The cohort is full (capacity ${cohort.capacity}).`);
      if (roster.some((r) => r.displayName.toLowerCase() === request.body.displayName.toLowerCase())) {
        throw new HttpError(409, 'CONFLICT', 'Someone in this cohort already uses that display name.');
      }
      await scope.enroll(cohort.id, person.id, request.body.displayName);
      await scope.audit({ ...auditMeta(request), action: 'create', resourceType: 'enrollment', resourceId: cohort.id, subjectId: person.id });
      return reply.status(204).send(null);
    },
  );

  app.delete(
    '/api/cohorts/:cohortId/members/:userId',
    {
      schema: {
        tags: ['cohorts'],
        summary: 'Take a facilitator or participant off the cohort (their live connections to its circles end at once)',
        params: cohortMemberParamsSchema,
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      const user = authorize(request, 'cohorts.manage');
      const scope = scopeOf(db, user);
      const cohort = await visibleCohort(scope, user, request.params.cohortId);
      if (!(await scope.removeFromCohort(cohort.id, request.params.userId))) throw new HttpError(404, 'NOT_FOUND', 'This person is not on the cohort.');
      await scope.audit({ ...auditMeta(request), action: 'delete', resourceType: 'cohort_member', resourceId: cohort.id, subjectId: request.params.userId });
      await membershipLost(scope, request.params.userId, cohort.circles.map((c) => c.id));
      return reply.status(204).send(null);
    },
  );

  app.put(
    '/api/cohorts/:cohortId/outcome-settings',
    {
      schema: {
        tags: ['cohorts'],
        summary: "The cohort's questionnaires (PHQ-9 and GAD-7, optionally PCL-5) and when its follow-up comes",
        params: cohortParamsSchema,
        body: outcomeSettingsSchema,
        response: { 200: cohortSummarySchema, ...errors },
      },
    },
    async (request) => {
      const user = authorize(request, 'cohorts.manage');
      const scope = scopeOf(db, user);
      const cohort = await visibleCohort(scope, user, request.params.cohortId);
      await scope.setOutcomeSettings(cohort.id, request.body);
      await scope.audit({ ...auditMeta(request), action: 'update', resourceType: 'cohort', resourceId: cohort.id, details: { outcomes: request.body } });
      return toSummary((await scope.cohort(cohort.id))!);
    },
  );

  app.get(
    '/api/cohorts/:cohortId/roster',
    { schema: { tags: ['cohorts'], summary: "The cohort's participants and their readiness", params: cohortParamsSchema, response: { 200: z.array(rosterEntrySchema), ...errors } } },
    async (request) => {
      const user = authorize(request, 'roster.view');
      const scope = scopeOf(db, user);
      const cohort = await visibleCohort(scope, user, request.params.cohortId);
      const roster = await scope.roster(cohort.id);
      const ids = roster.map((r) => r.participantId);
      const [current, signed, latest, responses] = await Promise.all([scope.currentConsents(), scope.signatures(ids), scope.latestScreenings(ids), scope.responses({ cohortIds: [cohort.id] })]);
      const today = dateIn(now(), cohort.timeZone);
      const currentConsents = Object.fromEntries(current.map((c) => [c.kind, c.version])) as Partial<Record<ConsentKind, number>>;
      // Clearance status is health data: each person's appearance here is a recorded read.
      await scope.audit(ids.map((id) => ({ ...auditMeta(request), action: 'read', resourceType: 'clearance', resourceId: cohort.id, subjectId: id })));
      return roster.map((r) => {
        const signedConsents: Partial<Record<ConsentKind, number>> = {};
        for (const s of signed.filter((x) => x.userId === r.participantId)) signedConsents[s.kind] = Math.max(signedConsents[s.kind] ?? 0, s.version);
        const screening = latest.find((s) => s.participantId === r.participantId) ?? null;
        return {
          participantId: r.participantId,
          name: r.name,
          displayName: r.displayName,
          activated: Boolean(r.passwordHash),
          readiness: readiness({ currentConsents, signedConsents, latestScreening: screening, assessments: progressOf(cohort, responses, r.participantId, now()) }, today),
        };
      });
    },
  );
};
