import { isStaff, type CircleActor } from './people.js';

/**
 * Who may receive an event.
 * - `all`: everyone in the circle
 * - `staff`: the circle's facilitators
 * - `person:<id>`: that person and the circle's facilitators
 */
export type Audience = 'all' | 'staff' | `person:${string}`;

export const personAudience = (personId: string): Audience => `person:${personId}`;

/** AUD1-AUD3 in SPEC.md. */
export function canSee(audience: Audience, viewer: Pick<CircleActor, 'personId' | 'role'>): boolean {
  if (audience === 'all') return true;
  if (isStaff(viewer)) return true;
  if (audience === 'staff') return false;
  return audience === personAudience(viewer.personId);
}
