import { z } from 'zod';
import type { CircleEvent, CircleState, ClientCommand } from '@holdspace/domain';
import type { Result } from './result.js';

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

export const clientCommandSchema: z.ZodType<ClientCommand> = z.discriminatedUnion('type', [
  z.object({ type: z.literal('circle.open') }),
  z.object({ type: z.literal('circle.close'), reason: z.string().trim().max(2000).optional() }),
]);

export const circleCommandSchema = z.object({
  commandId: commandIdSchema,
  circleId: z.string().uuid('Not a valid circle id'),
  command: clientCommandSchema,
});
export type CircleCommandEnvelope = z.infer<typeof circleCommandSchema>;

/** What joining gives back: either the events missed since `lastSeq`, or a fresh state when too far behind. */
export type CircleSync =
  | { mode: 'replay'; events: CircleEvent[]; seq: number }
  | { mode: 'snapshot'; state: CircleState; seq: number };

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

/** Socket.IO event map, server to client. */
export interface ServerToClientEvents {
  'circle:event': (event: CircleEvent) => void;
  /** The server asks the client to resync (e.g. it missed events). */
  'circle:stale': (body: { circleId: string }) => void;
  'session:ended': (body: { reason: string }) => void;
}

/** The schema of every client event: the gateway parses each with its own, and tests enumerate them from here. */
export const clientEventSchemas = {
  'circle:join': circleJoinSchema,
  'circle:leave': circleLeaveSchema,
  'circle:command': circleCommandSchema,
} as const satisfies Record<keyof ClientToServerEvents, z.ZodType>;

/** How many missed events a rejoin replays before a fresh state is sent instead. */
export const MAX_REPLAY = 500;
