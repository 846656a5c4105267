import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { asc, eq } from 'drizzle-orm';
import { newCommandId, type CircleConnection } from '@holdspace/client';
import { schema } from '@holdspace/db';
import { decide, evolve, fold, initialCircleState, viewFor, visibleTo, type CircleActor, type CircleEvent, type CircleState, type ClientCommand, type Device } from '@holdspace/domain';
import type { CommandAck, Result } from '@holdspace/protocol';
import { closeAllConnections, demo, startTestServer, testDrivers, waitFor, type TestServer } from '../support/harness.js';
import { comparable, member, participantKeys, signInCast, type DosingCast, type Member } from '../support/dosing-fixture.js';

// RND4, QUE1-QUE4 under load: many devices raise and lower hands while the facilitator reorders the queue, all at
// once. Every device must end with the server's queue, and every acknowledgement must be explained by the log.
// STORM_SEED=<n> replays a run's choices (the server's interleaving still varies).

const COMMANDS = 200;
const SPREAD_MS = 1500;

/** A small seeded generator (mulberry32): the same seed makes the same choices. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const pick = <T,>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
  const shuffle = <T,>(list: readonly T[]): T[] => {
    const out = [...list];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  };
  return { next, pick, shuffle };
}

/** One device of one person. */
interface Client {
  label: string;
  actor: CircleActor;
  connection: CircleConnection;
}

interface Sent {
  device: Client;
  command: ClientCommand;
  commandId: string;
  /** The seq this device held when it sent the command and when the acknowledgement came back. */
  from: number;
  to: number;
  result: Result<CommandAck>;
}

/** Refusals a stale or impossible choice may meet; anything else is a failure. */
const expectedRefusals: Partial<Record<ClientCommand['type'], string[]>> = {
  'hand.raise': ['QUE1'],
  'queue.front': ['QUE4'],
  'queue.reorder': ['QUE4'],
  'round.next': ['RND3'],
};

describe.each(testDrivers())('a storm of raised hands in an open floor (%s)', (driver) => {
  let server: TestServer;
  let cast: DosingCast;
  let juniper: Member;

  beforeAll(async () => {
    server = await startTestServer(driver);
    [cast, juniper] = await Promise.all([
      signInCast(server.url, 'preparation'),
      member(server.url, demo.participants[4].email, demo.participants[4].displayName),
    ]);
  });
  afterEach(() => closeAllConnections());
  afterAll(async () => server?.stop());

  it('RND4, QUE1-QUE4, LOG1, LOG2: every device ends with the server’s queue, and the log explains every acknowledgement', { timeout: 30_000 }, async () => {
    const seed = Number(process.env.STORM_SEED ?? Math.floor(Math.random() * 2 ** 32));
    console.info(`hand-raise storm (${driver}): seed ${seed}; STORM_SEED=${seed} replays its choices`);
    const random = prng(seed);
    const { circleId } = cast;

    const open = (m: Member, role: CircleActor['role'], device: Device): Client => ({
      label: `${m.displayName}'s ${device}`,
      actor: { personId: m.id, role, displayName: m.displayName },
      connection: m.person.connect(circleId, { device }),
    });
    // The facilitator at a desk and on a tablet; River and Sage on two devices each; Juniper, never let in, too.
    const facilitators = [open(cast.facilitator, 'facilitator', 'desktop'), open(cast.facilitator, 'facilitator', 'tablet')];
    const p = cast.participants;
    const participants = [
      open(p.river, 'participant', 'phone'),
      open(p.river, 'participant', 'desktop'),
      open(p.wren, 'participant', 'phone'),
      open(p.sage, 'participant', 'phone'),
      open(p.sage, 'participant', 'tablet'),
      open(p.cedar, 'participant', 'phone'),
      open(juniper, 'participant', 'phone'),
    ];
    const devices = [...facilitators, ...participants];
    await waitFor(() => devices.every((d) => d.connection.status === 'live'), { timeout: 10_000, message: 'every device live' });

    const maya = facilitators[0]!.connection;
    const ok = async (command: ClientCommand) => {
      const result = await maya.send(command);
      if (!result.ok) throw new Error(`${command.type} refused: ${result.message}`);
      return result.data;
    };
    await ok({ type: 'circle.open', offSchedule: true });
    for (const k of participantKeys) await ok({ type: 'participant.admit', personId: p[k].id });
    const started = await ok({ type: 'round.start', mode: 'open_floor', prompt: 'What is alive for you today?', timeBoxMinutes: 2, newVoicesFirst: true });
    await waitFor(() => devices.every((d) => d.connection.state?.round), { message: 'every device sees the round' });

    // ── the storm: each command is chosen, at its moment, from what that device shows then ─────────────────────
    const admittedIds = participantKeys.map((k) => p[k].id);
    const choose = (d: Client): ClientCommand => {
      if (d.actor.role === 'participant') return { type: random.next() < 0.55 ? 'hand.raise' : 'hand.lower' };
      const queue = d.connection.state?.round?.queue ?? [];
      const someone = () => (queue.length > 0 && random.next() < 0.85 ? random.pick(queue) : random.pick(admittedIds));
      const roll = random.next();
      if (roll < 0.35) return { type: 'hand.lower', personId: someone() };
      if (roll < 0.65) return { type: 'queue.front', personId: someone() };
      if (roll < 0.95) return { type: 'queue.reorder', queue: random.shuffle(queue) };
      return { type: 'round.next' };
    };
    const plan = Array.from({ length: COMMANDS }, () => ({ device: random.pick(devices), at: Math.floor(random.next() * SPREAD_MS) }));
    const sent = await Promise.all(
      plan.map(
        ({ device, at }) =>
          new Promise<Sent>((resolve) =>
            setTimeout(() => {
              const command = choose(device);
              const commandId = newCommandId();
              const from = device.connection.state?.seq ?? 0;
              void device.connection.send(command, commandId).then((result) => resolve({ device, command, commandId, from, to: device.connection.state?.seq ?? 0, result }));
            }, at),
          ),
      ),
    );
    await waitFor(() => devices.every((d) => d.connection.status === 'live' && d.connection.pending.length === 0), { message: 'every outbox empty' });

    // ── every device holds the server's round, queue in the same order (and its whole view of the circle) ────────
    const serverState = await server.app.services.log.snapshot(circleId);
    const log = await server.app.services.log.eventsSince(circleId, 0, 10_000);
    const lastSeen = (d: Client) => log.filter(visibleTo(d.actor)).at(-1)?.seq;
    await waitFor(() => devices.every((d) => d.connection.state?.seq === lastSeen(d)), { message: `every device caught up (seed ${seed})` });
    for (const d of devices) {
      const label = `${d.label} (seed ${seed})`;
      expect(d.connection.state?.round?.queue, label).toEqual(serverState.round?.queue);
      expect(d.connection.state?.round, label).toEqual(serverState.round);
      expect(comparable(d.connection.state), label).toEqual(comparable(viewFor(serverState, d.actor)));
    }

    // ── the log: gap-free, and its fold is the snapshot (LOG1, LOG2) ─────────────────────────────────────────────
    expect(log.map((e) => e.seq), `seed ${seed}`).toEqual(log.map((_, i) => i + 1));
    expect(fold(initialCircleState(circleId), log), `seed ${seed}`).toEqual(serverState);
    /** The state after each seq: states[s] is what decide saw when it decided at seq s. */
    const states: CircleState[] = [initialCircleState(circleId)];
    for (const event of log) states.push(evolve(states.at(-1)!, event));
    for (const s of states.slice(started.seq)) {
      const round = s.round!;
      // QUE1: a hand is in the queue once, only if let in, and never the speaker's.
      expect(new Set(round.queue).size, `seq ${s.seq} (seed ${seed})`).toBe(round.queue.length);
      expect(round.queue.filter((id) => !admittedIds.includes(id) || id === round.speaker?.personId), `seq ${s.seq} (seed ${seed})`).toEqual([]);
    }

    // ── every acknowledgement is explained by the log ────────────────────────────────────────────────────────────
    const e = schema.circleEvents;
    const rows = await server.db.db.select({ seq: e.seq, commandId: e.commandId }).from(e).where(eq(e.circleId, circleId)).orderBy(asc(e.seq));
    const seqOf = new Map(rows.filter((r) => r.commandId).map((r) => [r.commandId!, r.seq]));
    const bySeq = new Map<number, CircleEvent>(log.map((ev) => [ev.seq, ev]));
    const tally: Record<string, number> = {};
    const count = (what: string) => void (tally[what] = (tally[what] ?? 0) + 1);
    const claimed = new Set<number>();
    for (const s of sent) {
      const what = `${s.device.label}: ${s.command.type} ${JSON.stringify(s.command)} (seed ${seed})`;
      const appended = seqOf.get(s.commandId);
      const { result } = s;
      if (!result.ok) {
        // LOG2: a refused command appends nothing, and it was refused by the rule its choice could meet, at a state
        // between the one its device showed and the one it showed when the answer came.
        expect(appended, what).toBeUndefined();
        expect(expectedRefusals[s.command.type] ?? [], what).toContain(result.rule);
        const candidates = states.slice(s.from, s.to + 1);
        const refusedAt = candidates.find((state) => {
          const d = decide(state, s.command, s.device.actor, new Date().toISOString());
          return !d.ok && d.rule === result.rule;
        });
        expect(refusedAt, `${what}: refused with ${result.rule}, but no state in ${s.from}..${s.to} refuses it`).toBeDefined();
        count(`${s.command.type} refused`);
        continue;
      }
      expect(result.data.duplicate, what).toBe(false);
      if (appended !== undefined) {
        // Its events end at the acknowledged seq, and deciding again at the state before them gives the same events.
        expect(result.data.seq, what).toBe(appended);
        const event = bySeq.get(appended)!;
        expect(event.actor, what).toBe(s.device.actor.personId);
        const again = decide(states[appended - 1]!, s.command, s.device.actor, event.at);
        expect(again.ok && again.value, what).toEqual([{ type: event.type, payload: event.payload, audience: event.audience }]);
        claimed.add(appended);
        count(`${s.command.type} applied`);
      } else {
        // Acknowledged with nothing appended: at the seq it names, the command changes nothing (QUE1, QUE2).
        expect(result.data.seq, what).toBeGreaterThanOrEqual(s.from);
        expect(result.data.seq, what).toBeLessThanOrEqual(s.to);
        expect(decide(states[result.data.seq]!, s.command, s.device.actor, new Date().toISOString()), what).toEqual({ ok: true, value: [] });
        count(`${s.command.type} no change`);
      }
    }
    // Nothing in the log after the round started came from anywhere but these commands.
    const unexplained = log.filter((ev) => ev.seq > started.seq && !claimed.has(ev.seq)).map((ev) => `${ev.seq} ${ev.type}`);
    expect(unexplained, `seed ${seed}`).toEqual([]);
    console.info(`hand-raise storm (${driver}): ${JSON.stringify(tally)}`);
    expect(claimed.size, `seed ${seed}`).toBeGreaterThan(COMMANDS / 4);
  });
});
