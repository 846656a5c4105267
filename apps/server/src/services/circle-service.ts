import {
  clinicalFacts,
  connectionsNotOf,
  dateIn,
  decide,
  isStaff,
  laneOf,
  participantIds,
  type RosterEntry,
  viewFor,
  visibleTo,
  type CircleActor,
  type CircleCommand,
  type CircleEvent,
  type Device,
  type Lane,
} from '@holdspace/domain';
import { DatabaseUnavailableError, type AuditInput, type CircleDirectory, type CircleLog } from '@holdspace/db';
import { fail, MAX_REPLAY, ok, type CircleSync, type CommandAck, type Result } from '@holdspace/protocol';
import type { AuthedUser } from './sessions.js';
import { CircleQueue } from './circle-queue.js';

/** Delivers committed events to the sockets of their audience. */
export interface Broadcaster {
  publish(events: CircleEvent[]): void;
}

/** Records reads of health data (a facilitator loading the dashboard) in the clinic's audit trail. */
export type AuditSink = (clinicId: string, entries: AuditInput[]) => Promise<void>;

/** Staff commands that act on clinical facts: the roster is reloaded first so they see the latest clearance. */
const needsFreshRoster = new Set<CircleCommand['type']>(['circle.open', 'circle.start', 'participant.admit', 'gate.override', 'dose.record', 'booster.record']);

/** Events that read or change a person's health data: each is audited in the transaction that appends it. */
const auditedEvents = new Set<CircleEvent['type']>([
  'checkin.arrival',
  'checkin.predose',
  'checkin.journey',
  'checkin.after',
  'gate.overridden',
  'dose.recorded',
  'dose.withheld',
  'booster.recorded',
  'vitals.recorded',
  'observation.seen',
  'adverse.recorded',
  'participant.discharged',
  'discharge.noted',
]);

function auditEntries(events: CircleEvent[]): AuditInput[] {
  return events.flatMap((e): AuditInput[] => {
    // A written share may hold a health disclosure: its every change is audited against its author.
    if (e.type === 'share.updated') {
      const share = e.payload.share;
      return [{ actorId: e.actor, action: `circle.share.${share.status}`, resourceType: 'circle', resourceId: e.circleId, subjectId: share.authorId, details: { seq: e.seq, shareId: share.id } }];
    }
    if (!auditedEvents.has(e.type) || !('personId' in e.payload)) return [];
    const details =
      e.type === 'gate.overridden'
        ? { seq: e.seq, item: e.payload.item, reason: e.payload.reason }
        : e.type === 'discharge.noted'
          ? { seq: e.seq, reason: e.payload.reason }
          : { seq: e.seq };
    return [{ actorId: e.actor, action: `circle.${e.type}`, resourceType: 'circle', resourceId: e.circleId, subjectId: e.payload.personId, details }];
  });
}

/**
 * The circle's only path for changes: authorize, decide, append (one transaction), then broadcast.
 * Keeps no authoritative state: everything comes from the log.
 */
export class CircleService {
  /** Per circle, appends on this node run one after another so broadcasts leave in seq order (FAIR2-FAIR4). */
  private readonly queues = new Map<string, CircleQueue>();
  private readonly inflight = new Set<Promise<unknown>>();
  /** A circle's clinic never changes: remembered so audits need no lookup. */
  private readonly clinicOf = new Map<string, string>();

  constructor(
    private readonly log: CircleLog,
    private readonly directory: CircleDirectory,
    private readonly broadcaster: Broadcaster,
    private readonly now: () => Date = () => new Date(),
    private readonly auditReads: AuditSink = async () => {},
    /** How long each append took (decide, write, commit), in seconds. */
    private readonly appended: (seconds: number) => void = () => {},
  ) {}

  /** The person's place in the circle, or null when they have none (other clinic, not enrolled, no such circle). */
  async actorFor(user: AuthedUser, circleId: string): Promise<CircleActor | null> {
    const m = await this.directory.membership(circleId, { id: user.id, clinicId: user.clinicId, name: user.name, kind: user.kind, roles: user.roles });
    return m ? { personId: user.id, role: m.role, displayName: m.displayName } : null;
  }

  async execute(
    circleId: string,
    actor: CircleActor,
    command: CircleCommand,
    commandId: string | null,
    /** `bounded`: sent by a device, so refused with BUSY when its lane is full (FAIR2). */
    options: { signal?: AbortSignal; bounded?: boolean } = {},
  ): Promise<Result<CommandAck>> {
    if (isStaff(actor) && needsFreshRoster.has(command.type)) await this.syncRoster(circleId);
    const queued = this.enqueue(
      circleId,
      () => {
        // LOG6: its device was already told UNAVAILABLE and will send it again; applying it now would act out of turn.
        if (options.signal?.aborted) throw new DatabaseUnavailableError('answered UNAVAILABLE before its turn');
        return this.append(circleId, actor, command, commandId);
      },
      laneOf(command, actor),
      options.bounded ?? false,
    );
    if (!queued) return fail('BUSY', 'This circle is busy right now. It will be sent again in a moment.');
    const outcome = await queued;
    if (!outcome.ok) return fail('RULE_VIOLATION', outcome.message, { rule: outcome.rule });
    return ok({ seq: outcome.seq, duplicate: outcome.duplicate });
  }

  private async append(circleId: string, actor: CircleActor, command: CircleCommand, commandId: string | null) {
    const now = this.now();
    const clinicId = this.clinicOf.get(circleId) ?? (await this.directory.context(circleId))?.clinicId;
    if (clinicId) this.clinicOf.set(circleId, clinicId);
    const startedAt = performance.now();
    const result = await this.log.append({
      circleId,
      commandId,
      actor: actor.personId,
      now,
      decide: (state) => decide(state, command, actor, now.toISOString()),
      audit: clinicId ? { clinicId, entries: auditEntries } : undefined,
    });
    this.appended((performance.now() - startedAt) / 1000);
    if (result.ok && result.events.length > 0) this.broadcaster.publish(result.events);
    return result;
  }

  /**
   * ROS1, AGD1: load the roster and each participant's clinical facts from their latest signed screening into the
   * log. Appends only what changed, so calling it often is cheap.
   */
  async syncRoster(circleId: string): Promise<void> {
    const context = await this.directory.context(circleId);
    if (!context) return;
    this.clinicOf.set(circleId, context.clinicId);
    const today = dateIn(this.now(), context.timeZone);
    const roster: Record<string, RosterEntry> = Object.fromEntries(
      context.participants.map((p) => [p.personId, { displayName: p.displayName, clinical: clinicalFacts(p.screening, context.settings.vitalLimits, today, p.consents) }]),
    );
    const { fastingWindowHours, minObservationMinutes, careAfterCloseHours } = context.settings;
    const settings = {
      fastingWindowHours,
      minObservationMinutes,
      scheduledAt: context.startsAt.toISOString(),
      ...(careAfterCloseHours ? { careAfterCloseHours } : {}),
    };
    const system: CircleActor = { personId: 'system', role: 'facilitator', displayName: 'Holdspace' };
    await this.serialized(circleId, () => this.append(circleId, system, { type: 'roster.sync', kind: context.kind, roster, settings }, null));
  }

  /** What a (re)joining viewer needs: the events after their last seq, or their view of the state. */
  async sync(circleId: string, viewer: CircleActor, lastSeq: number | undefined): Promise<CircleSync> {
    const state = await this.log.snapshot(circleId);
    const clinicId = this.clinicOf.get(circleId);
    if (isStaff(viewer) && clinicId) {
      // The dashboard shows every participant's check-ins and vitals: that read is recorded per person.
      await this.auditReads(
        clinicId,
        participantIds(state).map((subjectId) => ({ actorId: viewer.personId, action: 'circle.dashboard.read', resourceType: 'circle', resourceId: circleId, subjectId })),
      );
    }
    if (lastSeq === undefined || lastSeq > state.seq || state.seq - lastSeq > MAX_REPLAY) {
      return { mode: 'snapshot', state: viewFor(state, viewer), seq: state.seq, serverTime: this.now().toISOString() };
    }
    const events = await this.log.eventsSince(circleId, lastSeq, MAX_REPLAY + 1);
    return { mode: 'replay', events: events.filter(visibleTo(viewer)), seq: state.seq, serverTime: this.now().toISOString() };
  }

  join(circleId: string, actor: CircleActor, connectionId: string, device: Device, signal?: AbortSignal) {
    return this.execute(circleId, actor, { type: 'presence.join', connectionId, device }, null, signal ? { signal } : {});
  }

  leave(circleId: string, actor: CircleActor, connectionId: string) {
    return this.execute(circleId, actor, { type: 'presence.leave', connectionId }, null);
  }

  /** PRS5: ends, in one append per circle, the presence of connections that no live run holds. */
  async sweepPresence(circleIds: string[], liveRuns: ReadonlySet<string>): Promise<number> {
    let cleared = 0;
    for (const circleId of circleIds) {
      const stale = connectionsNotOf(await this.log.snapshot(circleId), liveRuns);
      if (stale.length === 0) continue;
      await this.endPresence(circleId, stale);
      cleared += stale.length;
    }
    return cleared;
  }

  /** PRS5: the ends of many connections of one circle as one append (a stopping server's, a dead run's). */
  async endPresence(circleId: string, connections: { personId: string; connectionId: string }[]): Promise<void> {
    const system: CircleActor = { personId: 'system', role: 'facilitator', displayName: 'Holdspace' };
    await this.serialized(circleId, () => this.append(circleId, system, { type: 'presence.end', connections }, null));
  }

  /** Jobs waiting or running for the circle on this node. */
  pending(circleId: string): number {
    return this.queues.get(circleId)?.size ?? 0;
  }

  /** Resolves when every write under way has committed: used by graceful shutdown. */
  async drain(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  /** Holdspace's own work for the circle: waits with the staff's and is never refused. */
  private serialized<T>(circleId: string, work: () => Promise<T>): Promise<T> {
    const run = this.enqueue(circleId, work, 'staff', false);
    if (!run) throw new Error('an unbounded job is never refused');
    return run;
  }

  private enqueue<T>(circleId: string, work: () => Promise<T>, lane: Lane, bounded: boolean): Promise<T> | null {
    const queue = this.queues.get(circleId) ?? new CircleQueue();
    this.queues.set(circleId, queue);
    const run = queue.push(lane, work, bounded);
    if (!run) return null;
    const tail = run.catch(() => undefined);
    this.inflight.add(tail);
    void tail.finally(() => {
      this.inflight.delete(tail);
      if (queue.size === 0 && this.queues.get(circleId) === queue) this.queues.delete(circleId);
    });
    return run;
  }
}
