import { io, type Socket } from 'socket.io-client';
import { PROTOCOL_VERSION, type ClientToServerEvents, type ClinicAlert, type ServerToClientEvents } from '@holdspace/protocol';

export interface SafetyFeedOptions {
  /** Server origin; empty in the browser (same origin). */
  url?: string;
  /** Node callers pass the session cookie and an Origin the server accepts. */
  headers?: Record<string, string>;
  /** A new alert, the moment the server raises it. */
  onAlert: (alert: ClinicAlert) => void;
  /** ALR3: an alert acknowledged by anyone, on any screen. */
  onAcknowledged?: (alert: ClinicAlert) => void;
  /** CARE2: a call for support after a circle closed, and its acknowledgement. */
  onCareAlert?: (alert: ClinicAlert) => void;
  onCareAcknowledged?: (alert: ClinicAlert) => void;
  /** Connected (again): alerts raised while away are fetched over HTTP, which is the record. */
  onConnect?: () => void;
}

type AppSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * Safety alerts pushed to a clinician wherever they are in the app (CRS1). The push is the fast path; the alert list
 * over HTTP is the record, fetched again on every (re)connect so nothing raised while offline is missed.
 */
export class SafetyFeed {
  readonly socket: AppSocket;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(options: SafetyFeedOptions) {
    this.socket = io(options.url ?? '', {
      auth: { protocolVersion: PROTOCOL_VERSION },
      transports: ['websocket'],
      withCredentials: true,
      extraHeaders: options.headers,
      reconnectionDelay: 500,
      reconnectionDelayMax: 5000,
    });
    this.socket.on('connect', () => options.onConnect?.());
    this.socket.on('safety:alert', (alert) => options.onAlert(alert));
    this.socket.on('safety:acknowledged', (alert) => options.onAcknowledged?.(alert));
    this.socket.on('care:alert', (alert) => options.onCareAlert?.(alert));
    this.socket.on('care:acknowledged', (alert) => options.onCareAcknowledged?.(alert));
    this.socket.on('disconnect', (reason) => {
      // Socket.IO does not retry when the server closed the connection (a restart): we do, after a pause.
      if (reason === 'io server disconnect') this.reconnectTimer = setTimeout(() => this.socket.connect(), 2000);
    });
  }

  get connected(): boolean {
    return this.socket.connected;
  }

  close(): void {
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.socket.removeAllListeners();
    this.socket.disconnect();
  }
}
