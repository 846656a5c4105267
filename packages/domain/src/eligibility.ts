import { clearanceStatus, type ScreeningRecord } from './screening.js';

export type ConsentKind = 'treatment' | 'group_confidentiality';
export const consentKinds: readonly ConsentKind[] = ['treatment', 'group_confidentiality'];

export type ClearanceStatus = ReturnType<typeof clearanceStatus>;

export const consentWords: Record<ConsentKind, string> = { treatment: 'treatment consent', group_confidentiality: 'group confidentiality agreement' };

/** The clinic's current version of each consent text (absent: not published, so not required) and what a person signed. */
export interface ConsentStanding {
  current: Partial<Record<ConsentKind, number>>;
  signed: Partial<Record<ConsentKind, number>>;
}

/** RDY2: the consents the clinic requires whose current version this person has not signed. */
export function consentsToSign(c: ConsentStanding): ConsentKind[] {
  return consentKinds.filter((k) => {
    const current = c.current[k];
    return current !== undefined && (c.signed[k] ?? 0) < current;
  });
}

/** What "may be dosed" is decided from: the same facts on the roster page and in a live circle. */
export interface EligibilityFacts {
  clearance: ClearanceStatus;
  clearanceUntil: string | null;
  /** Required consents not signed in their current version. */
  consentsToSign: readonly ConsentKind[];
}

export function eligibilityFacts(latest: Pick<ScreeningRecord, 'decision' | 'validUntil'> | null, consents: ConsentStanding, today: string): EligibilityFacts {
  return { clearance: clearanceStatus(latest, today), clearanceUntil: latest?.validUntil ?? null, consentsToSign: consentsToSign(consents) };
}

export type EligibilityItem = 'clearance' | 'consent';

export interface EligibilityCheck {
  key: EligibilityItem;
  rule: 'GATE1' | 'GATE2';
  met: boolean;
  detail: string;
}

export interface Eligibility {
  /** RDY1: every required consent signed and a current clearance. Nothing overrides this (GATE1, GATE2). */
  mayBeDosed: boolean;
  checks: [EligibilityCheck, EligibilityCheck];
  /** Why not, for the board: "Not cleared: not to be dosed today"; null when the person may be dosed. */
  reason: string | null;
}

const clearanceWords: Record<ClearanceStatus, string> = {
  current: 'Cleared',
  expired: 'Clearance expired',
  not_cleared: 'Not cleared',
  needs_review: 'Clearance needs review',
  missing: 'No clearance',
};

/**
 * RDY1, GATE1, GATE2: the one rule for who may be dosed. The roster's verdict, the live gate and the dose command all
 * ask this function, so they cannot disagree.
 */
export function doseEligibility(facts: EligibilityFacts): Eligibility {
  const cleared = facts.clearance === 'current';
  // Facts loaded before consents were part of the roster have no list: unknown counts as not signed.
  const toSign = facts.consentsToSign ?? null;
  const signed = toSign !== null && toSign.length === 0;
  const clearance: EligibilityCheck = {
    key: 'clearance',
    rule: 'GATE1',
    met: cleared,
    detail: cleared ? `Cleared until ${facts.clearanceUntil ?? ''}` : clearanceWords[facts.clearance],
  };
  const consent: EligibilityCheck = {
    key: 'consent',
    rule: 'GATE2',
    met: signed,
    detail: signed ? 'Every required consent signed' : toSign === null ? 'Consents not known' : `Not signed: ${toSign.map((k) => consentWords[k]).join(', ')}`,
  };
  const reason = !cleared ? `${clearanceWords[facts.clearance]}: not to be dosed today` : !signed ? 'Consents not signed: not to be dosed today' : null;
  return { mayBeDosed: cleared && signed, checks: [clearance, consent], reason };
}
