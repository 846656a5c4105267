import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CircleEvent } from '@holdspace/domain';
import { CircleOrder } from './circle-order.js';

const event = (seq: number, circleId = 'c1') => ({ circleId, seq, type: 'hold.ended', payload: {}, at: '', actor: 'p', audience: 'all' }) as unknown as CircleEvent;

function setup(log: CircleEvent[] = [], watched = () => true) {
  const sent: number[] = [];
  const replay = vi.fn(async (_circleId: string, afterSeq: number, count: number) => log.filter((e) => e.seq > afterSeq).slice(0, count));
  const order = new CircleOrder({ emit: (e) => sent.push(e.seq), watched, replay, waitMs: 100, onError: () => {} });
  return { order, sent, replay };
}

describe('a node sends each circle in seq order (LOG4)', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('holds an event that overtook another until it comes, and sends nothing twice', () => {
    const { order, sent, replay } = setup();
    order.receive([event(5)]);
    order.receive([event(7), event(8)]);
    expect(sent).toEqual([5]);
    order.receive([event(6)]);
    order.receive([event(6), event(4), event(8)]);
    expect(sent).toEqual([5, 6, 7, 8]);
    vi.advanceTimersByTime(1000);
    expect(replay).not.toHaveBeenCalled();
    expect(order.stats).toEqual({ early: 2, replayed: 0, skipped: 0 });
  });

  it('reads a gap that does not close from the log, and what the log lacks is skipped, not waited for', async () => {
    const { order, sent, replay } = setup([event(2), event(4)]);
    order.receive([event(1), event(3), event(5)]);
    expect(sent).toEqual([1]);
    await vi.advanceTimersByTimeAsync(100);
    expect(replay).toHaveBeenCalledWith('c1', 1, 4);
    // 2 and 4 came from the log; 3 and 5 had arrived.
    expect(sent).toEqual([1, 2, 3, 4, 5]);
    expect(order.stats).toMatchObject({ replayed: 2, skipped: 0 });

    const lost = setup([]);
    lost.order.receive([event(1), event(4)]);
    await vi.advanceTimersByTimeAsync(100);
    expect(lost.sent).toEqual([1, 4]);
    expect(lost.order.stats.skipped).toBe(2);
  });

  it('a circle first seen through a join continues from the joined seq; circles nobody here watches are forgotten', () => {
    let watching = true;
    const { order, sent } = setup([], () => watching);
    order.joined('c1', 10);
    order.receive([event(11), event(12, 'c2')]);
    expect(sent).toEqual([11, 12]);
    watching = false;
    order.receive([event(13)]);
    watching = true;
    order.receive([event(20)]);
    expect(sent).toEqual([11, 12, 20]);
    order.close();
  });
});
