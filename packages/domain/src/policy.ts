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

/** How a person stands to a cohort, as the records say today. */
export interface CohortRelation {
  /** A cohort_facilitators row names them. */
  facilitates: boolean;
  enrolled: boolean;
}

export interface PersonStanding {
  kind: 'staff' | 'participant';
  roles: readonly string[];
}

/**
 * POL2: a person's role in a circle of a cohort, from the role they hold today and their place in the cohort; null
 * when they have none. A facilitator row without the facilitator role gives nothing.
 */
export function circleRole(person: PersonStanding, relation: CohortRelation): 'facilitator' | 'participant' | null {
  if (person.kind === 'staff') return relation.facilitates && person.roles.includes('facilitator') ? 'facilitator' : null;
  return relation.enrolled ? 'participant' : null;
}

/** POL3: whose screening records a person may see: every participant of the clinic, those of cohorts they facilitate, or none. */
export type ScreeningReach = 'clinic' | 'facilitated' | 'none';

export function screeningReach(person: PersonStanding): ScreeningReach {
  if (person.kind !== 'staff') return 'none';
  if (person.roles.includes('prescriber')) return 'clinic';
  if (person.roles.includes('facilitator')) return 'facilitated';
  return 'none';
}

/** POL3: may this person see this participant's screening record? `inFacilitatedCohort`: enrolled in a cohort the viewer facilitates. */
export function maySeeScreening(viewer: PersonStanding, subject: { inFacilitatedCohort: boolean }): boolean {
  const reach = screeningReach(viewer);
  return reach === 'clinic' || (reach === 'facilitated' && subject.inFacilitatedCohort);
}
