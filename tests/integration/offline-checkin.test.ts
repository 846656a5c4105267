import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { memoryStorage, type CircleConnection, type OutboxStorage } from '@holdspace/client';
import { closeAllConnections, closeRawSockets, demo, networkProxy, startTestServer, testDrivers, waitFor, type TestServer } from '../support/harness.js';
import { arrivalOf, commandAcks, member, recordFrames, secrets, signInCast, TappedSocket, vitalsPlan, type DosingCast, type Member } from '../support/dosing-fixture.js';

// A phone's browser tab: a CircleConnection whose outbox lives in storage that outlasts the tab (localStorage in
// the browser). Closing the connection and opening another on the same storage is a page reload.
// The outbox and the dedupe do not depend on the driver (circle-log.test.ts checks LOG3 on both): one is enough here,
// Postgres when it is among the drivers under test.
describe.each(testDrivers().slice(-1))('a check-in made offline (%s)', (driver) => {
  let server: TestServer;
  let cast: DosingCast;

  beforeAll(async () => {
    server = await startTestServer(driver);
    cast = await signInCast(server.url);
    const maya = await TappedSocket.open(server.url, cast.facilitator.person.cookie);
    await maya.join(cast.circleId);
    expect(await maya.command(cast.circleId, { type: 'circle.open', offSchedule: true })).toMatchObject({ ok: true });
  });
  afterEach(() => {
    closeAllConnections();
    closeRawSockets();
  });
  afterAll(async () => server?.stop());

  const arrivals = async (who: Member) =>
    (await server.app.services.log.eventsSince(cast.circleId, 0, 10_000)).filter((e) => e.type === 'checkin.arrival' && e.payload.personId === who.id);

  /** Opens the circle in a tab whose outbox lives in `storage`; closing the previous tab first makes it a reload. */
  const openTab = (who: Member, storage: OutboxStorage, options: { replacing?: CircleConnection; via?: string } = {}) => {
    options.replacing?.close();
    const via = options.via ? { url: options.via, headers: { cookie: who.person.cookie, origin: options.via } } : {};
    return who.person.connect(cast.circleId, { storage, device: 'phone', ...via });
  };

  it('LOG3: made offline, then a page reload, then reconnect, is stored exactly once', async () => {
    const river = cast.participants.river;
    const storage = memoryStorage();
    const tab = openTab(river, storage);
    await waitFor(() => tab.status === 'live', { message: 'first tab live' });

    tab.pause(); // the phone loses its network
    void tab.send(arrivalOf('river'));
    expect(tab.pending).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 100));
    expect(await arrivals(river)).toHaveLength(0);

    const next = openTab(river, storage, { replacing: tab }); // the page is reloaded, and the network is back
    const frames = recordFrames(next.socket);
    await waitFor(() => next.status === 'live' && next.pending.length === 0, { message: 'outbox flushed after the reload' });

    const stored = await arrivals(river);
    expect(stored).toHaveLength(1);
    expect(stored[0]!.payload).toMatchObject({ intention: secrets.intention('river') });
    const acks = commandAcks(frames);
    expect(acks).toEqual([{ ok: true, data: { seq: stored[0]!.seq, duplicate: false } }]);
    await waitFor(() => next.state?.people[river.id]?.arrival, { message: 'the reloaded tab shows the check-in' });
    expect((await server.app.services.log.snapshot(cast.circleId)).people[river.id]?.arrival?.intention).toBe(secrets.intention('river'));
  });

  it('LOG3: committed but its acknowledgement lost, then resent after a reload, is stored once and acknowledged as a duplicate', async () => {
    const wren = cast.participants.wren;
    const storage = memoryStorage();
    const network = await networkProxy(server.url);
    try {
      const tab = openTab(wren, storage, { via: network.url });
      await waitFor(() => tab.status === 'live', { message: 'first tab live' });

      // The command reaches the server and commits; the acknowledgement is lost on the way back, then the network.
      network.dropReplies();
      void tab.send(arrivalOf('wren'));
      await waitFor(async () => (await arrivals(wren)).length === 1, { message: 'the server committed the check-in' });
      network.cut();
      await waitFor(() => tab.status === 'offline', { message: 'the tab notices' });
      expect(tab.pending).toHaveLength(1);

      const next = openTab(wren, storage, { replacing: tab });
      const frames = recordFrames(next.socket);
      await waitFor(() => next.status === 'live' && next.pending.length === 0, { message: 'outbox flushed after the reload' });

      const stored = await arrivals(wren);
      expect(stored).toHaveLength(1);
      expect(commandAcks(frames)).toEqual([{ ok: true, data: { seq: stored[0]!.seq, duplicate: true } }]);
      expect(next.state?.people[wren.id]?.arrival?.intention).toBe(secrets.intention('wren'));
    } finally {
      await network.close();
    }
  });

  it('LOG3: the same command sent twice on a bare socket, then from the reloaded outbox, is one event', async () => {
    const sage = cast.participants.sage;
    const storage = memoryStorage();
    // The tab wrote the command to its outbox; the request reached the server twice; no answer got back.
    const tab = openTab(sage, storage);
    tab.pause();
    void tab.send(arrivalOf('sage'));
    const [entry] = tab.pending;
    const socket = await TappedSocket.open(server.url, sage.person.cookie);
    const first = await socket.command(cast.circleId, entry!.command, entry!.commandId);
    const second = await socket.command(cast.circleId, entry!.command, entry!.commandId);
    expect(first).toMatchObject({ ok: true, data: { duplicate: false } });
    expect(second).toEqual({ ok: true, data: { seq: first.ok ? first.data.seq : -1, duplicate: true } });

    const next = openTab(sage, storage, { replacing: tab });
    const frames = recordFrames(next.socket);
    await waitFor(() => next.status === 'live' && next.pending.length === 0, { message: 'outbox flushed after the reload' });
    expect(await arrivals(sage)).toHaveLength(1);
    expect(commandAcks(frames)).toEqual([second]);
  });

  it('LOG2: what the phone writes while an earlier command awaits its acknowledgement is sent too, in order', async () => {
    const cedar = cast.participants.cedar;
    const tab = openTab(cedar, memoryStorage());
    await waitFor(() => tab.status === 'live', { message: 'tab live' });
    const sent = [tab.send(arrivalOf('cedar')), tab.send({ type: 'vitals.record', personId: cedar.id, ...vitalsPlan.cedar.baseline })];
    const acks = await Promise.race([Promise.all(sent), new Promise<null>((r) => setTimeout(() => r(null), 3000))]);
    expect(acks, 'both acknowledged').not.toBeNull();
    expect(acks!.map((a) => a.ok)).toEqual([true, true]);
    expect(tab.pending).toEqual([]);
    const mine = (await server.app.services.log.eventsSince(cast.circleId, 0, 10_000)).filter((e) => 'personId' in e.payload && e.payload.personId === cedar.id && e.type !== 'presence.joined');
    expect(mine.map((e) => e.type)).toEqual(['checkin.arrival', 'vitals.recorded']);
  });

  it('CHK3: a command written offline and refused after a reload is reported to the reloaded page, not dropped silently', async () => {
    const juniper = await member(server.url, demo.participants[4].email, demo.participants[4].displayName);
    const storage = memoryStorage();
    const tab = openTab(juniper, storage);
    await waitFor(() => tab.status === 'live', { message: 'tab live' });
    tab.pause();
    void tab.send({ type: 'checkin.journey', signal: 'okay' }); // not admitted: only the arrival check-in is open
    const refusals: string[] = [];
    tab.close();
    const next = juniper.person.connect(cast.circleId, { storage, device: 'phone', onRefused: (_command, failure) => refusals.push(failure.rule ?? failure.code) });
    await waitFor(() => next.status === 'live' && next.pending.length === 0, { message: 'outbox flushed after the reload' });
    await waitFor(() => refusals.length === 1, { message: 'the refusal reached the page' });
    expect(refusals).toEqual(['CHK3']);
  });
});
