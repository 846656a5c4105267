import { describe, expect, it } from 'vitest';
import { laneLimits, STAFF_TURNS_PER_PARTICIPANT, type Lane } from '@holdspace/domain';
import { CircleQueue } from './circle-queue.js';

/** A job that runs only when the test lets it: the queue's order is seen without any timing. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

describe('a circle queue', () => {
  it('FAIR2-FAIR4: runs one job at a time, help first, staff before participants with a participant turn every ninth', async () => {
    const queue = new CircleQueue();
    const order: string[] = [];
    const first = gate();
    const blocker = queue.push('staff', () => first.opened, true)!;
    const jobs: Promise<void>[] = [];
    const add = (lane: Lane, label: string) => jobs.push(queue.push(lane, async () => void order.push(label), true)!);
    for (let i = 0; i < 2; i++) add('participant', `p${i}`);
    for (let i = 0; i < STAFF_TURNS_PER_PARTICIPANT + 2; i++) add('staff', `s${i}`);
    add('urgent', 'help');
    expect(queue.size).toBe(1 + 2 + STAFF_TURNS_PER_PARTICIPANT + 2 + 1);
    first.open();
    await Promise.all([blocker, ...jobs]);
    // The blocker was the first staff turn, so 7 more staff turns come before a participant's.
    expect(order).toEqual(['help', 's0', 's1', 's2', 's3', 's4', 's5', 's6', 'p0', 's7', 's8', 's9', 'p1']);
    expect(queue.size).toBe(0);
  });

  it('FAIR2: a full lane refuses a device’s command at once, but never Holdspace’s own work or a call for help', async () => {
    const queue = new CircleQueue();
    const first = gate();
    const running = queue.push('staff', () => first.opened, false)!;
    const limit = laneLimits.participant!;
    const waiting = Array.from({ length: limit }, () => queue.push('participant', async () => 'saved', true));
    expect(waiting.every(Boolean)).toBe(true);
    expect(queue.push('participant', async () => 'saved', true)).toBeNull();
    expect(queue.push('participant', async () => 'saved', false)).not.toBeNull();
    for (let i = 0; i < 100; i++) expect(queue.push('urgent', async () => 'saved', true)).not.toBeNull();
    first.open();
    await running;
    expect(await Promise.all(waiting)).toEqual(Array.from({ length: limit }, () => 'saved'));
  });

  it('a job that throws fails alone; the next job still runs', async () => {
    const queue = new CircleQueue();
    const failing = queue.push('staff', () => {
      throw new Error('refused');
    }, true)!;
    const next = queue.push('staff', async () => 'ran', true)!;
    await expect(failing).rejects.toThrow('refused');
    expect(await next).toBe('ran');
  });
});
