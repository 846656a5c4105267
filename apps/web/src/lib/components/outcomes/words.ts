import { bandFor, instruments, type Band, type InstrumentId, type PointStatus } from '@holdspace/domain';
import type { CohortOutcomes } from '@holdspace/protocol';

/** A severity band as the charts and labels need it (the protocol sends its level as a plain number). */
export interface BandView {
  key: string;
  label: string;
  level: number;
}

type AttendanceStatus = CohortOutcomes['attendance'][number]['cells'][number]['status'];

/** Where someone stands at an assessment point, in words (the colour of its badge is never the only signal). */
export const pointStatusWords: Record<PointStatus, string> = {
  done: 'Done',
  due: 'Due',
  overdue: 'Late',
  missed: 'Missed',
  upcoming: 'Upcoming',
};

export const attendanceWords: Record<AttendanceStatus, string> = {
  attended: 'Attended',
  arrived: 'Arrived, not let in',
  absent: 'Absent',
  not_held: 'Not held yet',
};

/** The schedule words each point for the participant ("Before your first circle"); staff read it as "Baseline". */
export function pointLabel(key: string, label: string): string {
  return key === 'baseline' ? 'Baseline' : label;
}

const oneDecimal = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });

/** A score or a mean: "12", "6.5"; a dash when there is none. */
export function scoreText(value: number | null | undefined): string {
  return value === null || value === undefined ? '–' : oneDecimal.format(value);
}

/** A change with its sign: "−6.5", "+2", "0" (a true minus sign, as screen readers read it). */
export function changeText(value: number | null | undefined): string {
  if (value === null || value === undefined) return '–';
  const rounded = Math.round(value * 10) / 10;
  if (rounded === 0) return '0';
  return `${rounded < 0 ? '−' : '+'}${oneDecimal.format(Math.abs(rounded))}`;
}

/** "down 10 points (63%)", "up 2 points", "no change". */
export function changeWords(baseline: number, latest: number): string {
  const diff = latest - baseline;
  if (diff === 0) return 'no change';
  const points = Math.abs(diff) === 1 ? '1 point' : `${scoreText(Math.abs(diff))} points`;
  const share = baseline > 0 ? ` (${Math.round((Math.abs(diff) / baseline) * 100)}%)` : '';
  return `${diff < 0 ? 'down' : 'up'} ${points}${share}`;
}

/** "83%" from a share 0-1; a dash before anything was measured. */
export function percentText(share: number | null): string {
  return share === null ? '–' : `${Math.round(share * 100)}%`;
}

/** "4 of 6". */
export function ofText(count: number, total: number): string {
  return `${count} of ${total}`;
}

/** The band a mean falls in (means are not whole scores). */
export function bandOfMean(instrument: InstrumentId, mean: number): Band {
  const { maxScore } = instruments[instrument];
  return bandFor(instruments[instrument], Math.min(maxScore, Math.max(0, Math.round(mean))));
}

/** "below 5": the remission threshold in words, or null when the instrument has none (PCL-5). */
export function remissionWords(instrument: InstrumentId): string | null {
  const below = instruments[instrument].remissionBelow;
  return below === null ? null : `below ${below}`;
}

/** "12 Mar 2026": a date in the reader's own time zone and language. */
export function shortDate(iso: string, locale?: string): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  return new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', year: 'numeric' }).format(at);
}

/** "12 Mar": a date without the year, for a chart's axis. */
export function axisDate(iso: string, locale?: string): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return '';
  return new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short' }).format(at);
}
