import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { ClinicAlert } from '@holdspace/domain';
import { Server, type Socket } from 'socket.io';
import { budgetFor, connectBudget, connectionIdFor, COOL_OFF_MS, CUT_AFTER_REFUSALS, isCallForHelp, joinBudget, mayOpenSocket, socketBudgets, type CircleActor, type CircleEvent } from '@holdspace/domain';
import { isUnavailableError, withTimeout } from '@holdspace/db';
import {
  clientEventSchemas,
  closeReasons,
  fail,
  handshakeAuthSchema,
  MAX_FRAME_BYTES,
  ok,
  PROTOCOL_VERSION,
  type ClientToServerEvents,
  type CloseReason,
  type ServerToClientEvents,
} from '@holdspace/protocol';
import type { Metrics } from '../metrics.js';
import type { CircleService, Broadcaster } from '../services/circle-service.js';
import type { AlertPush } from '../services/safety.js';
import { SESSION_COOKIE, type AuthedUser, type SessionService } from '../services/sessions.js';
import type { Cluster } from './cluster.js';
import { CircleOrder } from './circle-order.js';
import { createRouter } from './router.js';
import { CoolOff, pauseReading, TokenBuckets } from './fair-share.js';
import { isAllowedOrigin, type Reached } from '../plugins/origin.js';

interface SocketData {
  user: AuthedUser;
  connectionId: string;
  /** FAIR5: what its connections are counted by (its session). */
  connectKey: string;
  /** circleId -> this socket's actor there */
  circles: Map<string, CircleActor>;
}
/** What one node tells the others: the events it committed, for each node to send its own sockets in order. */
interface InterServerEvents {
  'circle:events': (events: CircleEvent[]) => void;
}
type AppServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
type AppSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

const room = {
  all: (circleId: string) => `circle:${circleId}`,
  staff: (circleId: string) => `circle:${circleId}:staff`,
  person: (circleId: string, personId: string) => `circle:${circleId}:person:${personId}`,
  session: (sessionId: string) => `session:${sessionId}`,
  /** Every socket of one staff member: safety alerts reach them wherever they are in the app. */
  staffMember: (userId: string) => `staff:${userId}`,
};

/** Sends each event only to the rooms of its audience (AUD1-AUD3). */
export function roomsFor(event: CircleEvent): string[] {
  if (event.audience === 'all') return [room.all(event.circleId)];
  if (event.audience === 'staff') return [room.staff(event.circleId)];
  return [room.staff(event.circleId), room.person(event.circleId, event.audience.slice('person:'.length))];
}

export class SocketBroadcaster implements Broadcaster, AlertPush {
  io: AppServer | null = null;
  order: CircleOrder | null = null;
  metrics: Metrics | null = null;
  /** Other nodes share the rooms (an adapter is installed). */
  clustered = false;
  /**
   * Every node gets a circle's events, not only those with sockets in its rooms, so each can send its sockets the
   * seqs in order and notice one that is missing (circle-order.ts).
   */
  publish(events: CircleEvent[]): void {
    if (events.length === 0) return;
    if (this.clustered) this.io?.serverSideEmit('circle:events', events);
    this.order?.receive(events);
  }
  safetyAlert(userIds: string[], alert: ClinicAlert): void {
    this.toStaff(userIds, 'safety:alert', alert);
    this.metrics?.alertSent('safety', alert);
  }
  safetyAcknowledged(userIds: string[], alert: ClinicAlert): void {
    this.toStaff(userIds, 'safety:acknowledged', alert);
  }
  careAlert(userIds: string[], alert: ClinicAlert): void {
    this.toStaff(userIds, 'care:alert', alert);
    this.metrics?.alertSent('care', alert);
  }
  careAcknowledged(userIds: string[], alert: ClinicAlert): void {
    this.toStaff(userIds, 'care:acknowledged', alert);
  }
  /** POL2: a person no longer belongs to these circles: their sockets there are cut; the next join is refused. */
  cutMembership(userId: string, circleIds: string[]): void {
    if (circleIds.length > 0) this.io?.in(circleIds.map((c) => room.person(c, userId))).disconnectSockets(true);
  }
  private toStaff<E extends 'safety:alert' | 'safety:acknowledged' | 'care:alert' | 'care:acknowledged'>(
    userIds: string[],
    event: E,
    ...body: Parameters<ServerToClientEvents[E]>
  ): void {
    if (userIds.length > 0) this.io?.to(userIds.map(room.staffMember)).emit(event, ...body);
  }
}

export interface GatewayDeps {
  sessions: SessionService;
  circles: CircleService;
  broadcaster: SocketBroadcaster;
  /** Shares rooms with the other nodes: emits, joins' rooms and disconnects below reach every node. */
  cluster: Pick<Cluster, 'attach' | 'adapter'>;
  /** The log's events after a seq, to fill a gap in what reached this node. */
  replay: (circleId: string, afterSeq: number, count: number) => Promise<CircleEvent[]>;
  nodeId: string;
  /** PRS5: this process run, named in every connection id. */
  runId: string;
  allowedOrigins: string[];
  /** The scheme and host a handshake reached, for the Origin check. */
  reached: (req: IncomingMessage) => Reached;
  sweepIntervalMs?: number;
  /** LOG6: the longest a join or command waits on the database. */
  commandTimeoutMs: number;
  /** Cleared when the server stops: messages after that are answered UNAVAILABLE. */
  gate: { accepting: boolean };
  metrics: Metrics;
  /** FAIR6: the sockets one person may hold on this node. */
  socketsPerPerson: number;
}

/** What an error that closed a socket's transport says about it: ws refuses a frame past maxPayload with this. */
const closeReasonOf = (reason: string, description: unknown): CloseReason | null => {
  if (reason !== 'transport error' || !(description instanceof Error)) return null;
  return /max payload/i.test(description.message) ? 'oversized_frame' : description instanceof RangeError ? 'malformed_frame' : null;
};

/**
 * Socket.IO bypasses Fastify's hooks, so the gateway does its own checks: Origin, protocol version, session
 * cookie, membership of each circle, input schemas, message size and rate.
 */
export function attachGateway(app: FastifyInstance, deps: GatewayDeps): AppServer {
  const io: AppServer = new Server(app.server, {
    path: '/socket.io',
    serveClient: false,
    // Every Holdspace client opens a WebSocket straight away: no long-polling handshake, so a load balancer needs no
    // sticky sessions (infra/README.md).
    transports: ['websocket'],
    maxHttpBufferSize: MAX_FRAME_BYTES,
    pingInterval: 10_000,
    pingTimeout: 5_000,
    allowRequest: (req, callback) => {
      const allowed = isAllowedOrigin(req.headers.origin, deps.reached(req), deps.allowedOrigins);
      callback(allowed ? null : 'Origin not allowed', allowed);
    },
  });
  deps.cluster.attach(io);
  const order = new CircleOrder({
    emit: (e) => {
      const rooms = roomsFor(e);
      io.local.to(rooms).emit('circle:event', e);
      deps.metrics.fanOut.observe(socketsIn(rooms));
    },
    watched: (circleId) => io.of('/').adapter.rooms.has(room.all(circleId)),
    replay: (circleId, afterSeq, count) => withTimeout(deps.replay(circleId, afterSeq, count), deps.commandTimeoutMs),
    waitMs: 150,
    onError: (error) => app.log.warn({ err: error }, 'reading missed circle events failed'),
  });
  const socketsIn = (rooms: string[]) => {
    const all = io.of('/').adapter.rooms;
    if (rooms.length === 1) return all.get(rooms[0]!)?.size ?? 0;
    return new Set(rooms.flatMap((r) => [...(all.get(r) ?? [])])).size;
  };
  io.on('circle:events', (events) => {
    deps.metrics.eventsArrived(events);
    order.receive(events);
  });
  Object.assign(deps.broadcaster, { io, order, clustered: deps.cluster.adapter !== 'none', metrics: deps.metrics });
  deps.metrics.socketCount = () => io.of('/').sockets.size;
  const budgets = new TokenBuckets();
  const coolOff = new CoolOff();
  /** FAIR6: sockets per person on this node, counted from the handshake that admits one to its disconnect. */
  const openSockets = new Map<string, number>();
  const refused = (reason: string, message: string) => {
    deps.metrics.socketRefusals.inc({ reason });
    return Object.assign(new Error(`RATE_LIMITED: ${message}`), { data: { code: 'RATE_LIMITED' } });
  };
  const closing = (socket: AppSocket, reason: CloseReason) => {
    deps.metrics.closed(reason);
    socket.emit('connection:closing', { reason, message: closeReasons[reason] });
  };

  io.use(async (socket, next) => {
    const auth = handshakeAuthSchema.safeParse(socket.handshake.auth);
    if (!auth.success || auth.data.protocolVersion !== PROTOCOL_VERSION) {
      return next(Object.assign(new Error('PROTOCOL_MISMATCH: please reload the page to update Holdspace.'), { data: { code: 'PROTOCOL_MISMATCH' } }));
    }
    const cookies = app.parseCookie(socket.handshake.headers.cookie ?? '');
    // FAIR5: checked before the session is looked up, so a storm of reconnects costs the database nothing.
    const connecting = `connect ${cookies[SESSION_COOKIE] ?? socket.handshake.address}`;
    if (coolOff.active(connecting) || !budgets.take(connecting, connectBudget)) return next(refused('connect_rate', 'too many connections, trying again shortly.'));
    try {
      const user = await withTimeout(deps.sessions.validate(cookies[SESSION_COOKIE]), deps.commandTimeoutMs);
      if (!user) return next(Object.assign(new Error('UNAUTHENTICATED: please sign in.'), { data: { code: 'UNAUTHENTICATED' } }));
      if (socket.conn.readyState !== 'open') return next(new Error('UNAVAILABLE: the connection closed.'));
      const open = openSockets.get(user.id) ?? 0;
      if (!mayOpenSocket(open, deps.socketsPerPerson)) {
        return next(refused('per_person_cap', `you have ${open} Holdspace connections open already; close another tab or device and try again.`));
      }
      openSockets.set(user.id, open + 1);
      // The connection's end, not the socket's: it comes also when the device left during this check.
      socket.conn.once('close', () => {
        const left = (openSockets.get(user.id) ?? 1) - 1;
        if (left > 0) openSockets.set(user.id, left);
        else openSockets.delete(user.id);
      });
      socket.data.user = user;
      socket.data.connectKey = connecting;
      socket.data.circles = new Map();
      next();
    } catch (error) {
      app.log.error({ err: error }, 'socket authentication failed');
      next(new Error('UNAVAILABLE: please try again.'));
    }
  });

  io.on('connection', (socket: AppSocket) => {
    const user = socket.data.user;
    void socket.join(user.kind === 'staff' ? [room.session(user.sessionId), room.staffMember(user.id)] : room.session(user.sessionId));
    const connectionId = connectionIdFor(deps.nodeId, deps.runId, socket.id);
    socket.data.connectionId = connectionId;
    socket.onAny(() => void deps.sessions.touch(user.sessionId).catch(() => {}));
    // A socket's own limit only guards the server's work per message; what a person may do in a circle is their
    // budget across all their sockets (FAIR1), checked per command.
    const on = createRouter(socket, {
      budget: user.kind === 'staff' ? socketBudgets.staff : socketBudgets.participant,
      cutAfterRefusals: CUT_AFTER_REFUSALS,
      onCut: () => {
        closing(socket, 'rate_cut');
        coolOff.start(socket.data.connectKey, COOL_OFF_MS);
        app.log.warn({ user: user.id }, 'socket cut for sending past its limits');
      },
      pauseReading: (ms) => pauseReading(socket, ms),
      onError: (error, event) => app.log.error({ err: error, event, user: user.id }, 'socket handler failed'),
      timeoutMs: deps.commandTimeoutMs,
      isUnavailable: isUnavailableError,
      accepting: () => deps.gate.accepting,
      onAnswer: (event, parsed, result, receivedAt) => deps.metrics.answered(event, parsed, result, receivedAt),
    });
    // socket.io closes the connection after a frame it cannot decode; the device hears why first.
    socket.on('error', () => closing(socket, 'malformed_frame'));

    on('circle:join', clientEventSchemas['circle:join'], async ({ circleId, lastSeq, device }, signal) => {
      if (!budgets.take(`join ${user.id}`, joinBudget)) {
        deps.metrics.socketRefusals.inc({ reason: 'join_rate' });
        return fail('RATE_LIMITED', 'Too many attempts to join. Trying again shortly.');
      }
      const actor = await deps.circles.actorFor(user, circleId);
      if (!actor) return fail('NOT_FOUND', 'This circle does not exist or you are not part of it.');
      const rooms = [room.all(circleId), room.person(circleId, actor.personId)];
      if (actor.role === 'facilitator') rooms.push(room.staff(circleId));
      await socket.join(rooms);
      socket.data.circles.set(circleId, actor);
      if (actor.role === 'facilitator') await deps.circles.syncRoster(circleId);
      const joined = await deps.circles.join(circleId, actor, connectionId, device, signal);
      if (!joined.ok) {
        // A closed circle can still be looked at; it just records no presence.
        if (joined.rule !== 'PRS2') return joined;
      }
      const sync = await deps.circles.sync(circleId, actor, lastSeq);
      order.joined(circleId, sync.seq);
      return ok(sync);
    });

    on('circle:leave', clientEventSchemas['circle:leave'], async ({ circleId }) => {
      const actor = socket.data.circles.get(circleId);
      if (!actor) return ok(null);
      socket.data.circles.delete(circleId);
      for (const r of [room.all(circleId), room.staff(circleId), room.person(circleId, actor.personId)]) await socket.leave(r);
      const left = await deps.circles.leave(circleId, actor, connectionId);
      return left.ok ? ok(null) : left;
    });

    on('circle:command', clientEventSchemas['circle:command'], async ({ circleId, commandId, command }, signal) => {
      const actor = socket.data.circles.get(circleId) ?? (await deps.circles.actorFor(user, circleId));
      if (!actor) return fail('NOT_FOUND', 'This circle does not exist or you are not part of it.');
      if (!budgets.take(`${circleId} ${actor.personId} ${isCallForHelp(command) ? 'help' : 'other'}`, budgetFor(command, actor))) return fail('RATE_LIMITED', 'Too many messages. Please wait a moment.');
      return deps.circles.execute(circleId, actor, command, commandId, { signal, bounded: true });
    });

    socket.on('disconnect', (reason, description) => {
      const closedFor = closeReasonOf(reason, description);
      if (closedFor) deps.metrics.closed(closedFor);
      for (const [circleId, actor] of socket.data.circles) {
        void deps.circles.leave(circleId, actor, connectionId).catch((error: unknown) => app.log.error({ err: error }, 'presence leave failed'));
      }
      socket.data.circles.clear();
    });
  });

  // Wherever the session ended (a sign-out on another node), its sockets on every node hear why and are cut.
  deps.sessions.onEnded((sessionId, reason) => {
    io.to(room.session(sessionId)).emit('session:ended', { reason });
    io.in(room.session(sessionId)).disconnectSockets(true);
  });

  // Sessions with live sockets are checked often, so an idle timeout or expiry cuts the socket within a second. Each
  // node checks the sessions of its own sockets.
  const sweep = setInterval(() => {
    const ids = [...new Set([...io.of('/').sockets.values()].map((s) => s.data.user?.sessionId).filter((id): id is string => Boolean(id)))];
    deps.sessions.sweep(ids).catch((error: unknown) => app.log.warn({ err: error }, 'session sweep failed'));
  }, deps.sweepIntervalMs ?? 500);
  sweep.unref();
  app.addHook('onClose', async () => {
    clearInterval(sweep);
    order.close();
  });

  return io;
}

/**
 * PRS5, shutdown: ends the presence of every socket of this node with one append per circle (not one queued leave per
 * socket), and forgets it on the sockets so their disconnects record nothing more.
 */
export async function endLocalPresence(io: AppServer, circles: CircleService): Promise<number> {
  const byCircle = new Map<string, { personId: string; connectionId: string }[]>();
  for (const socket of io.of('/').sockets.values()) {
    const circlesOf = (socket.data as Partial<SocketData>).circles;
    if (!circlesOf) continue;
    for (const [circleId, actor] of circlesOf) {
      const list = byCircle.get(circleId) ?? [];
      list.push({ personId: actor.personId, connectionId: socket.data.connectionId });
      byCircle.set(circleId, list);
    }
    circlesOf.clear();
  }
  await Promise.all([...byCircle].map(([circleId, connections]) => circles.endPresence(circleId, connections)));
  return [...byCircle.values()].reduce((n, list) => n + list.length, 0);
}
