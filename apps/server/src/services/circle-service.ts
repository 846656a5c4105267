import {
  connectionsWithPrefix,
  decide,
  viewFor,
  visibleTo,
  type CircleActor,
  type CircleCommand,
  type CircleEvent,
  type Device,
} from '@holdspace/domain';
import type { CircleDirectory, CircleLog } from '@holdspace/db';
import { fail, MAX_REPLAY, ok, type CircleSync, type CommandAck, type Result } from '@holdspace/protocol';
import type { AuthedUser } from './sessions.js';

/** Delivers committed events to the sockets of their audience. */
export interface Broadcaster {
  publish(events: CircleEvent[]): void;
}

/**
 * The circle's only path for changes: authorize, decide, append (one transaction), then broadcast.
 * Keeps no authoritative state: everything comes from the log.
 */
export class CircleService {
  /** Per circle, appends on this node run one after another so broadcasts leave in seq order. */
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly inflight = new Set<Promise<unknown>>();

  constructor(
    private readonly log: CircleLog,
    private readonly directory: CircleDirectory,
    private readonly broadcaster: Broadcaster,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** The person's place in the circle, or null when they have none (other clinic, not enrolled, no such circle). */
  async actorFor(user: AuthedUser, circleId: string): Promise<CircleActor | null> {
    const m = await this.directory.membership(circleId, { id: user.id, clinicId: user.clinicId, name: user.name });
    return m ? { personId: user.id, role: m.role, displayName: m.displayName } : null;
  }

  async execute(
    circleId: string,
    actor: CircleActor,
    command: CircleCommand,
    commandId: string | null,
  ): Promise<Result<CommandAck>> {
    const outcome = await this.serialized(circleId, async () => {
      const result = await this.log.append({
        circleId,
        commandId,
        actor: actor.personId,
        now: this.now(),
        decide: (state) => decide(state, command, actor),
      });
      if (result.ok && result.events.length > 0) this.broadcaster.publish(result.events);
      return result;
    });
    if (!outcome.ok) return fail('RULE_VIOLATION', outcome.message, { rule: outcome.rule });
    return ok({ seq: outcome.seq, duplicate: outcome.duplicate });
  }

  /** What a (re)joining viewer needs: the events after their last seq, or their view of the state. */
  async sync(circleId: string, viewer: CircleActor, lastSeq: number | undefined): Promise<CircleSync> {
    const state = await this.log.snapshot(circleId);
    if (lastSeq === undefined || lastSeq > state.seq || state.seq - lastSeq > MAX_REPLAY) {
      return { mode: 'snapshot', state: viewFor(state, viewer), seq: state.seq };
    }
    const events = await this.log.eventsSince(circleId, lastSeq, MAX_REPLAY + 1);
    return { mode: 'replay', events: events.filter(visibleTo(viewer)), seq: state.seq };
  }

  join(circleId: string, actor: CircleActor, connectionId: string, device: Device) {
    return this.execute(circleId, actor, { type: 'presence.join', connectionId, device }, null);
  }

  leave(circleId: string, actor: CircleActor, connectionId: string) {
    return this.execute(circleId, actor, { type: 'presence.leave', connectionId }, null);
  }

  /** Presence left behind by an earlier run of this node (a crash, a kill -9): clear it at start. */
  async clearStalePresence(circleIds: string[], nodePrefix: string): Promise<number> {
    let cleared = 0;
    for (const circleId of circleIds) {
      const state = await this.log.snapshot(circleId);
      for (const c of connectionsWithPrefix(state, nodePrefix)) {
        const person = state.presence[c.personId];
        if (!person) continue;
        await this.leave(circleId, { personId: c.personId, role: person.role, displayName: person.displayName }, c.connectionId);
        cleared++;
      }
    }
    return cleared;
  }

  /** Resolves when every write under way has committed: used by graceful shutdown. */
  async drain(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  private serialized<T>(circleId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(circleId) ?? Promise.resolve();
    const run = previous.then(work, work);
    const tail = run.catch(() => undefined);
    this.queues.set(circleId, tail);
    this.inflight.add(tail);
    void tail.finally(() => {
      this.inflight.delete(tail);
      if (this.queues.get(circleId) === tail) this.queues.delete(circleId);
    });
    return run;
  }
}
