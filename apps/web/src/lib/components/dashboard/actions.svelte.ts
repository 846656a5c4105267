import type { CircleState, ClientCommand } from '@holdspace/domain';
import type { LiveCircle } from '$lib/circle.svelte';

/** What each part of the dashboard is given: the circle, the moment it is read at, and the way to act on it. */
export interface DashboardProps {
  circle: CircleState;
  now: string;
  actions: DashboardActions;
}

/**
 * The dashboard's commands: each goes through the circle's outbox, and the refusal (the domain's words) is kept
 * under a key so it shows beside the button or dialog that sent it, until that action is tried again.
 */
export class DashboardActions {
  #refusals = $state<Record<string, string>>({});

  constructor(readonly live: LiveCircle) {}

  /** The last refusal of this action, if it was refused. */
  refusal(key: string): string | null {
    return this.#refusals[key] ?? null;
  }

  /** True while a command of this type (about this person) waits for the server: show "Sending…". */
  sending(type: ClientCommand['type'], personId?: string): boolean {
    return this.live.pendingOf(type, personId).length > 0;
  }

  dismiss(key: string): void {
    if (key in this.#refusals) {
      const { [key]: _gone, ...rest } = this.#refusals;
      this.#refusals = rest;
    }
  }

  /** Sends a command; resolves true once the server has committed it, false (with the refusal kept) otherwise. */
  async run(key: string, command: ClientCommand): Promise<boolean> {
    this.dismiss(key);
    const result = await this.live.send(command);
    if (result.ok) return true;
    this.#refusals = { ...this.#refusals, [key]: result.message };
    return false;
  }
}
