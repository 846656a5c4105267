import { afterAll, describe, expect, it } from 'vitest';
import { closeAllConnections, closeRawSockets, createTestDatabase, testDrivers, waitFor, type TestDatabase } from '../support/harness.js';
import { freePort, serverFleet, type ServerProcess } from '../support/process.js';
import { allLive, expectedPresence, lookAtPresence, openCrowd, presenceCounts, presentConnections, signInCrowd, type Crowd, type Device } from '../support/crowd.js';

const DEVICES = 100;
// PRS5: another node id's run counts as gone after three silent beats; a short beat keeps the wait short.
const HEARTBEAT_MS = 1000;

describe.each(testDrivers())('presence after a crash and restart (%s)', (driver) => {
  let database: TestDatabase | undefined;
  const fleet = serverFleet();
  let env: Record<string, string>;
  let server: ServerProcess;
  let crowd: Crowd;
  let devices: Device[];

  afterAll(async () => {
    closeAllConnections();
    closeRawSockets();
    await fleet.end();
    await database?.drop();
  });

  const start = (nodeId: string) => fleet.start({ ...env, NODE_ID: nodeId });

  /** Kills the server, starts it again under `nodeId`, and waits for every device to be back in its circle. */
  const crashAndRestart = async (nodeId: string) => {
    const before = new Map(devices.map((d) => [d, d.conn.socket.id]));
    const killedAt = Date.now();
    server.child.kill('SIGKILL');
    await server.exited;
    server = await start(nodeId);
    const readyAt = Date.now();
    // Socket.IO reconnects by itself; a device is back once it holds a new socket and its join was answered.
    await waitFor(() => devices.every((d) => d.conn.status === 'live' && d.conn.socket.id !== before.get(d)), { timeout: 45_000, message: 'every device re-joined' });
    const rejoinedAt = Date.now();
    console.log(`figure: ${driver}, restart as ${nodeId}: all ${devices.length} sockets re-joined ${rejoinedAt - readyAt} ms after the server was ready (${rejoinedAt - killedAt} ms after the kill)`);
    return { readyAt, rejoinedAt };
  };

  const expectExact = (look: Awaited<ReturnType<typeof lookAtPresence>>, nodeId: string) => {
    const expected = expectedPresence(devices, nodeId, look.run);
    for (const circleId of crowd.circleIds) expect(look.byCircle.get(circleId), `presence of circle ${circleId}`).toEqual(expected.get(circleId));
  };

  it('PRS5: killed and started again with the same NODE_ID, every circle lists exactly the connections of the devices that re-joined', { timeout: 90_000 }, async () => {
    database = await createTestDatabase(driver);
    env = { ...database.env, PORT: String(await freePort()), AUTH_RATE_LIMIT_PER_MINUTE: '10000', RUN_HEARTBEAT_MS: String(HEARTBEAT_MS) };
    const nodeId = `presence-${driver}`;
    server = await start(nodeId);
    crowd = await signInCrowd(server.url);
    devices = openCrowd(crowd, DEVICES, { url: server.url });
    await allLive(devices);

    const first = await lookAtPresence(server.url, crowd.staff[0]!, crowd.circleIds);
    expectExact(first, nodeId);
    console.log(`figure: ${driver}, before the kill: presence per circle ${JSON.stringify(crowd.circleIds.map((c) => first.byCircle.get(c)!.length))} for ${DEVICES} sockets`);

    await crashAndRestart(nodeId);
    // The dead run's presence was ended before the server took its first socket, and nothing since touched the new.
    const after = await lookAtPresence(server.url, crowd.staff[0]!, crowd.circleIds);
    expect(after.run).not.toBe(first.run);
    console.log(`figure: ${driver}, same NODE_ID, right after every socket re-joined: ${JSON.stringify(presenceCounts(after.byCircle, expectedPresence(devices, nodeId, after.run)))}`);
    expectExact(after, nodeId);
  });

  it('PRS5: killed and started again under a new NODE_ID, the dead run is cleared and every re-joined connection stays', { timeout: 90_000 }, async () => {
    const oldNode = `presence-${driver}`;
    const newNode = `presence-${driver}-moved`;
    const { readyAt } = await crashAndRestart(newNode);
    const first = await lookAtPresence(server.url, crowd.staff[0]!, crowd.circleIds);
    const expected = expectedPresence(devices, newNode, first.run);
    // Until the old node id has been silent for three beats it may be a live node: its entries may still be listed,
    // but every new connection must be.
    const atRejoin = presenceCounts(first.byCircle, expected);
    console.log(`figure: ${driver}, new NODE_ID, right after every socket re-joined: ${JSON.stringify(atRejoin)}`);
    for (const c of atRejoin) expect(c.live).toBe(c.devices);
    for (const ids of first.byCircle.values()) for (const id of ids) expect(id.startsWith(`${newNode}/`) || id.startsWith(`${oldNode}/`), id).toBe(true);

    // The facilitators' dashboards follow the log: wait until each lists only the live connections.
    const dashboards = devices.filter((d) => d.role === 'facilitator');
    await waitFor(() => dashboards.every((d) => JSON.stringify(presentConnections(d.conn.state)) === JSON.stringify(expected.get(d.circleId))), {
      timeout: HEARTBEAT_MS * 12 + 15_000,
      interval: 100,
      message: 'the dead run swept from every dashboard',
    }).catch((error: unknown) => {
      for (const d of dashboards) {
        const have = presentConnections(d.conn.state);
        const want = expected.get(d.circleId) ?? [];
        console.log(`not settled: dashboard ${d.circleId} seq ${d.conn.state?.seq} status ${d.conn.status}: extra ${JSON.stringify(have.filter((x) => !want.includes(x)))} missing ${JSON.stringify(want.filter((x) => !have.includes(x)))}`);
      }
      throw error;
    });
    console.log(`figure: ${driver}, new NODE_ID: every dashboard lists only live connections ${Date.now() - readyAt} ms after the server was ready (heartbeat ${HEARTBEAT_MS} ms, so the old node counts as gone after ${HEARTBEAT_MS * 3} ms of silence)`);
    const settled = await lookAtPresence(server.url, crowd.staff[0]!, crowd.circleIds);
    console.log(`figure: ${driver}, new NODE_ID, settled: ${JSON.stringify(presenceCounts(settled.byCircle, expected))}`);
    expectExact(settled, newNode);
  });
});
