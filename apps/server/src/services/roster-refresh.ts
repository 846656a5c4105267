import type { ClinicScope } from '@holdspace/db';
import type { CircleService } from './circle-service.js';

/**
 * After a person's clearance or consent changes: reloads the roster of their circles under way; with no person (a new
 * consent version, which everyone must sign again), of every circle of the clinic under way.
 */
export type RosterRefresh = (scope: ClinicScope, personId: string | null) => Promise<void>;

/**
 * ROS1, RDY1: a clearance or consent signed while a circle is live reaches its open dashboards at once, as a
 * roster sync on that event, not on the next staff command.
 */
export function rosterRefresh(circles: CircleService): RosterRefresh {
  return async (scope, personId) => {
    const cohorts = await scope.cohorts(personId ? { enrolled: personId } : {});
    for (const circleId of await scope.liveCircles(cohorts.flatMap((c) => c.circles.map((x) => x.id)))) await circles.syncRoster(circleId);
  };
}
