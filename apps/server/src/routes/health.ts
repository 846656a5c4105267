import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { DbHandle } from '@holdspace/db';
import { healthSchema, PROTOCOL_VERSION } from '@holdspace/protocol';

export const healthRoutes: FastifyPluginAsyncZod<{ db: DbHandle; version: string }> = async (app, { db, version }) => {
  app.get(
    '/api/health',
    { schema: { tags: ['system'], summary: 'Liveness and database status', response: { 200: healthSchema, 503: healthSchema } } },
    async (_request, reply) => {
      const reachable = await db.ping().catch(() => false);
      const migrations = reachable ? await db.migrationLevel() : { applied: 0, latest: null };
      const body = {
        status: reachable ? ('ok' as const) : ('degraded' as const),
        version,
        protocolVersion: PROTOCOL_VERSION,
        database: { driver: db.driver, reachable, migrations },
        uptimeSeconds: Math.round(process.uptime()),
      };
      return reply.status(reachable ? 200 : 503).send(body);
    },
  );
};
