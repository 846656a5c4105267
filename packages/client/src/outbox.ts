import { isCallForHelp, type ClientCommand } from '@holdspace/domain';
import type { ErrorCode, Failure } from '@holdspace/protocol';

export interface OutboxEntry {
  commandId: string;
  circleId: string;
  command: ClientCommand;
  createdAt: string;
  attempts: number;
  /** OBX3: how many times the server answered INTERNAL for this command. */
  internalErrors?: number;
  /** OBX2: set aside after a temporary answer; other commands go meanwhile. Milliseconds since the epoch. */
  retryAt?: number;
}

/** Where unacknowledged commands wait. The browser keeps them in localStorage so they survive a reload. */
export interface OutboxStorage {
  load(): OutboxEntry[];
  save(entries: OutboxEntry[]): void;
}

export const memoryStorage = (): OutboxStorage => {
  let entries: OutboxEntry[] = [];
  return { load: () => entries.map((e) => ({ ...e })), save: (next) => (entries = next.map((e) => ({ ...e }))) };
};

export const localStorageOutbox = (key = 'holdspace.outbox'): OutboxStorage => ({
  load: () => {
    try {
      return JSON.parse(globalThis.localStorage?.getItem(key) ?? '[]') as OutboxEntry[];
    } catch {
      return [];
    }
  },
  save: (entries) => globalThis.localStorage?.setItem(key, JSON.stringify(entries)),
});

export function newCommandId(): string {
  return globalThis.crypto.randomUUID().replaceAll('-', '');
}

/** Commands not yet acknowledged by the server, oldest first (see OBX1-OBX5 for the order they go in). */
export class Outbox {
  constructor(private readonly storage: OutboxStorage) {}

  all(circleId?: string): OutboxEntry[] {
    const entries = this.storage.load();
    return circleId ? entries.filter((e) => e.circleId === circleId) : entries;
  }

  add(circleId: string, command: ClientCommand, commandId = newCommandId()): OutboxEntry {
    const entry: OutboxEntry = { commandId, circleId, command, createdAt: new Date().toISOString(), attempts: 0 };
    this.storage.save([...this.storage.load(), entry]);
    return entry;
  }

  attempted(commandId: string): void {
    this.update(commandId, (e) => ({ ...e, attempts: e.attempts + 1 }));
  }

  /** OBX2, OBX3: a temporary answer: the entry waits until `retryAt`; an INTERNAL answer is counted. */
  setAside(commandId: string, retryAt: number, internal: boolean): OutboxEntry | undefined {
    return this.update(commandId, (e) => ({ ...e, retryAt, ...(internal ? { internalErrors: (e.internalErrors ?? 0) + 1 } : {}) }));
  }

  private update(commandId: string, change: (e: OutboxEntry) => OutboxEntry): OutboxEntry | undefined {
    let changed: OutboxEntry | undefined;
    this.storage.save(this.storage.load().map((e) => (e.commandId === commandId ? (changed = change(e)) : e)));
    return changed;
  }

  remove(commandId: string): void {
    this.storage.save(this.storage.load().filter((e) => e.commandId !== commandId));
  }
}

/** Retry delay: 0.5 s doubling to 15 s, with jitter so a room of phones does not retry in step. */
export function backoff(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(15_000, 500 * 2 ** Math.max(0, attempt));
  return Math.round(base * (0.75 + random() * 0.5));
}

/**
 * OBX1: what the outbox does with each answer the server can give. `refused` leaves the queue with a message;
 * `retry` keeps the command and tries it again later; `retry_few` retries up to MAX_INTERNAL_ANSWERS times, then
 * leaves the queue like a refusal. Every error code must be here: a new code is a compile error until it is classed.
 */
export const answerDisposition = {
  BAD_REQUEST: 'refused',
  UNAUTHENTICATED: 'refused',
  TWO_FACTOR_REQUIRED: 'refused',
  FORBIDDEN: 'refused',
  NOT_FOUND: 'refused',
  CONFLICT: 'refused',
  RULE_VIOLATION: 'refused',
  RATE_LIMITED: 'retry',
  BUSY: 'retry',
  // The app is out of date: the command is kept and goes once the page has reloaded with the new version.
  PROTOCOL_MISMATCH: 'retry',
  UNAVAILABLE: 'retry',
  INTERNAL: 'retry_few',
} as const satisfies Record<ErrorCode, 'refused' | 'retry' | 'retry_few'>;

export type AnswerDisposition = (typeof answerDisposition)[ErrorCode];

/** OBX3: after this many INTERNAL answers for one command, it leaves the queue and the person is told. */
export const MAX_INTERNAL_ANSWERS = 3;

/** OBX1: a code this client does not know (a newer server's) is taken as temporary. */
export function dispositionOf(code: string): AnswerDisposition {
  return Object.hasOwn(answerDisposition, code) ? answerDisposition[code as ErrorCode] : 'retry';
}

/** OBX4: calls for support and for a break go before anything else, on a lane of their own. */
export function isUrgent(command: ClientCommand): boolean {
  return isCallForHelp(command);
}

export type Lane = 'urgent' | 'normal';

/** OBX2, OBX4: the entries of one lane that may go now, oldest first; set-aside ones wait for their time. */
export function dueEntries(entries: readonly OutboxEntry[], lane: Lane, now: number): OutboxEntry[] {
  return entries.filter((e) => isUrgent(e.command) === (lane === 'urgent') && (e.retryAt ?? 0) <= now);
}

/** OBX1-OBX3: after an answer, the entry leaves the queue (saved or refused for good) or is set aside to retry. */
export function afterAnswer(entry: Pick<OutboxEntry, 'internalErrors'>, answer: { ok: true } | { ok: false; code: string }): 'leave' | 'set_aside' {
  if (answer.ok) return 'leave';
  const disposition = dispositionOf(answer.code);
  if (disposition === 'retry') return 'set_aside';
  if (disposition === 'retry_few') return (entry.internalErrors ?? 0) + 1 < MAX_INTERNAL_ANSWERS ? 'set_aside' : 'leave';
  return 'leave';
}

/** What the person would call each thing they send, for the message when it could not be saved. */
const commandNames: Partial<Record<ClientCommand['type'], string>> = {
  'checkin.arrival': 'arrival check-in',
  'checkin.predose': 'pre-dose check-in',
  'checkin.after': 'check-in after the session',
  'checkin.journey': 'answer',
  'share.write': 'written share',
  'share.withdraw': 'withdrawal of your share',
  'share.acceptEdit': 'acceptance of the suggested edit',
  'hand.raise': 'raised hand',
  'hand.lower': 'lowered hand',
  'vitals.record': 'vitals reading',
  'dose.record': 'dose record',
  'booster.record': 'booster record',
  'adverse.record': 'adverse event report',
  'alert.ack': 'acknowledgement of the alert',
  'participant.discharge': 'discharge',
  'circle.close': 'closing of the circle',
};

/**
 * OBX5: the plain message shown when a command leaves the queue without being saved: what was lost, why, and what
 * to do now. Never silent, and for a call for support it says to ask out loud.
 */
export function refusalNotice(command: ClientCommand, failure: Pick<Failure, 'code' | 'message' | 'issues'>): string {
  if (command.type === 'checkin.journey' && command.signal !== 'okay') {
    const what = command.signal === 'support' ? 'call for support' : 'request for a break';
    return `Your ${what} could not be sent. Raise your hand or call out to your facilitator now.`;
  }
  const lost = `Your ${commandNames[command.type] ?? 'last action'} could not be saved.`;
  const field = failure.issues?.[0]?.message;
  if (failure.code === 'BAD_REQUEST') return `${lost} ${field ?? failure.message} Change it and save again.`;
  if (failure.code === 'INTERNAL') return `${lost} Something went wrong on our side. Please enter it again, or tell your facilitator.`;
  if (failure.code === 'UNAUTHENTICATED') return `${lost} You are signed out. Sign in again and enter it again.`;
  return `${lost} ${failure.message}`;
}
