import { and, asc, eq, gt, lt, sql } from 'drizzle-orm';
import {
  fold,
  initialCircleState,
  type CircleEvent,
  type CircleState,
  type Decision,
  type NewEvent,
} from '@holdspace/domain';
import type { Database } from './create-db.js';
import { auditLog, circleEvents, circleSnapshots, commandOutcomes } from './schema.js';
import type { AuditInput } from './clinic-scope.js';

export type AppendOutcome =
  | { ok: true; seq: number; duplicate: boolean; events: CircleEvent[]; state: CircleState | null }
  | { ok: false; rule: string; message: string };

/**
 * How long a command's outcome is kept for its retries. An outbox resends on every reconnect, so a week covers a
 * phone left offline over a long weekend; an applied command stays findable longer through its events' command_id.
 */
export const COMMAND_OUTCOME_DAYS = 7;

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

  /** The first answer given to a commandId, refused or applied; null for a command not seen (or pruned). */
  private async firstOutcome(tx: Database, commandId: string): Promise<AppendOutcome | null> {
    const [kept] = await tx.select().from(commandOutcomes).where(eq(commandOutcomes.commandId, commandId));
    if (kept) {
      return kept.ok
        ? { ok: true, seq: kept.seq, duplicate: true, events: [], state: null }
        : { ok: false, rule: kept.rule ?? '', message: kept.message ?? '' };
    }
    // Applied before outcomes were kept, or kept past COMMAND_OUTCOME_DAYS: the event still names its command.
    const [seen] = await tx.select({ seq: circleEvents.seq }).from(circleEvents).where(eq(circleEvents.commandId, commandId));
    return seen ? { ok: true, seq: seen.seq, duplicate: true, events: [], state: null } : null;
  }

  /** Drops outcomes older than COMMAND_OUTCOME_DAYS; returns how many. */
  async pruneOutcomes(now: Date): Promise<number> {
    const before = new Date(now.getTime() - COMMAND_OUTCOME_DAYS * 86_400_000);
    const gone = await this.db.delete(commandOutcomes).where(lt(commandOutcomes.decidedAt, before)).returning({ id: commandOutcomes.commandId });
    return gone.length;
  }

  /**
   * Decide and append in one transaction. The snapshot row is locked first, so concurrent writers to one circle,
   * on one node or several, queue here; a commandId already decided returns its first outcome unchanged, refusals
   * included (LOG3), and every new outcome is recorded in the transaction that decided it.
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
        const seen = await this.firstOutcome(tx as unknown as Database, input.commandId);
        if (seen) return seen;
      }
      const record = async (outcome: { ok: boolean; seq: number; rule?: string; message?: string }) => {
        if (!input.commandId) return;
        await tx.insert(commandOutcomes).values({
          commandId: input.commandId,
          circleId: input.circleId,
          actor: input.actor,
          ok: outcome.ok,
          seq: outcome.seq,
          rule: outcome.rule ?? null,
          message: outcome.message ?? null,
          decidedAt: input.now,
        });
      };

      const decision = input.decide(snap.state);
      if (!decision.ok) {
        await record({ ok: false, seq: snap.seq, rule: decision.rule, message: decision.message });
        return decision;
      }
      if (decision.value.length === 0) {
        await record({ ok: true, seq: snap.seq });
        return { ok: true, seq: snap.seq, duplicate: false, events: [], state: snap.state };
      }

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
      await record({ ok: true, seq: state.seq });
      await tx
        .update(circleSnapshots)
        .set({ seq: state.seq, state, updatedAt: at })
        .where(eq(circleSnapshots.circleId, input.circleId));
      return { ok: true, seq: state.seq, duplicate: false, events, state };
    });
  }
}
