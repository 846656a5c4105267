import { and, asc, eq, lt, or, sql } from 'drizzle-orm';
import type { CircleRole } from '@holdspace/domain';
import type { Database } from './create-db.js';
import { circleSnapshots, circles, clinics, cohortFacilitators, cohorts, enrollments, sessions, users } from './schema.js';

export type UserRow = typeof users.$inferSelect;

export interface SessionWithUser {
  session: typeof sessions.$inferSelect;
  user: UserRow;
  clinic: { id: string; name: string };
}

/** Accounts and sessions. */
export class PeopleRepo {
  constructor(private readonly db: Database) {}

  async userByEmail(email: string): Promise<UserRow | undefined> {
    const [row] = await this.db
      .select()
      .from(users)
      .where(sql`lower(${users.email}) = ${email.toLowerCase()}`);
    return row;
  }

  async createSession(input: { id: string; userId: string; expiresAt: Date; ip: string | null; userAgent: string | null }) {
    await this.db.insert(sessions).values(input);
  }

  async sessionWithUser(id: string): Promise<SessionWithUser | undefined> {
    const [row] = await this.db
      .select({ session: sessions, user: users, clinic: { id: clinics.id, name: clinics.name } })
      .from(sessions)
      .innerJoin(users, eq(users.id, sessions.userId))
      .innerJoin(clinics, eq(clinics.id, users.clinicId))
      .where(eq(sessions.id, id));
    return row;
  }

  async touchSession(id: string, at: Date) {
    await this.db.update(sessions).set({ lastSeenAt: at }).where(eq(sessions.id, id));
  }

  async deleteSession(id: string) {
    await this.db.delete(sessions).where(eq(sessions.id, id));
  }

  async deleteExpiredSessions(now: Date, idleBefore: Date) {
    await this.db.delete(sessions).where(or(lt(sessions.expiresAt, now), lt(sessions.lastSeenAt, idleBefore)));
  }
}

export interface CircleMembership {
  circleId: string;
  clinicId: string;
  role: CircleRole;
  displayName: string;
}

export type CircleListRow = {
  id: string;
  title: string;
  kind: 'preparation' | 'dosing' | 'integration' | 'follow_up';
  startsAt: Date;
  timeZone: string;
  cohortId: string;
  cohortName: string;
  status: 'scheduled' | 'open' | 'in_session' | 'closed';
  myRole: CircleRole;
  myDisplayName: string;
};

/** Which circles a person belongs to, and as what. Always scoped by the person's clinic. */
export class CircleDirectory {
  constructor(private readonly db: Database) {}

  /** A facilitator of the circle's cohort, or a participant enrolled in it; nobody else. */
  async membership(circleId: string, person: { id: string; clinicId: string; name: string }): Promise<CircleMembership | null> {
    const [circle] = await this.db
      .select({ id: circles.id, clinicId: circles.clinicId, cohortId: circles.cohortId })
      .from(circles)
      .where(and(eq(circles.id, circleId), eq(circles.clinicId, person.clinicId)));
    if (!circle) return null;
    const [fac] = await this.db
      .select({ userId: cohortFacilitators.userId })
      .from(cohortFacilitators)
      .where(and(eq(cohortFacilitators.cohortId, circle.cohortId), eq(cohortFacilitators.userId, person.id)));
    if (fac) return { circleId, clinicId: circle.clinicId, role: 'facilitator', displayName: person.name };
    const [enr] = await this.db
      .select({ displayName: enrollments.displayName })
      .from(enrollments)
      .where(and(eq(enrollments.cohortId, circle.cohortId), eq(enrollments.userId, person.id)));
    if (enr) return { circleId, clinicId: circle.clinicId, role: 'participant', displayName: enr.displayName };
    return null;
  }

  async listFor(person: { id: string; clinicId: string }): Promise<CircleListRow[]> {
    const base = {
      id: circles.id,
      title: circles.title,
      kind: circles.kind,
      startsAt: circles.startsAt,
      timeZone: circles.timeZone,
      cohortId: cohorts.id,
      cohortName: cohorts.name,
      status: sql<CircleListRow['status']>`coalesce(${circleSnapshots.state}->>'status', 'scheduled')`,
    };
    const asFacilitator = await this.db
      .select({ ...base, myDisplayName: users.name })
      .from(circles)
      .innerJoin(cohorts, eq(cohorts.id, circles.cohortId))
      .innerJoin(cohortFacilitators, eq(cohortFacilitators.cohortId, cohorts.id))
      .innerJoin(users, eq(users.id, cohortFacilitators.userId))
      .leftJoin(circleSnapshots, eq(circleSnapshots.circleId, circles.id))
      .where(and(eq(cohortFacilitators.userId, person.id), eq(circles.clinicId, person.clinicId)))
      .orderBy(asc(circles.startsAt));
    const asParticipant = await this.db
      .select({ ...base, myDisplayName: enrollments.displayName })
      .from(circles)
      .innerJoin(cohorts, eq(cohorts.id, circles.cohortId))
      .innerJoin(enrollments, eq(enrollments.cohortId, cohorts.id))
      .leftJoin(circleSnapshots, eq(circleSnapshots.circleId, circles.id))
      .where(and(eq(enrollments.userId, person.id), eq(circles.clinicId, person.clinicId)))
      .orderBy(asc(circles.startsAt));
    return [
      ...asFacilitator.map((r) => ({ ...r, myRole: 'facilitator' as const })),
      ...asParticipant.map((r) => ({ ...r, myRole: 'participant' as const })),
    ].sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime());
  }
}
