import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { memoryStorage } from '@holdspace/client';
import { COMMAND_OUTCOME_DAYS, schema } from '@holdspace/db';
import type { ClientCommand } from '@holdspace/domain';
import { eq } from 'drizzle-orm';
import { closeAllConnections, closeRawSockets, networkProxy, startTestServer, testDrivers, waitFor, type TestServer } from '../support/harness.js';
import { ackFrames, arrivalOf, recordFrames, signInCast, TappedSocket, type DosingCast } from '../support/dosing-fixture.js';

// LOG3 with refusals: the first answer a device got for a commandId is the only answer, whatever happened since.
describe.each(testDrivers())('exactly once, refusals included (%s)', (driver) => {
  let server: TestServer;
  let cast: DosingCast;
  let maya: TappedSocket;

  beforeAll(async () => {
    server = await startTestServer(driver);
    cast = await signInCast(server.url);
  });
  beforeEach(async () => {
    maya = await TappedSocket.open(server.url, cast.facilitator.person.cookie);
    await maya.join(cast.circleId);
    await maya.command(cast.circleId, { type: 'circle.open', offSchedule: true }); // open once; refused (CIR2) after
  });
  afterEach(() => {
    closeAllConnections();
    closeRawSockets();
  });
  afterAll(async () => server?.stop());

  const events = () => server.app.services.log.eventsSince(cast.circleId, 0, 10_000);
  /** Everything but presence: a reloaded tab joining is not the command being retried. */
  const changes = async () => (await events()).filter((e) => !e.type.startsWith('presence.'));
  const outcomeRow = async (commandId: string) =>
    (await server.db.db.select().from(schema.commandOutcomes).where(eq(schema.commandOutcomes.commandId, commandId)))[0];

  it('LOG3: refused, its acknowledgement lost, resent after the state changed so it would pass: still refused, nothing appended', async () => {
    const river = cast.participants.river;
    const lastFoodAt = new Date(Date.now() - 6 * 3_600_000).toISOString();
    const predose: ClientCommand = { type: 'checkin.predose', lastFoodAt, holdsFollowed: true, ride: 'ride' };
    const storage = memoryStorage();
    const network = await networkProxy(server.url);
    try {
      const tab = river.person.connect(cast.circleId, { storage, device: 'phone', url: network.url, headers: { cookie: river.person.cookie, origin: network.url } });
      await waitFor(() => tab.status === 'live', { message: 'tab live' });
      expect(await tab.send(arrivalOf('river'))).toMatchObject({ ok: true });

      // CHK3: not admitted yet, so the pre-dose check-in is refused; the refusal never reaches the phone.
      network.dropReplies();
      void tab.send(predose);
      const [entry] = tab.pending;
      await waitFor(async () => (await outcomeRow(entry!.commandId))?.ok === false, { message: 'the server refused and recorded it' });
      network.cut();
      await waitFor(() => tab.status === 'offline', { message: 'the tab notices' });
      expect(tab.pending).toHaveLength(1);

      // Meanwhile River is admitted: the same command would now be applied.
      expect(await maya.command(cast.circleId, { type: 'participant.admit', personId: river.id })).toMatchObject({ ok: true });
      const before = (await changes()).length;

      const refusals: string[] = [];
      tab.close();
      const next = river.person.connect(cast.circleId, { storage, device: 'phone', onRefused: (_c, failure) => refusals.push(failure.rule ?? failure.code) });
      const frames = recordFrames(next.socket);
      await waitFor(() => next.status === 'live' && next.pending.length === 0, { message: 'outbox flushed after the reload' });
      await waitFor(() => refusals.length === 1, { message: 'the first outcome reached the page' });
      expect(refusals).toEqual(['CHK3']);
      const refusedAcks = ackFrames(frames).filter((a) => (a as { ok: boolean }).ok === false);
      expect(refusedAcks).toEqual([{ ok: false, code: 'RULE_VIOLATION', message: expect.any(String), rule: 'CHK3' }]);
      expect((await changes()).length).toBe(before);
      expect((await events()).filter((e) => e.type === 'checkin.predose')).toEqual([]);

      // The same retry on a bare socket gets the same answer; a new commandId is a new command, and passes.
      const socket = await TappedSocket.open(server.url, river.person.cookie);
      const again = await socket.command(cast.circleId, predose, entry!.commandId);
      expect(again).toEqual(refusedAcks[0]);
      expect(await socket.command(cast.circleId, predose)).toMatchObject({ ok: true, data: { duplicate: false } });
      expect((await events()).filter((e) => e.type === 'checkin.predose')).toHaveLength(1);
    } finally {
      await network.close();
    }
  });

  it('LOG3: an applied command that appends nothing is remembered too', async () => {
    const wren = cast.participants.wren;
    expect(await maya.command(cast.circleId, { type: 'participant.admit', personId: wren.id })).toMatchObject({ ok: true, data: { duplicate: false } });
    // Admitting her again changes nothing (ADM1); its retry is a duplicate of that first answer, not a new decision.
    const admitAgain: ClientCommand = { type: 'participant.admit', personId: wren.id };
    const first = await maya.command(cast.circleId, admitAgain, 'admit-again-0001');
    expect(first).toMatchObject({ ok: true, data: { duplicate: false } });
    const retry = await maya.command(cast.circleId, admitAgain, 'admit-again-0001');
    expect(retry).toEqual({ ok: true, data: { seq: first.ok ? first.data.seq : -1, duplicate: true } });
  });

  it(`LOG3: outcomes are pruned by the server's periodic job after ${COMMAND_OUTCOME_DAYS} days, younger ones are kept`, async () => {
    const socket = await TappedSocket.open(server.url, cast.participants.cedar.person.cookie);
    const refused = await socket.command(cast.circleId, { type: 'checkin.journey', signal: 'okay' }, 'old-refusal-0001');
    expect(refused).toMatchObject({ ok: false, rule: 'CHK3' });
    const day = 86_400_000;
    await server.app.services.pruneOutcomes(new Date(Date.now() + (COMMAND_OUTCOME_DAYS - 1) * day));
    expect(await outcomeRow('old-refusal-0001')).toMatchObject({ ok: false, rule: 'CHK3' });
    expect(await server.app.services.pruneOutcomes(new Date(Date.now() + COMMAND_OUTCOME_DAYS * day + 60_000))).toBeGreaterThanOrEqual(1);
    expect(await outcomeRow('old-refusal-0001')).toBeUndefined();
  });
});
