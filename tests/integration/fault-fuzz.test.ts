import { afterAll, describe, expect, it } from 'vitest';
import { memoryStorage, newCommandId, type CircleConnection, type OutboxStorage } from '@holdspace/client';
import type { ClientCommand } from '@holdspace/domain';
import { closeAllConnections, closeRawSockets, createTestDatabase, waitFor } from '../support/harness.js';
import { freePort, serverFleet, type ServerProcess } from '../support/process.js';
import { eq } from 'drizzle-orm';
import { createDb, schema } from '@holdspace/db';
import { arrivalOf, comparable, recordFrames, signInCast, snapshotOf, TappedSocket, participantKeys, type Frame, type Member, type Who } from '../support/dosing-fixture.js';

// Issue 12: a seeded fault fuzz. Random commands, disconnects, reloads from the outbox and server kills; afterwards
// every device agrees with the server, the log holds each acknowledged command once, and no private event leaked.
// FUZZ_SEED=n replays one seed; FUZZ_SEEDS=k runs k seeds (default 3 here; `pnpm fuzz` runs 500).

function mulberry32(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const seeds = process.env.FUZZ_SEED
  ? [Number(process.env.FUZZ_SEED)]
  : Array.from({ length: Number(process.env.FUZZ_SEEDS ?? 3) }, (_, i) => (Date.now() + i * 7919) % 1_000_000);
const STEPS = Number(process.env.FUZZ_STEPS ?? 25);
const everyone: Who[] = ['facilitator', ...participantKeys];

interface Tab {
  who: Who;
  member: Member;
  storage: OutboxStorage;
  conn: CircleConnection;
  frames: Frame[];
}

// Not yet part of `pnpm test`: a seed takes 15-60 s (a server and a PGlite folder of its own) and only Postgres can
// give the two-process case. Runs when FUZZ_SEED or FUZZ_SEEDS is set (`pnpm fuzz`).
describe.skipIf(!process.env.FUZZ_SEED && !process.env.FUZZ_SEEDS)('seeded fault fuzz (pglite, one server process)', () => {
  const fleet = serverFleet();
  afterAll(async () => {
    closeAllConnections();
    closeRawSockets();
    await fleet.end();
  });

  it.each(seeds)('seed %i', { timeout: 120_000 }, async (seed) => {
    console.log(`fuzz seed ${seed} (replay with FUZZ_SEED=${seed})`);
    const rand = mulberry32(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const database = await createTestDatabase('pglite');
    const env = { ...database.env, PORT: String(await freePort()), NODE_ID: `fuzz-${seed}`, AUTH_RATE_LIMIT_PER_MINUTE: '10000' };
    let server: ServerProcess = await fleet.start(env);
    try {
      const cast = await signInCast(server.url);
      const memberOf = (w: Who) => (w === 'facilitator' ? cast.facilitator : cast.participants[w]);
      const open = (who: Who, storage: OutboxStorage): Tab => {
        const m = memberOf(who);
        const conn = m.person.connect(cast.circleId, { storage, device: who === 'facilitator' ? 'desktop' : 'phone', ackTimeoutMs: 1500 });
        return { who, member: m, storage, conn, frames: recordFrames(conn.socket) };
      };
      const tabs = new Map<Who, Tab>(everyone.map((w) => [w, open(w, memoryStorage())]));
      const allFrames = new Map<Who, Frame[][]>(everyone.map((w) => [w, [tabs.get(w)!.frames]]));
      await waitFor(() => [...tabs.values()].every((t) => t.conn.status === 'live'), { timeout: 30_000, message: 'every tab live' });

      // Opened first, so most random commands have a circle to land in; the rest are refused, which is an answer too.
      expect(await tabs.get('facilitator')!.conn.send({ type: 'circle.open', offSchedule: true })).toMatchObject({ ok: true });
      const acked = new Map<string, number>();
      /** The highest acknowledged seq at each kill. */
      const kills: number[] = [];
      const answers: Promise<unknown>[] = [];
      const commandFor = (who: Who): ClientCommand => {
        if (who === 'facilitator') {
          const personId = cast.participants[pick(participantKeys)].id;
          return pick<ClientCommand>([
            { type: 'circle.open', offSchedule: true },
            { type: 'participant.admit', personId },
            { type: 'circle.start' },
            { type: 'round.start', mode: 'open_floor', prompt: 'FUZZ', timeBoxMinutes: 3 },
            { type: 'round.next' },
            { type: 'hand.lower', personId },
          ]);
        }
        return pick<ClientCommand>([arrivalOf(who), { type: 'hand.raise' }, { type: 'hand.lower' }, { type: 'checkin.journey', signal: pick(['okay', 'support', 'break'] as const) }]);
      };

      for (let step = 0; step < STEPS; step++) {
        const who = pick(everyone);
        const tab = tabs.get(who)!;
        const r = rand();
        if (r < 0.55) {
          const commandId = newCommandId();
          answers.push(tab.conn.send(commandFor(who), commandId).then((res) => res.ok && acked.set(commandId, res.data.seq)));
        } else if (r < 0.7) {
          tab.conn.pause();
          setTimeout(() => tab.conn.resume(), Math.floor(rand() * 300));
        } else if (r < 0.8) {
          // A dropped acknowledgement: the socket closes just after the command goes out; the reload resends it.
          const commandId = newCommandId();
          void tab.conn.send(commandFor(who), commandId);
          tab.conn.close();
          const next = open(who, tab.storage);
          tabs.set(who, next);
          allFrames.get(who)!.push(next.frames);
        } else if (r < 0.9) {
          tab.conn.close(); // a reload: a new page built from the persisted outbox
          const next = open(who, tab.storage);
          tabs.set(who, next);
          allFrames.get(who)!.push(next.frames);
        } else if (r < 0.93) {
          server.child.kill('SIGKILL');
          await server.exited;
          kills.push([...acked.values()].reduce((a, b) => Math.max(a, b), 0));
          server = await fleet.start(env);
        }
        await new Promise((res) => setTimeout(res, Math.floor(rand() * 60)));
      }

      await waitFor(() => [...tabs.values()].every((t) => t.conn.status === 'live' && t.conn.pending.length === 0), { timeout: 60_000, message: 'every tab live with an empty outbox' });

      for (const t of tabs.values()) {
        const view = await TappedSocket.open(server.url, t.member.person.cookie);
        const fresh = snapshotOf(await view.join(cast.circleId));
        view.socket.disconnect();
        await waitFor(() => (t.conn.state?.seq ?? 0) >= fresh.seq - 2, { timeout: 10_000, message: `${t.who} caught up` });
        const strip = (s: ReturnType<typeof comparable>) => (s ? { ...s, presence: {}, round: s.round ? { ...s.round } : null } : null);
        expect(strip(comparable(t.conn.state)), `seed ${seed}: ${t.who}'s view`).toEqual(strip(comparable({ ...fresh, seq: t.conn.state?.seq ?? 0 })));
      }
      // No private event reached another participant.
      for (const w of participantKeys) {
        const own = `person:${cast.participants[w].id}`;
        for (const frames of allFrames.get(w)!)
          for (const f of frames) {
            if (f.type !== 2 || !Array.isArray(f.data) || f.data[0] !== 'circle:event') continue;
            const audience = (f.data[1] as { audience?: string }).audience;
            expect(audience === 'all' || audience === own, `seed ${seed}: ${w} received an event for ${audience}`).toBe(true);
          }
      }
      await Promise.race([Promise.all(answers), new Promise((res) => setTimeout(res, 5000))]);
      // The log holds every acknowledged command once, at the seq its acknowledgement named (read after the stop:
      // PGlite is one process's).
      closeAllConnections();
      server.child.kill('SIGKILL');
      await server.exited;
      const db = await createDb({ pgliteDir: database.env.PGLITE_DIR! });
      try {
        const e = schema.circleEvents;
        const rows = await db.db.select({ seq: e.seq, commandId: e.commandId }).from(e).where(eq(e.circleId, cast.circleId));
        if (process.env.FUZZ_DEBUG) console.log(JSON.stringify({ kills, acked: [...acked], rows: rows.sort((a, b) => a.seq - b.seq) }));
        const withId = rows.filter((row) => row.commandId !== null);
        expect(new Set(withId.map((row) => row.commandId)).size, `seed ${seed}: a command applied twice`).toBe(withId.length);
        // A command that appends several events (a call for support and its alert) names its first by commandId, and
        // its acknowledgement names its last: the next command's first event comes after it.
        const starts = withId.map((row) => row.seq).sort((a, b) => a - b);
        const o = schema.commandOutcomes;
        const outcomes = new Map(
          (await db.db.select({ commandId: o.commandId, ok: o.ok, seq: o.seq }).from(o).where(eq(o.circleId, cast.circleId))).map((r) => [r.commandId, r]),
        );
        for (const [commandId, seq] of acked) {
          // Every acknowledged command's outcome was kept (LOG3), at the seq its acknowledgement named.
          expect(outcomes.get(commandId), `seed ${seed}: acknowledged ${commandId} has its outcome`).toMatchObject({ ok: true, seq });
          const first = withId.find((row) => row.commandId === commandId)?.seq;
          // A command that changed nothing (lowering a hand already down) is acknowledged with no event.
          if (first === undefined) continue;
          expect(starts.find((x) => x > first!) ?? Infinity, `seed ${seed}: ${commandId}'s events`).toBeGreaterThan(seq);
          expect(seq).toBeGreaterThanOrEqual(first!);
        }
        console.log(`fuzz seed ${seed}: ${acked.size} acknowledged, ${withId.length} commands in the log, each once`);
      } finally {
        await db.close();
      }
    } finally {
      closeAllConnections();
      if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
      await server.exited;
      await database.drop();
    }
  });
});
