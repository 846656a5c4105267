import type { PointProgress, PointStatus } from './schedule.js';
import type { ScreeningRecord } from './screening.js';
import { doseEligibility, eligibilityFacts, type ConsentKind } from './eligibility.js';

export interface ReadinessInput {
  /** The clinic's current version of each consent text (absent: the clinic has not published one). */
  currentConsents: Partial<Record<ConsentKind, number>>;
  /** The newest version of each text this person has signed. */
  signedConsents: Partial<Record<ConsentKind, number>>;
  latestScreening: Pick<ScreeningRecord, 'decision' | 'validUntil'> | null;
  /** Where the person stands at each of the cohort's assessment points (SCH4); null before there is a schedule. */
  assessments: PointProgress[] | null;
}

export type Badge = { state: 'ok' | 'warn' | 'missing'; label: string };

export interface Readiness {
  consent: Badge;
  screening: Badge;
  clearance: Badge;
  baseline: Badge;
  /** Questionnaires after the baseline that can be answered now. */
  questionnaires: Badge;
  /** RDY1: may be dosed only with current consents and a current clearance (`doseEligibility`, as the live gate). */
  mayBeDosed: boolean;
}

/** RDY1-RDY3: what the roster shows for one participant, as clear badges. */
export function readiness(input: ReadinessInput, today: string): Readiness {
  const facts = eligibilityFacts(input.latestScreening, { current: input.currentConsents, signed: input.signedConsents }, today);
  const outdated = facts.consentsToSign;
  const neverSigned = outdated.filter((k) => input.signedConsents[k] === undefined);
  const consent: Badge =
    outdated.length === 0
      ? { state: 'ok', label: 'Consents signed' }
      : neverSigned.length === outdated.length
        ? { state: 'missing', label: 'Consents not signed' }
        : { state: 'warn', label: 'New consent version to sign' };

  const screening: Badge = input.latestScreening ? { state: 'ok', label: 'Screened' } : { state: 'missing', label: 'Not screened' };

  const status = facts.clearance;
  const clearance: Badge = {
    current: { state: 'ok', label: `Cleared until ${input.latestScreening?.validUntil ?? ''}` },
    expired: { state: 'warn', label: 'Clearance expired' },
    not_cleared: { state: 'missing', label: 'Not cleared' },
    needs_review: { state: 'warn', label: 'Clearance needs review' },
    missing: { state: 'missing', label: 'No clearance' },
  }[status] as Badge;

  const baselineStatus = input.assessments?.find((p) => p.point.kind === 'baseline')?.status ?? null;
  const baselineBadges: Record<PointStatus, Badge> = {
    done: { state: 'ok', label: 'Baseline done' },
    due: { state: 'warn', label: 'Baseline due' },
    overdue: { state: 'warn', label: 'Baseline late' },
    missed: { state: 'missing', label: 'Baseline missed' },
    upcoming: { state: 'warn', label: 'Baseline pending' },
  };
  const baseline: Badge = baselineStatus ? baselineBadges[baselineStatus] : { state: 'warn', label: 'Baseline pending' };

  // RDY4: questionnaires after the baseline that can be answered now, late ones named as late.
  const open = (input.assessments ?? []).filter((p) => p.point.kind !== 'baseline' && (p.status === 'due' || p.status === 'overdue'));
  const late = open.some((p) => p.status === 'overdue');
  const questionnaires: Badge =
    open.length === 0
      ? { state: 'ok', label: 'No questionnaires due' }
      : { state: 'warn', label: `${open.length === 1 ? 'Questionnaires' : `${open.length} sets of questionnaires`} ${late ? 'late' : 'due'}` };

  return { consent, screening, clearance, baseline, questionnaires, mayBeDosed: doseEligibility(facts).mayBeDosed };
}
