/** How often the shared clock moves on: due and overdue times are minutes apart, so this is plenty. */
const TICK_MS = 5_000;

/**
 * The time every live screen reads: `clock.now` (an ISO instant) changes every few seconds, so whatever is derived
 * from it through the domain (status, alerts, what is due) follows without each component keeping its own timer.
 */
class Clock {
  now = $state(new Date().toISOString());

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
    this.now = new Date().toISOString();
  }
}

export const clock = new Clock();
