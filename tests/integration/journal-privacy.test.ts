import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shareTextFrom } from '@holdspace/domain';
import { closeAllConnections, closeRawSockets, demo, signIn, startTestServer, testDrivers, waitFor, type Person, type TestServer } from '../support/harness.js';
import { call } from '../support/clinic-fixture.js';
import { TappedSocket } from '../support/dosing-fixture.js';

/** Distinctive words, so that a leak anywhere is easy to find. */
const secret = {
  shared: 'RIVER-JOURNAL-ALPHA the lake at dawn',
  private: 'RIVER-JOURNAL-BETA what I never say aloud',
  imagery: 'RIVER-JOURNAL-DELTA violet spirals',
  commitment: 'RIVER-COMMITMENT-GAMMA call my brother',
};
const everySecret = Object.values(secret);

type Staff = 'admin' | 'facilitator' | 'cofacilitator' | 'prescriber';

/**
 * JRN1: staff never read a journal entry, through any route or socket event, unless its author shares it. Every GET
 * route the server registers is called as every staff member (and as another participant), with every id it could
 * take; every frame their sockets receive in every circle is kept; none may hold a word of River's journal.
 */
describe.each(testDrivers())('journal privacy (%s)', (driver) => {
  let server: TestServer;
  let river: Person;
  let wren: Person;
  let staff: Record<Staff, Person>;
  let ids: { river: string; wren: string; cohort: string; circles: { id: string; kind: string }[]; entries: string[]; commitment: string };

  beforeAll(async () => {
    server = await startTestServer(driver);
    const [r, w, admin, facilitator, cofacilitator, prescriber] = await Promise.all(
      [demo.participants[0].email, demo.participants[1].email, demo.admin.email, demo.facilitator.email, demo.cofacilitator.email, demo.prescriber.email].map((e) => signIn(server.url, e)),
    );
    river = r!;
    wren = w!;
    staff = { admin: admin!, facilitator: facilitator!, cofacilitator: cofacilitator!, prescriber: prescriber! };
    const me = async (p: Person) => String((await call(server, p.cookie, 'GET', '/api/auth/me')).json.id);
    const circles = await river.api.circles();
    if (!circles.ok) throw new Error(circles.message);
    const integration = circles.data.find((c) => c.kind === 'integration')!;

    const shared = await call(server, river.cookie, 'POST', '/api/me/journal', {
      entryId: randomUUID(),
      circleId: integration.id,
      prompts: { insights: secret.shared },
      commitments: [],
    });
    const kept = await call(server, river.cookie, 'POST', '/api/me/journal', {
      entryId: randomUUID(),
      circleId: null,
      prompts: { emotions: secret.private, imagery: secret.imagery },
      commitments: [{ text: secret.commitment, done: false }],
    });
    expect([shared.status, kept.status]).toEqual([200, 200]);
    const commitment = String((kept.json.commitments as unknown as { id: string }[])[0]!.id);
    // A check-off and an edit are changes the audit trail records: it must not hold their words either.
    expect((await call(server, river.cookie, 'PUT', `/api/me/journal/${String(kept.json.id)}/commitments/${commitment}`, { done: true })).status).toBe(200);
    ids = {
      river: await me(river),
      wren: await me(wren),
      cohort: integration.cohort.id,
      circles: circles.data.map((c) => ({ id: c.id, kind: c.kind })),
      entries: [String(shared.json.id), String(kept.json.id)],
      commitment,
    };
  });
  afterAll(async () => {
    closeAllConnections();
    closeRawSockets();
    await server?.stop();
  });

  /** Every GET route, with every value each of its parameters could take here. */
  async function everyGet(): Promise<string[]> {
    const values: Record<string, string[]> = {
      userId: [ids.river, ids.wren],
      cohortId: [ids.cohort],
      circleId: ids.circles.map((c) => c.id),
      entryId: ids.entries,
      commitmentId: [ids.commitment],
      alertId: [randomUUID()],
      consentTextId: [randomUUID()],
      token: ['x'.repeat(32)],
      file: ['scores.csv', 'attendance.csv', 'adverse-events.csv'],
    };
    const paths: string[] = [];
    for (const route of server.app.routes.filter((r) => r.method === 'GET')) {
      let expanded = [route.url];
      for (const [, name] of route.url.matchAll(/:(\w+)/g)) {
        const options = values[name!];
        if (!options) throw new Error(`no values for :${name} in ${route.url}`);
        expanded = expanded.flatMap((p) => options.map((v) => p.replace(`:${name}`, v)));
      }
      paths.push(...expanded.flatMap((p) => (p === '/api/safety-alerts' ? [p, `${p}?status=all`] : [p])));
    }
    return paths;
  }

  async function leaksOverHttp(as: Person, allowed: string[] = []): Promise<string[]> {
    const found: string[] = [];
    for (const path of await everyGet()) {
      const res = await fetch(`${server.url}${path}`, { headers: { cookie: as.cookie } });
      const body = await res.text();
      for (const s of everySecret.filter((x) => !allowed.includes(x))) if (body.includes(s)) found.push(`${path} (${res.status}): ${s}`);
    }
    return found;
  }

  it('JRN1: the author reads their own entries (the check can see a leak)', async () => {
    const own = JSON.stringify((await call(server, river.cookie, 'GET', '/api/me/journal')).json);
    for (const s of everySecret) expect(own).toContain(s);
    expect(await leaksOverHttp(river)).not.toEqual([]);
  });

  it('JRN1: no GET route gives any staff member, or another participant, a word of the journal', async () => {
    const routes = (await everyGet()).length;
    expect(routes).toBeGreaterThan(30);
    for (const [who, person] of Object.entries({ ...staff, wren })) expect(await leaksOverHttp(person), who).toEqual([]);
    // Journal routes answer staff with a refusal, never an entry.
    for (const person of Object.values(staff)) {
      expect((await call(server, person.cookie, 'GET', '/api/me/journal')).status).toBe(403);
      expect((await call(server, person.cookie, 'PUT', `/api/me/journal/${ids.entries[1]}`, { circleId: null, prompts: { insights: 'overwrite' }, commitments: [] })).status).toBe(403);
      expect((await call(server, person.cookie, 'DELETE', `/api/me/journal/${ids.entries[1]}`)).status).toBe(403);
    }
    // Another participant cannot reach River's entries by their ids either.
    expect((await call(server, wren.cookie, 'PUT', `/api/me/journal/${ids.entries[1]}`, { circleId: null, prompts: { insights: 'overwrite' }, commitments: [] })).status).toBe(404);
    expect((await call(server, wren.cookie, 'DELETE', `/api/me/journal/${ids.entries[1]}`)).status).toBe(404);
    expect((await call(server, wren.cookie, 'POST', '/api/me/journal', { entryId: ids.entries[1], circleId: null, prompts: { insights: 'mine now' }, commitments: [] })).status).toBe(409);
    expect(JSON.stringify((await call(server, river.cookie, 'GET', '/api/me/journal')).json)).toContain(secret.private);
  });

  it('JRN1, SHR0-SHR2: socket frames carry an entry to the facilitators only once River shares it, and only what he shares', async () => {
    const integration = ids.circles.find((c) => c.kind === 'integration')!.id;
    const sockets: Record<string, TappedSocket> = {};
    for (const [who, person] of Object.entries({ ...staff, wren })) {
      if (who === 'admin' || who === 'prescriber') continue; // they are in no circle: joining is refused (membership)
      sockets[who] = await TappedSocket.open(server.url, person.cookie);
      for (const c of ids.circles) await sockets[who]!.join(c.id).catch(() => undefined);
    }
    const m = sockets.facilitator!;
    expect(await m.command(integration, { type: 'circle.open', offSchedule: true })).toMatchObject({ ok: true });
    const r = await TappedSocket.open(server.url, river.cookie);
    await r.join(integration);
    expect(await m.command(integration, { type: 'participant.admit', personId: ids.river })).toMatchObject({ ok: true });
    expect(await m.command(integration, { type: 'participant.admit', personId: ids.wren })).toMatchObject({ ok: true });
    await new Promise((res) => setTimeout(res, 200));
    for (const [who, s] of Object.entries(sockets)) for (const x of everySecret) expect(JSON.stringify(s.frames), `${who} before sharing`).not.toContain(x);

    // River brings the first entry into the circle, for the facilitators only.
    const entry = ((await call(server, river.cookie, 'GET', '/api/me/journal')).json.entries as unknown as { id: string; prompts: Record<'insights' | 'emotions' | 'imagery', string> }[]).find((e) => e.id === ids.entries[0])!;
    expect(await r.command(integration, { type: 'share.write', text: shareTextFrom(entry), audience: 'facilitator', anonymous: false })).toMatchObject({ ok: true });
    await waitFor(() => JSON.stringify(m.frames).includes(secret.shared), { message: 'the facilitator receives the share' });
    await waitFor(() => JSON.stringify(sockets.cofacilitator!.frames).includes(secret.shared), { message: 'the co-facilitator receives the share' });
    await new Promise((res) => setTimeout(res, 200));
    for (const [who, s] of Object.entries(sockets)) {
      for (const x of [secret.private, secret.imagery, secret.commitment]) expect(JSON.stringify(s.frames), `${who} after sharing`).not.toContain(x);
    }
    expect(JSON.stringify(sockets.wren!.frames)).not.toContain(secret.shared);
    // Nothing unshared reaches staff over HTTP afterwards either; the audit trail holds no words of it.
    for (const [who, person] of Object.entries(staff)) expect(await leaksOverHttp(person, [secret.shared]), who).toEqual([]);
    const audit = JSON.stringify((await call(server, staff.admin.cookie, 'GET', `/api/audit?subjectId=${ids.river}&resourceType=journal_entry`)).json);
    expect(audit).toContain('journal_entry');
    for (const x of everySecret) expect(audit).not.toContain(x);
  });
});
