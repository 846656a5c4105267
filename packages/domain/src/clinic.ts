/** Limits for one person's vital signs; a reading above a limit needs action. */
export interface VitalLimits {
  systolicMax: number;
  diastolicMax: number;
  heartRateMax: number;
  /** Optional lower bounds and SpO2 floor. */
  systolicMin?: number | undefined;
  heartRateMin?: number | undefined;
  spo2Min?: number | undefined;
}

/**
 * CRS4: a crisis line's web address opens only over https. Calls and texts are made from digits (`tel:`, `sms:`), so
 * a stored `javascript:` or `data:` address can never become the link a person in crisis taps.
 */
export function isSafeCrisisUrl(url: string): boolean {
  return /^https:\/\/[a-z0-9-]+(\.[a-z0-9-]+)*(:\d{1,5})?([/?#][^\s]*)?$/i.test(url);
}

/** A place to turn in a crisis, shown to a participant whose answers say they may be at risk (CRS3). */
export interface CrisisResource {
  label: string;
  description: string;
  /** Dialled from the screen: "988". */
  phone: string | null;
  /** Takes text messages at this number, when it does. */
  sms: string | null;
  url: string | null;
}

/** Settings clinical staff own. Defaults are starting values from common protocols, not medical advice. */
export interface ClinicSettings {
  /** Hours without food before dosing. Protocols range from 2 h to 8 h. */
  fastingWindowHours: number;
  /** Minutes after dosing before someone may be discharged. */
  minObservationMinutes: number;
  /** CARE1: hours after the dose a closed circle keeps a dosed, undischarged person's "I need support" (default 4). */
  careAfterCloseHours?: number | undefined;
  vitalLimits: VitalLimits;
  /** Sign staff and participants out after this long without activity. */
  idleTimeoutMinutes: number;
  requireTwoFactor: boolean;
  /** Crisis lines for where the clinic works; the defaults are the United States'. */
  crisisResources: CrisisResource[];
}

/** CARE1: by default a dosed person keeps their call for help for 4 hours after the dose when the circle closes first. */
export const DEFAULT_CARE_AFTER_CLOSE_HOURS = 4;

export const defaultClinicSettings: ClinicSettings = {
  fastingWindowHours: 4,
  minObservationMinutes: 120,
  careAfterCloseHours: DEFAULT_CARE_AFTER_CLOSE_HOURS,
  vitalLimits: { systolicMax: 180, diastolicMax: 110, heartRateMax: 120, spo2Min: 92 },
  idleTimeoutMinutes: 30,
  requireTwoFactor: false,
  crisisResources: [
    { label: '988 Suicide & Crisis Lifeline', description: 'Call or text 988, any time of day or night (United States).', phone: '988', sms: '988', url: 'https://988lifeline.org' },
    { label: 'Emergency services', description: 'If you are in danger right now, call 911.', phone: '911', sms: null, url: null },
  ],
};

/** Per-person limits from the prescriber win over the clinic's; missing ones fall back (SCR5). */
export function effectiveVitalLimits(clinic: VitalLimits, person: Partial<VitalLimits> | null | undefined): VitalLimits {
  const merged: VitalLimits = { ...clinic };
  for (const [key, value] of Object.entries(person ?? {}) as [keyof VitalLimits, number | undefined][]) {
    if (typeof value === 'number') merged[key] = value;
  }
  return merged;
}
