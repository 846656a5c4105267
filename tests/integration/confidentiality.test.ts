import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { visibleTo, type CircleEvent, type CircleEventType, type CircleState, type ShareStatus, type VitalsInput } from '@holdspace/domain';
import type { CircleSync } from '@holdspace/protocol';
import { closeRawSockets, demo, startTestServer, testDrivers, waitFor, type TestServer } from '../support/harness.js';
import {
  ackFrames,
  arrivalOf,
  DosingScript,
  member,
  participantKeys,
  privateStrings,
  dischargeNotes,
  publishedShareTexts,
  readingsOf,
  replayOf,
  roundPlan,
  secrets,
  shareTexts,
  signInCast,
  snapshotOf,
  staffSecrets,
  TappedSocket,
  unpublishedShareStrings,
  type DosingCast,
  type Frame,
  type Member,
  type Who,
} from '../support/dosing-fixture.js';

type Viewer = 'juniper' | Who;
type Participant = Exclude<Viewer, 'facilitator'>;

/** Events only facilitators ever receive (AUD2, RND5). */
const staffOnlyTypes = new Set<CircleEventType>([
  'alert.raised',
  'alert.acknowledged',
  'gate.overridden',
  'adverse.recorded',
  'observation.seen',
  'roster.synced',
  'circle.closeNoted',
  'discharge.noted',
  'round.summarized',
]);
/** Events about one person's health: only that person and the facilitators receive them (AUD3). */
const privateTypes = new Set<CircleEventType>(['checkin.arrival', 'checkin.predose', 'checkin.journey', 'checkin.after', 'vitals.recorded', 'dose.recorded', 'booster.recorded', 'participant.discharged']);
/** Events for everyone that name a person: presence, admission and the round show display names (AUD1, ADM1, RND4). */
const publicPersonTypes = new Set<CircleEventType>(['presence.joined', 'presence.left', 'participant.admitted', 'round.updated']);
/** The same public parts of a state. */
const publicStateKeys = new Set(['presence', 'admitted', 'round']);

/** What each author's device receives of their own shares, in order (SHR1-SHR5). */
const ownShareStatuses: Record<Participant, ShareStatus[]> = {
  river: ['private', 'pending', 'withdrawn'],
  wren: ['pending', 'declined'],
  sage: ['pending', 'edit_proposed', 'pending', 'published'],
  cedar: ['pending', 'published'],
  juniper: [],
};

interface Expectation {
  ownId: string;
  otherIds: string[];
  forbidden: string[];
  /** Other people's published shares: allowed only in their published copies. */
  publishedOnly: string[];
  ownReadings: VitalsInput[];
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isEvent = (o: Record<string, unknown>) => typeof o.type === 'string' && isRecord(o.payload) && typeof o.seq === 'number';
const isState = (o: Record<string, unknown>) => isRecord(o.people) && isRecord(o.roster) && isRecord(o.alerts) && 'closeReason' in o;
const sameReading = (a: Record<string, unknown>, b: VitalsInput) =>
  a.systolic === b.systolic && a.diastolic === b.diastolic && a.heartRate === b.heartRate && a.spo2 === b.spo2;

/**
 * Everything in one participant's received frames that they must not hold, found by walking the decoded JSON:
 * staff-only events, other people's private events, records and shares, other participants' ids outside the public
 * presence, admission and round parts, staff-only or other people's strings (a published share only in its published
 * copy), vitals that are not their own, and a published share that names its author by id.
 */
function leaks(frames: Frame[], x: Expectation): string[] {
  const found: string[] = [];
  const everyId = [x.ownId, ...x.otherIds];
  const carriesAnId = (value: unknown) => everyId.some((id) => JSON.stringify(value).includes(id));
  const visit = (value: unknown, path: string, publicPart: boolean, published: boolean): void => {
    if (typeof value === 'string') {
      for (const s of x.forbidden) if (value.includes(s)) found.push(`${path}: "${s}"`);
      if (!published) for (const s of x.publishedOnly) if (value.includes(s)) found.push(`${path}: "${s}" outside its published copy`);
      if (!publicPart && x.otherIds.some((id) => value.includes(id))) found.push(`${path}: another participant's id`);
      return;
    }
    if (Array.isArray(value)) return value.forEach((v, i) => visit(v, `${path}[${i}]`, publicPart, published));
    if (!isRecord(value)) return;
    const event = isEvent(value);
    const type = value.type as CircleEventType;
    if (event) {
      if (staffOnlyTypes.has(type)) found.push(`${path}: staff-only event ${type}`);
      const personId = (value.payload as { personId?: unknown }).personId;
      if (privateTypes.has(type) && personId !== x.ownId) found.push(`${path}: ${type} about ${String(personId)}`);
      if (value.audience !== 'all' && value.audience !== `person:${x.ownId}`) found.push(`${path}: event for audience ${String(value.audience)}`);
      const share = (value.payload as { share?: { authorId?: unknown } }).share;
      if (type === 'share.updated' && share?.authorId !== x.ownId) found.push(`${path}: share.updated of another participant's share`);
      // SHR6: neither the published copy nor the event around it (its actor is the approving facilitator) names the author.
      if (type === 'share.published' && carriesAnId(value)) found.push(`${path}: a published share carrying a participant's id`);
    }
    const state = isState(value);
    if (state) {
      const s = value as unknown as CircleState;
      if (Object.keys(s.roster).length > 0) found.push(`${path}.roster: not empty`);
      if (Object.keys(s.alerts).length > 0) found.push(`${path}.alerts: not empty`);
      if (s.settings !== null) found.push(`${path}.settings: present`);
      if (s.closeReason !== null) found.push(`${path}.closeReason: present`);
      if (s.roundSummaries.length > 0) found.push(`${path}.roundSummaries: not empty`);
      for (const [id, r] of Object.entries(s.people)) {
        if (id !== x.ownId) found.push(`${path}.people: holds ${id}`);
        if (r.observedAt !== null || Object.keys(r.overrides).length > 0 || r.adverse.length > 0) found.push(`${path}.people.${id}: staff-only parts`);
      }
      for (const [id, share] of Object.entries(s.shares)) if (share.authorId !== x.ownId) found.push(`${path}.shares: holds ${id} by another participant`);
      if (carriesAnId(s.published)) found.push(`${path}.published: a published share carrying a participant's id`);
    }
    if ('systolic' in value && 'heartRate' in value && !x.ownReadings.some((r) => sameReading(value, r))) found.push(`${path}: vitals that are not theirs`);
    for (const [key, child] of Object.entries(value)) {
      if (!publicPart && x.otherIds.includes(key)) found.push(`${path}.${key}: keyed by another participant`);
      const opens = (event && publicPersonTypes.has(type) && (key === 'payload' || key === 'actor')) || (state && publicStateKeys.has(key));
      const publishedCopy = (event && type === 'share.published' && key === 'payload') || (state && key === 'published');
      visit(child, `${path}.${key}`, publicPart || opens, published || publishedCopy);
    }
  };
  frames.forEach((f, i) => visit(f.data, `frame${i}`, false, false));
  return found;
}

describe.each(testDrivers())('confidentiality of a live dosing circle (%s)', (driver) => {
  let server: TestServer;
  let cast: DosingCast;
  let juniper: Member;
  let admin: Member;

  beforeAll(async () => {
    server = await startTestServer(driver);
    [cast, juniper, admin] = await Promise.all([
      signInCast(server.url),
      member(server.url, demo.participants[4].email, demo.participants[4].displayName),
      member(server.url, demo.admin.email, demo.admin.name),
    ]);
  });
  afterAll(async () => {
    closeRawSockets();
    await server?.stop();
  });

  it('AUD1-AUD4, CIR3, RND4, RND5, SHR0-SHR6: no participant frame carries anyone else’s health data, shares or staff-only facts; each gets their own', async () => {
    const { circleId } = cast;
    // Juniper (not cleared) waits in the lobby and is never admitted: she checks in and sees only the public parts.
    const who: Viewer[] = ['facilitator', ...participantKeys, 'juniper'];
    const memberOf = (w: Viewer) => (w === 'facilitator' ? cast.facilitator : w === 'juniper' ? juniper : cast.participants[w]);
    const sockets = Object.fromEntries(await Promise.all(who.map(async (w) => [w, await TappedSocket.open(server.url, memberOf(w).person.cookie)] as const))) as Record<
      Viewer,
      TappedSocket
    >;
    const participants = who.filter((w): w is Participant => w !== 'facilitator');

    // The facilitator joins first (the roster is synced into the log), then everyone else; each gets a snapshot.
    const firstJoin = { facilitator: await sockets.facilitator.join(circleId) } as Record<Viewer, CircleSync>;
    for (const w of participants) firstJoin[w] = await sockets[w].join(circleId);

    const script = new DosingScript(cast, (w, command) => sockets[w].command(circleId, command));
    await script.run('arrive');
    const lobby = await sockets.juniper.command(circleId, arrivalOf('juniper'));
    expect(lobby.ok).toBe(true);
    await script.run('journey');

    // Mid-journey, with alerts open: a rejoin that replays from the first join, and a fresh join with a snapshot.
    const midStates = {} as Record<Viewer, CircleState>;
    for (const w of who) {
      expect(replayOf(await sockets[w].join(circleId, firstJoin[w].seq)).length).toBeGreaterThan(0);
      midStates[w] = snapshotOf(await sockets[w].join(circleId));
    }

    await script.run();
    await waitFor(() => participants.every((w) => sockets[w].events.some((e) => e.type === 'circle.closed')), { message: 'everyone sees the circle close' });
    await waitFor(() => sockets.facilitator.events.some((e) => e.type === 'circle.closeNoted'), { message: 'the facilitator gets the closing note' });
    // After the close: a replay of everything from the start, and a fresh snapshot of the closed circle.
    const finalJoins = {} as Record<Viewer, { replayed: CircleEvent[]; state: CircleState }>;
    for (const w of who) finalJoins[w] = { replayed: replayOf(await sockets[w].join(circleId, 0)), state: snapshotOf(await sockets[w].join(circleId)) };

    const log = await server.app.services.log.eventsSince(circleId, 0, 10_000);
    const own = (w: Participant) => memberOf(w).id;
    const others = (w: Participant) => participants.filter((o) => o !== w);
    const unpublishedOf = (w: Participant) => (w === 'juniper' ? [] : unpublishedShareStrings[w]);
    const expectationFor = (w: Participant): Expectation => ({
      ownId: own(w),
      otherIds: others(w).map(own),
      forbidden: [...staffSecrets, ...dischargeNotes(), ...others(w).flatMap((o) => [...privateStrings(o), ...unpublishedOf(o)])],
      publishedOnly: publishedShareTexts.filter((p) => p.author !== w).map((p) => p.text),
      ownReadings: w === 'juniper' ? [] : readingsOf(w),
    });
    const publishedCopies = publishedShareTexts.map((p) => ({ text: p.text, displayName: p.displayName }));

    // The capture itself: every push onAny saw is among the decoded frames, and acks were recorded.
    for (const w of who) {
      expect(sockets[w].frames.map((f) => f.type).filter((t) => ![0, 2, 3].includes(t))).toEqual([]);
      expect(sockets[w].frames.filter((f) => f.type === 2)).toHaveLength(sockets[w].pushes.length);
      expect(ackFrames(sockets[w].frames).length).toBeGreaterThan(4);
    }

    // The checker finds what it should: the facilitator's frames, read as if they were River's, are full of leaks.
    const asRiver = leaks(sockets.facilitator.frames, expectationFor('river')).join('\n');
    for (const expected of [
      'staff-only event gate.overridden',
      'staff-only event adverse.recorded',
      'checkin.arrival about',
      'people: holds',
      'roster: not empty',
      'alerts: not empty',
      secrets.override,
      secrets.intention('wren'),
      'vitals that are not theirs',
      "another participant's id",
      'staff-only event round.summarized',
      'roundSummaries: not empty',
      "share.updated of another participant's share",
      'shares: holds',
      shareTexts.wrenDeclineNote,
      shareTexts.sageDraft,
      `"${shareTexts.sageEdited}" outside its published copy`,
    ]) {
      expect(asRiver).toContain(expected);
    }

    for (const w of participants) {
      const x = expectationFor(w);
      const frames = sockets[w].frames;
      expect(leaks(frames, x), `${w} received`).toEqual([]);
      const wire = frames.map((f) => f.raw).join('\n');
      for (const s of x.forbidden) expect(wire, `${w}'s frames`).not.toContain(s);
      for (const type of staffOnlyTypes) expect(wire, `${w}'s frames`).not.toContain(`"${type}"`);

      // The other direction: they do receive their own, live and in every join.
      expect(wire).toContain(secrets.intention(w));
      const pushed = sockets[w].events;
      // Their own shares as each step changed them, every published copy, and the rounds as they went (RND4).
      const ownShares = pushed.flatMap((e) => (e.type === 'share.updated' ? [e.payload.share] : []));
      expect(ownShares.map((sh) => sh.status), `${w}'s shares`).toEqual(ownShareStatuses[w]);
      expect(ownShares.every((sh) => sh.authorId === x.ownId)).toBe(true);
      for (const text of unpublishedOf(w)) expect(wire, `${w} receives their own share`).toContain(text);
      expect(pushed.flatMap((e) => (e.type === 'share.published' ? [{ text: e.payload.share.text, displayName: e.payload.share.displayName }] : []))).toEqual(publishedCopies);
      expect(pushed.filter((e) => e.type === 'round.updated' && e.payload.cause === 'round.end')).toHaveLength(roundPlan.length);
      const mine = (type: CircleEventType) => pushed.filter((e) => e.type === type && 'personId' in e.payload && e.payload.personId === x.ownId);
      expect(mine('checkin.arrival')).toHaveLength(1);
      expect(mine('checkin.arrival')[0]!.payload).toMatchObject({ intention: secrets.intention(w), body: secrets.body(w) });
      // Every event after their first join that the domain says they may see, each once, and nothing else.
      const after = firstJoin[w].seq;
      expect(pushed.filter((e) => e.seq > after).map((e) => e.seq)).toEqual(log.filter((e) => e.seq > after && visibleTo({ personId: x.ownId, role: 'participant' })(e)).map((e) => e.seq));

      const { state: finalState, replayed } = finalJoins[w];
      expect(finalState.status).toBe('closed');
      expect(finalState.people[x.ownId]?.arrival?.intention).toBe(secrets.intention(w));
      expect(replayed.filter((e) => e.type === 'checkin.arrival').map((e) => e.payload)).toEqual([expect.objectContaining({ personId: x.ownId })]);
      expect(finalState.published.map((p) => ({ text: p.text, displayName: p.displayName }))).toEqual(publishedCopies);
      expect(finalState.shares).toEqual(Object.fromEntries(ownShares.map((sh) => [sh.id, sh])));
      expect(replayed.filter((e) => e.type === 'share.updated').map((e) => e.payload.share.authorId)).toEqual(ownShares.map(() => x.ownId));
      if (w === 'juniper') {
        expect(finalState.people[x.ownId]?.dose).toBeNull();
        continue;
      }
      for (const type of ['checkin.predose', 'checkin.journey', 'checkin.after', 'dose.recorded', 'participant.discharged'] as const) expect(mine(type), `${w} ${type}`).toHaveLength(1);
      expect(mine('vitals.recorded')).toHaveLength(readingsOf(w).length);
      expect(finalState.people[x.ownId]).toMatchObject({ dose: { doseMg: expect.any(Number) }, discharge: { reason: null } });
      expect(finalState.people[x.ownId]!.vitals).toHaveLength(readingsOf(w).length);
      expect(replayed.filter((e) => e.type === 'dose.recorded')).toHaveLength(1);
    }

    // The facilitator receives everything: every event after their join, each once, and the staff-only state.
    const f = sockets.facilitator;
    const since = firstJoin.facilitator.seq;
    expect(f.events.filter((e) => e.seq > since).map((e) => e.seq)).toEqual(log.filter((e) => e.seq > since).map((e) => e.seq));
    const fTypes = new Set(f.events.map((e) => e.type));
    for (const type of staffOnlyTypes) expect(fTypes, type).toContain(type);
    const fMid = midStates.facilitator;
    expect(Object.keys(fMid.roster)).toHaveLength(5);
    expect(Object.keys(fMid.alerts)).toHaveLength(2);
    const fWire = f.frames.map((fr) => fr.raw).join('\n');
    for (const s of [...staffSecrets, ...dischargeNotes(), ...participants.flatMap(privateStrings), ...Object.values(shareTexts)]) expect(fWire).toContain(s);
    const fShares = f.events.flatMap((e) => (e.type === 'share.updated' ? [e.payload.share.status] : []));
    expect(fShares).toHaveLength(Object.values(ownShareStatuses).flat().length);
    const fFinal = finalJoins.facilitator.state;
    expect(fFinal.closeReason).toBe(secrets.close);
    expect(fFinal.people[cast.participants.wren.id]!.overrides.ride?.reason).toBe(secrets.override);
    expect(fFinal.people[cast.participants.cedar.id]!.adverse).toHaveLength(1);
    // RND5: the staff summary of each round: who spoke, passed or was skipped.
    expect(fFinal.roundSummaries.map((r) => ({ mode: r.mode, prompt: r.prompt, turns: r.turns.map((t) => [t.personId, t.outcome]) }))).toEqual(
      roundPlan.map((r) => ({ mode: r.mode, prompt: r.prompt, turns: r.turns.map(([k, outcome]) => [cast.participants[k].id, outcome]) })),
    );
    expect(Object.values(fFinal.shares).map((sh) => [sh.authorId, sh.status, sh.text, sh.note]).sort()).toEqual(
      [
        [own('river'), 'private', shareTexts.riverPrivate, null],
        [own('river'), 'withdrawn', shareTexts.riverWithdrawn, null],
        [own('wren'), 'declined', shareTexts.wrenDeclined, shareTexts.wrenDeclineNote],
        [own('sage'), 'published', shareTexts.sageEdited, null],
        [own('cedar'), 'published', shareTexts.cedarAnonymous, null],
      ].sort(),
    );

    // SHR6: in the log itself, a published share names nobody by id, and its event's actor is the approving facilitator.
    const publishedEvents = log.filter((e) => e.type === 'share.published');
    expect(publishedEvents.map((e) => e.actor)).toEqual(publishedShareTexts.map(() => cast.facilitator.id));
    for (const e of publishedEvents) for (const w of participants) expect(JSON.stringify(e), `${w}'s id`).not.toContain(own(w));
  });

  it('records each change of health data in the audit trail with its subject, and the dashboard read', async () => {
    // Runs after the circle above.
    const trail = await admin.person.api.audit({ resourceType: 'circle', limit: 500 });
    if (!trail.ok) throw new Error(trail.message);
    const entries = trail.data.filter((e) => e.resourceId === cast.circleId);
    const count = (action: string, subject: string, actor?: string) =>
      entries.filter((e) => e.action === action && e.subject.id === subject && (actor === undefined || e.actor.id === actor)).length;
    const maya = cast.facilitator.id;

    for (const k of participantKeys) {
      const id = cast.participants[k].id;
      expect(count('circle.checkin.arrival', id, id), `${k} arrival`).toBe(1);
      expect(count('circle.checkin.predose', id, id), `${k} pre-dose`).toBe(1);
      expect(count('circle.checkin.after', id, id), `${k} after`).toBe(1);
      expect(count('circle.dose.recorded', id, maya), `${k} dose`).toBe(1);
      expect(count('circle.vitals.recorded', id), `${k} vitals`).toBe(readingsOf(k).length);
      expect(count('circle.observation.seen', id, maya), `${k} observation`).toBe(1);
      expect(count('circle.participant.discharged', id, maya), `${k} discharge`).toBe(1);
      // The facilitator's dashboard showed this person's record when they joined.
      expect(count('circle.dashboard.read', id, maya), `${k} dashboard read`).toBeGreaterThanOrEqual(1);
    }
    const sage = cast.participants.sage.id;
    expect(count('circle.vitals.recorded', sage, sage)).toBe(1);
    expect(count('circle.gate.overridden', cast.participants.wren.id, maya)).toBe(1);
    expect(count('circle.adverse.recorded', cast.participants.cedar.id, maya)).toBe(1);
    expect(count('circle.checkin.arrival', juniper.id, juniper.id)).toBe(1);
    expect(count('circle.dose.recorded', juniper.id)).toBe(0);
    // Nothing of the circle is recorded without a subject, and every subject is a participant of this circle.
    const subjects = new Set([...participantKeys.map((k) => cast.participants[k].id), juniper.id]);
    expect(entries.filter((e) => !e.subject.id || !subjects.has(e.subject.id))).toEqual([]);
  });
});
