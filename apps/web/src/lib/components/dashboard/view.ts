export { clockTime } from '../../format';
import {
  participantIds,
  phaseAt,
  recordOf,
  type AdverseKind,
  type CircleState,
  type JourneySignal,
  type Phase,
  type SegmentKind,
  type Severity,
  type SleepQuality,
  type StatusLevel,
} from '@holdspace/domain';

/** The words beside each status colour (the colour is never the only signal). */
export const statusWords: Record<StatusLevel, string> = {
  green: 'Steady',
  amber: 'Needs attention',
  red: 'Urgent',
  hold: 'Not to be dosed',
  waiting: 'Not ready to dose',
};

/** The board's summary, most serious first: "1 urgent · 1 not to be dosed · 3 steady" (STA4: never all "steady"). */
export function statusSummary(levels: readonly StatusLevel[]): { level: StatusLevel; text: string }[] {
  const words: Record<StatusLevel, string> = { red: 'urgent', amber: 'need attention', hold: 'not to be dosed', waiting: 'not ready to dose', green: 'steady' };
  const order: StatusLevel[] = ['red', 'amber', 'hold', 'waiting', 'green'];
  return order
    .map((level) => ({ level, n: levels.filter((l) => l === level).length }))
    .filter(({ level, n }) => n > 0 || level === 'green')
    .map(({ level, n }) => ({ level, text: `${n} ${n === 1 && level === 'amber' ? 'needs attention' : words[level]}` }));
}

/** The folded gate's line: an overridden item is never counted as met. */
export function gateLine(items: readonly { met: boolean; override: unknown }[], open: boolean): string {
  const unmet = items.filter((i) => !i.met && !i.override).length;
  if (!open) return `${unmet} of ${items.length} not met`;
  const overridden = items.filter((i) => !i.met && i.override).length;
  return overridden === 0 ? `ready: all ${items.length} checks met` : `ready: ${items.length - overridden} met, ${overridden} overridden`;
}

export const phaseLabels: Record<Phase, string> = {
  not_dosed: 'Not dosed',
  onset: 'Onset',
  peak: 'Peak',
  return: 'Return',
  discharged: 'Discharged',
};

export const sleepLabels: Record<SleepQuality, string> = { poor: 'Poor', fair: 'Fair', good: 'Good' };

export const signalLabels: Record<JourneySignal, string> = { okay: 'I’m okay', support: 'I need support', break: 'I need a break' };

export const adverseKindLabels: Record<AdverseKind, string> = {
  hypertension: 'Transient hypertension',
  tachycardia: 'Tachycardia',
  nausea: 'Nausea',
  disorientation: 'Disorientation',
  distress: 'Distressing experience',
  other: 'Other',
};

export const severityLabels: Record<Severity, string> = { mild: 'Mild', moderate: 'Moderate', severe: 'Severe' };

export const segmentKindLabels: Record<SegmentKind, string> = {
  arrival: 'Arrival',
  baseline: 'Baseline checks',
  intention: 'Intention',
  dosing: 'Dosing',
  journey: 'Journey (quiet screens)',
  return: 'Return',
  sharing: 'Sharing',
  readiness: 'Readiness to leave',
  teaching: 'Teaching',
  practice: 'Practice',
  close: 'Close',
  other: 'Other',
};


/** Whole minutes from one instant to another; never below zero (a clock a little behind the server's). */
export function minutesBetween(from: string, to: string): number {
  return Math.max(0, Math.floor((Date.parse(to) - Date.parse(from)) / 60_000));
}

export function minutesText(n: number): string {
  return n === 1 ? '1 min' : `${n} min`;
}

/** Display name of a participant as the staff roster knows it. */
export function nameOf(state: CircleState, personId: string): string {
  return state.roster[personId]?.displayName ?? state.admitted[personId]?.displayName ?? state.presence[personId]?.displayName ?? 'Someone';
}

/** People dosed and not yet discharged: closing the circle while they are in care needs a reason (CIR4). */
export function stillInCare(state: CircleState, now: string): string[] {
  return participantIds(state)
    .filter((id) => {
      const phase = phaseAt(recordOf(state, id), now);
      return phase !== 'not_dosed' && phase !== 'discharged';
    })
    .map((id) => nameOf(state, id));
}

/** "River", "River and Wren", "River, Wren and Sage". */
export function namesList(names: readonly string[]): string {
  if (names.length <= 1) return names[0] ?? '';
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}
