import { and, asc, eq, gt, sql } from 'drizzle-orm';
import {
  fold,
  initialCircleState,
  type CircleEvent,
  type CircleState,
  type Decision,
  type NewEvent,
} from '@holdspace/domain';
import type { Database } from './create-db.js';
import { auditLog, circleEvents, circleSnapshots } from './schema.js';
import type { AuditInput } from './clinic-scope.js';

export type AppendOutcome =
  | { ok: true; seq: number; duplicate: boolean; events: CircleEvent[]; state: CircleState | null }
  | { ok: false; rule: string; message: string };

export interface AppendInput {
  circleId: string;
  /** Absent for system commands that need no dedupe (presence of a socket is keyed by its connection id). */
  commandId: string | null;
  actor: string;
  now: Date;
  decide: (state: CircleState) => Decision<NewEvent[]>;
  /** Audit entries for the appended events, written in the same transaction: no change without its record. */
  audit?: { clinicId: string; entries: (events: CircleEvent[]) => AuditInput[] } | undefined;
}

type Row = typeof circleEvents.$inferSelect;

export function toEvent(row: Row): CircleEvent {
  return {
    circleId: row.circleId,
    seq: row.seq,
    at: row.at.toISOString(),
    actor: row.actor,
    audience: row.audience,
    type: row.type,
    payload: row.payload,
  } as CircleEvent;
}

/** The circle event log: the only writer of circle_events and circle_snapshots. */
export class CircleLog {
  constructor(private readonly db: Database) {}

  /** Creates the empty snapshot a new circle starts from. */
  async init(circleId: string, tx: Database = this.db): Promise<void> {
    await tx
      .insert(circleSnapshots)
      .values({ circleId, seq: 0, state: initialCircleState(circleId) })
      .onConflictDoNothing();
  }

  async snapshot(circleId: string): Promise<CircleState> {
    const [row] = await this.db.select().from(circleSnapshots).where(eq(circleSnapshots.circleId, circleId));
    return row?.state ?? initialCircleState(circleId);
  }

  /** Circles whose snapshot still records someone present. */
  async circlesWithPresence(): Promise<string[]> {
    const rows = await this.db
      .select({ circleId: circleSnapshots.circleId })
      .from(circleSnapshots)
      .where(sql`${circleSnapshots.state}->'presence' <> '{}'::jsonb`);
    return rows.map((r) => r.circleId);
  }

  async eventsSince(circleId: string, afterSeq: number, limit: number): Promise<CircleEvent[]> {
    const rows = await this.db
      .select()
      .from(circleEvents)
      .where(and(eq(circleEvents.circleId, circleId), gt(circleEvents.seq, afterSeq)))
      .orderBy(asc(circleEvents.seq))
      .limit(limit);
    return rows.map(toEvent);
  }

  /**
   * Decide and append in one transaction. The snapshot row is locked first, so concurrent writers to one circle,
   * on one node or several, queue here; a commandId already in the log returns its first result unchanged.
   */
  async append(input: AppendInput): Promise<AppendOutcome> {
    return this.db.transaction(async (tx) => {
      await this.init(input.circleId, tx as unknown as Database);
      const [snap] = await tx
        .select()
        .from(circleSnapshots)
        .where(eq(circleSnapshots.circleId, input.circleId))
        .for('update');
      if (!snap) throw new Error(`No snapshot for circle ${input.circleId}`);

      if (input.commandId) {
        const [seen] = await tx
          .select({ seq: circleEvents.seq })
          .from(circleEvents)
          .where(eq(circleEvents.commandId, input.commandId));
        if (seen) return { ok: true, seq: seen.seq, duplicate: true, events: [], state: null };
      }

      const decision = input.decide(snap.state);
      if (!decision.ok) return decision;
      if (decision.value.length === 0) return { ok: true, seq: snap.seq, duplicate: false, events: [], state: snap.state };

      const at = input.now;
      const rows: Row[] = decision.value.map((e: NewEvent, i, all) => ({
        circleId: input.circleId,
        seq: snap.seq + i + 1,
        type: e.type,
        actor: input.actor,
        audience: e.audience,
        payload: e.payload,
        commandId: i === all.length - 1 ? input.commandId : null,
        at,
      }));
      await tx.insert(circleEvents).values(rows);
      const events = rows.map(toEvent);
      const audit = input.audit ? input.audit.entries(events) : [];
      if (audit.length > 0 && input.audit) {
        const clinicId = input.audit.clinicId;
        await tx.insert(auditLog).values(audit.map((entry) => ({ ...entry, clinicId, details: entry.details ?? null })));
      }
      const state = fold(snap.state, events);
      await tx
        .update(circleSnapshots)
        .set({ seq: state.seq, state, updatedAt: at })
        .where(eq(circleSnapshots.circleId, input.circleId));
      return { ok: true, seq: state.seq, duplicate: false, events, state };
    });
  }
}
