import { CircleConnection, localStorageOutbox, type ConnectionStatus, type OutboxEntry } from '@holdspace/client';
import {
  presenceList,
  type CircleState,
  type CircleStatus,
  type ClientCommand,
  type Device,
  type PresenceEntry,
} from '@holdspace/domain';
import type { CommandAck, Result } from '@holdspace/protocol';

/** What the connection indicator shows. `key` drives its look; `label` is what people read. */
export interface ConnectionView {
  key: 'connecting' | 'live' | 'reconnecting' | 'offline' | 'ended';
  label: string;
  detail: string | null;
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

  /** The latest change worth announcing to screen readers: who joined or left, and the circle opening or closing. */
  announcement = $state('');
  /** A command the server refused, in its words. */
  commandError = $state<string | null>(null);

  #known: Map<string, string> | null = null;
  #knownStatus: CircleStatus | null = null;
  readonly #selfId: string | null;

  readonly state: CircleState | null = $derived.by(() => this.#observe((c) => c.state));
  readonly status: ConnectionStatus = $derived.by(() => this.#observe((c) => c.status));
  readonly pending: OutboxEntry[] = $derived.by(() => this.#observe((c) => c.pending));
  readonly lastError: string | null = $derived.by(() => this.#observe((c) => c.lastError));
  readonly presence: PresenceEntry[] = $derived(this.state ? presenceList(this.state) : []);

  readonly connection: ConnectionView = $derived.by(() => {
    const status = this.status;
    const retrying = this.#observe((c) => c.socket.active);
    if (status === 'live') return { key: 'live', label: 'Live', detail: null };
    if (status === 'ended') {
      return { key: 'ended', label: 'Disconnected', detail: this.lastError ?? 'This connection has ended.' };
    }
    if (this.#browserOffline) {
      return { key: 'offline', label: 'Offline', detail: 'Your device is offline. We will reconnect when it is back.' };
    }
    if (status === 'connecting') {
      return this.#everLive
        ? { key: 'reconnecting', label: 'Reconnecting…', detail: 'Catching up on what changed.' }
        : { key: 'connecting', label: 'Connecting…', detail: null };
    }
    if (retrying) return { key: 'reconnecting', label: 'Reconnecting…', detail: 'Trying to reach the circle again.' };
    return { key: 'offline', label: 'Offline', detail: this.lastError ?? 'The circle cannot be reached right now.' };
  });

  constructor(options: LiveCircleOptions) {
    this.#selfId = options.selfId;
    this.#connection = new CircleConnection({
      circleId: options.circleId,
      device: options.device,
      storage: localStorageOutbox(options.outboxKey),
      onChange: () => this.#changed(),
    });
  }

  get browserOffline(): boolean {
    return this.#browserOffline;
  }

  isSending(type: ClientCommand['type']): boolean {
    return this.pending.some((entry) => entry.command.type === type);
  }

  open(): Promise<Result<CommandAck>> {
    return this.#send({ type: 'circle.open' });
  }

  close(reason?: string): Promise<Result<CommandAck>> {
    const trimmed = reason?.trim();
    return this.#send(trimmed ? { type: 'circle.close', reason: trimmed } : { type: 'circle.close' });
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

  async #send(command: ClientCommand): Promise<Result<CommandAck>> {
    this.commandError = null;
    const result = await this.#connection.send(command);
    if (!result.ok) this.commandError = result.message;
    return result;
  }

  #changed(): void {
    this.#version += 1;
    const connection = this.#connection;
    if (connection.status === 'live') this.#everLive = true;
    this.#announceChanges(connection.state, connection.status === 'live');
  }

  #announceChanges(state: CircleState | null, live: boolean): void {
    if (!state) return;
    const present = new Map(Object.values(state.presence).map((p) => [p.personId, p.displayName]));
    const messages: string[] = [];
    if (this.#knownStatus !== null && this.#knownStatus !== state.status) messages.push(statusAnnouncements[state.status]);
    // Closing clears presence for everyone at once; the closing message says enough.
    if (this.#known && state.status !== 'closed') {
      for (const [id, name] of present) if (!this.#known.has(id) && id !== this.#selfId) messages.push(`${name} joined.`);
      for (const [id, name] of this.#known) if (!present.has(id) && id !== this.#selfId) messages.push(`${name} left.`);
    }
    // The first full picture after joining is the baseline, not news.
    if (live || this.#known) {
      this.#known = present;
      this.#knownStatus = state.status;
    }
    if (messages.length > 0) this.announcement = messages.join(' ');
  }
}
