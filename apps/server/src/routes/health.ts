import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { withTimeout, type DbHandle } from '@holdspace/db';
import { healthSchema, PROTOCOL_VERSION, type Health } from '@holdspace/protocol';
import { unpressured } from '../plugins/pressure.js';

interface HealthOptions {
  db: DbHandle;
  version: string;
  timeoutMs: number;
  cluster: { adapter: Health['cluster']['adapter']; nodes(): Promise<number> };
}

export const healthRoutes: FastifyPluginAsyncZod<HealthOptions> = async (app, { db, version, timeoutMs, cluster }) => {
  app.get(
    '/api/health',
    // Reports under load too: a load balancer tells a busy node from a dead one.
    { config: unpressured, schema: { tags: ['system'], summary: 'Liveness, database and cluster status', response: { 200: healthSchema, 503: healthSchema } } },
    async (_request, reply) => {
      // Answers within timeoutMs whatever the database does (a silent partition included): a load balancer can act.
      const probe = async () => {
        await db.ping();
        return db.migrationLevel();
      };
      const [migrations, nodes] = await Promise.all([
        withTimeout(probe(), timeoutMs).catch(() => null),
        withTimeout(cluster.nodes(), timeoutMs).catch(() => null),
      ]);
      const reachable = migrations !== null;
      const body = {
        status: reachable ? ('ok' as const) : ('degraded' as const),
        version,
        protocolVersion: PROTOCOL_VERSION,
        database: { driver: db.driver, durability: db.durability, reachable, migrations: migrations ?? { applied: 0, latest: null } },
        cluster: { adapter: cluster.adapter, nodes },
        uptimeSeconds: Math.round(process.uptime()),
      };
      return reply.status(reachable ? 200 : 503).send(body);
    },
  );
};
