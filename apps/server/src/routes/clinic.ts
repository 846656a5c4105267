import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Database } from '@holdspace/db';
import { auditEntrySchema, auditQuerySchema, clinicSettingsSchema, outboxMessageSchema } from '@holdspace/protocol';
import { auditMeta, authorize, scopeOf } from '../plugins/auth.js';
import { errorResponses } from '../plugins/errors.js';

const errors = errorResponses;

/** Clinic settings, the audit trail and the mail outbox: the clinic admin's tools. */
export const clinicRoutes: FastifyPluginAsyncZod<{ db: Database }> = async (app, { db }) => {
  app.get('/api/settings', { schema: { tags: ['clinic'], summary: 'Clinic settings', response: { 200: clinicSettingsSchema, ...errors } } }, async (request) => {
    const user = authorize(request, 'settings.manage');
    return scopeOf(db, user).settings();
  });

  app.put(
    '/api/settings',
    { schema: { tags: ['clinic'], summary: 'Change clinic settings', body: clinicSettingsSchema, response: { 200: clinicSettingsSchema, ...errors } } },
    async (request) => {
      const user = authorize(request, 'settings.manage');
      const scope = scopeOf(db, user);
      await scope.updateSettings(request.body);
      await scope.audit({ ...auditMeta(request), action: 'update', resourceType: 'settings', details: request.body });
      return scope.settings();
    },
  );

  app.get(
    '/api/audit',
    { schema: { tags: ['clinic'], summary: 'The audit trail, newest first', querystring: auditQuerySchema, response: { 200: z.array(auditEntrySchema), ...errors } } },
    async (request) => {
      const user = authorize(request, 'audit.view');
      const scope = scopeOf(db, user);
      const rows = await scope.auditTrail(request.query);
      const names = await scope.names([...new Set(rows.flatMap((r) => [r.actorId, r.subjectId]).filter((x): x is string => Boolean(x)))]);
      return rows.map((r) => ({
        id: r.id,
        at: r.at.toISOString(),
        actor: { id: r.actorId, name: r.actorId ? (names.get(r.actorId) ?? null) : null },
        action: r.action,
        resourceType: r.resourceType,
        resourceId: r.resourceId,
        subject: { id: r.subjectId, name: r.subjectId ? (names.get(r.subjectId) ?? null) : null },
        ip: r.ip,
      }));
    },
  );

  app.get('/api/outbox', { schema: { tags: ['clinic'], summary: 'Messages waiting in the outbox (no mail server configured)', response: { 200: z.array(outboxMessageSchema), ...errors } } }, async (request) => {
    const user = authorize(request, 'outbox.view');
    return (await scopeOf(db, user).outbox()).map((m) => ({ id: m.id, to: m.to, subject: m.subject, body: m.body, createdAt: m.createdAt.toISOString() }));
  });
};
