/** Roles a person can hold inside one circle. Clinic-wide staff roles live in the protocol. */
export type CircleRole = 'facilitator' | 'participant';

/** Who is acting on, or looking at, a circle. Resolved by the server from the session and the cohort. */
export interface CircleActor {
  personId: string;
  role: CircleRole;
  /** The name this person chose for the cohort: the only name other participants ever see. */
  displayName: string;
}

export type Device = 'phone' | 'tablet' | 'desktop';

export function isStaff(actor: Pick<CircleActor, 'role'>): boolean {
  return actor.role === 'facilitator';
}
