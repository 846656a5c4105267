import { clearanceStatus, type ScreeningRecord } from './screening.js';

export type ConsentKind = 'treatment' | 'group_confidentiality';
export const consentKinds: readonly ConsentKind[] = ['treatment', 'group_confidentiality'];

export interface ReadinessInput {
  /** The clinic's current version of each consent text (absent: the clinic has not published one). */
  currentConsents: Partial<Record<ConsentKind, number>>;
  /** The newest version of each text this person has signed. */
  signedConsents: Partial<Record<ConsentKind, number>>;
  latestScreening: Pick<ScreeningRecord, 'decision' | 'validUntil'> | null;
  /** Filled in by the outcomes work; until then every baseline shows as pending. */
  baselineDone: boolean | null;
}

export type Badge = { state: 'ok' | 'warn' | 'missing'; label: string };

export interface Readiness {
  consent: Badge;
  screening: Badge;
  clearance: Badge;
  baseline: Badge;
  /** RDY1: may be dosed only with current consents and a current clearance. */
  mayBeDosed: boolean;
}

/** RDY1-RDY3: what the roster shows for one participant, as clear badges. */
export function readiness(input: ReadinessInput, today: string): Readiness {
  const outdated = consentKinds.filter((k) => {
    const current = input.currentConsents[k];
    return current !== undefined && (input.signedConsents[k] ?? 0) < current;
  });
  const neverSigned = outdated.filter((k) => input.signedConsents[k] === undefined);
  const consent: Badge =
    outdated.length === 0
      ? { state: 'ok', label: 'Consents signed' }
      : neverSigned.length === outdated.length
        ? { state: 'missing', label: 'Consents not signed' }
        : { state: 'warn', label: 'New consent version to sign' };

  const screening: Badge = input.latestScreening ? { state: 'ok', label: 'Screened' } : { state: 'missing', label: 'Not screened' };

  const status = clearanceStatus(input.latestScreening, today);
  const clearance: Badge = {
    current: { state: 'ok', label: `Cleared until ${input.latestScreening?.validUntil ?? ''}` },
    expired: { state: 'warn', label: 'Clearance expired' },
    not_cleared: { state: 'missing', label: 'Not cleared' },
    needs_review: { state: 'warn', label: 'Clearance needs review' },
    missing: { state: 'missing', label: 'No clearance' },
  }[status] as Badge;

  const baseline: Badge =
    input.baselineDone === true
      ? { state: 'ok', label: 'Baseline done' }
      : { state: 'warn', label: 'Baseline pending' };

  return { consent, screening, clearance, baseline, mayBeDosed: consent.state === 'ok' && status === 'current' };
}
