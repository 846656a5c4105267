/** How often the shared clock moves on: due and overdue times are minutes apart, so this is plenty. */
const TICK_MS = 5_000;

/**
 * The time every live screen reads: `clock.now` (an ISO instant) changes every few seconds, so whatever is derived
 * from it through the domain (status, alerts, what is due) follows without each component keeping its own timer.
 */
class Clock {
  now = $state(new Date().toISOString());
  /** Server clock minus this device's: a phone set a few minutes wrong must not make a check look due or met. */
  #offsetMs = 0;

  constructor() {
    if (typeof window === 'undefined') return;
    setInterval(() => this.refresh(), TICK_MS);
    // Background tabs slow their timers down: catch up as soon as the screen is looked at again.
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') this.refresh();
    });
  }

  /** Move to the current time now (e.g. before showing a check that depends on it). */
  refresh(): void {
    this.now = this.at();
  }

  /** The server's time at this instant, read on demand: for a countdown that moves every second, not every tick. */
  at(): string {
    return new Date(Date.now() + this.#offsetMs).toISOString();
  }

  /** Follow the server's clock (measured by the live connection at each join). */
  correct(offsetMs: number): void {
    if (Math.abs(offsetMs - this.#offsetMs) < 250) return;
    this.#offsetMs = offsetMs;
    this.refresh();
  }
}

export const clock = new Clock();
