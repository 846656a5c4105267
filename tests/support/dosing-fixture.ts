import { alertIdFor, type AdverseEventInput, type CircleKind, type RoundMode, type TurnOutcome, type CircleEvent, type CircleState, type ClientCommand, type VitalsInput } from '@holdspace/domain';
import type { CircleSync, CommandAck, Result } from '@holdspace/protocol';
import { newCommandId } from '@holdspace/client';
import { connected, demo, rawSocket, signIn, type Person, type RawSocket } from './harness.js';

// A whole dosing circle, written once: the confidentiality, offline and restart tests drive it through different
// clients (bare sockets, CircleConnections across a server restart) and check what each side ends up with.

export const participantKeys = ['river', 'wren', 'sage', 'cedar'] as const;
export type ParticipantKey = (typeof participantKeys)[number];
export type Who = 'facilitator' | ParticipantKey;

export interface Member {
  person: Person;
  id: string;
  displayName: string;
}

export interface DosingCast {
  circleId: string;
  facilitator: Member;
  participants: Record<ParticipantKey, Member>;
}

/** Signs one demo person in and learns their id. */
export async function member(url: string, email: string, displayName: string): Promise<Member> {
  const person = await signIn(url, email);
  const me = await person.api.me();
  if (!me.ok) throw new Error(`me failed for ${email}: ${me.message}`);
  return { person, id: me.data.id, displayName };
}

/** Maya and the four cleared demo participants, and the demo cohort's circle of a kind (its dosing circle by default). */
export async function signInCast(url: string, kind: CircleKind = 'dosing'): Promise<DosingCast> {
  const [facilitator, ...people] = await Promise.all([
    member(url, demo.facilitator.email, demo.facilitator.name),
    ...participantKeys.map((_, i) => member(url, demo.participants[i]!.email, demo.participants[i]!.displayName)),
  ]);
  const circles = await facilitator!.person.api.circles();
  const circle = circles.ok ? circles.data.find((c) => c.kind === kind) : undefined;
  if (!circle) throw new Error(`the demo has no ${kind} circle`);
  const participants = Object.fromEntries(participantKeys.map((k, i) => [k, people[i]!])) as Record<ParticipantKey, Member>;
  return { circleId: circle.id, facilitator: facilitator!, participants };
}

export const viewerOf = (cast: DosingCast, who: Who) =>
  who === 'facilitator' ? { personId: cast.facilitator.id, role: 'facilitator' as const } : { personId: cast.participants[who].id, role: 'participant' as const };

// ── what each person says and what is recorded about them: distinctive, so a leak is easy to see ─────────────────

const upper = (k: string) => k.toUpperCase();

export const secrets = {
  intention: (k: string) => `${upper(k)}-SECRET-INTENTION`,
  body: (k: string) => `${upper(k)}-SECRET-BODY`,
  discharge: (k: string) => `${upper(k)}-DISCHARGE-NOTE escort waiting, vitals settled`,
  /** Staff only: nobody but facilitators may ever receive these. */
  override: 'WREN-OVERRIDE-REASON chaperone confirmed by phone',
  adverse: 'CEDAR-ADVERSE-ACTION rested lying down, rechecked in 5 min',
  close: 'CLOSE-NOTE-STAFF-ONLY ran long, everyone discharged',
} as const;

export const staffSecrets = [secrets.override, secrets.adverse, secrets.close];

/** The written shares of the sharing phase (SHR0-SHR6): one of each fate, each with its own text. */
export const shareTexts = {
  /** For the facilitators only: never published (SHR2). */
  riverPrivate: 'RIVER-SHARE-FOR-FACILITATORS I still feel the fear in my chest',
  /** Written for the group, then withdrawn by River (SHR5). */
  riverWithdrawn: 'RIVER-SHARE-WITHDRAWN I changed my mind about saying this',
  /** Written for the group and declined with a note (SHR3). */
  wrenDeclined: 'WREN-SHARE-DECLINED names my sister and her illness',
  wrenDeclineNote: 'WREN-DECLINE-NOTE this names someone outside the circle, shall we talk after?',
  /** Sage's draft; the facilitator proposes an edit, Sage accepts it, and the edit is published (SHR4). */
  sageDraft: 'SAGE-SHARE-DRAFT the light and my late father at the hospital',
  sageEdited: 'SAGE-SHARE-EDITED the light, and a feeling of being held',
  /** Published without a name (SHR6). */
  cedarAnonymous: 'CEDAR-SHARE-ANONYMOUS grief moved through me and left softness',
} as const;

/** What only a share's author and the facilitators may ever hold: texts never published, and notes and edits while unpublished. */
export const unpublishedShareStrings: Record<ParticipantKey, string[]> = {
  river: [shareTexts.riverPrivate, shareTexts.riverWithdrawn],
  wren: [shareTexts.wrenDeclined, shareTexts.wrenDeclineNote],
  sage: [shareTexts.sageDraft],
  cedar: [],
};

/** Published copies every device receives: each may appear elsewhere only in its author's own share. */
export const publishedShareTexts: { author: ParticipantKey; text: string; displayName: string | null }[] = [
  { author: 'sage', text: shareTexts.sageEdited, displayName: 'Sage' },
  { author: 'cedar', text: shareTexts.cedarAnonymous, displayName: null },
];

/** The two rounds of the sharing phase: who spoke, passed or was skipped, as the staff summary records it (RND5). */
export const roundPlan = [
  {
    mode: 'go_around',
    prompt: 'GO-AROUND-PROMPT one word for how you arrive',
    turns: [['river', 'spoke'], ['wren', 'passed'], ['sage', 'skipped'], ['cedar', 'spoke']],
  },
  { mode: 'open_floor', prompt: 'OPEN-FLOOR-PROMPT what would you like the group to hear', turns: [['cedar', 'spoke'], ['wren', 'passed']] },
] as const satisfies readonly { mode: RoundMode; prompt: string; turns: readonly (readonly [ParticipantKey, TurnOutcome])[] }[];

/** Each person's own private strings: only they and the facilitators may see them. */
export const privateStrings = (k: string) => [secrets.intention(k), secrets.body(k)];
/** Why someone was discharged while not ready is a clinical note: staff only, even from the person discharged. */
export const dischargeNotes = () => participantKeys.map((k) => secrets.discharge(k));

/** The prescribed doses of the demo participants (packages/db seed). */
export const demoDoseMg: Record<ParticipantKey, number> = { river: 200, wren: 200, sage: 150, cedar: 200 };

const reading = (systolic: number, diastolic: number, heartRate: number, spo2: number): VitalsInput => ({ systolic, diastolic, heartRate, spo2 });

/** Baseline and post-dose readings, different for everyone; Cedar (personal limit 160/100) also has a high one. */
export const vitalsPlan: Record<ParticipantKey, { baseline: VitalsInput; high?: VitalsInput; after: VitalsInput }> = {
  river: { baseline: reading(121, 71, 61, 97), after: reading(125, 75, 65, 96) },
  wren: { baseline: reading(122, 72, 62, 98), after: reading(126, 76, 66, 97) },
  sage: { baseline: reading(123, 73, 63, 99), after: reading(127, 77, 67, 98) },
  cedar: { baseline: reading(124, 74, 64, 96), high: reading(171, 103, 101, 95), after: reading(128, 78, 68, 95) },
};

export const readingsOf = (k: ParticipantKey): VitalsInput[] => {
  const p = vitalsPlan[k];
  return [p.baseline, ...(p.high ? [p.high] : []), p.after];
};

export const arrivalOf = (k: string): ClientCommand => ({
  type: 'checkin.arrival',
  mood: 6,
  anxiety: 4,
  sleep: 'fair',
  body: secrets.body(k),
  intention: secrets.intention(k),
});

export const adverseForCedar: AdverseEventInput = { kind: 'hypertension', severity: 'moderate', action: secrets.adverse };

// ── the script ───────────────────────────────────────────────────────────────────────────────────────────────────

/** The circle in order. Running to a phase and later from it continues where it stopped. */
export const dosingPhases = ['open', 'arrive', 'admit', 'prepare', 'dose', 'journey', 'watch', 'after', 'rounds', 'shares', 'discharge', 'close'] as const;
export type DosingPhase = (typeof dosingPhases)[number];

export type Send = (who: Who, command: ClientCommand) => Promise<Result<CommandAck>>;

export class DosingScript {
  /** Alerts raised so far (support, break, vitals), named as every device names them. */
  readonly alertIds: string[] = [];
  private next = 0;

  constructor(
    private readonly cast: DosingCast,
    private readonly send: Send,
  ) {}

  /** Runs the phases not yet run, up to and including `until` (default: to the end). */
  async run(until: DosingPhase = 'close'): Promise<void> {
    const last = dosingPhases.indexOf(until);
    while (this.next <= last) {
      const phase = dosingPhases[this.next++]!;
      await this.phase(phase);
    }
  }

  private id(k: ParticipantKey) {
    return this.cast.participants[k].id;
  }

  private async ok(who: Who, command: ClientCommand): Promise<CommandAck> {
    const result = await this.send(who, command);
    if (!result.ok) throw new Error(`${who}: ${command.type} refused: ${result.code}${result.rule ? ` ${result.rule}` : ''}: ${result.message}`);
    return result.data;
  }

  private async refused(who: Who, command: ClientCommand, rule: string): Promise<void> {
    const result = await this.send(who, command);
    if (result.ok || result.rule !== rule) throw new Error(`${who}: ${command.type} should be refused with ${rule}, got ${JSON.stringify(result)}`);
  }

  private each(work: (k: ParticipantKey) => Promise<unknown>) {
    return Promise.all(participantKeys.map(work));
  }

  private async phase(phase: DosingPhase): Promise<void> {
    const f = 'facilitator' as const;
    switch (phase) {
      case 'open':
        await this.ok(f, { type: 'circle.open', offSchedule: true });
        return;
      case 'arrive':
        // CHK3: the arrival check-in is open in the lobby, before admission.
        await this.each((k) => this.ok(k, arrivalOf(k)));
        return;
      case 'admit':
        for (const k of participantKeys) await this.ok(f, { type: 'participant.admit', personId: this.id(k) });
        await this.ok(f, { type: 'circle.start' });
        return;
      case 'prepare': {
        const lastFoodAt = new Date(Date.now() - 6 * 3_600_000).toISOString();
        // Wren has no ride confirmed: the gate holds until a facilitator overrides it with a reason (GATE4, GATE7).
        await this.each((k) => this.ok(k, { type: 'checkin.predose', lastFoodAt, holdsFollowed: true, ride: k === 'wren' ? 'none' : 'ride' }));
        // Sage takes their own baseline reading (VIT1); the facilitator takes the others.
        await this.ok('sage', { type: 'vitals.record', personId: this.id('sage'), ...vitalsPlan.sage.baseline });
        for (const k of participantKeys.filter((k) => k !== 'sage')) {
          await this.ok(f, { type: 'vitals.record', personId: this.id(k), ...vitalsPlan[k].baseline });
        }
        return;
      }
      case 'dose':
        await this.refused(f, { type: 'dose.record', personId: this.id('wren'), doseMg: demoDoseMg.wren }, 'GATE4');
        await this.ok(f, { type: 'gate.override', personId: this.id('wren'), item: 'ride', reason: secrets.override });
        for (const k of participantKeys) await this.ok(f, { type: 'dose.record', personId: this.id(k), doseMg: demoDoseMg[k] });
        return;
      case 'journey': {
        // SUP1: a call for support and a request for a break; the others say they are okay.
        const signals = { river: 'support', wren: 'break', sage: 'okay', cedar: 'okay' } as const;
        const acks = await Promise.all(participantKeys.map((k) => this.ok(k, { type: 'checkin.journey', signal: signals[k] })));
        // The alert is the last event its command appended, so the ack's seq names it.
        this.alertIds.push(alertIdFor(acks[0]!.seq), alertIdFor(acks[1]!.seq));
        return;
      }
      case 'watch': {
        // VIT2: Cedar's reading is above their personal limits; an adverse event follows (ADV1).
        const high = await this.ok(f, { type: 'vitals.record', personId: this.id('cedar'), ...vitalsPlan.cedar.high! });
        this.alertIds.push(alertIdFor(high.seq));
        await this.ok(f, { type: 'adverse.record', personId: this.id('cedar'), ...adverseForCedar });
        // OBS1: the facilitator marks everyone seen in quick succession, without waiting for each acknowledgement.
        await this.each((k) => this.ok(f, { type: 'observation.seen', personId: this.id(k) }));
        for (const alertId of this.alertIds) await this.ok(f, { type: 'alert.ack', alertId });
        for (const k of participantKeys) await this.ok(f, { type: 'vitals.record', personId: this.id(k), ...vitalsPlan[k].after });
        return;
      }
      case 'after':
        await this.each((k) => this.ok(k, { type: 'checkin.after', grounded: true, readyToLeave: true }));
        return;
      case 'rounds': {
        const [river, wren, sage, cedar] = participantKeys.map((k) => this.id(k));
        // A go-around in a set order (RND2): River speaks, Wren passes, Sage is skipped, Cedar speaks (RND3, TRN1).
        await this.ok(f, { type: 'round.start', mode: roundPlan[0].mode, prompt: roundPlan[0].prompt, timeBoxMinutes: 2, order: [river!, wren!, sage!, cedar!] });
        await this.refused('sage', { type: 'turn.pass' }, 'TRN1');
        await this.refused('wren', { type: 'hand.raise' }, 'QUE1');
        await this.ok('river', { type: 'turn.done' });
        await this.ok('wren', { type: 'turn.pass' });
        await this.ok(f, { type: 'round.skip' });
        await this.ok('cedar', { type: 'turn.done' });
        await this.ok(f, { type: 'round.end' });
        // An open floor: four hands, Sage lowers theirs, Cedar is moved to the front; a reorder made against the old
        // queue is refused (QUE4); Cedar speaks, then Wren, who passes; River's hand is lowered by the facilitator.
        await this.ok(f, { type: 'round.start', mode: roundPlan[1].mode, prompt: roundPlan[1].prompt, timeBoxMinutes: 3, newVoicesFirst: true });
        for (const k of ['wren', 'river', 'sage', 'cedar'] as const) await this.ok(k, { type: 'hand.raise' });
        await this.ok('sage', { type: 'hand.lower' });
        await this.ok(f, { type: 'queue.front', personId: cedar! });
        await this.refused(f, { type: 'queue.reorder', queue: [wren!, river!, sage!, cedar!] }, 'QUE4');
        await this.ok(f, { type: 'round.next' });
        await this.ok('cedar', { type: 'turn.done' });
        await this.ok(f, { type: 'hand.lower', personId: river! });
        await this.ok('wren', { type: 'turn.pass' });
        await this.ok(f, { type: 'round.end' });
        return;
      }
      case 'shares': {
        const t = shareTexts;
        const write = async (k: ParticipantKey, text: string, audience: 'facilitator' | 'group', anonymous = false) =>
          // A share is named by the seq of the event that wrote it, the only event its command appends.
          `sh${(await this.ok(k, { type: 'share.write', text, audience, anonymous })).seq}`;
        const riverPrivate = await write('river', t.riverPrivate, 'facilitator');
        await this.refused(f, { type: 'share.approve', shareId: riverPrivate }, 'SHR3');
        const riverWithdrawn = await write('river', t.riverWithdrawn, 'group');
        await this.ok('river', { type: 'share.withdraw', shareId: riverWithdrawn });
        const wrenDeclined = await write('wren', t.wrenDeclined, 'group');
        await this.ok(f, { type: 'share.decline', shareId: wrenDeclined, note: t.wrenDeclineNote });
        const sage = await write('sage', t.sageDraft, 'group');
        await this.ok(f, { type: 'share.proposeEdit', shareId: sage, text: t.sageEdited });
        await this.refused(f, { type: 'share.approve', shareId: sage }, 'SHR3');
        await this.refused('wren', { type: 'share.acceptEdit', shareId: sage }, 'SHR0');
        await this.ok('sage', { type: 'share.acceptEdit', shareId: sage });
        await this.ok(f, { type: 'share.approve', shareId: sage });
        const cedar = await write('cedar', t.cedarAnonymous, 'group', true);
        await this.ok(f, { type: 'share.approve', shareId: cedar });
        return;
      }
      case 'discharge':
        // The minimum observation time has not passed in a test, so each discharge carries a written reason (DIS1).
        for (const k of participantKeys) await this.ok(f, { type: 'participant.discharge', personId: this.id(k), reason: secrets.discharge(k) });
        return;
      case 'close':
        await this.ok(f, { type: 'circle.close', reason: secrets.close });
        return;
    }
  }
}

// ── a socket that keeps every frame it receives ─────────────────────────────────────────────────────────────────

/** One Socket.IO packet as it came over the wire: pushes (type 2), acknowledgements (type 3), connects (type 0), binary (-1). */
export interface Frame {
  type: number;
  id?: number | undefined;
  data?: unknown;
  /** The text on the wire. */
  raw: string;
}

/** Socket.IO's text encoding: a type digit, an optional namespace, an optional ack id, then JSON. */
function decodeFrame(raw: string): Frame {
  let i = 1;
  if (raw[i] === '/') i = raw.includes(',', i) ? raw.indexOf(',', i) + 1 : raw.length;
  const id = /^\d+/.exec(raw.slice(i))?.[0];
  if (id) i += id.length;
  const json = raw.slice(i);
  return { type: Number(raw[0]), id: id ? Number(id) : undefined, data: json ? JSON.parse(json) : undefined, raw };
}

/**
 * Records every Socket.IO packet the socket receives, read from the transport before the client library handles it
 * (which rewrites acknowledgements in place), across reconnections: each one opens a new transport.
 */
export function recordFrames(socket: Pick<RawSocket, 'io'>): Frame[] {
  const frames: Frame[] = [];
  const seen = new WeakSet<object>();
  const attach = () => {
    const engine = socket.io.engine;
    if (!engine || seen.has(engine)) return;
    seen.add(engine);
    engine.on('packet', (packet) => {
      if (packet.type !== 'message') return;
      // Holdspace sends no binary: one would be recorded as such, for a test to refuse.
      frames.push(typeof packet.data === 'string' ? decodeFrame(packet.data) : { type: -1, raw: '(binary)' });
    });
  };
  attach();
  socket.io.on('open', attach);
  return frames;
}

/** The acknowledgements among recorded frames. */
export const ackFrames = (frames: Frame[]) => frames.filter((f) => f.type === 3).map((f) => (f.data as unknown[])[0]);

/** The acknowledgements of commands (not of joins) among recorded frames. */
export const commandAcks = (frames: Frame[]) =>
  ackFrames(frames).filter((a): a is Result<CommandAck> => {
    const data = (a as { data?: unknown }).data;
    return typeof data === 'object' && data !== null && 'duplicate' in data;
  });

/** A bare socket for one person that keeps everything it receives, and sends commands with fresh ids. */
export class TappedSocket {
  readonly frames: Frame[];
  /** Pushes as `onAny` delivers them: [event name, ...args]. */
  readonly pushes: unknown[][] = [];

  private constructor(readonly socket: RawSocket) {
    this.frames = recordFrames(socket);
    socket.onAny((...args: unknown[]) => this.pushes.push(args));
  }

  static async open(url: string, cookie: string): Promise<TappedSocket> {
    const tapped = new TappedSocket(await rawSocket(url, { cookie }));
    await connected(tapped.socket);
    return tapped;
  }

  /** The circle events pushed to this socket, in arrival order. */
  get events(): CircleEvent[] {
    return this.pushes.filter((p) => p[0] === 'circle:event').map((p) => p[1] as CircleEvent);
  }

  async join(circleId: string, lastSeq?: number): Promise<CircleSync> {
    const ack = await this.socket.emitWithAck('circle:join', { circleId, device: 'phone', ...(lastSeq !== undefined ? { lastSeq } : {}) });
    if (!ack.ok) throw new Error(`join refused: ${ack.message}`);
    return ack.data;
  }

  command(circleId: string, command: ClientCommand, commandId = newCommandId()): Promise<Result<CommandAck>> {
    return this.socket.emitWithAck('circle:command', { circleId, commandId, command });
  }
}

export function snapshotOf(sync: CircleSync): CircleState {
  if (sync.mode !== 'snapshot') throw new Error(`expected a snapshot, got a ${sync.mode}`);
  return sync.state;
}

export function replayOf(sync: CircleSync): CircleEvent[] {
  if (sync.mode !== 'replay') throw new Error(`expected a replay, got a ${sync.mode}`);
  return sync.events;
}

/** A state with the parts that depend on when each device happened to look (its seq) left out. */
export const comparable = (state: CircleState | null) => (state ? { ...state, seq: 0 } : null);
