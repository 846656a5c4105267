import {
  contraindications,
  validateScreening,
  visibleLength,
  type ClearanceDecision,
  type Contact,
  type ContraindicationKey,
  type ScreeningRecord,
  type VitalLimits,
} from '@holdspace/domain';
import { fieldIssues, screeningInputSchema } from '@holdspace/protocol';

export type VitalKey = keyof VitalLimits;

export const vitalFields: { key: VitalKey; label: string; unit: string }[] = [
  { key: 'systolicMax', label: 'Systolic max', unit: 'mmHg' },
  { key: 'diastolicMax', label: 'Diastolic max', unit: 'mmHg' },
  { key: 'heartRateMax', label: 'Heart rate max', unit: 'bpm' },
  { key: 'systolicMin', label: 'Systolic min', unit: 'mmHg' },
  { key: 'heartRateMin', label: 'Heart rate min', unit: 'bpm' },
  { key: 'spo2Min', label: 'SpO₂ min', unit: '%' },
];

export const decisionOptions: { value: ClearanceDecision; label: string; hint: string }[] = [
  { value: 'cleared', label: 'Cleared', hint: 'May be dosed until the date below, at the prescribed dose.' },
  { value: 'not_cleared', label: 'Not cleared', hint: 'May not be dosed. Say why in the notes.' },
  { value: 'needs_review', label: 'Needs review', hint: 'Not decided yet; may not be dosed meanwhile.' },
];

export interface ContactDraft {
  name: string;
  phone: string;
  relationship: string;
}

export interface HoldDraft {
  key: number;
  medication: string;
  holdHours: number | null;
  notes: string;
}

/** The clearance form as it is being filled in: unanswered is `undefined`, an empty number is `null`. */
export interface ScreeningDraft {
  contraindications: Partial<Record<ContraindicationKey, boolean>>;
  notes: string;
  decision: ClearanceDecision | '';
  validUntil: string;
  doseMg: number | null;
  boosterDoseMg: number | null;
  boosterFrom: number | null;
  boosterTo: number | null;
  vitalLimits: Record<VitalKey, number | null>;
  holds: HoldDraft[];
  emergencyContact: ContactDraft;
  chaperone: ContactDraft;
}

let holdKey = 1;

export function holdDraft(medication = '', holdHours: number | null = null, notes = ''): HoldDraft {
  return { key: holdKey++, medication, holdHours, notes };
}

const noContact = (): ContactDraft => ({ name: '', phone: '', relationship: '' });
const contactDraft = (c: Contact | null): ContactDraft =>
  c ? { name: c.name, phone: c.phone, relationship: c.relationship ?? '' } : noContact();

/** A fresh form: no contraindication answered and no decision, so nothing is assumed. */
export function emptyDraft(): ScreeningDraft {
  return {
    contraindications: {},
    notes: '',
    decision: '',
    validUntil: '',
    doseMg: null,
    boosterDoseMg: null,
    boosterFrom: null,
    boosterTo: null,
    vitalLimits: { systolicMax: null, diastolicMax: null, heartRateMax: null, systolicMin: null, heartRateMin: null, spo2Min: null },
    holds: [],
    emergencyContact: noContact(),
    chaperone: noContact(),
  };
}

/** A new version starts from the latest signed one. */
export function draftFrom(record: ScreeningRecord): ScreeningDraft {
  const v = record.vitalLimits;
  const p = record.prescription;
  return {
    contraindications: { ...record.contraindications },
    notes: record.notes,
    decision: record.decision,
    validUntil: record.validUntil ?? '',
    doseMg: p?.doseMg ?? null,
    boosterDoseMg: p?.boosterDoseMg ?? null,
    boosterFrom: p?.boosterWindowMinutes?.[0] ?? null,
    boosterTo: p?.boosterWindowMinutes?.[1] ?? null,
    vitalLimits: {
      systolicMax: v.systolicMax ?? null,
      diastolicMax: v.diastolicMax ?? null,
      heartRateMax: v.heartRateMax ?? null,
      systolicMin: v.systolicMin ?? null,
      heartRateMin: v.heartRateMin ?? null,
      spo2Min: v.spo2Min ?? null,
    },
    holds: record.medicationHolds.map((h) => holdDraft(h.medication, h.holdHours, h.notes ?? '')),
    emergencyContact: contactDraft(record.emergencyContact),
    chaperone: contactDraft(record.chaperone),
  };
}

const num = (n: number | null | undefined): number | undefined => (typeof n === 'number' && !Number.isNaN(n) ? n : undefined);

function contactOf(c: ContactDraft): Contact | null {
  const name = c.name.trim();
  const phone = c.phone.trim();
  const relationship = c.relationship.trim();
  if (!name && !phone && !relationship) return null;
  return { name, phone, ...(relationship ? { relationship } : {}) };
}

/**
 * The record the form would sign. Dose and valid-until belong to a clearance only; unanswered contraindications stay
 * unanswered (validateScreening refuses them).
 */
export function toRecord(draft: ScreeningDraft): ScreeningRecord {
  const cleared = draft.decision === 'cleared';
  const boosterDoseMg = num(draft.boosterDoseMg);
  const from = num(draft.boosterFrom);
  const to = num(draft.boosterTo);
  const vitalLimits: Partial<VitalLimits> = {};
  for (const { key } of vitalFields) {
    const value = num(draft.vitalLimits[key]);
    if (value !== undefined) vitalLimits[key] = value;
  }
  return {
    contraindications: { ...draft.contraindications } as Record<ContraindicationKey, boolean>,
    notes: draft.notes.trim(),
    decision: (draft.decision || 'needs_review') as ClearanceDecision,
    validUntil: cleared && draft.validUntil ? draft.validUntil : null,
    prescription: cleared
      ? {
          doseMg: num(draft.doseMg) ?? 0,
          route: 'sublingual_lozenge',
          ...(boosterDoseMg !== undefined ? { boosterDoseMg } : {}),
          ...(from !== undefined || to !== undefined ? { boosterWindowMinutes: [from ?? 0, to ?? 0] as [number, number] } : {}),
        }
      : null,
    vitalLimits,
    medicationHolds: draft.holds.map((h) => ({
      medication: h.medication.trim(),
      holdHours: num(h.holdHours) ?? Number.NaN,
      ...(h.notes.trim() ? { notes: h.notes.trim() } : {}),
    })),
    emergencyContact: contactOf(draft.emergencyContact),
    chaperone: contactOf(draft.chaperone),
  };
}

/** Something that stops the form from being signed, and the field it belongs to (a path in the record). */
export interface Problem {
  path: string;
  message: string;
}

const phonePattern = /^[+\d][\d\s().-]{5,24}$/;

/**
 * Everything still missing or wrong, in the order the form asks for it. The form's own checks come first, with
 * messages for each field; the protocol schema and the domain's validateScreening (the same rules the server applies)
 * have the last word, so the form can never be signed when the server would refuse it.
 */
export function screeningProblems(draft: ScreeningDraft, today: string): Problem[] {
  const problems: Problem[] = [];
  const add = (path: string, message: string) => {
    if (!problems.some((p) => p.path === path)) problems.push({ path, message });
  };

  for (const c of contraindications) {
    if (typeof draft.contraindications[c.key] !== 'boolean') add(`contraindications.${c.key}`, 'Answer yes or no.');
  }
  const present = contraindications.filter((c) => draft.contraindications[c.key] === true);

  if (!draft.decision) add('decision', 'Choose a decision.');
  if (draft.decision === 'not_cleared' && visibleLength(draft.notes) === 0) add('notes', 'Say why the person is not cleared.');
  if (draft.decision === 'cleared') {
    if (present.length > 0 && visibleLength(draft.notes) < 10) {
      add('notes', `Explain why you clear someone with ${present.length === 1 ? 'a contraindication' : 'contraindications'} (at least 10 characters).`);
    }
    if (!draft.validUntil) add('validUntil', 'Give the last day this clearance is valid.');
    else if (draft.validUntil < today) add('validUntil', 'The date has passed: choose today or later.');
    const dose = num(draft.doseMg);
    if (dose === undefined) add('prescription.doseMg', 'Give the prescribed dose in mg.');
    else if (dose <= 0) add('prescription.doseMg', 'The dose must be above 0 mg.');
    const booster = num(draft.boosterDoseMg);
    const from = num(draft.boosterFrom);
    const to = num(draft.boosterTo);
    const anyWindow = from !== undefined || to !== undefined;
    if (booster !== undefined && !anyWindow) add('prescription.boosterWindowMinutes', 'A booster needs a time window.');
    if (booster === undefined && anyWindow) add('prescription.boosterDoseMg', 'Give the booster dose, or clear the window.');
    if (anyWindow && (from === undefined || to === undefined)) add('prescription.boosterWindowMinutes', 'Give both ends of the window.');
    else if (from !== undefined && to !== undefined && from >= to) add('prescription.boosterWindowMinutes', 'The window must start before it ends.');
  }

  draft.holds.forEach((h, i) => {
    if (!h.medication.trim()) add(`medicationHolds.${i}.medication`, 'Name the medication, or remove this row.');
    if (num(h.holdHours) === undefined) add(`medicationHolds.${i}.holdHours`, 'Give the hours to hold it before dosing.');
  });

  const ec = draft.emergencyContact;
  if (!ec.name.trim()) add('emergencyContact.name', 'An emergency contact is required: give their name.');
  if (!ec.phone.trim()) add('emergencyContact.phone', 'Give the emergency contact’s phone number.');
  else if (!phonePattern.test(ec.phone.trim())) add('emergencyContact.phone', 'Enter a phone number (digits, spaces, + - ( ) allowed).');

  const ch = draft.chaperone;
  if (ch.name.trim() || ch.phone.trim() || ch.relationship.trim()) {
    if (!ch.name.trim()) add('chaperone.name', 'Give the chaperone’s name, or leave all chaperone fields empty.');
    if (!ch.phone.trim()) add('chaperone.phone', 'Give the chaperone’s phone number.');
    else if (!phonePattern.test(ch.phone.trim())) add('chaperone.phone', 'Enter a phone number (digits, spaces, + - ( ) allowed).');
  }

  if (problems.length > 0 || !draft.decision) return problems;

  const record = toRecord(draft);
  const parsed = screeningInputSchema.safeParse(record);
  if (!parsed.success) {
    for (const issue of fieldIssues(parsed.error)) add(issue.path, issue.message);
    return problems;
  }
  const decision = validateScreening(record, today);
  if (!decision.ok) add('', decision.message);
  return problems;
}

/** Field ids in the form, from record paths. */
export const fieldId = (path: string) => `scr-${path.replaceAll('.', '-') || 'form'}`;

/** One line for the list next to the Sign button: unanswered contraindications are counted, not listed one by one. */
export function problemSummary(problems: Problem[]): Problem[] {
  const unanswered = problems.filter((p) => p.path.startsWith('contraindications.'));
  const rest = problems.filter((p) => !p.path.startsWith('contraindications.'));
  const summary: Problem[] = [];
  if (unanswered.length > 0) {
    const first = unanswered[0] as Problem;
    summary.push({
      path: first.path,
      message:
        unanswered.length === contraindications.length
          ? 'Answer every contraindication (none answered yet).'
          : `Answer every contraindication (${unanswered.length} of ${contraindications.length} left).`,
    });
  }
  return [...summary, ...rest];
}

export const labelOfContraindication = (key: string) => contraindications.find((c) => c.key === key)?.label ?? key;
