import type { CircleActor } from './people.js';
import type { CircleCommand, CircleEvent, CircleState, NewEvent } from './circle.js';
import { fold } from './circle.js';
import { decide } from './decide.js';
import { noContraindications, type ScreeningRecord } from './screening.js';
import type { Decision } from './result.js';

/** For tests: one command through the domain as the log runs it. */
export interface Step {
  state: CircleState;
  decision: Decision<NewEvent[]>;
  events: CircleEvent[];
}

/** Decide at `now` and, if allowed, stamp the events with `now` and fold them, as the log does (LOG2, LOG5). */
export function run(state: CircleState, command: CircleCommand, actor: CircleActor, now: string): Step {
  const decision = decide(state, command, actor, now);
  if (!decision.ok) return { state, decision, events: [] };
  const events = decision.value.map((e, i): CircleEvent => ({ ...e, circleId: state.circleId, seq: state.seq + i + 1, at: now, actor: actor.personId }));
  return { state: fold(state, events), decision, events };
}

/** Run a command that must be allowed. */
export function allowedStep(state: CircleState, command: CircleCommand, actor: CircleActor, now: string): Step {
  const step = run(state, command, actor, now);
  if (!step.decision.ok) throw new Error(`${command.type} refused: ${step.decision.rule} ${step.decision.message}`);
  return step;
}

export const apply = (state: CircleState, command: CircleCommand, actor: CircleActor, now: string): CircleState =>
  allowedStep(state, command, actor, now).state;

/** A complete screening that clears the person for 200 mg until 2027-05-01, changed by `over`. */
export const clearedScreening = (over: Partial<ScreeningRecord> = {}): ScreeningRecord => ({
  contraindications: noContraindications(),
  notes: '',
  decision: 'cleared',
  validUntil: '2027-05-01',
  prescription: { doseMg: 200, route: 'sublingual_lozenge' },
  vitalLimits: {},
  medicationHolds: [],
  emergencyContact: { name: 'Kim', phone: '+1 555 0100' },
  chaperone: null,
  ...over,
});
