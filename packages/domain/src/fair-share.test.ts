import { describe, expect, it } from 'vitest';
import { budgetFor, commandBudgets, isCallForHelp, joinBudget, laneOf, mayOpenSocket, nextLane, READ_PAUSE_MAX_MS, readPauseMs, SOCKETS_PER_PERSON, STAFF_TURNS_PER_PARTICIPANT, takeToken, type Bucket } from './fair-share.js';
import type { CircleActor } from './people.js';

const participant: CircleActor = { personId: 'p1', role: 'participant', displayName: 'Ash' };
const facilitator: CircleActor = { personId: 'f1', role: 'facilitator', displayName: 'Maya' };
const support = { type: 'checkin.journey', signal: 'support' } as const;
const raise = { type: 'hand.raise' } as const;

describe('fair share', () => {
  it('FAIR1: a bucket gives its burst at once, then its rate, and never more than its burst', () => {
    const budget = commandBudgets.participant;
    let bucket: Bucket | undefined;
    let taken = 0;
    for (let i = 0; i < 100; i++) {
      const r = takeToken(bucket, budget, 1000);
      bucket = r.bucket;
      if (r.taken) taken++;
    }
    expect(taken).toBe(budget.burst);
    let later = 0;
    for (let t = 1000; t <= 3000; t += 10) {
      const r = takeToken(bucket, budget, t);
      bucket = r.bucket;
      if (r.taken) later++;
    }
    expect(later).toBe(2 * budget.perSecond);
    // A long silence refills to the burst, not past it.
    const rested = takeToken(bucket, budget, 1_000_000);
    expect(rested.bucket.tokens).toBe(budget.burst - 1);
  });

  it('FAIR1, FAIR3: calls for help have a budget and a lane of their own', () => {
    expect(isCallForHelp(support)).toBe(true);
    expect(isCallForHelp({ type: 'checkin.journey', signal: 'break' })).toBe(true);
    expect(isCallForHelp({ type: 'checkin.journey', signal: 'okay' })).toBe(false);
    expect(isCallForHelp(raise)).toBe(false);
    expect(budgetFor(support, participant)).toBe(commandBudgets.urgent);
    expect(budgetFor(raise, participant)).toBe(commandBudgets.participant);
    expect(budgetFor(raise, facilitator)).toBe(commandBudgets.staff);
    expect(laneOf(support, participant)).toBe('urgent');
    expect(laneOf(raise, participant)).toBe('participant');
    expect(laneOf({ type: 'hold.start' }, facilitator)).toBe('staff');
  });

  it('FAIR3, FAIR4: help goes first; staff before participants, who still get every ninth turn', () => {
    expect(nextLane({ urgent: 1, staff: 5, participant: 5 }, 0)).toBe('urgent');
    expect(nextLane({ urgent: 0, staff: 5, participant: 5 }, 0)).toBe('staff');
    expect(nextLane({ urgent: 0, staff: 5, participant: 5 }, STAFF_TURNS_PER_PARTICIPANT)).toBe('participant');
    expect(nextLane({ urgent: 0, staff: 5, participant: 0 }, STAFF_TURNS_PER_PARTICIPANT)).toBe('staff');
    expect(nextLane({ urgent: 0, staff: 0, participant: 1 }, 0)).toBe('participant');
    expect(nextLane({ urgent: 0, staff: 0, participant: 0 }, 0)).toBeNull();
  });

  it('FAIR6: a person may open sockets up to the cap and not one more; a deployment may set its own cap', () => {
    expect(mayOpenSocket(0)).toBe(true);
    expect(mayOpenSocket(SOCKETS_PER_PERSON - 1)).toBe(true);
    expect(mayOpenSocket(SOCKETS_PER_PERSON)).toBe(false);
    expect(mayOpenSocket(2, 3)).toBe(true);
    expect(mayOpenSocket(3, 3)).toBe(false);
  });

  it('FAIR6: a person gets a burst of joins at once (every device rejoining), then a few a second', () => {
    let bucket: Bucket | undefined;
    const joins = (at: number, n: number) => {
      let taken = 0;
      for (let i = 0; i < n; i++) {
        const r = takeToken(bucket, joinBudget, at);
        bucket = r.bucket;
        if (r.taken) taken++;
      }
      return taken;
    };
    expect(joins(0, 200)).toBe(joinBudget.burst);
    expect(joins(1000, 200)).toBe(joinBudget.perSecond);
  });

  it('FAIR7: the read pause grows with refusals in a row and stays under a quarter second', () => {
    expect(readPauseMs(0)).toBe(0);
    expect(readPauseMs(1)).toBe(25);
    expect(readPauseMs(4)).toBe(100);
    expect(readPauseMs(1000)).toBe(READ_PAUSE_MAX_MS);
    expect(READ_PAUSE_MAX_MS).toBeLessThanOrEqual(250);
  });
});
