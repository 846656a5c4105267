import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ClinicScope, type CircleDirectory, type CircleListRow, type Database } from '@holdspace/db';
import { circleDetailSchema, circleListSchema, circleParamsSchema, failureSchema, type CircleSummary } from '@holdspace/protocol';
import { requireUser } from '../plugins/auth.js';
import { HttpError } from '../plugins/errors.js';

const toSummary = (r: CircleListRow): CircleSummary => ({
  id: r.id,
  title: r.title,
  kind: r.kind,
  startsAt: r.startsAt.toISOString(),
  timeZone: r.timeZone,
  cohort: { id: r.cohortId, name: r.cohortName },
  format: r.format,
  status: r.status,
  myRole: r.myRole,
  myDisplayName: r.myDisplayName,
});

export const circleRoutes: FastifyPluginAsyncZod<{ directory: CircleDirectory; db: Database }> = async (app, { directory, db }) => {
  app.get(
    '/api/circles',
    { schema: { tags: ['circles'], summary: "The signed-in person's circles", response: { 200: circleListSchema, 401: failureSchema } } },
    async (request) => {
      const user = requireUser(request);
      return { circles: (await directory.listFor({ id: user.id, clinicId: user.clinicId, kind: user.kind, roles: user.roles })).map(toSummary) };
    },
  );

  app.get(
    '/api/circles/:circleId',
    {
      schema: {
        tags: ['circles'],
        summary: 'One circle the signed-in person belongs to',
        params: circleParamsSchema,
        response: { 200: circleDetailSchema, 401: failureSchema, 404: failureSchema },
      },
    },
    async (request) => {
      const user = requireUser(request);
      const row = (await directory.listFor({ id: user.id, clinicId: user.clinicId, kind: user.kind, roles: user.roles })).find((c) => c.id === request.params.circleId);
      if (!row) throw new HttpError(404, 'NOT_FOUND', 'This circle does not exist or you are not part of it.');
      return { ...toSummary(row), crisisResources: (await new ClinicScope(db, user.clinicId).settings()).crisisResources };
    },
  );
};
