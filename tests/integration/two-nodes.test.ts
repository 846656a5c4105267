import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeRawSockets, connected, createTestDatabase, demo, firstCircleId, rawSocket, signIn, startTestServer, type TestDatabase, type TestServer } from '../support/harness.js';

// No node keeps authoritative state in memory: two nodes on one Postgres queue on the circle's row lock.
describe('two server nodes sharing one Postgres', () => {
  let database: TestDatabase;
  let a: TestServer;
  let b: TestServer;

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    [a, b] = await Promise.all([startTestServer('postgres', { database }), startTestServer('postgres', { database })]);
  });
  afterAll(async () => {
    closeRawSockets();
    await a?.stop();
    await b?.stop();
    await database?.drop();
  });

  it('LOG2/LOG3: concurrent commands through both nodes leave a log with no duplicate or missing seq', async () => {
    const people = [demo.facilitator, ...demo.participants.slice(0, 3)];
    const sockets = await Promise.all(
      people.flatMap((p) => [a, b].map(async (node) => rawSocket(node.url, { cookie: (await signIn(node.url, p.email)).cookie }))),
    );
    await Promise.all(sockets.map(connected));
    const circleId = await firstCircleId(await signIn(a.url, demo.facilitator.email));
    const before = (await a.app.services.log.snapshot(circleId)).seq;

    const acks = await Promise.all(
      sockets.flatMap((s) =>
        Array.from({ length: 6 }, (_, i) => s.emitWithAck(i % 2 === 0 ? 'circle:join' : 'circle:leave', { circleId, device: 'phone' })),
      ),
    );
    expect(acks.filter((x) => !x.ok)).toEqual([]);

    const events = await b.app.services.log.eventsSince(circleId, before, 10_000);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => before + 1 + i));
    // Each of the 8 sockets joined and left three times, in the order it sent them.
    expect(events.filter((e) => e.type === 'presence.joined')).toHaveLength(8 * 3);
    expect(events.filter((e) => e.type === 'presence.left')).toHaveLength(8 * 3);
    const snapshot = await a.app.services.log.snapshot(circleId);
    expect(snapshot.seq).toBe(events.at(-1)!.seq);
  });
});
