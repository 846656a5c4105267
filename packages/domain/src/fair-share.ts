import type { CircleCommand } from './circle.js';
import { isStaff, type CircleActor } from './people.js';

/**
 * FAIR1-FAIR4: how one circle's work is shared on a node, so that no one person can crowd out the room and a call for
 * help never waits.
 */

/** FAIR3: calls for support or a break, and crisis alerts, go before all other work of the circle. */
export function isCallForHelp(command: CircleCommand): boolean {
  if (command.type === 'checkin.journey') return command.signal === 'support' || command.signal === 'break';
  return command.type === 'alert.crisis';
}

export type Lane = 'urgent' | 'staff' | 'participant';

/** FAIR2, FAIR3: the lane a command waits in. Holdspace's own work (roster, presence ends) goes with the staff's. */
export function laneOf(command: CircleCommand, actor: CircleActor): Lane {
  if (isCallForHelp(command)) return 'urgent';
  return isStaff(actor) ? 'staff' : 'participant';
}

export interface Budget {
  perSecond: number;
  burst: number;
}

/**
 * FAIR1: commands one person may send to one circle, across all their devices: on average per second and in a burst.
 * Calls for help draw on a budget of their own, so a flood of other commands never uses it up.
 */
export const commandBudgets = {
  participant: { perSecond: 5, burst: 20 },
  staff: { perSecond: 20, burst: 60 },
  urgent: { perSecond: 1, burst: 5 },
} as const satisfies Record<string, Budget>;

export function budgetFor(command: CircleCommand, actor: CircleActor): Budget {
  if (isCallForHelp(command)) return commandBudgets.urgent;
  return isStaff(actor) ? commandBudgets.staff : commandBudgets.participant;
}

/** FAIR5: the connections one session may open: phones reconnect on every change of network, but not 50 times a second. */
export const connectBudget: Budget = { perSecond: 2, burst: 60 };

/**
 * FAIR6: one person's open sockets on a node, across all their sessions: tabs and devices, with room for reconnects
 * whose old socket has not closed yet, but not a script opening hundreds.
 */
export const SOCKETS_PER_PERSON = 32;

/** FAIR6: whether a person holding `open` sockets on this node may open one more. */
export function mayOpenSocket(open: number, cap: number = SOCKETS_PER_PERSON): boolean {
  return open < cap;
}

/** FAIR6: joins one person may attempt on a node, across all circles and sockets: a reload rejoins, a loop does not. */
export const joinBudget: Budget = { perSecond: 5, burst: 60 };

/** FAIR5: each socket's own message limit, before any person's budget. */
export const socketBudgets = {
  participant: { perSecond: 10, burst: 40 },
  staff: { perSecond: 40, burst: 120 },
} as const satisfies Record<string, Budget>;

/** FAIR5: a socket answered RATE_LIMITED this many times in a row is disconnected, and its session may not connect again for a while. */
export const CUT_AFTER_REFUSALS = 100;
export const COOL_OFF_MS = 5000;

/** FAIR7: how long the server stops reading a socket after its `refusedInARow`-th RATE_LIMITED answer in a row. */
export const READ_PAUSE_STEP_MS = 25;
export const READ_PAUSE_MAX_MS = 250;
export function readPauseMs(refusedInARow: number): number {
  return refusedInARow <= 0 ? 0 : Math.min(READ_PAUSE_MAX_MS, refusedInARow * READ_PAUSE_STEP_MS);
}

export interface Bucket {
  tokens: number;
  at: number;
}

/** FAIR1: a token bucket: takes one token if there is one. Pure: returns the bucket after the attempt. */
export function takeToken(bucket: Bucket | undefined, budget: Budget, now: number): { taken: boolean; bucket: Bucket } {
  const tokens = bucket ? Math.min(budget.burst, bucket.tokens + (Math.max(0, now - bucket.at) / 1000) * budget.perSecond) : budget.burst;
  return tokens >= 1 ? { taken: true, bucket: { tokens: tokens - 1, at: now } } : { taken: false, bucket: { tokens, at: now } };
}

/** A bucket that has refilled completely holds nothing worth keeping. */
export function isFull(bucket: Bucket, budget: Budget, now: number): boolean {
  return bucket.tokens + ((now - bucket.at) / 1000) * budget.perSecond >= budget.burst;
}

/**
 * FAIR2: how many commands sent by devices may wait in each lane of one circle on a node; past that they are refused
 * at once with BUSY (the outbox sends them again later). Calls for help are bounded by their budget, not refused.
 */
export const laneLimits: Record<Lane, number | null> = { urgent: null, staff: 64, participant: 32 };

/** FAIR4: after this many staff turns in a row, a waiting participant command gets the next turn. */
export const STAFF_TURNS_PER_PARTICIPANT = 8;

/** FAIR3, FAIR4: the lane whose oldest job runs next, or null when nothing waits. */
export function nextLane(waiting: Record<Lane, number>, staffStreak: number): Lane | null {
  if (waiting.urgent > 0) return 'urgent';
  if (waiting.staff > 0 && (waiting.participant === 0 || staffStreak < STAFF_TURNS_PER_PARTICIPANT)) return 'staff';
  return waiting.participant > 0 ? 'participant' : null;
}
