import { and, asc, eq, gt, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import { circleRole, type CircleKind, type CircleRole, type ClinicSettings, type ConsentStanding, type PersonStanding, type ScreeningRecord } from '@holdspace/domain';
import type { Database } from './create-db.js';
import { circleSnapshots, circles, clinics, cohortFacilitators, cohorts, consentSignatures, consentTexts, enrollments, invites, screenings, sessions, users } from './schema.js';

export type UserRow = typeof users.$inferSelect;

export interface SessionWithUser {
  session: typeof sessions.$inferSelect;
  user: UserRow;
  clinic: { id: string; name: string; settings: ClinicSettings };
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

  async createSession(input: { id: string; userId: string; createdAt: Date; lastSeenAt: Date; expiresAt: Date; ip: string | null; userAgent: string | null }) {
    await this.db.insert(sessions).values(input);
  }

  async sessionWithUser(id: string): Promise<SessionWithUser | undefined> {
    const [row] = await this.db
      .select({ session: sessions, user: users, clinic: { id: clinics.id, name: clinics.name, settings: clinics.settings } })
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

  async sessionIdsOf(userId: string): Promise<string[]> {
    return (await this.db.select({ id: sessions.id }).from(sessions).where(eq(sessions.userId, userId))).map((r) => r.id);
  }

  /** Sessions among `ids` that are gone, past their absolute expiry, or idle longer than their clinic allows. */
  async endedSessions(ids: string[], now: Date): Promise<string[]> {
    if (ids.length === 0) return [];
    const alive = await this.db
      .select({ id: sessions.id })
      .from(sessions)
      .innerJoin(users, eq(users.id, sessions.userId))
      .innerJoin(clinics, eq(clinics.id, users.clinicId))
      .where(
        and(
          inArray(sessions.id, ids),
          gt(sessions.expiresAt, now),
          sql`${sessions.lastSeenAt} + make_interval(mins => (${clinics.settings}->>'idleTimeoutMinutes')::int) > ${now.toISOString()}::timestamptz`,
        ),
      );
    const aliveIds = new Set(alive.map((r) => r.id));
    return ids.filter((id) => !aliveIds.has(id));
  }

  async userById(userId: string): Promise<UserRow | undefined> {
    const [row] = await this.db.select().from(users).where(eq(users.id, userId));
    return row;
  }

  /** A usable invite: not used, not revoked, not expired. */
  async openInvite(tokenHash: string, now: Date) {
    const [row] = await this.db
      .select({ invite: invites, user: users, clinicName: clinics.name })
      .from(invites)
      .innerJoin(users, eq(users.id, invites.userId))
      .innerJoin(clinics, eq(clinics.id, invites.clinicId))
      .where(and(eq(invites.tokenHash, tokenHash), isNull(invites.usedAt), isNull(invites.revokedAt), gt(invites.expiresAt, now)));
    return row ?? null;
  }

  /** Uses the invite and sets the password, once: a second accept of the same invite finds nothing to update. */
  async acceptInvite(inviteId: string, userId: string, passwordHash: string, now: Date): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const used = await tx
        .update(invites)
        .set({ usedAt: now })
        .where(and(eq(invites.id, inviteId), isNull(invites.usedAt), isNull(invites.revokedAt)))
        .returning({ id: invites.id });
      if (used.length === 0) return false;
      await tx.update(users).set({ passwordHash, failedSignIns: 0, lockedUntil: null }).where(eq(users.id, userId));
      return true;
    });
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
  format: 'in_person' | 'online' | 'hybrid';
  status: 'scheduled' | 'open' | 'in_session' | 'closed';
  myRole: CircleRole;
  myDisplayName: string;
};

/** What a circle needs to load its roster: the enrolled participants, their latest signed screenings and consents. */
export interface CircleContext {
  circleId: string;
  clinicId: string;
  cohortId: string;
  kind: CircleKind;
  startsAt: Date;
  timeZone: string;
  settings: ClinicSettings;
  participants: { personId: string; displayName: string; screening: ScreeningRecord | null; consents: ConsentStanding }[];
}

/** Which circles a person belongs to, and as what. Always scoped by the person's clinic. */
export class CircleDirectory {
  constructor(private readonly db: Database) {}

  /** POL2: a facilitator of the circle's cohort holding the role today, or a participant enrolled in it; nobody else. */
  async membership(circleId: string, person: { id: string; clinicId: string; name: string } & PersonStanding): Promise<CircleMembership | null> {
    const [circle] = await this.db
      .select({ id: circles.id, clinicId: circles.clinicId, cohortId: circles.cohortId })
      .from(circles)
      .where(and(eq(circles.id, circleId), eq(circles.clinicId, person.clinicId)));
    if (!circle) return null;
    const [fac] = await this.db
      .select({ userId: cohortFacilitators.userId })
      .from(cohortFacilitators)
      .where(and(eq(cohortFacilitators.cohortId, circle.cohortId), eq(cohortFacilitators.userId, person.id)));
    const [enr] = await this.db
      .select({ displayName: enrollments.displayName })
      .from(enrollments)
      .where(and(eq(enrollments.cohortId, circle.cohortId), eq(enrollments.userId, person.id)));
    const role = circleRole(person, { facilitates: Boolean(fac), enrolled: Boolean(enr) });
    if (role === 'facilitator') return { circleId, clinicId: circle.clinicId, role, displayName: person.name };
    if (role === 'participant' && enr) return { circleId, clinicId: circle.clinicId, role, displayName: enr.displayName };
    return null;
  }

  async listFor(person: { id: string; clinicId: string } & PersonStanding): Promise<CircleListRow[]> {
    const base = {
      id: circles.id,
      title: circles.title,
      kind: circles.kind,
      startsAt: circles.startsAt,
      timeZone: circles.timeZone,
      cohortId: cohorts.id,
      cohortName: cohorts.name,
      format: cohorts.format,
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
    // POL2: the same rule as a join, so nobody is listed a circle they cannot enter.
    const facilitates = circleRole(person, { facilitates: true, enrolled: false }) === 'facilitator';
    const enrolled = circleRole(person, { facilitates: false, enrolled: true }) === 'participant';
    return [
      ...(facilitates ? asFacilitator : []).map((r) => ({ ...r, myRole: 'facilitator' as const })),
      ...(enrolled ? asParticipant : []).map((r) => ({ ...r, myRole: 'participant' as const })),
    ].sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime());
  }

  /** The circle's clinic, kind and roster with each participant's newest signed screening. */
  async context(circleId: string): Promise<CircleContext | null> {
    const [circle] = await this.db
      .select({ clinicId: circles.clinicId, cohortId: circles.cohortId, kind: circles.kind, startsAt: circles.startsAt, timeZone: circles.timeZone, settings: clinics.settings })
      .from(circles)
      .innerJoin(clinics, eq(clinics.id, circles.clinicId))
      .where(eq(circles.id, circleId));
    if (!circle) return null;
    const enrolled = await this.db
      .select({ personId: enrollments.userId, displayName: enrollments.displayName })
      .from(enrollments)
      .where(eq(enrollments.cohortId, circle.cohortId))
      .orderBy(asc(enrollments.displayName));
    const ids = enrolled.map((e) => e.personId);
    const latest =
      ids.length === 0
        ? []
        : await this.db
            .selectDistinctOn([screenings.participantId], { participantId: screenings.participantId, record: screenings.record })
            .from(screenings)
            .where(and(eq(screenings.clinicId, circle.clinicId), inArray(screenings.participantId, ids)))
            .orderBy(screenings.participantId, sql`${screenings.version} desc`);
    const byPerson = new Map(latest.map((r) => [r.participantId, r.record]));
    const texts = await this.db.select({ kind: consentTexts.kind, version: consentTexts.version }).from(consentTexts).where(eq(consentTexts.clinicId, circle.clinicId));
    const current: ConsentStanding['current'] = {};
    for (const t of texts) current[t.kind] = Math.max(current[t.kind] ?? 0, t.version);
    const signatures =
      ids.length === 0
        ? []
        : await this.db
            .select({ userId: consentSignatures.userId, kind: consentTexts.kind, version: consentTexts.version })
            .from(consentSignatures)
            .innerJoin(consentTexts, eq(consentTexts.id, consentSignatures.consentTextId))
            .where(and(eq(consentTexts.clinicId, circle.clinicId), inArray(consentSignatures.userId, ids)));
    const signedBy = (personId: string) => {
      const signed: ConsentStanding['signed'] = {};
      for (const s of signatures) if (s.userId === personId) signed[s.kind] = Math.max(signed[s.kind] ?? 0, s.version);
      return signed;
    };
    return {
      circleId,
      clinicId: circle.clinicId,
      cohortId: circle.cohortId,
      kind: circle.kind,
      startsAt: circle.startsAt,
      timeZone: circle.timeZone,
      settings: circle.settings,
      participants: enrolled.map((e) => ({ ...e, screening: byPerson.get(e.personId) ?? null, consents: { current, signed: signedBy(e.personId) } })),
    };
  }
}
