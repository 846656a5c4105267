import { circleKinds, type CircleKind } from '@holdspace/protocol';
import { isoDaysFromNow } from './format';
import { kindLabel } from './format';

/** One planned circle while a cohort is being set up: date and time as the clinic's wall clock. */
export interface ProgramRow {
  key: number;
  kind: CircleKind;
  title: string;
  date: string;
  time: string;
}

let nextKey = 1;

export function programRow(kind: CircleKind, date: string, time: string, title = kindLabel(kind)): ProgramRow {
  return { key: nextKey++, kind, title, date, time };
}

/**
 * The usual shape of a group program: preparation, dosing, integration and a follow-up, spread over a month. A
 * starting point only; every row can be changed, moved or removed.
 */
export function defaultProgram(now = new Date()): ProgramRow[] {
  return [
    programRow('preparation', isoDaysFromNow(7, now), '17:00'),
    programRow('dosing', isoDaysFromNow(14, now), '10:00'),
    programRow('integration', isoDaysFromNow(16, now), '17:00'),
    programRow('follow_up', isoDaysFromNow(35, now), '17:00'),
  ];
}

export const kindsInOrder: readonly CircleKind[] = circleKinds;

/** Time zones this browser knows, with the given ones (the clinic's current choice) kept even if it does not. */
export function timeZones(...keep: string[]): string[] {
  const known = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  const all = new Set([...known, ...keep.filter(Boolean)]);
  return [...all].sort((a, b) => a.localeCompare(b));
}

export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}
