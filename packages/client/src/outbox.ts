import type { ClientCommand } from '@holdspace/domain';

export interface OutboxEntry {
  commandId: string;
  circleId: string;
  command: ClientCommand;
  createdAt: string;
  attempts: number;
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

/** Commands not yet acknowledged by the server, oldest first. */
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
    this.storage.save(this.storage.load().map((e) => (e.commandId === commandId ? { ...e, attempts: e.attempts + 1 } : e)));
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
