import { afterAll, describe, expect, it } from 'vitest';
import { asc, eq } from 'drizzle-orm';
import { newCommandId, type CircleConnection } from '@holdspace/client';
import { createDb, schema } from '@holdspace/db';
import { viewFor } from '@holdspace/domain';
import { closeAllConnections, closeRawSockets, createTestDatabase, networkProxy, testDrivers, waitFor, type NetworkProxy, type TestDatabase } from '../support/harness.js';
import { freePort, serverFleet } from '../support/process.js';
import { comparable, DosingScript, participantKeys, signInCast, snapshotOf, TappedSocket, viewerOf, type Send, type Who } from '../support/dosing-fixture.js';

const everyone: Who[] = ['facilitator', ...participantKeys];

/** The whole state as the server holds it: what a facilitator's fresh join returns. */
const serverView = async (facilitator: TappedSocket, circleId: string) => snapshotOf(await facilitator.join(circleId));

describe.each(testDrivers())('a server restart in the middle of a dosing circle (%s)', (driver) => {
  let database: TestDatabase | undefined;
  let network: NetworkProxy | undefined;
  const fleet = serverFleet();
  afterAll(async () => {
    closeAllConnections();
    closeRawSockets();
    await network?.close();
    await fleet.end();
    await database?.drop();
  });

  it('LOG1-LOG3: after a kill (and a graceful restart), every acknowledged command is in a gap-free log once, and each device holds its view of it', { timeout: 120_000 }, async () => {
    database = await createTestDatabase(driver);
    // The same port and node id across restarts: devices reconnect to the address they know, and the node clears
    // the presence its previous run left behind.
    const env: Record<string, string> = { ...database.env, PORT: String(await freePort()), NODE_ID: `restart-${driver}`, AUTH_RATE_LIMIT_PER_MINUTE: '10000' };
    const start = () => fleet.start(env);
    let server = await start();
    const cast = await signInCast(server.url);
    // The devices reach the server through a network the test can break; the test's own looks go direct.
    network = await networkProxy(server.url);
    const via = { url: network.url, headers: { origin: network.url } };
    const memberOf = (w: Who) => (w === 'facilitator' ? cast.facilitator : cast.participants[w]);
    const devices = Object.fromEntries(
      everyone.map((w) => {
        const { person } = memberOf(w);
        return [w, person.connect(cast.circleId, { device: w === 'facilitator' ? 'desktop' : 'phone', ackTimeoutMs: 2000, ...via, headers: { ...via.headers, cookie: person.cookie } })];
      }),
    ) as Record<Who, CircleConnection>;
    const allLive = () => waitFor(() => everyone.every((w) => devices[w].status === 'live'), { timeout: 30_000, message: 'every device live' });
    await allLive();

    const acked = new Map<string, { who: Who; type: string; seq: number; duplicate: boolean }>();
    const send: Send = async (who, command) => {
      const commandId = newCommandId();
      const result = await devices[who].send(command, commandId);
      if (result.ok) acked.set(commandId, { who, type: command.type, ...result.data });
      return result;
    };
    const script = new DosingScript(cast, send);
    await script.run('dose');

    // The hard case: the server commits the journey signals, their acknowledgements never reach the phones, and the
    // process is killed.
    const watch = await TappedSocket.open(server.url, cast.facilitator.person.cookie);
    await watch.join(cast.circleId);
    network.dropReplies();
    const journey = script.run('journey');
    await waitFor(() => watch.events.filter((e) => e.type === 'checkin.journey').length === 4, { message: 'the server committed the journey signals' });
    server.child.kill('SIGKILL');
    await server.exited;
    network.cut();
    await waitFor(() => everyone.every((w) => devices[w].status !== 'live'), { message: 'every device notices' });
    server = await start();
    await journey; // the devices reconnect on their own, and their outboxes send again what was not acknowledged
    await allLive();
    const journeyAcks = [...acked.values()].filter((a) => a.type === 'checkin.journey');
    expect(journeyAcks.map((a) => a.duplicate)).toEqual([true, true, true, true]);

    // Mid-journey, with nothing under way: the server's view of each device, presence included. The look's own join
    // is the last event, one everyone sees, so every device ends on the server's seq.
    const look = await TappedSocket.open(server.url, cast.facilitator.person.cookie);
    const mid = await serverView(look, cast.circleId);
    await waitFor(() => everyone.every((w) => devices[w].state?.seq === mid.seq), { message: 'every device caught up' });
    for (const w of everyone) expect(devices[w].state, `${w}'s device after the kill`).toEqual(viewFor(mid, viewerOf(cast, w)));
    look.socket.disconnect();

    await script.run('watch');

    if (driver === 'postgres') {
      // A graceful restart too, with the after check-ins on their way (on one driver: it is the same code path).
      const after = script.run('after');
      server.child.kill('SIGTERM');
      expect((await server.exited).code).toBe(0);
      server = await start();
      await after;
    }
    await script.run();
    await allLive();
    await waitFor(() => everyone.every((w) => devices[w].pending.length === 0 && devices[w].state?.status === 'closed'), { message: 'every device saw the close' });

    // At the end: a join of the closed circle adds nothing to the log, and presence ended with the close.
    const serverState = await serverView(await TappedSocket.open(server.url, cast.facilitator.person.cookie), cast.circleId);
    for (const w of everyone) {
      expect(comparable(devices[w].state), `${w}'s device`).toEqual(comparable(viewFor(serverState, viewerOf(cast, w))));
    }
    // A participant's device holds the seq of the last event they may see; the staff's holds the log's.
    expect(devices.facilitator.state?.seq).toBe(serverState.seq);

    closeAllConnections();
    closeRawSockets();
    server.child.kill('SIGTERM');
    expect((await server.exited).code).toBe(0);

    const db = await createDb(driver === 'postgres' ? { databaseUrl: env.DATABASE_URL } : { pgliteDir: env.PGLITE_DIR });
    try {
      const e = schema.circleEvents;
      const rows = await db.db.select({ seq: e.seq, type: e.type, commandId: e.commandId }).from(e).where(eq(e.circleId, cast.circleId)).orderBy(asc(e.seq));
      expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i + 1));
      for (const [commandId, a] of acked) expect(rows.find((r) => r.commandId === commandId)?.seq, `${a.who} ${a.type}`).toBe(a.seq);
      // Nothing was applied that its device did not get acknowledged, and nothing twice.
      expect(rows.filter((r) => r.commandId !== null)).toHaveLength(acked.size);
      const count = (type: string) => rows.filter((r) => r.type === type).length;
      expect({ journey: count('checkin.journey'), after: count('checkin.after'), doses: count('dose.recorded'), alerts: count('alert.raised'), closed: count('circle.closed') }).toEqual({
        journey: 4,
        after: 4,
        doses: 4,
        alerts: 3,
        closed: 1,
      });
    } finally {
      await db.close();
    }
  });
});
