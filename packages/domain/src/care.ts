import type { VitalLimits } from './clinic.js';
import { DEFAULT_CARE_AFTER_CLOSE_HOURS, effectiveVitalLimits } from './clinic.js';
import type {
  CircleState,
  ClinicalFacts,
  GateItem,
  ParticipantRecord,
  RosterEntry,
  Stamp,
  VitalsInput,
  VitalsReading,
} from './circle.js';
import { gateItems, recordOf } from './circle.js';
import { doseEligibility, eligibilityFacts, type ConsentStanding, type Eligibility } from './eligibility.js';
import type { ScreeningRecord } from './screening.js';

const MINUTE = 60_000;
const minutesBetween = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / MINUTE;
const addMinutes = (iso: string, minutes: number) => new Date(Date.parse(iso) + minutes * MINUTE).toISOString();

/** Care timings from common protocols. Defaults, not medical advice; the clinic-owned ones live in ClinicSettings. */
export const careTimings = {
  /** OBS1: a visual check of each dosed person about this often. */
  observationEveryMinutes: 15,
  /** VIT3: vitals are due at baseline, about this long after dosing, and at the end of the observation time. */
  postDoseVitalsMinutes: 40,
  /** A due reading counts as overdue after this grace. */
  vitalsGraceMinutes: 10,
  /** Phases after dosing: onset until this many minutes, then peak, then return. */
  onsetUntilMinutes: 20,
  peakUntilMinutes: 60,
} as const;

/** CIR5: opening a circle further than this from its scheduled start needs an explicit confirmation. */
export const openWithinHours = 2;

/**
 * CIR5: how far from its scheduled start the circle would open at `now`, when that is more than `openWithinHours`
 * either side; null when it is near its time (or the schedule is not known).
 */
export function offSchedule(state: CircleState, now: string): { minutes: number; words: string } | null {
  const at = state.settings?.scheduledAt;
  if (!at) return null;
  const minutes = Math.round(minutesBetween(at, now));
  if (Math.abs(minutes) <= openWithinHours * 60) return null;
  const hours = Math.abs(minutes) / 60;
  const span = hours >= 48 ? `${Math.round(hours / 24)} days` : `${Math.round(hours)} h`;
  return { minutes, words: minutes < 0 ? `${span} from now` : `${span} ago` };
}

/** DIS3: how far above baseline a reading may be and still count as "near baseline". */
export const nearBaseline = { systolic: 20, diastolic: 15, heartRate: 20 } as const;

/** The facts a circle needs from a person's latest signed screening and their consents (SCR5, SCR6, GATE2). */
export function clinicalFacts(latest: ScreeningRecord | null, clinicLimits: VitalLimits, today: string, consents: ConsentStanding): ClinicalFacts {
  const p = latest?.decision === 'cleared' ? latest.prescription : null;
  return {
    ...eligibilityFacts(latest, consents, today),
    doseMg: p?.doseMg ?? null,
    boosterDoseMg: p?.boosterDoseMg ?? null,
    boosterWindowMinutes: p?.boosterWindowMinutes ?? null,
    limits: effectiveVitalLimits(clinicLimits, latest?.vitalLimits),
    holds: latest?.medicationHolds ?? [],
  };
}

/** VIT2: what in a reading is outside a person's limits, in words; empty when it is inside. */
export function vitalsOutOfRange(reading: VitalsInput, limits: VitalLimits): string[] {
  const out: string[] = [];
  if (reading.systolic > limits.systolicMax) out.push(`systolic ${reading.systolic} above ${limits.systolicMax}`);
  if (reading.diastolic > limits.diastolicMax) out.push(`diastolic ${reading.diastolic} above ${limits.diastolicMax}`);
  if (limits.systolicMin !== undefined && reading.systolic < limits.systolicMin) out.push(`systolic ${reading.systolic} below ${limits.systolicMin}`);
  if (reading.heartRate > limits.heartRateMax) out.push(`heart rate ${reading.heartRate} above ${limits.heartRateMax}`);
  if (limits.heartRateMin !== undefined && reading.heartRate < limits.heartRateMin) out.push(`heart rate ${reading.heartRate} below ${limits.heartRateMin}`);
  if (limits.spo2Min !== undefined && reading.spo2 !== undefined && reading.spo2 < limits.spo2Min) out.push(`SpO2 ${reading.spo2} below ${limits.spo2Min}`);
  return out;
}

export const baselineReading = (r: ParticipantRecord): VitalsReading | null => {
  const before = r.dose ? r.vitals.filter((v) => v.at <= r.dose!.at) : r.vitals;
  return before.at(-1) ?? null;
};
export const latestReading = (r: ParticipantRecord): VitalsReading | null => r.vitals.at(-1) ?? null;
const lastDoseAt = (r: ParticipantRecord): string | null => r.booster?.at ?? r.dose?.at ?? null;

/**
 * DIS3: the reading readiness to leave is judged on: the latest one taken once the post-dose reading is due (40 min
 * after the first dose, and after any booster), so a reading from the height of the effect never stands for it.
 */
export function dischargeReading(r: ParticipantRecord): VitalsReading | null {
  if (!r.dose) return null;
  const from = Math.max(Date.parse(r.dose.at) + careTimings.postDoseVitalsMinutes * MINUTE, Date.parse(lastDoseAt(r)!) + 1);
  return r.vitals.filter((v) => Date.parse(v.at) >= from).at(-1) ?? null;
}

export interface CheckItem<K extends string> {
  key: K;
  rule: string;
  label: string;
  met: boolean;
  detail: string;
  override: (Stamp & { reason: string }) | null;
  overridable: boolean;
}

export interface Gate {
  items: CheckItem<GateItem>[];
  /** Every item met, or overridden where that is allowed. */
  open: boolean;
}

const gateRules: Record<GateItem, { rule: string; label: string }> = {
  clearance: { rule: 'GATE1', label: 'Prescriber clearance current' },
  consent: { rule: 'GATE2', label: 'Consents signed' },
  fasting: { rule: 'GATE3', label: 'Fasting window met' },
  ride: { rule: 'GATE4', label: 'Ride home or chaperone confirmed' },
  holds: { rule: 'GATE5', label: 'Medication holds followed' },
  vitals: { rule: 'GATE6', label: 'Baseline vitals inside limits' },
};

/** RDY1 in a live circle: the roster's facts through the same rule as the roster page. */
export function eligibilityIn(state: CircleState, personId: string): Eligibility {
  const c = state.roster[personId]?.clinical;
  if (!c) {
    const no = (key: 'clearance' | 'consent', rule: 'GATE1' | 'GATE2') => ({ key, rule, met: false, detail: 'Not on this circle’s roster' });
    return { mayBeDosed: false, checks: [no('clearance', 'GATE1'), no('consent', 'GATE2')], reason: 'Not on the roster: not to be dosed today' };
  }
  return doseEligibility(c);
}

/** Gate items nothing overrides: they are who may be dosed at all (RDY1). */
const neverOverridden = new Set<GateItem>(['clearance', 'consent']);

/** GATE1-GATE7: the pre-dose gate for one participant at one moment. */
export function gateFor(state: CircleState, personId: string, now: string): Gate {
  const entry: RosterEntry | undefined = state.roster[personId];
  const r = recordOf(state, personId);
  const fastingHours = state.settings?.fastingWindowHours ?? 4;
  const [clearance, consent] = eligibilityIn(state, personId).checks;
  const check = (key: GateItem): { met: boolean; detail: string } => {
    switch (key) {
      case 'clearance':
        return clearance;
      case 'consent':
        return consent;
      case 'fasting': {
        if (!r.predose) return { met: false, detail: 'Pre-dose check-in not done' };
        const hours = minutesBetween(r.predose.lastFoodAt, now) / 60;
        if (hours >= fastingHours) return { met: true, detail: `Last food ${hours.toFixed(1)} h ago` };
        // Rounded down, so that 3 h 59 min does not read as the 4 h it falls short of.
        return { met: false, detail: `Last food ${(Math.floor(Math.max(0, hours) * 10) / 10).toFixed(1)} h ago; ${fastingHours} h needed` };
      }
      case 'ride':
        if (!r.predose) return { met: false, detail: 'Pre-dose check-in not done' };
        return r.predose.ride === 'none'
          ? { met: false, detail: 'No ride or chaperone confirmed' }
          : { met: true, detail: r.predose.ride === 'ride' ? 'Ride home confirmed' : 'Chaperone present' };
      case 'holds': {
        const holds = entry?.clinical.holds ?? [];
        if (!r.predose) return { met: false, detail: 'Pre-dose check-in not done' };
        if (!r.predose.holdsFollowed) return { met: false, detail: 'Says holds not followed' };
        return { met: true, detail: holds.length === 0 ? 'No holds prescribed' : holds.map((h) => `${h.medication} ${h.holdHours} h`).join(', ') };
      }
      case 'vitals': {
        const base = baselineReading(r);
        if (!base) return { met: false, detail: 'No baseline reading' };
        const out = entry ? vitalsOutOfRange(base, entry.clinical.limits) : ['no limits on file'];
        return out.length === 0 ? { met: true, detail: `${base.systolic}/${base.diastolic}, HR ${base.heartRate}` } : { met: false, detail: out.join('; ') };
      }
    }
  };
  const items = gateItems.map((key): CheckItem<GateItem> => {
    const { met, detail } = check(key);
    // GATE1, GATE2: clearance and consent can never be overridden, whatever the record says.
    const overridable = !neverOverridden.has(key);
    return { key, ...gateRules[key], met, detail, override: overridable ? (r.overrides[key] ?? null) : null, overridable };
  });
  return { items, open: items.every((i) => i.met || i.override !== null) };
}

export type LeaveItem = 'observation' | 'vitals' | 'grounded' | 'ride';

/** DIS2-DIS5: readiness to leave for a dosed participant. */
export function readinessToLeave(state: CircleState, personId: string, now: string): { items: CheckItem<LeaveItem>[]; ready: boolean } {
  const r = recordOf(state, personId);
  const minObs = state.settings?.minObservationMinutes ?? 120;
  const last = lastDoseAt(r);
  const limits = state.roster[personId]?.clinical.limits;
  const items: CheckItem<LeaveItem>[] = [];
  const add = (key: LeaveItem, rule: string, label: string, met: boolean, detail: string) =>
    items.push({ key, rule, label, met, detail, override: null, overridable: true });

  const elapsed = last ? minutesBetween(last, now) : 0;
  add('observation', 'DIS2', `${minObs} min observed since dosing`, last !== null && elapsed >= minObs, last ? `${Math.floor(elapsed)} min so far` : 'Not dosed');

  const base = baselineReading(r);
  const after = dischargeReading(r);
  const post = careTimings.postDoseVitalsMinutes;
  let vitalsDetail = r.dose ? `No reading from ${post} min after the dose yet` : 'No reading since dosing';
  let vitalsMet = false;
  if (after) {
    const out = limits ? vitalsOutOfRange(after, limits) : [];
    const far =
      base &&
      (after.systolic - base.systolic > nearBaseline.systolic ||
        after.diastolic - base.diastolic > nearBaseline.diastolic ||
        after.heartRate - base.heartRate > nearBaseline.heartRate);
    vitalsMet = out.length === 0 && !far;
    const which = `reading ${Math.floor(minutesBetween(r.dose!.at, after.at))} min after the dose: ${after.systolic}/${after.diastolic}, HR ${after.heartRate}`;
    vitalsDetail = out.length > 0 ? `${out.join('; ')} (${which})` : far ? `Not yet near baseline (${which})` : `Used the ${which}`;
  }
  add('vitals', 'DIS3', 'Vitals near baseline', vitalsMet, vitalsDetail);
  add('grounded', 'DIS4', 'Reports feeling grounded', r.after?.grounded === true, r.after ? (r.after.grounded ? 'Grounded' : 'Not yet grounded') : 'Not asked yet');
  add('ride', 'DIS5', 'Ride home or chaperone confirmed', r.predose !== null && r.predose.ride !== 'none', r.predose?.ride === 'none' || !r.predose ? 'Not confirmed' : 'Confirmed');
  return { items, ready: items.every((i) => i.met) };
}

export type Phase = 'not_dosed' | 'onset' | 'peak' | 'return' | 'discharged';

export function phaseAt(r: ParticipantRecord, now: string): Phase {
  if (r.discharge) return 'discharged';
  if (!r.dose) return 'not_dosed';
  const m = minutesBetween(r.dose.at, now);
  return m < careTimings.onsetUntilMinutes ? 'onset' : m < careTimings.peakUntilMinutes ? 'peak' : 'return';
}

export interface Due {
  label: string;
  dueAt: string;
  overdue: boolean;
}

/** VIT3: the next vitals reading due for a participant, if any. */
export function vitalsDue(state: CircleState, personId: string, now: string): Due | null {
  const r = recordOf(state, personId);
  if (r.discharge || state.status !== 'in_session') return null;
  const grace = careTimings.vitalsGraceMinutes;
  const make = (label: string, dueAt: string): Due => ({ label, dueAt, overdue: minutesBetween(dueAt, now) > grace });
  if (!r.dose) return baselineReading(r) ? null : make('Baseline vitals', state.startedAt ?? now);
  const after = (min: number) => r.vitals.some((v) => minutesBetween(r.dose!.at, v.at) >= min);
  const post = careTimings.postDoseVitalsMinutes;
  if (!after(post - grace)) return make(`Vitals ${post} min after dose`, addMinutes(r.dose.at, post));
  // The observation time runs from the last dose (DIS2), so a booster moves the end reading too.
  const last = lastDoseAt(r)!;
  const end = state.settings?.minObservationMinutes ?? 120;
  if (!r.vitals.some((v) => minutesBetween(last, v.at) >= end - 15)) return make('End-of-session vitals', addMinutes(last, end));
  return null;
}

/** OBS1: the next observation check for a dosed participant who is not discharged. */
export function observationDue(state: CircleState, personId: string, now: string): Due | null {
  const r = recordOf(state, personId);
  if (!r.dose || r.discharge || state.status === 'closed') return null;
  const from = r.observedAt && r.observedAt > r.dose.at ? r.observedAt : r.dose.at;
  const dueAt = addMinutes(from, careTimings.observationEveryMinutes);
  return { label: 'Observation check', dueAt, overdue: minutesBetween(dueAt, now) > 0 };
}

/** When someone dosed, not discharged and with no connection left was dosed; null for anyone else (STA3, ALR2). */
export function dosedAndAway(state: CircleState, r: ParticipantRecord): string | null {
  return r.dose && !r.discharge && !state.presence[r.personId] && state.status !== 'closed' ? r.dose.at : null;
}

export interface BoosterDue {
  doseMg: number;
  window: [number, number];
  opensAt: string;
  closesAt: string;
  state: 'not_yet' | 'open' | 'passed';
}

/** BST1-BST3: the prescribed booster for a dosed participant and where its window stands; null when none is due. */
export function boosterDue(state: CircleState, personId: string, now: string): BoosterDue | null {
  const r = recordOf(state, personId);
  const c = state.roster[personId]?.clinical;
  if (!c?.boosterDoseMg || !c.boosterWindowMinutes || !r.dose || r.booster || r.discharge) return null;
  const [from, to] = c.boosterWindowMinutes;
  const elapsed = minutesBetween(r.dose.at, now);
  return {
    doseMg: c.boosterDoseMg,
    window: [from, to],
    opensAt: addMinutes(r.dose.at, from),
    closesAt: addMinutes(r.dose.at, to),
    state: elapsed < from ? 'not_yet' : elapsed > to ? 'passed' : 'open',
  };
}

/** hold: may not be dosed (RDY1) or marked not to be dosed; waiting: in session, not yet ready to dose (STA4). */
export type StatusLevel = 'green' | 'amber' | 'red' | 'hold' | 'waiting';

export interface PersonStatus {
  level: StatusLevel;
  /** Why, in words, most serious first: the colour is never the only signal (RDY3). */
  reasons: string[];
}

/** The participants a facilitator looks after: the roster, plus anyone with a record. */
export const participantIds = (state: CircleState): string[] =>
  [...new Set([...Object.keys(state.roster), ...Object.keys(state.people)])].sort((a, b) =>
    (state.roster[a]?.displayName ?? a).localeCompare(state.roster[b]?.displayName ?? b),
  );

/**
 * STA4: in a dosing circle, someone not dosed who may not be dosed, or was marked not to be, is never "steady": the
 * board says so and why. Once the session is under way, someone let in whose gate is not met says what is missing.
 */
function dosingStanding(state: CircleState, id: string, now: string): { level: 'hold' | 'waiting'; reason: string } | null {
  const r = recordOf(state, id);
  if (state.kind !== 'dosing' || r.dose || r.discharge) return null;
  if (r.withheld) return { level: 'hold', reason: 'Not to be dosed today (facilitator’s decision)' };
  const eligibility = eligibilityIn(state, id);
  if (!eligibility.mayBeDosed) return { level: 'hold', reason: eligibility.reason! };
  if (state.status !== 'in_session' || !state.admitted[id]) return null;
  const unmet = gateFor(state, id, now).items.filter((i) => !i.met && !i.override);
  if (unmet.length === 0) return null;
  return { level: 'waiting', reason: `Not ready to dose: ${unmet.map((i) => i.label.toLowerCase()).join(', ')}` };
}

/**
 * STA1-STA4: green, amber or red for each participant, derived from the state and the time only, so every
 * facilitator's screen agrees.
 */
export function statusAt(state: CircleState, now: string): Record<string, PersonStatus> {
  const out: Record<string, PersonStatus> = {};
  for (const id of participantIds(state)) {
    const r = recordOf(state, id);
    const red: string[] = [];
    const amber: string[] = [];
    for (const a of Object.values(state.alerts)) {
      if (a.personId !== id || a.ackedAt) continue;
      (a.urgency === 1 ? red : amber).push(a.detail);
    }
    const latest = latestReading(r);
    const limits = state.roster[id]?.clinical.limits;
    const vitalsAlertOpen = Object.values(state.alerts).some((a) => a.personId === id && a.kind === 'vitals' && !a.ackedAt);
    // An open vitals alert already says what is out of range; after it is acknowledged the reading still shows red.
    if (latest && limits && !r.discharge && !vitalsAlertOpen) {
      const out = vitalsOutOfRange(latest, limits);
      if (out.length > 0) red.push(`Last vitals: ${out.join('; ')}`);
    }
    if (r.adverse.some((a) => a.severity === 'severe') && !r.discharge) red.push('Severe adverse event recorded');
    const obs = observationDue(state, id, now);
    if (obs?.overdue) amber.push('Observation check overdue');
    const vit = vitalsDue(state, id, now);
    if (vit?.overdue) amber.push(`${vit.label} overdue`);
    if (dosedAndAway(state, r)) amber.push('Dosed and not connected');
    const dosing = dosingStanding(state, id, now);
    // Not ready to dose is said only when nothing more urgent is; not to be dosed is always said.
    const dosingReason = dosing && (dosing.level === 'hold' || red.length + amber.length === 0) ? [dosing.reason] : [];
    const reasons = [...new Set([...red, ...amber, ...dosingReason])];
    out[id] = { level: red.length > 0 ? 'red' : amber.length > 0 ? 'amber' : (dosing?.level ?? 'green'), reasons };
  }
  return out;
}

/**
 * CARE1: who the closing circle leaves under care, and until when: everyone dosed and not discharged, until the
 * clinic's number of hours after their last dose (never before the close itself).
 */
export function careAfterClose(state: CircleState, now: string): { personId: string; until: string }[] {
  const hours = state.settings?.careAfterCloseHours ?? DEFAULT_CARE_AFTER_CLOSE_HOURS;
  return Object.values(state.people)
    .filter((r) => r.dose && !r.discharge)
    .map((r) => {
      const last = r.booster?.at ?? r.dose!.at;
      const until = new Date(Math.max(Date.parse(last) + hours * 3_600_000, Date.parse(now))).toISOString();
      return { personId: r.personId, until };
    });
}

/** CARE2: the person may still call for help in this closed circle: under care, not discharged, before the time set. */
export function underCare(state: CircleState, personId: string, now: string): boolean {
  const r = state.people[personId];
  return state.status === 'closed' && !!r?.careUntil && !r.discharge && Date.parse(now) < Date.parse(r.careUntil);
}
