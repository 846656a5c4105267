import type { PeopleRepo } from '@holdspace/db';
import { describe, expect, it } from 'vitest';
import { SessionService, TOUCH_EVERY_MS } from './sessions.js';

function service() {
  let at = Date.UTC(2026, 0, 1);
  const writes: string[] = [];
  const people = { touchSession: async (id: string) => void writes.push(id) } as unknown as PeopleRepo;
  const sessions = new SessionService(people, { maxMs: 3_600_000 }, () => new Date(at));
  return { sessions, writes, advance: (ms: number) => (at += ms) };
}

describe('session touches', () => {
  it('writes a session’s last-seen time at most once per window', async () => {
    const { sessions, writes, advance } = service();
    await sessions.touch('a');
    await sessions.touch('a');
    advance(TOUCH_EVERY_MS - 1);
    await sessions.touch('a');
    expect(writes).toEqual(['a']);
    advance(1);
    await sessions.touch('a');
    expect(writes).toEqual(['a', 'a']);
  });

  it('forgets sessions not touched within the window, so the throttle holds only the active ones', async () => {
    const { sessions, advance } = service();
    for (let i = 0; i < 5000; i++) await sessions.touch(`s${i}`);
    expect(sessions.throttledTouches).toBe(5000);
    advance(TOUCH_EVERY_MS / 2);
    await sessions.touch('recent');
    advance(TOUCH_EVERY_MS / 2);
    await sessions.touch('now');
    expect(sessions.throttledTouches).toBe(2);
    // Round after round of new sessions, the map never holds more than two windows' worth.
    for (let round = 0; round < 10; round++) {
      for (let i = 0; i < 1000; i++) await sessions.touch(`r${round}-${i}`);
      advance(TOUCH_EVERY_MS);
      expect(sessions.throttledTouches).toBeLessThanOrEqual(2002);
    }
  });
});
