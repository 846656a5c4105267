/** Everyone who can act in a clinic: staff by role, and participants. */
export type ClinicRole = 'admin' | 'facilitator' | 'prescriber' | 'participant';

/** What someone may do in their own clinic. Cohort-level checks (is this my cohort?) come on top. */
export type Permission =
  | 'staff.manage'
  | 'participants.manage'
  | 'cohorts.manage'
  | 'cohorts.view'
  | 'roster.view'
  | 'consents.manage'
  | 'screening.view'
  | 'screening.sign'
  | 'settings.manage'
  | 'audit.view'
  | 'outbox.view'
  | 'outcomes.view'
  | 'outcomes.export'
  | 'safety.view';

/** POL1: the one table of who may do what. */
export const permissions: Record<Permission, readonly ClinicRole[]> = {
  'staff.manage': ['admin'],
  'participants.manage': ['admin'],
  'cohorts.manage': ['admin'],
  'cohorts.view': ['admin', 'facilitator', 'prescriber'],
  'roster.view': ['admin', 'facilitator', 'prescriber'],
  'consents.manage': ['admin'],
  'screening.view': ['prescriber', 'facilitator'],
  'screening.sign': ['prescriber'],
  'settings.manage': ['admin'],
  'audit.view': ['admin'],
  'outbox.view': ['admin'],
  // Scores and attendance: a facilitator sees their own cohorts' (a cohort-level check on top).
  'outcomes.view': ['admin', 'facilitator', 'prescriber'],
  'outcomes.export': ['admin', 'prescriber'],
  // Safety alerts from questionnaires reach the clinicians: facilitators of the person's cohorts and prescribers.
  'safety.view': ['facilitator', 'prescriber'],
};

export function can(roles: readonly ClinicRole[], permission: Permission): boolean {
  return roles.some((r) => permissions[permission].includes(r));
}
