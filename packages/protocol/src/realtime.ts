import { z } from 'zod';
import { gateItems, segmentKinds, type CircleEvent, type CircleState, type ClientCommand, type ClinicAlert } from '@holdspace/domain';
import type { Result } from './result.js';
import { freeText, storable } from './text.js';

export const deviceSchema = z.enum(['phone', 'tablet', 'desktop']);

/** Sent as Socket.IO handshake `auth`; the server refuses other protocol versions. */
export const handshakeAuthSchema = z.object({ protocolVersion: z.number().int() });

export const circleJoinSchema = z.object({
  circleId: z.string().uuid('Not a valid circle id'),
  /** The highest seq this device already holds; the server replays what came after. */
  lastSeq: z.number().int().min(0).optional(),
  device: deviceSchema.default('desktop'),
});
export type CircleJoin = z.input<typeof circleJoinSchema>;

export const circleLeaveSchema = z.object({ circleId: z.string().uuid('Not a valid circle id') });

export const commandIdSchema = z.string().min(8).max(64).regex(/^[A-Za-z0-9_-]+$/, 'Use letters, digits, - and _');

const personId = z.string().uuid('Not a valid person id');
const reason = freeText({ max: 2000 });
const shareId = z.string().regex(/^sh\d{1,12}$/, 'Not a valid share id');
const score = (what: string) => z.number({ error: `Choose ${what} from 0 to 10` }).int().min(0).max(10);

export const segmentSchema = z.object({
  id: storable(z.string().min(1).max(40)),
  kind: z.enum(segmentKinds as [string, ...string[]]).transform((k) => k as (typeof segmentKinds)[number]),
  title: freeText({ min: 1, max: 80, tooShort: 'Give the segment a title' }),
  minutes: z.number().int().min(1).max(240),
  round: z
    .object({ mode: z.enum(['go_around', 'open_floor']), prompt: freeText({ max: 500 }), timeBoxMinutes: z.number().min(0.5).max(20) })
    .optional(),
});

export const vitalsSchema = z.object({
  systolic: z.number().int().min(50, 'Systolic looks too low to be a reading').max(300, 'Systolic looks too high to be a reading'),
  diastolic: z.number().int().min(20, 'Diastolic looks too low to be a reading').max(200, 'Diastolic looks too high to be a reading'),
  heartRate: z.number().int().min(20, 'Heart rate looks too low to be a reading').max(250, 'Heart rate looks too high to be a reading'),
  spo2: z.number().int().min(50).max(100).optional(),
});

/** Every command a device may send, parsed before it reaches the domain. */
export const clientCommandSchema: z.ZodType<ClientCommand> = z.discriminatedUnion('type', [
  /** CIR5: set when the facilitator confirmed opening far from the scheduled time. */
  z.object({ type: z.literal('circle.open'), offSchedule: z.literal(true).optional() }),
  z.object({ type: z.literal('circle.start') }),
  z.object({ type: z.literal('circle.close'), reason: reason.optional() }),
  z.object({ type: z.literal('agenda.edit'), agenda: z.array(segmentSchema).min(1).max(20) }),
  z.object({ type: z.literal('segment.goto'), index: z.number().int().min(0).max(19) }),
  z.object({ type: z.literal('hold.start'), message: freeText({ max: 200 }).optional() }),
  z.object({ type: z.literal('hold.end') }),
  z.object({ type: z.literal('participant.admit'), personId }),
  z.object({
    type: z.literal('checkin.arrival'),
    mood: score('your mood'),
    anxiety: score('how anxious you feel'),
    sleep: z.enum(['poor', 'fair', 'good']),
    body: freeText({ max: 500 }),
    intention: freeText({ max: 1000 }),
  }),
  z.object({
    type: z.literal('checkin.predose'),
    lastFoodAt: z.iso.datetime({ offset: true, error: 'Say when you last ate' }),
    holdsFollowed: z.boolean(),
    ride: z.enum(['ride', 'chaperone', 'none']),
  }),
  z.object({ type: z.literal('checkin.journey'), signal: z.enum(['okay', 'support', 'break']) }),
  z.object({ type: z.literal('checkin.after'), grounded: z.boolean(), readyToLeave: z.boolean() }),
  z.object({ type: z.literal('gate.override'), personId, item: z.enum(gateItems as [string, ...string[]]).transform((i) => i as (typeof gateItems)[number]), reason }),
  z.object({ type: z.literal('dose.record'), personId, doseMg: z.number().positive().max(1000) }),
  z.object({ type: z.literal('dose.withhold'), personId, withheld: z.boolean() }),
  z.object({ type: z.literal('booster.record'), personId, doseMg: z.number().positive().max(1000) }),
  z.object({ type: z.literal('vitals.record'), personId, ...vitalsSchema.shape }),
  z.object({ type: z.literal('observation.seen'), personId }),
  z.object({
    type: z.literal('adverse.record'),
    personId,
    kind: z.enum(['hypertension', 'tachycardia', 'nausea', 'disorientation', 'distress', 'other']),
    severity: z.enum(['mild', 'moderate', 'severe']),
    action: freeText({ min: 1, max: 2000, tooShort: 'Say what action was taken' }),
  }),
  z.object({
    type: z.literal('alert.ack'),
    alertId: z.string().regex(/^a\d{1,12}$/, 'Not a valid alert id'),
    note: freeText({ max: 2000, tooLong: 'At most 2000 characters' }).optional(),
  }),
  z.object({ type: z.literal('participant.discharge'), personId, reason: reason.optional() }),
  z.object({
    type: z.literal('round.start'),
    prompt: freeText({ max: 500 }),
    mode: z.enum(['go_around', 'open_floor']),
    timeBoxMinutes: z.number({ error: 'Give each speaker a time in minutes' }).min(0.5, 'At least half a minute each').max(20, 'At most 20 minutes each'),
    newVoicesFirst: z.boolean().optional(),
    order: z.array(personId).max(40).optional(),
  }),
  z.object({ type: z.literal('round.setOrder'), order: z.array(personId).min(1).max(40) }),
  z.object({ type: z.literal('hand.raise') }),
  z.object({ type: z.literal('hand.lower'), personId: personId.optional() }),
  z.object({ type: z.literal('turn.pass') }),
  z.object({ type: z.literal('turn.done') }),
  z.object({ type: z.literal('round.next') }),
  z.object({ type: z.literal('round.skip') }),
  z.object({ type: z.literal('round.extend') }),
  z.object({ type: z.literal('queue.reorder'), queue: z.array(personId).max(40) }),
  z.object({ type: z.literal('queue.front'), personId }),
  z.object({ type: z.literal('round.pause') }),
  z.object({ type: z.literal('round.resume') }),
  z.object({ type: z.literal('round.end') }),
  z.object({
    type: z.literal('share.write'),
    text: freeText({ min: 1, max: 2000, tooShort: 'Write something to share', tooLong: 'Keep a share under 2000 characters' }),
    audience: z.enum(['facilitator', 'group']),
    anonymous: z.boolean(),
  }),
  z.object({ type: z.literal('share.withdraw'), shareId }),
  z.object({ type: z.literal('share.approve'), shareId }),
  z.object({ type: z.literal('share.decline'), shareId, note: freeText({ min: 1, max: 1000, tooShort: 'Add a kind note for the author' }) }),
  z.object({ type: z.literal('share.proposeEdit'), shareId, text: freeText({ min: 1, max: 2000, tooShort: 'The proposed text is empty' }) }),
  z.object({ type: z.literal('share.acceptEdit'), shareId }),
]);

export const circleCommandSchema = z.object({
  commandId: commandIdSchema,
  circleId: z.string().uuid('Not a valid circle id'),
  command: clientCommandSchema,
  /** How many times this device sent this command before (its outbox's retries); counted in /metrics. */
  attempt: z.number().int().min(0).max(100_000).optional(),
});
export type CircleCommandEnvelope = z.infer<typeof circleCommandSchema>;

/** What joining gives back: either the events missed since `lastSeq`, or a fresh state when too far behind. */
export type CircleSync = (
  | { mode: 'replay'; events: CircleEvent[]; seq: number }
  | { mode: 'snapshot'; state: CircleState; seq: number }
) & {
  /** The server's clock when it answered: devices correct their own by it, so every screen agrees on what is due. */
  serverTime: string;
};

export interface CommandAck {
  seq: number;
  /** True when this commandId had already been applied: the first result is returned again. */
  duplicate: boolean;
}

type Ack<T> = (result: Result<T>) => void;

/** Socket.IO event map, client to server. Every payload is parsed with the schema of the same name. */
export interface ClientToServerEvents {
  'circle:join': (body: CircleJoin, ack: Ack<CircleSync>) => void;
  'circle:leave': (body: z.input<typeof circleLeaveSchema>, ack: Ack<null>) => void;
  'circle:command': (body: CircleCommandEnvelope, ack: Ack<CommandAck>) => void;
}

/** Why the server closed a socket on purpose; the client shows the message, /metrics counts the reason. */
export const closeReasons = {
  oversized_frame: 'A message was too large for Holdspace (over 64 KiB), so the connection was closed. It reconnects on its own.',
  malformed_frame: 'A message could not be read, so the connection was closed. It reconnects on its own; reload the page if this keeps happening.',
  rate_cut: 'Too many messages were sent too fast, so the connection was closed for a few seconds.',
} as const;
export type CloseReason = keyof typeof closeReasons;
/** The largest message a socket may send; a bigger one closes the socket (WebSocket close code 1009). */
export const MAX_FRAME_BYTES = 64 * 1024;
export const WS_CLOSE_TOO_BIG = 1009;

/** Socket.IO event map, server to client. */
export interface ServerToClientEvents {
  'circle:event': (event: CircleEvent) => void;
  /** The server asks the client to resync (e.g. it missed events). */
  'circle:stale': (body: { circleId: string }) => void;
  'session:ended': (body: { reason: string }) => void;
  /** Sent just before the server closes this socket on purpose (an oversized frame is told by its close code). */
  'connection:closing': (body: { reason: CloseReason; message: string }) => void;
  /** CRS1: a questionnaire answer that needs a clinician now, to the staff who look after that person. */
  'safety:alert': (alert: ClinicAlert) => void;
  /** ALR3: a safety alert was acknowledged (by anyone, on any screen): every clinician who sees it drops it. */
  'safety:acknowledged': (alert: ClinicAlert) => void;
  /** CARE2: someone under care after their circle closed asked for support; and when it is acknowledged. */
  'care:alert': (alert: ClinicAlert) => void;
  'care:acknowledged': (alert: ClinicAlert) => void;
}

/** The schema of every client event: the gateway parses each with its own, and tests enumerate them from here. */
export const clientEventSchemas = {
  'circle:join': circleJoinSchema,
  'circle:leave': circleLeaveSchema,
  'circle:command': circleCommandSchema,
} as const satisfies Record<keyof ClientToServerEvents, z.ZodType>;

/** How many missed events a rejoin replays before a fresh state is sent instead. */
export const MAX_REPLAY = 500;
