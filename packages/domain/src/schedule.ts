import type { CircleKind } from './agenda.js';
import type { InstrumentId } from './instruments.js';

const DAY = 86_400_000;
const plusDays = (iso: string, days: number) => new Date(Date.parse(iso) + days * DAY).toISOString();
const earlier = (a: string, b: string | null) => (b !== null && b < a ? b : a);

/** One circle of a cohort's program, as the schedule needs it. */
export interface ProgramCircle {
  id: string;
  kind: CircleKind;
  title: string;
  startsAt: string;
}

export type AssessmentKind = 'baseline' | 'post_dosing' | 'follow_up';

/** A moment in the program when the cohort's questionnaires are given. */
export interface AssessmentPoint {
  /** Stable: `baseline`, `after-<dosing circle id>` or `follow_up`. */
  key: string;
  kind: AssessmentKind;
  label: string;
  /** The dosing circle a post-dosing point follows. */
  circleId: string | null;
  /** When it can first be answered; null: from enrolment. */
  opensAt: string | null;
  /** Answered after this, it is late (still accepted until it closes). */
  dueAt: string;
  /** After this it can no longer be answered; null: it stays open. */
  closesAt: string | null;
}

export interface OutcomeSettings {
  /** PHQ-9 and GAD-7 always; PCL-5 when the cohort chooses it. */
  instruments: InstrumentId[];
  /** The follow-up opens this many days after the program's last circle (default 30). */
  followUpDays: number;
}

export const defaultOutcomeSettings: OutcomeSettings = { instruments: ['phq9', 'gad7'], followUpDays: 30 };

/** How long a point that opens after a circle stays "due" before it is late. */
export const ANSWER_WITHIN_DAYS = 7;

/**
 * SCH1-SCH3: when a cohort's questionnaires are given, from its program.
 * - Baseline: open from enrolment, due by the first circle, closed when the first dosing circle starts (a baseline
 *   answered after a dose would not be one).
 * - After each dosing circle: opens when the integration circle that follows it starts (or a day after the dosing
 *   circle when none follows before the next dose), due within a week, closed when the next dosing circle starts.
 * - Follow-up: opens `followUpDays` after the last circle, due within a week, and stays open.
 */
export function assessmentSchedule(program: readonly ProgramCircle[], settings: Pick<OutcomeSettings, 'followUpDays'>): AssessmentPoint[] {
  const circles = [...program].sort((a, b) => a.startsAt.localeCompare(b.startsAt) || a.id.localeCompare(b.id));
  const first = circles[0];
  const last = circles.at(-1);
  if (!first || !last) return [];
  const dosing = circles.filter((c) => c.kind === 'dosing');
  const followUpOpens = plusDays(last.startsAt, settings.followUpDays);

  const points: AssessmentPoint[] = [
    { key: 'baseline', kind: 'baseline', label: 'Before your first circle', circleId: null, opensAt: null, dueAt: first.startsAt, closesAt: dosing[0]?.startsAt ?? null },
  ];
  dosing.forEach((dose, i) => {
    const nextDose = dosing[i + 1]?.startsAt ?? null;
    const integration = circles.find((c) => c.kind === 'integration' && c.startsAt > dose.startsAt && (nextDose === null || c.startsAt < nextDose));
    const opensAt = integration?.startsAt ?? plusDays(dose.startsAt, 1);
    const closesAt = nextDose ?? (followUpOpens > opensAt ? followUpOpens : null);
    points.push({
      key: `after-${dose.id}`,
      kind: 'post_dosing',
      label: `After ${dose.title}`,
      circleId: dose.id,
      opensAt,
      dueAt: earlier(plusDays(opensAt, ANSWER_WITHIN_DAYS), closesAt),
      closesAt,
    });
  });
  points.push({
    key: 'follow_up',
    kind: 'follow_up',
    label: `${settings.followUpDays}-day follow-up`,
    circleId: null,
    opensAt: followUpOpens,
    dueAt: plusDays(followUpOpens, ANSWER_WITHIN_DAYS),
    closesAt: null,
  });
  return points;
}

export type PointStatus = 'upcoming' | 'due' | 'overdue' | 'missed' | 'done';

export interface PointProgress {
  point: AssessmentPoint;
  status: PointStatus;
  /** The cohort's instruments still to answer at this point. */
  missing: InstrumentId[];
}

/** Whether a point can be answered now: it has opened and not closed (SCH4). */
export function isOpen(point: AssessmentPoint, now: string): boolean {
  return (point.opensAt === null || now >= point.opensAt) && (point.closesAt === null || now < point.closesAt);
}

/** SCH4: where one person stands at each point, given the instruments they answered there. */
export function progressAt(
  schedule: readonly AssessmentPoint[],
  instrumentsGiven: readonly InstrumentId[],
  answered: readonly { assessmentKey: string; instrument: InstrumentId }[],
  now: string,
): PointProgress[] {
  return schedule.map((point) => {
    const done = new Set(answered.filter((a) => a.assessmentKey === point.key).map((a) => a.instrument));
    const missing = instrumentsGiven.filter((i) => !done.has(i));
    const status: PointStatus =
      missing.length === 0
        ? 'done'
        : point.opensAt !== null && now < point.opensAt
          ? 'upcoming'
          : point.closesAt !== null && now >= point.closesAt
            ? 'missed'
            : now > point.dueAt
              ? 'overdue'
              : 'due';
    return { point, status, missing };
  });
}
