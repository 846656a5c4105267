import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CircleEvent } from '@holdspace/domain';
import { presenceList, visibleTo } from '@holdspace/domain';
import {
  closeAllConnections,
  closeRawSockets,
  connected,
  demo,
  firstCircleId,
  rawSocket,
  signIn,
  startTestServer,
  testDrivers,
  waitFor,
  type Person,
  type TestServer,
} from '../support/harness.js';

describe.each(testDrivers())('circle event log and presence (%s)', (driver) => {
  let server: TestServer;
  let maya: Person;
  let river: Person;
  let wren: Person;
  let circleId: string;

  beforeAll(async () => {
    server = await startTestServer(driver);
    [maya, river, wren] = await Promise.all([
      signIn(server.url, demo.facilitator.email),
      signIn(server.url, demo.participants[0].email),
      signIn(server.url, demo.participants[1].email),
    ]);
    circleId = await firstCircleId(maya);
  });
  afterEach(() => {
    closeAllConnections();
    closeRawSockets();
  });
  afterAll(async () => server?.stop());

  const names = (c: { state: Parameters<typeof presenceList>[0] | null }) => (c.state ? presenceList(c.state).map((p) => p.displayName) : []);

  it('PRS1: everyone sees joins and leaves, and someone who drops and returns appears once', async () => {
    const m = maya.connect(circleId);
    const r = river.connect(circleId, { device: 'phone' });
    await waitFor(() => names(m).join() === 'Maya Okafor,River' && names(r).join() === 'Maya Okafor,River', { message: 'both present' });

    const w = wren.connect(circleId);
    await waitFor(() => names(m).includes('Wren') && names(r).includes('Wren'), { message: 'Wren seen by all' });

    w.pause(); // Wren's phone drops
    await waitFor(() => !names(m).includes('Wren') && !names(r).includes('Wren'), { message: 'Wren gone for all' });
    w.resume();
    await waitFor(() => names(m).includes('Wren') && names(w).includes('Wren'), { message: 'Wren back' });
    expect(names(m).filter((n) => n === 'Wren')).toHaveLength(1);
    expect(names(r)).toEqual(['Maya Okafor', 'River', 'Wren']);
  });

  it('LOG3: a duplicate commandId is applied once and acknowledged with the first result', async () => {
    const socket = await rawSocket(server.url, { cookie: maya.cookie });
    await connected(socket);
    const join = await socket.emitWithAck('circle:join', { circleId, device: 'desktop' });
    expect(join.ok).toBe(true);
    const before = (await server.app.services.log.snapshot(circleId)).seq;

    const body = { commandId: 'open-once-0001', circleId, command: { type: 'circle.open' as const, offSchedule: true as const } };
    const first = await socket.emitWithAck('circle:command', body);
    const second = await socket.emitWithAck('circle:command', body);
    const third = await socket.emitWithAck('circle:command', body);
    expect(first).toEqual({ ok: true, data: { seq: before + 1, duplicate: false } });
    expect(second).toEqual({ ok: true, data: { seq: before + 1, duplicate: true } });
    expect(third).toEqual(second);

    const events = await server.app.services.log.eventsSince(circleId, before, 100);
    expect(events.map((e) => e.type)).toEqual(['circle.opened']);
    // A new commandId for the same command is a new command, and the domain refuses it (CIR2).
    const again = await socket.emitWithAck('circle:command', { ...body, commandId: 'open-twice-0002' });
    expect(again).toMatchObject({ ok: false, code: 'RULE_VIOLATION', rule: 'CIR2' });
  });

  it('LOG3: commands sent at once from several sockets get gap-free seqs, each applied once', async () => {
    const sockets = await Promise.all([maya, river, wren].map((p) => rawSocket(server.url, { cookie: p.cookie })));
    await Promise.all(sockets.map(connected));
    const before = (await server.app.services.log.snapshot(circleId)).seq;
    // Joins and leaves interleaved from three people, 30 in flight at once.
    const acks = await Promise.all(
      sockets.flatMap((s) =>
        Array.from({ length: 10 }, (_, i) => s.emitWithAck(i % 2 === 0 ? 'circle:join' : 'circle:leave', { circleId, device: 'phone' })),
      ),
    );
    expect(acks.every((a) => a.ok)).toBe(true);
    const events = await server.app.services.log.eventsSince(circleId, before, 1000);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => before + 1 + i));
  });

  it('LOG1: a client reconnecting with its last seq receives exactly the events it missed', async () => {
    const r = river.connect(circleId);
    await waitFor(() => r.status === 'live', { message: 'river live' });
    const lastSeq = r.state!.seq;
    r.pause();

    // While River is away: others come and go.
    const w = wren.connect(circleId);
    await waitFor(() => w.status === 'live');
    w.close();
    const m = maya.connect(circleId);
    await waitFor(() => m.status === 'live');

    const socket = await rawSocket(server.url, { cookie: river.cookie });
    await connected(socket);
    const received: CircleEvent[] = [];
    socket.on('circle:event', (e) => received.push(e));
    const ack = await socket.emitWithAck('circle:join', { circleId, lastSeq, device: 'phone' });
    if (!ack.ok || ack.data.mode !== 'replay') throw new Error(`expected a replay, got ${JSON.stringify(ack)}`);

    const me = await river.api.me();
    if (!me.ok) throw new Error('me failed');
    const missed = (await server.app.services.log.eventsSince(circleId, lastSeq, 1000)).filter((e) => e.seq <= ack.data.seq);
    const replayed = ack.data.events;
    // Everything River may see after lastSeq up to the ack, in order, nothing before it and nothing twice.
    expect(replayed.length).toBeGreaterThanOrEqual(4);
    expect(replayed.map((e) => e.seq)).toEqual(missed.filter(visibleTo({ personId: me.data.id, role: 'participant' })).map((e) => e.seq));
    expect(replayed[0]!.seq).toBeGreaterThan(lastSeq);
    expect(new Set(replayed.map((e) => e.seq)).size).toBe(replayed.length);
  });

  it('CIR3: the closing reason reaches facilitators and no participant frame carries it', async () => {
    const [ms, rs] = await Promise.all([rawSocket(server.url, { cookie: maya.cookie }), rawSocket(server.url, { cookie: river.cookie })]);
    await Promise.all([connected(ms), connected(rs)]);
    const riverFrames: unknown[] = [];
    rs.onAny((...args) => riverFrames.push(args));
    const mayaEvents: CircleEvent[] = [];
    ms.on('circle:event', (e) => mayaEvents.push(e));
    await ms.emitWithAck('circle:join', { circleId, device: 'desktop' });
    const riverJoin = await rs.emitWithAck('circle:join', { circleId, device: 'phone' });
    riverFrames.push(riverJoin);
    const closed = await ms.emitWithAck('circle:command', { commandId: 'close-with-reason-1', circleId, command: { type: 'circle.close', reason: 'A private matter about Wren' } });
    expect(closed.ok).toBe(true);
    await waitFor(() => mayaEvents.some((e) => e.type === 'circle.closeNoted'), { message: 'staff note' });
    await waitFor(() => riverFrames.some((f) => JSON.stringify(f).includes('circle.closed')), { message: 'river sees close' });
    const rejoin = await rs.emitWithAck('circle:join', { circleId, device: 'phone' }); // a fresh snapshot, too
    riverFrames.push(rejoin);
    expect(JSON.stringify(riverFrames)).not.toContain('private matter');
  });

  it('a join without a last seq gets a snapshot of the current state', async () => {
    const socket = await rawSocket(server.url, { cookie: wren.cookie });
    await connected(socket);
    const ack = await socket.emitWithAck('circle:join', { circleId, device: 'phone' });
    expect(ack).toMatchObject({ ok: true, data: { mode: 'snapshot' } });
  });
});

describe('clock skew', () => {
  it('TIME2: a device measures the server clock at each join, so what is due is judged by one clock', async () => {
    const ahead = 7 * 60_000; // the server runs seven minutes ahead of this device
    const server = await startTestServer(testDrivers()[0]!, { now: () => new Date(Date.now() + ahead) });
    try {
      const maya = await signIn(server.url, demo.facilitator.email);
      const c = maya.connect(await firstCircleId(maya));
      await waitFor(() => c.status === 'live', { message: 'live' });
      expect(Math.abs(c.clockOffsetMs - ahead)).toBeLessThan(1_000);
    } finally {
      closeAllConnections();
      await server.stop();
    }
  });
});
