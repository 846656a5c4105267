import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { withTimeout, type DbHandle } from '@holdspace/db';
import { healthSchema, PROTOCOL_VERSION } from '@holdspace/protocol';

export const healthRoutes: FastifyPluginAsyncZod<{ db: DbHandle; version: string; timeoutMs: number }> = async (app, { db, version, timeoutMs }) => {
  app.get(
    '/api/health',
    { schema: { tags: ['system'], summary: 'Liveness and database status', response: { 200: healthSchema, 503: healthSchema } } },
    async (_request, reply) => {
      // Answers within timeoutMs whatever the database does (a silent partition included): a load balancer can act.
      const probe = async () => {
        await db.ping();
        return db.migrationLevel();
      };
      const migrations = await withTimeout(probe(), timeoutMs).catch(() => null);
      const reachable = migrations !== null;
      const body = {
        status: reachable ? ('ok' as const) : ('degraded' as const),
        version,
        protocolVersion: PROTOCOL_VERSION,
        database: { driver: db.driver, reachable, migrations: migrations ?? { applied: 0, latest: null } },
        uptimeSeconds: Math.round(process.uptime()),
      };
      return reply.status(reachable ? 200 : 503).send(body);
    },
  );
};
