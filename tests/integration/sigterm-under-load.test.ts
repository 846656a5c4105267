import { afterAll, describe, expect, it } from 'vitest';
import { inArray } from 'drizzle-orm';
import { newCommandId } from '@holdspace/client';
import { createDb, schema } from '@holdspace/db';
import { closeAllConnections, closeRawSockets, createTestDatabase, waitFor, type TestDatabase } from '../support/harness.js';
import { freePort, serverFleet } from '../support/process.js';
import { arrivalOf } from '../support/dosing-fixture.js';
import { allLive, expectedPresence, lookAtPresence, openCrowd, signInCrowd } from '../support/crowd.js';

const DEVICES = 100;
const SHUTDOWN_TIMEOUT_MS = 4500; // the default (config.ts)
const OFFLINE_TAPS = 5;
const NODE_ID = 'sigterm-under-load';

interface Ack {
  commandId: string;
  seq: number;
  duplicate: boolean;
  at: number;
}

// A deploy in the middle of a session: the server is asked to stop while phones are sending. The shutdown path does not
// depend on the driver; Postgres is where it meets a real pool and real round trips.
describe('a SIGTERM while a hundred devices are sending (postgres)', () => {
  let database: TestDatabase | undefined;
  const fleet = serverFleet();
  afterAll(async () => {
    closeAllConnections();
    closeRawSockets();
    await fleet.end();
    await database?.drop();
  });

  it('LOG3, PRS5: exits 0 within SHUTDOWN_TIMEOUT_MS, loses no acknowledged command, and the outboxes deliver the rest once after the restart', { timeout: 90_000 }, async () => {
    database = await createTestDatabase('postgres');
    const env: Record<string, string> = {
      ...database.env,
      PORT: String(await freePort()),
      NODE_ID,
      AUTH_RATE_LIMIT_PER_MINUTE: '10000',
      SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
    };
    const start = () => fleet.start(env);
    let server = await start();
    const crowd = await signInCrowd(server.url);
    const devices = openCrowd(crowd, DEVICES, { url: server.url, ackTimeoutMs: 2000 });
    await allLive(devices);
    for (const d of devices.filter((d, i) => d.role === 'facilitator' && devices.findIndex((o) => o.circleId === d.circleId) === i)) {
      expect(await d.conn.send({ type: 'circle.open', offSchedule: true })).toMatchObject({ ok: true });
    }

    // Each phone writes an arrival check-in 100-300 ms after its last one was acknowledged; while it is offline the
    // person keeps tapping, and its outbox keeps up to OFFLINE_TAPS of them for when the server is back.
    const phones = devices.filter((d) => d.role === 'participant');
    const sent = new Set<string>();
    const acks: Ack[] = [];
    const refusals: string[] = [];
    const answers: Promise<void>[] = [];
    let writing = true;
    const writers = phones.map(async (d) => {
      while (writing) {
        await waitFor(() => !writing || d.conn.pending.length === 0 || (d.conn.status !== 'live' && d.conn.pending.length < OFFLINE_TAPS), {
          timeout: 60_000,
          message: 'the phone ready for the next tap',
        });
        if (!writing) break;
        const commandId = newCommandId();
        sent.add(commandId);
        answers.push(
          d.conn.send(arrivalOf(d.who.displayName), commandId).then((result) => {
            if (result.ok) acks.push({ commandId, ...result.data, at: Date.now() });
            else refusals.push(`${result.code}: ${result.message}`);
          }),
        );
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
      }
    });
    await waitFor(() => acks.length >= 300, { timeout: 30_000, message: 'the load under way' });

    const inFlight = phones.reduce((n, d) => n + d.conn.pending.length, 0);
    const ackedBefore = acks.length;
    const signalledAt = Date.now();
    server.child.kill('SIGTERM');
    const exit = await server.exited;
    const shutdownMs = exit.at - signalledAt;
    const ackedByOldRun = acks.filter((a) => a.at <= exit.at);
    console.log(`figure: SIGTERM to exit ${shutdownMs} ms (SHUTDOWN_TIMEOUT_MS ${SHUTDOWN_TIMEOUT_MS}), exit code ${exit.code}`);
    console.log(
      `figure: at the signal ${inFlight} commands in flight on ${phones.length} phones, ${ackedBefore} acknowledged before it, ${ackedByOldRun.length - ackedBefore} during the shutdown`,
    );
    const cutShort = server.output().match(/shutdown: [^"]*/g) ?? [];
    console.log(`figure: shutdown steps that ran out of time: ${cutShort.length ? cutShort.join('; ') : 'none'}`);
    expect(exit.code, server.output()).toBe(0);
    expect(shutdownMs).toBeLessThan(SHUTDOWN_TIMEOUT_MS);
    expect(inFlight).toBeGreaterThan(0);

    const db = await createDb({ databaseUrl: env.DATABASE_URL! });
    const stored = async () => {
      const e = schema.circleEvents;
      const rows = await db.db.select({ seq: e.seq, commandId: e.commandId, circleId: e.circleId }).from(e).where(inArray(e.type, ['checkin.arrival']));
      return new Map(rows.map((r) => [r.commandId!, r]));
    };
    try {
      // Before anything could resend: everything the stopped server acknowledged is in the log.
      const afterStop = await stored();
      const lost = ackedByOldRun.filter((a) => afterStop.get(a.commandId)?.seq !== a.seq);
      console.log(`figure: acknowledged commands lost by the shutdown: ${lost.length} of ${ackedByOldRun.length}`);
      expect(lost).toEqual([]);

      // Started again on the same address: the phones reconnect, re-join, and their outboxes send what they hold.
      server = await start();
      const readyAt = Date.now();
      const held = phones.reduce((n, d) => n + d.conn.pending.length, 0);
      writing = false;
      await Promise.all(writers);
      await allLive(devices);
      await waitFor(() => devices.every((d) => d.conn.pending.length === 0), { timeout: 45_000, message: 'every outbox empty' });
      await Promise.all(answers);
      const resumed = acks.filter((a) => a.at > exit.at);
      console.log(
        `figure: the outboxes held ${held} commands when the server was ready again; ${resumed.length} delivered after the restart within ${Date.now() - readyAt} ms of the server being ready (${resumed.filter((a) => a.duplicate).length} had committed before and were answered as duplicates)`,
      );
      expect(resumed.length).toBeGreaterThan(0);

      expect(refusals).toEqual([]);
      expect(acks).toHaveLength(sent.size);
      const rows = await stored();
      // Every command any phone sent is in the log exactly once (the command id is unique in the log), at the seq its
      // acknowledgement named, and nothing else was applied.
      expect(rows.size).toBe(sent.size);
      for (const a of acks) expect(rows.get(a.commandId)?.seq, a.commandId).toBe(a.seq);
      console.log(`figure: ${sent.size} commands sent, ${rows.size} in the log, each once`);

      // The stopping server ended its presence; the restarted one lists exactly the devices that came back.
      const look = await lookAtPresence(server.url, crowd.staff[0]!, crowd.circleIds);
      const expected = expectedPresence(devices, NODE_ID, look.run);
      for (const circleId of crowd.circleIds) expect(look.byCircle.get(circleId)).toEqual(expected.get(circleId));
    } finally {
      await db.close();
    }

    closeAllConnections();
    server.child.kill('SIGTERM');
    expect((await server.exited).code).toBe(0);
  });
});
