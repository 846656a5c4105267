import type { Audience } from './audience.js';
import { canSee } from './audience.js';
import type { CircleActor, CircleRole, Device } from './people.js';
import { isStaff } from './people.js';
import { allow, refuse, type Decision } from './result.js';

export type CircleStatus = 'scheduled' | 'open' | 'in_session' | 'closed';

export interface Connection {
  device: Device;
  since: string;
}

export interface PresentPerson {
  personId: string;
  displayName: string;
  role: CircleRole;
  /** One entry per live connection; a person with none is not present. */
  connections: Record<string, Connection>;
}

/** The fold of a circle's events. Everything a circle knows is here; nothing is kept elsewhere. */
export interface CircleState {
  circleId: string;
  seq: number;
  status: CircleStatus;
  openedAt: string | null;
  closedAt: string | null;
  /** Why the facilitator closed the circle: staff only (CIR3). */
  closeReason: string | null;
  presence: Record<string, PresentPerson>;
}

/** Payload of each event type: the single declaration of the circle's events. */
export interface CircleEventPayloads {
  'circle.opened': Record<string, never>;
  'circle.closed': Record<string, never>;
  'circle.closeNoted': { reason: string };
  'presence.joined': { personId: string; displayName: string; role: CircleRole; connectionId: string; device: Device };
  'presence.left': { personId: string; connectionId: string };
}

export type CircleEventType = keyof CircleEventPayloads;

export type CircleEventBody = {
  [K in CircleEventType]: { type: K; payload: CircleEventPayloads[K] };
}[CircleEventType];

/** An event as the log holds it and as viewers receive it. */
export type CircleEvent = CircleEventBody & {
  circleId: string;
  seq: number;
  at: string;
  actor: string;
  audience: Audience;
};

/** An event the domain decided on, before the log gives it a seq and a time. */
export type NewEvent = CircleEventBody & { audience: Audience };

/** Commands a person sends from a device. */
export type ClientCommand = { type: 'circle.open' } | { type: 'circle.close'; reason?: string | undefined };

/** Commands the server issues on a person's behalf (a socket joins or drops). */
export type SystemCommand =
  | { type: 'presence.join'; connectionId: string; device: Device }
  | { type: 'presence.leave'; connectionId: string };

export type CircleCommand = ClientCommand | SystemCommand;

export function initialCircleState(circleId: string): CircleState {
  return { circleId, seq: 0, status: 'scheduled', openedAt: null, closedAt: null, closeReason: null, presence: {} };
}

const ev = <K extends CircleEventType>(type: K, payload: CircleEventPayloads[K], audience: Audience): NewEvent =>
  ({ type, payload, audience }) as NewEvent;

/**
 * decide(state, command, actor): the events a command produces, or the rule that refuses it.
 * Pure: the same inputs always give the same answer.
 */
export function decide(state: CircleState, command: CircleCommand, actor: CircleActor): Decision<NewEvent[]> {
  switch (command.type) {
    case 'circle.open':
      if (!isStaff(actor)) return refuse('CIR1', 'Only a facilitator of this circle can open it.');
      if (state.status !== 'scheduled') return refuse('CIR2', `The circle is ${describe(state.status)} and cannot be opened again.`);
      return allow([ev('circle.opened', {}, 'all')]);

    case 'circle.close': {
      if (!isStaff(actor)) return refuse('CIR1', 'Only a facilitator of this circle can close it.');
      if (state.status === 'closed') return refuse('CIR2', 'The circle is already closed.');
      const reason = command.reason?.trim();
      return allow([ev('circle.closed', {}, 'all'), ...(reason ? [ev('circle.closeNoted', { reason }, 'staff')] : [])]);
    }

    case 'presence.join': {
      if (state.status === 'closed') return refuse('PRS2', 'This circle has ended.');
      if (state.presence[actor.personId]?.connections[command.connectionId]) return allow([]);
      return allow([
        ev(
          'presence.joined',
          {
            personId: actor.personId,
            displayName: actor.displayName,
            role: actor.role,
            connectionId: command.connectionId,
            device: command.device,
          },
          'all',
        ),
      ]);
    }

    case 'presence.leave':
      if (!state.presence[actor.personId]?.connections[command.connectionId]) return allow([]);
      return allow([ev('presence.left', { personId: actor.personId, connectionId: command.connectionId }, 'all')]);
  }
}

/** evolve(state, event): the state after one event. Used by the server and by every client. */
export function evolve(state: CircleState, event: CircleEvent): CircleState {
  const next: CircleState = { ...state, seq: Math.max(state.seq, event.seq) };
  switch (event.type) {
    case 'circle.opened':
      return { ...next, status: 'open', openedAt: event.at };
    case 'circle.closed':
      return { ...next, status: 'closed', closedAt: event.at, presence: {} };
    case 'circle.closeNoted':
      return { ...next, closeReason: event.payload.reason };
    case 'presence.joined': {
      const p = event.payload;
      const before = state.presence[p.personId];
      const person: PresentPerson = {
        personId: p.personId,
        displayName: p.displayName,
        role: p.role,
        connections: { ...before?.connections, [p.connectionId]: { device: p.device, since: event.at } },
      };
      return { ...next, presence: { ...state.presence, [p.personId]: person } };
    }
    case 'presence.left': {
      const p = event.payload;
      const before = state.presence[p.personId];
      if (!before) return next;
      const connections = { ...before.connections };
      delete connections[p.connectionId];
      const presence = { ...state.presence };
      if (Object.keys(connections).length === 0) delete presence[p.personId];
      else presence[p.personId] = { ...before, connections };
      return { ...next, presence };
    }
  }
}

export const fold = (state: CircleState, events: readonly CircleEvent[]): CircleState => events.reduce(evolve, state);

/** The part of the state a viewer may hold. Folding the events they may see onto it keeps it that way. */
export function viewFor(state: CircleState, viewer: Pick<CircleActor, 'personId' | 'role'>): CircleState {
  if (isStaff(viewer)) return state;
  return { ...state, closeReason: null };
}

export const visibleTo = (viewer: Pick<CircleActor, 'personId' | 'role'>) => (event: Pick<CircleEvent, 'audience'>) =>
  canSee(event.audience, viewer);

export interface PresenceEntry {
  personId: string;
  displayName: string;
  role: CircleRole;
  devices: Device[];
}

/** Who is here, facilitators first, then by name: the same order on every device (PRS3). */
export function presenceList(state: CircleState): PresenceEntry[] {
  return Object.values(state.presence)
    .map((p) => ({
      personId: p.personId,
      displayName: p.displayName,
      role: p.role,
      devices: [...new Set(Object.values(p.connections).map((c) => c.device))].sort(),
    }))
    .sort((a, b) =>
      a.role !== b.role ? (a.role === 'facilitator' ? -1 : 1) : a.displayName.localeCompare(b.displayName) || a.personId.localeCompare(b.personId),
    );
}

export function describe(status: CircleStatus): string {
  return { scheduled: 'not open yet', open: 'open', in_session: 'in session', closed: 'closed' }[status];
}

/** Connections recorded in the state whose ids start with a prefix: used to clear a crashed server node's sockets. */
export function connectionsWithPrefix(state: CircleState, prefix: string): { personId: string; connectionId: string }[] {
  return Object.values(state.presence).flatMap((p) =>
    Object.keys(p.connections)
      .filter((id) => id.startsWith(prefix))
      .map((connectionId) => ({ personId: p.personId, connectionId })),
  );
}
