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

/** Settings clinical staff own. Defaults are starting values from common protocols, not medical advice. */
export interface ClinicSettings {
  /** Hours without food before dosing. Protocols range from 2 h to 8 h. */
  fastingWindowHours: number;
  /** Minutes after dosing before someone may be discharged. */
  minObservationMinutes: number;
  vitalLimits: VitalLimits;
  /** Sign staff and participants out after this long without activity. */
  idleTimeoutMinutes: number;
  requireTwoFactor: boolean;
}

export const defaultClinicSettings: ClinicSettings = {
  fastingWindowHours: 4,
  minObservationMinutes: 120,
  vitalLimits: { systolicMax: 180, diastolicMax: 110, heartRateMax: 120, spo2Min: 92 },
  idleTimeoutMinutes: 30,
  requireTwoFactor: false,
};

/** Per-person limits from the prescriber win over the clinic's; missing ones fall back (SCR5). */
export function effectiveVitalLimits(clinic: VitalLimits, person: Partial<VitalLimits> | null | undefined): VitalLimits {
  const merged: VitalLimits = { ...clinic };
  for (const [key, value] of Object.entries(person ?? {}) as [keyof VitalLimits, number | undefined][]) {
    if (typeof value === 'number') merged[key] = value;
  }
  return merged;
}
