import { and, eq, gt, lt, ne, sql } from 'drizzle-orm';
import type { Database } from './create-db.js';
import { serverRuns } from './schema.js';

/**
 * PRS5: server process runs and their heartbeats. Times come from the database's clock, so nodes whose clocks
 * differ still agree on which runs are alive.
 */
export class RunsRepo {
  constructor(private readonly db: Database) {}

  /** Records a new run; earlier runs of the same node are over (one process per node id) and are removed. */
  async start(runId: string, nodeId: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.delete(serverRuns).where(and(eq(serverRuns.nodeId, nodeId), ne(serverRuns.runId, runId)));
      await tx
        .insert(serverRuns)
        .values({ runId, nodeId, startedAt: sql`now()`, heartbeatAt: sql`now()` })
        .onConflictDoUpdate({ target: serverRuns.runId, set: { heartbeatAt: sql`now()` } });
    });
  }

  async heartbeat(runId: string, nodeId: string): Promise<void> {
    await this.db
      .insert(serverRuns)
      .values({ runId, nodeId, startedAt: sql`now()`, heartbeatAt: sql`now()` })
      .onConflictDoUpdate({ target: serverRuns.runId, set: { heartbeatAt: sql`now()` } });
  }

  /** Runs whose heartbeat is younger than staleMs. */
  async alive(staleMs: number): Promise<Set<string>> {
    const rows = await this.db
      .select({ runId: serverRuns.runId })
      .from(serverRuns)
      .where(gt(serverRuns.heartbeatAt, sql`now() - make_interval(secs => ${staleMs / 1000})`));
    return new Set(rows.map((r) => r.runId));
  }

  /** A run that stopped cleanly; and runs silent for a day, whose presence is long swept. */
  async end(runId: string): Promise<void> {
    await this.db.delete(serverRuns).where(eq(serverRuns.runId, runId));
  }

  async prune(): Promise<void> {
    await this.db.delete(serverRuns).where(lt(serverRuns.heartbeatAt, sql`now() - interval '1 day'`));
  }
}
