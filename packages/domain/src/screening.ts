import type { VitalLimits } from './clinic.js';
import { allow, refuse, type Decision } from './result.js';
import { visibleLength } from './text.js';

/** The contraindications a prescriber checks before clearing someone for ketamine. */
export const contraindications = [
  { key: 'uncontrolled_hypertension', label: 'Uncontrolled hypertension' },
  { key: 'recent_mi_or_stroke', label: 'Recent heart attack or stroke' },
  { key: 'unstable_angina', label: 'Unstable angina' },
  { key: 'arrhythmia', label: 'Arrhythmia' },
  { key: 'aneurysmal_vascular_disease', label: 'Aneurysmal vascular disease' },
  { key: 'pregnancy_or_breastfeeding', label: 'Pregnancy or breastfeeding' },
  { key: 'psychosis_mania_dissociative', label: 'Active psychosis, mania, or primary dissociative disorder' },
  { key: 'opioid_stimulant_or_substance_misuse', label: 'Current opioid or stimulant use, or active substance misuse' },
  { key: 'uncontrolled_hyperthyroidism', label: 'Uncontrolled hyperthyroidism' },
  { key: 'raised_icp_glaucoma_seizure', label: 'Raised intracranial pressure, glaucoma, or seizure disorder' },
  { key: 'liver_or_bladder_disease', label: 'Liver or bladder disease' },
  { key: 'ketamine_allergy', label: 'Ketamine allergy' },
] as const;

export type ContraindicationKey = (typeof contraindications)[number]['key'];

/** Every contraindication answered "absent": the starting point of a checked, clear screening. */
export const noContraindications = (): Record<ContraindicationKey, boolean> =>
  Object.fromEntries(contraindications.map((c) => [c.key, false])) as Record<ContraindicationKey, boolean>;
export type ClearanceDecision = 'cleared' | 'not_cleared' | 'needs_review';

export interface MedicationHold {
  medication: string;
  /** Hours before dosing the medication is held. */
  holdHours: number;
  notes?: string | undefined;
}

export interface Prescription {
  doseMg: number;
  route: 'sublingual_lozenge';
  boosterDoseMg?: number | undefined;
  /** Minutes after the first dose within which the booster may be given: [from, to]. */
  boosterWindowMinutes?: [number, number] | undefined;
}

export interface Contact {
  name: string;
  phone: string;
  relationship?: string | undefined;
}

/** One signed version of a person's screening and clearance. Never edited: a change is a new version. */
export interface ScreeningRecord {
  /** true = present (a contraindication found), false = checked and absent. Every key must be answered. */
  contraindications: Record<ContraindicationKey, boolean>;
  notes: string;
  decision: ClearanceDecision;
  /** ISO date (yyyy-mm-dd), last day the clearance is valid. */
  validUntil: string | null;
  prescription: Prescription | null;
  vitalLimits: Partial<VitalLimits>;
  medicationHolds: MedicationHold[];
  emergencyContact: Contact | null;
  chaperone: Contact | null;
}

/**
 * SCR1-SCR4: a screening can be signed only when it is complete and coherent. Forms that let required fields be
 * skipped are what clinicians complain about; this is the single check the server and the form both use.
 */
export function validateScreening(record: ScreeningRecord, today: string): Decision<ScreeningRecord> {
  const unanswered = contraindications.filter((c) => typeof record.contraindications[c.key] !== 'boolean');
  if (unanswered.length > 0) return refuse('SCR1', `Answer every contraindication (missing: ${unanswered.map((c) => c.label).join(', ')}).`);
  if (!record.emergencyContact) return refuse('SCR1', 'An emergency contact is required.');
  if (record.decision === 'cleared') {
    const found = contraindications.filter((c) => record.contraindications[c.key]);
    if (found.length > 0 && visibleLength(record.notes) < 10) {
      return refuse('SCR2', `Clearing someone with a contraindication (${found.map((c) => c.label).join(', ')}) needs a note explaining why.`);
    }
    if (!record.validUntil || record.validUntil < today) return refuse('SCR3', 'A clearance needs a valid-until date that is today or later.');
    if (!record.prescription || !(record.prescription.doseMg > 0)) return refuse('SCR3', 'A clearance needs the prescribed dose in mg.');
    const p = record.prescription;
    if ((p.boosterDoseMg !== undefined) !== (p.boosterWindowMinutes !== undefined)) {
      return refuse('SCR4', 'A booster needs both a dose and a time window.');
    }
    if (p.boosterWindowMinutes && p.boosterWindowMinutes[0] >= p.boosterWindowMinutes[1]) {
      return refuse('SCR4', 'The booster window must start before it ends.');
    }
  }
  if (record.decision === 'not_cleared' && visibleLength(record.notes) === 0) return refuse('SCR2', 'Say why the person is not cleared.');
  return allow(record);
}

/** SCR6: a clearance is current when cleared and not past its valid-until date. */
export function clearanceStatus(
  latest: Pick<ScreeningRecord, 'decision' | 'validUntil'> | null,
  today: string,
): 'current' | 'expired' | 'not_cleared' | 'needs_review' | 'missing' {
  if (!latest) return 'missing';
  if (latest.decision === 'not_cleared') return 'not_cleared';
  if (latest.decision === 'needs_review') return 'needs_review';
  return latest.validUntil && latest.validUntil >= today ? 'current' : 'expired';
}
