import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyRequest } from 'fastify';
import type { Database } from '@holdspace/db';
import {
  createdWithInviteSchema,
  createParticipantSchema,
  createStaffSchema,
  participantSchema,
  staffMemberSchema,
  updateRolesSchema,
  userParamsSchema,
  type StaffMember,
} from '@holdspace/protocol';
import { z } from 'zod';
import type { AccountService } from '../services/accounts.js';
import type { SessionService } from '../services/sessions.js';
import { auditMeta, authorize, scopeOf } from '../plugins/auth.js';
import { errorResponses, HttpError } from '../plugins/errors.js';

export interface PeopleRouteOptions {
  db: Database;
  accounts: AccountService;
  sessions: SessionService;
  publicUrl: string | undefined;
}

const errors = errorResponses;

export const originOf = (request: FastifyRequest, publicUrl: string | undefined) => publicUrl?.replace(/\/$/, '') ?? `${request.protocol}://${request.host}`;

type UserRow = NonNullable<Awaited<ReturnType<ReturnType<typeof scopeOf>['person']>>>;
const toStaff = (u: UserRow): StaffMember => ({
  id: u.id,
  name: u.name,
  email: u.email,
  roles: u.roles.filter((r): r is StaffMember['roles'][number] => ['admin', 'facilitator', 'prescriber'].includes(r)),
  twoFactor: Boolean(u.totpEnabledAt),
  activated: Boolean(u.passwordHash),
});

/** Clinic admins manage staff and participants; each new person gets a single-use invite. */
export const peopleRoutes: FastifyPluginAsyncZod<PeopleRouteOptions> = async (app, { db, accounts, sessions, publicUrl }) => {
  app.get('/api/staff', { schema: { tags: ['people'], summary: "The clinic's staff", response: { 200: z.array(staffMemberSchema), ...errors } } }, async (request) => {
    const user = authorize(request, 'staff.manage');
    return (await scopeOf(db, user).people('staff')).map(toStaff);
  });

  app.post(
    '/api/staff',
    { schema: { tags: ['people'], summary: 'Add a staff member and invite them', body: createStaffSchema, response: { 200: createdWithInviteSchema, ...errors } } },
    async (request) => {
      const user = authorize(request, 'staff.manage');
      const scope = scopeOf(db, user);
      const created = await accounts.createWithInvite(scope, user.id, { ...request.body, kind: 'staff', roles: [...new Set(request.body.roles)] }, originOf(request, publicUrl));
      await scope.audit({ ...auditMeta(request), action: 'create', resourceType: 'staff', resourceId: created.id });
      return created;
    },
  );

  app.patch(
    '/api/staff/:userId',
    { schema: { tags: ['people'], summary: "Change a staff member's roles (signs them out everywhere)", params: userParamsSchema, body: updateRolesSchema, response: { 200: staffMemberSchema, ...errors } } },
    async (request) => {
      const user = authorize(request, 'staff.manage');
      const scope = scopeOf(db, user);
      const roles = [...new Set(request.body.roles)];
      if (request.params.userId === user.id && !roles.includes('admin')) {
        throw new HttpError(409, 'CONFLICT', 'You cannot remove your own admin role; ask another admin.');
      }
      const updated = await scope.setRoles(request.params.userId, roles);
      if (!updated) throw new HttpError(404, 'NOT_FOUND', 'No such staff member in this clinic.');
      await scope.audit({ ...auditMeta(request), action: 'role_change', resourceType: 'staff', resourceId: updated.id, details: { roles } });
      // A new role means new permissions everywhere: end their sessions so nothing runs on the old ones.
      await sessions.endAllFor(updated.id, 'Your role has changed. Please sign in again.');
      return toStaff(updated);
    },
  );

  app.post(
    '/api/staff/:userId/two-factor/reset',
    {
      schema: {
        tags: ['people'],
        summary: "Turn off a staff member's two-factor sign-in (a lost phone) and sign them out everywhere; they set it up again",
        params: userParamsSchema,
        body: z.object({}).strict().optional(),
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      const user = authorize(request, 'staff.manage');
      const scope = scopeOf(db, user);
      const person = await scope.person(request.params.userId);
      if (!person || person.kind !== 'staff') throw new HttpError(404, 'NOT_FOUND', 'No such staff member in this clinic.');
      await accounts.clearTwoFactor(person.id, { clinicId: user.clinicId, entry: { ...auditMeta(request), action: 'two_factor_reset', resourceType: 'staff', resourceId: person.id } });
      await sessions.endAllFor(person.id, 'Your two-factor sign-in was reset by an admin. Please sign in again.');
      return reply.status(204).send(null);
    },
  );

  app.get('/api/participants', { schema: { tags: ['people'], summary: "The clinic's participants", response: { 200: z.array(participantSchema), ...errors } } }, async (request) => {
    const user = authorize(request, 'participants.manage');
    const scope = scopeOf(db, user);
    const people = await scope.people('participant');
    const enrolled = await scope.enrollmentsOf(people.map((p) => p.id));
    return people.map((p) => ({
      id: p.id,
      name: p.name,
      email: p.email,
      activated: Boolean(p.passwordHash),
      cohorts: enrolled.filter((e) => e.userId === p.id).map((e) => ({ id: e.cohortId, name: e.cohortName, displayName: e.displayName })),
    }));
  });

  app.post(
    '/api/participants',
    { schema: { tags: ['people'], summary: 'Add a participant and invite them', body: createParticipantSchema, response: { 200: createdWithInviteSchema, ...errors } } },
    async (request) => {
      const user = authorize(request, 'participants.manage');
      const scope = scopeOf(db, user);
      const created = await accounts.createWithInvite(scope, user.id, { ...request.body, kind: 'participant', roles: [] }, originOf(request, publicUrl));
      await scope.audit({ ...auditMeta(request), action: 'create', resourceType: 'participant', resourceId: created.id, subjectId: created.id });
      return created;
    },
  );

  app.post(
    '/api/participants/:userId/invite',
    { schema: { tags: ['people'], summary: 'Send a participant a new invite (the old link stops working)', params: userParamsSchema, body: z.object({}).strict().optional(), response: { 200: createdWithInviteSchema, ...errors } } },
    async (request) => {
      const user = authorize(request, 'participants.manage');
      const scope = scopeOf(db, user);
      const person = await scope.person(request.params.userId);
      if (!person || person.kind !== 'participant') throw new HttpError(404, 'NOT_FOUND', 'No such participant in this clinic.');
      return { id: person.id, invite: await accounts.invite(scope, user.id, person, originOf(request, publicUrl)) };
    },
  );
};
