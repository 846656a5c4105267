import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { clientEventSchemas } from '@holdspace/protocol';
import type { ClientCommand } from '@holdspace/domain';
import { closeAllConnections, closeRawSockets, demo, signIn, startTestServer, testDrivers, waitFor, type TestServer } from '../support/harness.js';
import { call } from '../support/clinic-fixture.js';
import { arrivalOf, signInCast, TappedSocket, type DosingCast } from '../support/dosing-fixture.js';
import { poisoned, POISONS, validSample, type IdFor } from '../support/poison.js';

// Acceptance 2 of issue 17: a check-in holding a character no database stores must not hold back a call for support,
// and no route or command answers 500 to such characters in any text field (walked from the schemas themselves).
describe.each(testDrivers())('poisoned text (%s)', (driver) => {
  let server: TestServer;
  let cast: DosingCast;
  let maya: TappedSocket;

  beforeAll(async () => {
    server = await startTestServer(driver);
    cast = await signInCast(server.url);
    maya = await TappedSocket.open(server.url, cast.facilitator.person.cookie);
    await maya.join(cast.circleId);
    expect(await maya.command(cast.circleId, { type: 'circle.open', offSchedule: true })).toMatchObject({ ok: true });
  });
  afterEach(() => closeAllConnections());
  afterAll(async () => {
    closeRawSockets();
    await server?.stop();
  });

  for (const [what, poison] of Object.entries(POISONS)) {
    it(`TXT1 OBX4: a check-in holding ${what}, then "I need support": the alert reaches the facilitator within 2 s`, async () => {
      const who = what === 'NUL' ? cast.participants.river : cast.participants.wren;
      const phone = who.person.connect(cast.circleId, { device: 'phone' });
      await waitFor(() => phone.status === 'live', { message: 'phone live' });
      if (!phone.state?.admitted[who.id]) {
        await waitFor(() => phone.state?.presence && Object.values(phone.state.presence).some((p) => p.personId === who.id), { message: 'in the lobby' });
        expect(await maya.command(cast.circleId, { type: 'participant.admit', personId: who.id })).toMatchObject({ ok: true });
      }
      const bad = arrivalOf(what) as Extract<ClientCommand, { type: 'checkin.arrival' }>;
      const checkin = phone.send({ ...bad, body: `my chest is tight ${poison}` });
      const sentAt = Date.now();
      const support = phone.send({ type: 'checkin.journey', signal: 'support' });
      const alert = await waitFor(
        () => maya.events.find((e) => e.type === 'alert.raised' && e.payload.personId === who.id && e.payload.kind === 'support'),
        { timeout: 5000, message: 'support alert at the facilitator' },
      );
      expect(Date.now() - sentAt).toBeLessThan(2000);
      expect(alert).toBeTruthy();
      expect(await support).toMatchObject({ ok: true });
      const refused = await checkin;
      expect(refused).toMatchObject({ ok: false, code: 'BAD_REQUEST' });
      expect(refused.ok ? [] : refused.issues?.map((i) => i.path)).toContain('command.body');
      expect(phone.pending).toHaveLength(0);
    });
  }

  it('TXT1: no route and no socket command answers 500 to NUL or a lone surrogate in any text field', async () => {
    const admin = await signIn(server.url, demo.admin.email);
    const circles = await admin.api.circles();
    const cohortId = (circles.ok ? circles.data.find((c) => c.id === cast.circleId)?.cohort.id : undefined) ?? '00000000-0000-4000-8000-000000000000';
    const river = cast.participants.river.id;
    const idFor: IdFor = (key) =>
      /circle/i.test(key) ? cast.circleId : /cohort/i.test(key) ? cohortId : /user|participant|person|subject|actor|facilitator/i.test(key) ? river : '00000000-0000-4000-8000-000000000000';
    const people = [admin.cookie, cast.facilitator.person.cookie, cast.participants.river.person.cookie];
    const problems: string[] = [];
    let sent = 0;
    const fillPath = (url: string, params: Record<string, unknown>) => url.replace(/:(\w+)/g, (_, k: string) => encodeURIComponent(String(params[k] ?? 'x')));

    for (const route of server.app.routes) {
      const { body, params, querystring } = route.schema as { body?: z.ZodType; params?: z.ZodType; querystring?: z.ZodType };
      if (!body && !params && !querystring) continue;
      const goodParams = (params ? validSample(params, idFor) : {}) as Record<string, unknown>;
      const cases: { path: string; body?: unknown; what: string }[] = [];
      for (const [name, poison] of Object.entries(POISONS)) {
        if (body) for (const p of poisoned(body, idFor, poison)) cases.push({ path: fillPath(route.url, goodParams), body: p.value, what: `body.${p.path} ${name}` });
        // URLs carry NUL as %00; a lone surrogate has no UTF-8 form to put in a URL.
        if (name !== 'NUL') continue;
        if (params) for (const k of Object.keys(goodParams)) cases.push({ path: fillPath(route.url, { ...goodParams, [k]: `${String(goodParams[k])}\u0000` }), body: route.method === 'GET' ? undefined : {}, what: `params.${k} NUL` });
        if (querystring) {
          for (const p of poisoned(querystring, idFor, poison)) {
            const q = new URLSearchParams(Object.entries(p.value as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
            cases.push({ path: `${fillPath(route.url, goodParams)}?${q.toString()}`, what: `query.${p.path} NUL` });
          }
        }
      }
      for (const c of cases) {
        for (const cookie of people) {
          const res = await call(server, cookie, route.method, c.path, route.method === 'GET' ? undefined : (c.body ?? {}));
          sent += 1;
          if (res.status >= 500) problems.push(`${route.method} ${route.url} ${c.what}: ${res.status} ${JSON.stringify(res.json).slice(0, 120)}`);
        }
      }
    }

    // Socket: every command of the protocol's command union, poisoned field by field, from staff and a participant.
    const riverSocket = await TappedSocket.open(server.url, cast.participants.river.person.cookie);
    await riverSocket.join(cast.circleId);
    for (const [event, schema] of Object.entries(clientEventSchemas)) {
      for (const [name, poison] of Object.entries(POISONS)) {
        for (const p of poisoned(schema, idFor, poison)) {
          for (const socket of [maya, riverSocket]) {
            const envelope = p.value as Record<string, unknown>;
            const ack = (await socket.socket.emitWithAck(event as 'circle:command', envelope as never)) as { ok: boolean; code?: string };
            sent += 1;
            if (!ack.ok && ack.code === 'INTERNAL') problems.push(`${event} ${p.path} ${name}: INTERNAL`);
          }
        }
      }
    }
    expect(sent).toBeGreaterThan(200);
    expect(problems).toEqual([]);
  });
});
