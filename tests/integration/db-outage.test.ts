import { afterAll, describe, expect, it } from 'vitest';
import { inArray } from 'drizzle-orm';
import { newCommandId } from '@holdspace/client';
import { createDb, schema } from '@holdspace/db';
import type { CommandAck, Result } from '@holdspace/protocol';
import { closeAllConnections, closeRawSockets, createTestDatabase, testDrivers, waitFor, type TestDatabase } from '../support/harness.js';
import { serverFleet } from '../support/process.js';
import { dbProxy, type DbProxy } from '../support/db-proxy.js';
import { arrivalOf, TappedSocket } from '../support/dosing-fixture.js';
import { allLive, openCrowd, signInCrowd } from '../support/crowd.js';

// Issue 12, acceptance 7 (LOG3, LOG6): Postgres is unreachable for ten seconds in the middle of a circle. Nothing is
// acknowledged that was not saved, the phones' outboxes keep what the people tapped, the server comes back by itself,
// and everything the outboxes held lands exactly once.

const DEVICES = 30;
const OUTAGE_MS = 10_000;
const RECOVERED_WITHIN_MS = 5000;

interface Ack {
  commandId: string;
  seq: number;
  duplicate: boolean;
  at: number;
}

describe.skipIf(!testDrivers().includes('postgres'))('Postgres unreachable for ten seconds mid-circle (postgres)', () => {
  let database: TestDatabase | undefined;
  let proxy: DbProxy | undefined;
  const fleet = serverFleet();
  afterAll(async () => {
    closeAllConnections();
    closeRawSockets();
    await fleet.end();
    await proxy?.close();
    await database?.drop();
  });

  it('LOG3, LOG6: refused as not saved while it is away, recovered within 5 s, every outbox delivered once', { timeout: 120_000 }, async () => {
    database = await createTestDatabase('postgres');
    proxy = await dbProxy(database.env.DATABASE_URL!);
    const server = await fleet.start({ DATABASE_URL: proxy.url, NODE_ID: 'db-outage', AUTH_RATE_LIMIT_PER_MINUTE: '10000' });
    const crowd = await signInCrowd(server.url);
    const devices = openCrowd(crowd, DEVICES, { url: server.url, ackTimeoutMs: 2000 });
    await allLive(devices);
    for (const d of devices.filter((d, i) => d.role === 'facilitator' && devices.findIndex((o) => o.circleId === d.circleId) === i)) {
      expect(await d.conn.send({ type: 'circle.open', offSchedule: true })).toMatchObject({ ok: true });
    }
    // A raw socket beside the phones, to read the exact answer a command gets while the database is away.
    const witness = devices.find((d) => d.role === 'participant')!;
    const raw = await TappedSocket.open(server.url, witness.who.person.cookie);
    await raw.join(witness.circleId);

    // Each phone taps an arrival check-in every 150-350 ms while its outbox holds fewer than three.
    const phones = devices.filter((d) => d.role === 'participant');
    const sent = new Set<string>();
    const acks: Ack[] = [];
    const refusals: string[] = [];
    const answers: Promise<void>[] = [];
    let writing = true;
    const writers = phones.map(async (d) => {
      while (writing) {
        await waitFor(() => !writing || d.conn.pending.length < 3, { timeout: 60_000, message: 'the phone ready for the next tap' });
        if (!writing) break;
        const commandId = newCommandId();
        sent.add(commandId);
        answers.push(
          d.conn.send(arrivalOf(d.who.displayName), commandId).then((result) => {
            if (result.ok) acks.push({ commandId, ...result.data, at: Date.now() });
            else refusals.push(`${result.code}: ${result.message}`);
          }),
        );
        await new Promise((r) => setTimeout(r, 150 + Math.random() * 200));
      }
    });
    await waitFor(() => acks.length >= 100, { timeout: 30_000, message: 'the load under way' });

    const cutAt = Date.now();
    proxy.cut({ hard: true });
    // Past the longest a command already inside a transaction can take to fail, the answer is "not saved".
    await waitFor(() => Date.now() - cutAt > 2500, { timeout: 5000, interval: 100, message: 'the outage settled' });
    const during = (await raw.socket.timeout(10_000).emitWithAck('circle:command', {
      circleId: witness.circleId,
      commandId: newCommandId(),
      command: arrivalOf(witness.who.displayName),
    })) as Result<CommandAck>;
    expect(during).toMatchObject({ ok: false, code: 'UNAVAILABLE' });
    expect(!during.ok && during.message).toMatch(/not saved/i);
    const heldDuring = () => phones.reduce((n, d) => n + d.conn.pending.length, 0);
    await waitFor(() => Date.now() - cutAt >= OUTAGE_MS, { timeout: OUTAGE_MS + 5000, interval: 200, message: 'ten seconds of outage' });
    const held = heldDuring();
    const ackedInOutage = acks.filter((a) => a.at > cutAt + 2500 && a.at <= Date.now());
    const healedAt = Date.now();
    proxy.heal();

    // Recovery by itself: health and commands again within 5 s of the database returning.
    await waitFor(async () => (await fetch(`${server.url}/api/health`).then((r) => r.status, () => 0)) === 200, {
      timeout: RECOVERED_WITHIN_MS + 5000,
      interval: 100,
      message: 'health 200 after the outage',
    });
    const healthyAfter = Date.now() - healedAt;
    await waitFor(() => acks.some((a) => a.at > healedAt), { timeout: RECOVERED_WITHIN_MS + 5000, interval: 50, message: 'a command acknowledged after the outage' });
    const firstAckAfter = Math.min(...acks.filter((a) => a.at > healedAt).map((a) => a.at)) - healedAt;
    writing = false;
    await Promise.all(writers);
    await waitFor(() => devices.every((d) => d.conn.pending.length === 0), { timeout: 45_000, message: 'every outbox empty' });
    await Promise.all(answers);
    const drainedAfter = Date.now() - healedAt;

    console.log(`figure: db outage ${OUTAGE_MS} ms: the outboxes held ${held} commands at its end; ${ackedInOutage.length} acknowledged while it lasted`);
    console.log(`figure: db outage: health 200 ${healthyAfter} ms after the database returned, first acknowledgement ${firstAckAfter} ms, every outbox empty ${drainedAfter} ms`);
    expect(held).toBeGreaterThan(0);
    expect(ackedInOutage).toEqual([]);
    expect(healthyAfter).toBeLessThanOrEqual(RECOVERED_WITHIN_MS);
    expect(firstAckAfter).toBeLessThanOrEqual(RECOVERED_WITHIN_MS);
    expect(refusals).toEqual([]);
    expect(acks).toHaveLength(sent.size);

    const db = await createDb({ databaseUrl: database.env.DATABASE_URL! });
    try {
      const e = schema.circleEvents;
      const rows = await db.db.select({ seq: e.seq, commandId: e.commandId }).from(e).where(inArray(e.type, ['checkin.arrival']));
      const byCommand = new Map(rows.map((r) => [r.commandId!, r.seq]));
      // Each command once in the log (the command id is unique there), at the seq its acknowledgement named; the one the
      // witness heard refused was never saved.
      const mine = rows.filter((r) => sent.has(r.commandId!));
      expect(mine).toHaveLength(sent.size);
      for (const a of acks) expect(byCommand.get(a.commandId), a.commandId).toBe(a.seq);
      console.log(`figure: db outage: ${sent.size} commands sent, ${mine.length} in the log, each once`);
    } finally {
      await db.close();
    }
  });
});
