import { CircleConnection, localStorageOutbox, refusalNotice, type ConnectionStatus, type OutboxEntry } from '@holdspace/client';
import {
  presenceList,
  type CircleState,
  type CircleStatus,
  type ClientCommand,
  type Device,
  type PresenceEntry,
} from '@holdspace/domain';
import { closeReasons, type CommandAck, type Result } from '@holdspace/protocol';
import { clock } from './clock.svelte';

/** What the connection indicator shows. `key` drives its look; `label` is what people read. */
export interface ConnectionView {
  key: 'connecting' | 'live' | 'reconnecting' | 'offline' | 'ended';
  label: string;
  detail: string | null;
  /** What the person can do about it, if anything. */
  action: 'retry' | 'sign-in' | 'reload' | null;
}

export interface LiveCircleOptions {
  circleId: string;
  device: Device;
  /** The signed-in person, so the page does not announce their own arrival to them. */
  selfId: string | null;
  /** Unsent commands are kept per person, so a shared device never sends one person's command as another's. */
  outboxKey: string;
}

const statusAnnouncements: Record<CircleStatus, string> = {
  scheduled: 'The circle is not open yet.',
  open: 'The circle is open.',
  in_session: 'The circle is in session.',
  closed: 'The circle has closed.',
};

/**
 * One circle as this device sees it, live. Wraps a CircleConnection (which owns the socket, the replay by seq and the
 * outbox) and turns its changes into Svelte state: every change bumps `#version`, and everything the page reads is
 * derived from it.
 */
export class LiveCircle {
  readonly #connection: CircleConnection;
  #version = $state(0);
  #browserOffline = $state(false);
  #everLive = $state(false);
  #sessionEnded = $state(false);

  /** The latest change worth announcing to screen readers: who joined or left, and the circle opening or closing. */
  announcement = $state('');
  /**
   * A command written before this page loaded (kept in the outbox across a reload) that the server then refused.
   * Commands sent from this page report their own refusals to the control that sent them.
   */
  earlierRefusal = $state<string | null>(null);

  /** Who was here at the last change (person id to display name): plain bookkeeping, not state. */
  #known: Record<string, string> | null = null;
  #knownStatus: CircleStatus | null = null;
  readonly #selfId: string | null;

  readonly state: CircleState | null = $derived.by(() => this.#observe((c) => c.state));
  readonly status: ConnectionStatus = $derived.by(() => this.#observe((c) => c.status));
  readonly pending: OutboxEntry[] = $derived.by(() => this.#observe((c) => c.pending));
  readonly lastError: string | null = $derived.by(() => this.#observe((c) => c.lastError));
  readonly presence: PresenceEntry[] = $derived(this.state ? presenceList(this.state) : []);

  readonly connection: ConnectionView = $derived.by((): ConnectionView => {
    const status = this.status;
    const error = this.lastError ?? '';
    const reconnecting = this.#observe((c) => c.reconnecting);
    if (status === 'live') return { key: 'live', label: 'Live', detail: null, action: null };
    if (this.#sessionEnded || error.startsWith('UNAUTHENTICATED')) {
      return {
        key: 'ended',
        label: 'Signed out',
        detail: this.#sessionEnded && error ? error : 'Your session has ended. Sign in again to rejoin the circle.',
        action: 'sign-in',
      };
    }
    if (error.startsWith('PROTOCOL_MISMATCH')) {
      return { key: 'ended', label: 'Update needed', detail: 'Holdspace has been updated. Reload the page to rejoin.', action: 'reload' };
    }
    if (status === 'ended') {
      return { key: 'ended', label: 'Disconnected', detail: error || 'This connection has ended.', action: null };
    }
    if (this.#browserOffline) {
      return { key: 'offline', label: 'Offline', detail: 'Your device is offline. We will reconnect when it is back.', action: null };
    }
    if (status === 'connecting') {
      return this.#everLive
        ? { key: 'reconnecting', label: 'Reconnecting…', detail: 'Catching up on what changed.', action: null }
        : { key: 'connecting', label: 'Connecting…', detail: null, action: null };
    }
    if (reconnecting) {
      // The server closed this connection on purpose (a frame too large or unreadable, too many messages): say why.
      const closedFor = (Object.values(closeReasons) as string[]).includes(error) ? error : null;
      return { key: 'reconnecting', label: 'Reconnecting…', detail: closedFor ?? 'Trying to reach the circle again.', action: null };
    }
    return { key: 'offline', label: 'Offline', detail: error || 'The circle cannot be reached right now.', action: 'retry' };
  });

  constructor(options: LiveCircleOptions) {
    this.#selfId = options.selfId;
    this.#connection = new CircleConnection({
      circleId: options.circleId,
      device: options.device,
      storage: localStorageOutbox(options.outboxKey),
      onChange: () => this.#changed(),
      // OBX5: what was written before this page loaded and then refused is still told, in plain words.
      onRefused: (_command, _failure, notice) => {
        this.earlierRefusal = notice;
      },
    });
    this.#connection.socket.on('session:ended', () => {
      this.#sessionEnded = true;
    });
  }

  get browserOffline(): boolean {
    return this.#browserOffline;
  }

  /**
   * Send any command through the outbox: it is kept on this device until the server has committed it, so it
   * survives a reload or a lost connection. Resolves with the server's answer.
   */
  async send(command: ClientCommand): Promise<Result<CommandAck>> {
    const result = await this.#connection.send(command);
    // OBX5: input the server refused reads as what was not saved and what to do, not as a validation report.
    return !result.ok && result.code === 'BAD_REQUEST' ? { ...result, message: refusalNotice(command, result) } : result;
  }

  /** Commands of these types still waiting for the server, optionally about one person. */
  pendingOf(type: ClientCommand['type'], personId?: string): OutboxEntry[] {
    return this.pending.filter(
      (entry) => entry.command.type === type && (personId === undefined || ('personId' in entry.command && entry.command.personId === personId)),
    );
  }

  /** The browser says the network is gone: stop trying, and say so. */
  wentOffline(): void {
    this.#browserOffline = true;
    this.#connection.pause();
  }

  /** The network is back: reconnect, catch up from the last seq and send what waited in the outbox. */
  cameOnline(): void {
    this.#browserOffline = false;
    this.#connection.resume();
  }

  retry(): void {
    this.#connection.resume();
  }

  destroy(): void {
    this.#connection.close();
  }

  #observe<T>(read: (connection: CircleConnection) => T): T {
    void this.#version;
    return read(this.#connection);
  }

  #changed(): void {
    this.#version += 1;
    const connection = this.#connection;
    clock.correct(connection.clockOffsetMs);
    if (connection.status === 'live') this.#everLive = true;
    this.#announceChanges(connection.state, connection.status === 'live');
  }

  #announceChanges(state: CircleState | null, live: boolean): void {
    if (!state) return;
    const present: Record<string, string> = Object.fromEntries(
      Object.values(state.presence).map((p) => [p.personId, p.displayName]),
    );
    const known = this.#known;
    const messages: string[] = [];
    if (this.#knownStatus !== null && this.#knownStatus !== state.status) messages.push(statusAnnouncements[state.status]);
    // Closing clears presence for everyone at once; the closing message says enough.
    if (known && state.status !== 'closed') {
      for (const [id, name] of Object.entries(present)) if (!(id in known) && id !== this.#selfId) messages.push(`${name} joined.`);
      for (const [id, name] of Object.entries(known)) if (!(id in present) && id !== this.#selfId) messages.push(`${name} left.`);
    }
    // The first full picture after joining is the baseline, not news.
    if (live || known) {
      this.#known = present;
      this.#knownStatus = state.status;
    }
    if (messages.length > 0) this.announcement = messages.join(' ');
  }
}
