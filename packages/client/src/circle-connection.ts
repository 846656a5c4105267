import { io, type Socket } from 'socket.io-client';
import { evolve, type CircleEvent, type CircleState, type ClientCommand, type Device } from '@holdspace/domain';
import {
  closeReasons,
  PROTOCOL_VERSION,
  WS_CLOSE_TOO_BIG,
  type ClientToServerEvents,
  type CircleSync,
  type CommandAck,
  type Result,
  type ServerToClientEvents,
} from '@holdspace/protocol';
import {
  backoff,
  afterAnswer,
  dueEntries,
  memoryStorage,
  Outbox,
  refusalNotice,
  type OutboxEntry,
  type Lane,
  type OutboxStorage,
} from './outbox.js';

export type ConnectionStatus = 'connecting' | 'live' | 'offline' | 'ended';

export interface CircleConnectionOptions {
  /** Server origin; empty in the browser (same origin). */
  url?: string;
  circleId: string;
  device?: Device;
  storage?: OutboxStorage;
  /** Node callers pass the session cookie and an Origin the server accepts. */
  headers?: Record<string, string>;
  /** How long to wait for an acknowledgement before retrying. */
  ackTimeoutMs?: number;
  /** Called after every change of state, status or outbox. */
  onChange?: () => void;
  /** Every event as it is applied, in order. */
  onEvent?: (event: CircleEvent) => void;
  /**
   * OBX5: a command queued before this page loaded (nobody awaits it) left the queue unsaved: the person must still
   * be told. `notice` is the plain message to show.
   */
  onRefused?: (command: ClientCommand, failure: Extract<Result<CommandAck>, { ok: false }>, notice: string) => void;
}


type AppSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * One device's live view of one circle. Joins with the last seq it holds and applies what it missed; sends
 * commands through a persistent outbox and retries them until the server acknowledges them after commit.
 */
export class CircleConnection {
  state: CircleState | null = null;
  status: ConnectionStatus = 'connecting';
  lastError: string | null = null;
  /** Server clock minus this device's, measured at each join (half the round trip taken as the one-way delay). */
  clockOffsetMs = 0;
  readonly socket: AppSocket;
  readonly outbox: Outbox;
  private syncing = false;
  private buffered: CircleEvent[] = [];
  private flushing: Record<Lane, boolean> = { urgent: false, normal: false };
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private retryAt = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private reconnectAttempt = 0;
  private paused = false;
  private closed = false;
  private waiters = new Map<string, (r: Result<CommandAck>) => void>();

  constructor(private readonly options: CircleConnectionOptions) {
    this.outbox = new Outbox(options.storage ?? memoryStorage());
    this.socket = io(options.url ?? '', {
      auth: { protocolVersion: PROTOCOL_VERSION },
      transports: ['websocket'],
      withCredentials: true,
      extraHeaders: options.headers,
      reconnectionDelay: 500,
      reconnectionDelayMax: 5000,
    });
    this.socket.on('connect', () => void this.sync());
    this.socket.on('disconnect', (reason, details) => {
      // An oversized frame is refused below Socket.IO, so only the WebSocket's close code says why.
      const code = details && 'context' in details ? (details.context as { code?: unknown } | undefined)?.code : undefined;
      if (code === WS_CLOSE_TOO_BIG) this.lastError = closeReasons.oversized_frame;
      if (this.status !== 'ended') this.setStatus('offline');
      // Socket.IO does not retry when the server closed the connection (a restart or a deploy): we do.
      if (reason === 'io server disconnect') this.scheduleReconnect(() => this.socket.connect());
    });
    this.socket.on('connect_error', (err) => {
      this.lastError = err.message;
      if (this.status !== 'ended') this.setStatus('offline');
    });
    this.socket.on('circle:event', (event) => this.receive(event));
    this.socket.on('circle:stale', () => void this.sync());
    this.socket.on('connection:closing', ({ message }) => {
      this.lastError = message;
      this.changed();
    });
    this.socket.on('session:ended', ({ reason }) => {
      this.lastError = reason;
      this.setStatus('ended');
    });
  }

  get circleId(): string {
    return this.options.circleId;
  }

  /** Commands written but not yet acknowledged: show these as "sending". */
  get pending(): OutboxEntry[] {
    return this.outbox.all(this.circleId);
  }

  /** Queue a command; resolves with the server's acknowledgement, however many retries it takes. */
  send(command: ClientCommand, commandId?: string): Promise<Result<CommandAck>> {
    const entry = this.outbox.add(this.circleId, command, commandId);
    const done = new Promise<Result<CommandAck>>((resolve) => this.waiters.set(entry.commandId, resolve));
    this.changed();
    void this.flush();
    return done;
  }

  /** True while this connection is trying to get back: Socket.IO's own retries or ours. */
  get reconnecting(): boolean {
    if (this.paused || this.closed || this.status === 'live' || this.status === 'ended') return false;
    return this.reconnectTimer !== null || (this.socket.active && !this.socket.connected) || this.syncing;
  }

  /** Drop the connection now and stay offline (the app calls this when the browser reports it is offline). */
  pause(): void {
    this.paused = true;
    this.clearReconnect();
    this.socket.disconnect();
    this.setStatus('offline');
  }

  /** Reconnect now, catch up from the last seq and send what waits in the outbox. */
  resume(): void {
    this.paused = false;
    this.reconnectAttempt = 0;
    this.clearReconnect();
    if (!this.socket.connected) this.socket.connect();
    else if (this.status !== 'live') void this.sync();
  }

  close(): void {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.clearReconnect();
    this.socket.off();
    this.socket.disconnect();
  }

  private scheduleReconnect(attempt: () => unknown): void {
    if (this.paused || this.closed || this.status === 'ended' || this.reconnectTimer) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (!this.paused && !this.closed && this.status !== 'ended') attempt();
      this.changed();
    }, backoff(this.reconnectAttempt++));
    this.changed();
  }

  private clearReconnect(): void {
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
  }

  private async sync(): Promise<void> {
    this.syncing = true;
    this.buffered = [];
    this.setStatus('connecting');
    const lastSeq = this.state?.seq;
    let ack: Result<CircleSync>;
    const sentAt = Date.now();
    try {
      ack = await this.socket
        .timeout(this.options.ackTimeoutMs ?? 10_000)
        .emitWithAck('circle:join', { circleId: this.circleId, device: this.options.device ?? 'desktop', ...(lastSeq !== undefined ? { lastSeq } : {}) });
    } catch {
      this.syncing = false;
      this.setStatus('offline');
      this.scheduleReconnect(() => this.socket.connected && void this.sync());
      return;
    }
    if (!ack.ok) {
      this.syncing = false;
      this.lastError = ack.message;
      const permanent = ack.code === 'UNAUTHENTICATED' || ack.code === 'FORBIDDEN' || ack.code === 'NOT_FOUND';
      this.setStatus(permanent ? 'ended' : 'offline');
      if (!permanent) this.scheduleReconnect(() => this.socket.connected && void this.sync());
      return;
    }
    this.reconnectAttempt = 0;
    const sync = ack.data;
    const serverTime = Date.parse(sync.serverTime);
    if (Number.isFinite(serverTime)) this.clockOffsetMs = serverTime - (sentAt + Date.now()) / 2;
    if (sync.mode === 'snapshot') this.state = sync.state;
    else if (this.state) for (const e of sync.events) this.apply(e);
    const buffered = this.buffered;
    this.buffered = [];
    this.syncing = false;
    for (const e of buffered) this.apply(e);
    this.lastError = null;
    this.setStatus('live');
    void this.flush();
  }

  private receive(event: CircleEvent): void {
    if (event.circleId !== this.circleId) return;
    if (this.syncing || !this.state) this.buffered.push(event);
    else this.apply(event);
  }

  private apply(event: CircleEvent): void {
    if (!this.state || event.seq <= this.state.seq) return;
    this.state = evolve(this.state, event);
    this.options.onEvent?.(event);
    this.changed();
  }

  /** OBX4: the urgent lane and the normal lane go side by side, so a call for support never waits behind another. */
  private flush(): Promise<void> {
    return Promise.all([this.flushLane('urgent'), this.flushLane('normal')]).then(() => undefined);
  }

  /** The entries of a lane that are due now, oldest first. */
  private due(lane: Lane, now = Date.now()): OutboxEntry[] {
    return dueEntries(this.outbox.all(this.circleId), lane, now);
  }

  private async flushLane(lane: Lane): Promise<void> {
    if (this.flushing[lane] || this.status !== 'live') return;
    this.flushing[lane] = true;
    try {
      // The oldest due entry each time round, so what is written while one awaits its ack goes out in this pass too.
      for (let entry = this.due(lane)[0]; entry; entry = this.due(lane)[0]) {
        if (this.status !== 'live') break;
        this.outbox.attempted(entry.commandId);
        let result: Result<CommandAck>;
        try {
          result = await this.socket
            .timeout(this.options.ackTimeoutMs ?? 10_000)
            .emitWithAck('circle:command', { commandId: entry.commandId, circleId: entry.circleId, command: entry.command, ...(entry.attempts > 0 ? { attempt: entry.attempts } : {}) });
        } catch {
          // No answer at all: the connection is in trouble, so the whole lane waits and tries again.
          this.scheduleRetry(entry.attempts + 1);
          break;
        }
        // OBX2: a temporary answer sets this command aside; the ones behind it go now.
        if (afterAnswer(entry, result) === 'set_aside') {
          this.outbox.setAside(entry.commandId, Date.now() + backoff(entry.attempts), !result.ok && result.code === 'INTERNAL');
          this.scheduleRetry();
          continue;
        }
        this.finish(entry, result);
      }
    } finally {
      this.flushing[lane] = false;
      // What was set aside is tried when it is due, even if nothing else wakes the outbox.
      if (!this.closed) this.scheduleRetry();
    }
  }

  /** OBX3, OBX5: the command leaves the queue: saved, or refused with a message the person is shown. */
  private finish(entry: OutboxEntry, result: Result<CommandAck>): void {
    this.outbox.remove(entry.commandId);
    const waiter = this.waiters.get(entry.commandId);
    this.waiters.delete(entry.commandId);
    if (result.ok) waiter?.(result);
    else {
      const notice = refusalNotice(entry.command, result);
      this.lastError = result.message;
      // A gave-up INTERNAL is not the server's last word on the command: the person reads what to do instead.
      const answer = result.code === 'INTERNAL' ? { ...result, message: notice } : result;
      if (waiter) waiter(answer);
      else this.options.onRefused?.(entry.command, answer, notice);
    }
    this.changed();
  }

  /** Retry after `attempt`'s backoff, or when the first set-aside command is due, whichever is sooner. */
  private scheduleRetry(attempt?: number): void {
    const now = Date.now();
    const waits = this.outbox
      .all(this.circleId)
      .flatMap((e) => (e.retryAt !== undefined && e.retryAt > now ? [e.retryAt - now] : []));
    if (attempt !== undefined) waits.push(backoff(attempt));
    if (waits.length === 0) return;
    const delay = Math.min(...waits);
    if (this.retryTimer && this.retryAt <= now + delay) return;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryAt = now + delay;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.flush();
    }, delay);
  }

  private setStatus(status: ConnectionStatus): void {
    if (this.status === status) return;
    this.status = status;
    this.changed();
  }

  private changed(): void {
    this.options.onChange?.();
  }
}
