import { and, asc, desc, eq, inArray, isNull, sql, type SQL } from 'drizzle-orm';
import type { ClinicSettings, ConsentKind, ScreeningRecord } from '@holdspace/domain';
import type { Database } from './create-db.js';
import { CircleLog } from './circle-log.js';
import {
  auditLog,
  circles,
  clinics,
  cohortFacilitators,
  cohorts,
  consentSignatures,
  consentTexts,
  enrollments,
  invites,
  outboxMessages,
  screenings,
  users,
} from './schema.js';

export interface AuditInput {
  actorId: string | null;
  action: string;
  resourceType: string;
  resourceId?: string | null | undefined;
  subjectId?: string | null | undefined;
  ip?: string | null | undefined;
  userAgent?: string | null | undefined;
  details?: unknown;
}

export interface NewCircle {
  kind: 'preparation' | 'dosing' | 'integration' | 'follow_up';
  title: string;
  startsAt: Date;
  timeZone: string;
}

/**
 * Every read and write of one clinic's data goes through here, and every query below filters by that clinic:
 * the one place tenancy is enforced. Routes never see a bare database handle.
 */
export class ClinicScope {
  constructor(
    private readonly db: Database,
    readonly clinicId: string,
  ) {}

  private mine<T extends { clinicId: unknown }>(table: T): SQL {
    return eq(table.clinicId as never, this.clinicId);
  }

  // ── clinic ────────────────────────────────────────────────────────────────────────────────────────────────────
  async settings(): Promise<ClinicSettings> {
    const [row] = await this.db.select({ settings: clinics.settings }).from(clinics).where(eq(clinics.id, this.clinicId));
    if (!row) throw new Error('clinic not found');
    return row.settings;
  }

  async updateSettings(settings: ClinicSettings): Promise<void> {
    await this.db.update(clinics).set({ settings }).where(eq(clinics.id, this.clinicId));
  }

  async clinicName(): Promise<string> {
    const [row] = await this.db.select({ name: clinics.name }).from(clinics).where(eq(clinics.id, this.clinicId));
    return row?.name ?? '';
  }

  // ── people ────────────────────────────────────────────────────────────────────────────────────────────────────
  async person(userId: string) {
    const [row] = await this.db.select().from(users).where(and(eq(users.id, userId), this.mine(users)));
    return row ?? null;
  }

  async people(kind: 'staff' | 'participant') {
    return this.db.select().from(users).where(and(this.mine(users), eq(users.kind, kind))).orderBy(asc(users.name));
  }

  async createPerson(input: { email: string; name: string; kind: 'staff' | 'participant'; roles: string[] }) {
    const [row] = await this.db.insert(users).values({ ...input, clinicId: this.clinicId }).returning();
    if (!row) throw new Error('person not created');
    return row;
  }

  async setRoles(userId: string, roles: string[]) {
    const [row] = await this.db.update(users).set({ roles }).where(and(eq(users.id, userId), this.mine(users), eq(users.kind, 'staff'))).returning();
    return row ?? null;
  }

  async enrollmentsOf(userIds: string[]) {
    if (userIds.length === 0) return [];
    return this.db
      .select({ userId: enrollments.userId, cohortId: cohorts.id, cohortName: cohorts.name, displayName: enrollments.displayName })
      .from(enrollments)
      .innerJoin(cohorts, eq(cohorts.id, enrollments.cohortId))
      .where(and(this.mine(cohorts), inArray(enrollments.userId, userIds)));
  }

  // ── invites and outgoing mail ─────────────────────────────────────────────────────────────────────────────────
  async createInvite(input: { userId: string; tokenHash: string; expiresAt: Date; createdBy: string }) {
    await this.db.transaction(async (tx) => {
      await tx.update(invites).set({ revokedAt: new Date() }).where(and(eq(invites.userId, input.userId), isNull(invites.usedAt), isNull(invites.revokedAt)));
      await tx.insert(invites).values({ ...input, clinicId: this.clinicId });
    });
  }

  async queueMail(message: { to: string; subject: string; body: string }) {
    await this.db.insert(outboxMessages).values({ ...message, clinicId: this.clinicId });
  }

  async outbox() {
    return this.db.select().from(outboxMessages).where(this.mine(outboxMessages)).orderBy(desc(outboxMessages.createdAt)).limit(200);
  }

  // ── cohorts ───────────────────────────────────────────────────────────────────────────────────────────────────
  async cohorts(filter: { facilitatedBy?: string | undefined; id?: string | undefined } = {}) {
    const rows = await this.db
      .select()
      .from(cohorts)
      .where(and(this.mine(cohorts), filter.id ? eq(cohorts.id, filter.id) : undefined))
      .orderBy(desc(cohorts.createdAt));
    const ids = rows.map((r) => r.id);
    if (ids.length === 0) return [];
    const [facs, circleRows, counts] = await Promise.all([
      this.db
        .select({ cohortId: cohortFacilitators.cohortId, id: users.id, name: users.name })
        .from(cohortFacilitators)
        .innerJoin(users, eq(users.id, cohortFacilitators.userId))
        .where(inArray(cohortFacilitators.cohortId, ids)),
      this.db.select().from(circles).where(and(this.mine(circles), inArray(circles.cohortId, ids))).orderBy(asc(circles.startsAt)),
      this.db
        .select({ cohortId: enrollments.cohortId, n: sql<number>`count(*)::int` })
        .from(enrollments)
        .where(inArray(enrollments.cohortId, ids))
        .groupBy(enrollments.cohortId),
    ]);
    return rows
      .map((c) => ({
        ...c,
        facilitators: facs.filter((f) => f.cohortId === c.id).map(({ id, name }) => ({ id, name })),
        circles: circleRows.filter((x) => x.cohortId === c.id),
        enrolled: Number(counts.find((n) => n.cohortId === c.id)?.n ?? 0),
      }))
      .filter((c) => !filter.facilitatedBy || c.facilitators.some((f) => f.id === filter.facilitatedBy));
  }

  async cohort(cohortId: string) {
    return (await this.cohorts({ id: cohortId }))[0] ?? null;
  }

  async createCohort(input: {
    name: string;
    capacity: number;
    format: 'in_person' | 'online' | 'hybrid';
    location: string;
    jurisdiction: string;
    timeZone: string;
    facilitatorIds: string[];
    program: NewCircle[];
  }): Promise<string> {
    return this.db.transaction(async (tx) => {
      const [cohort] = await tx
        .insert(cohorts)
        .values({ clinicId: this.clinicId, name: input.name, capacity: input.capacity, format: input.format, location: input.location, jurisdiction: input.jurisdiction, timeZone: input.timeZone })
        .returning();
      if (!cohort) throw new Error('cohort not created');
      await tx.insert(cohortFacilitators).values(input.facilitatorIds.map((userId) => ({ cohortId: cohort.id, userId })));
      const rows = await tx
        .insert(circles)
        .values(input.program.map((c) => ({ ...c, clinicId: this.clinicId, cohortId: cohort.id })))
        .returning();
      const log = new CircleLog(tx as unknown as Database);
      for (const c of rows) await log.init(c.id);
      return cohort.id;
    });
  }

  async enroll(cohortId: string, userId: string, displayName: string) {
    await this.db.insert(enrollments).values({ cohortId, userId, displayName });
  }

  async roster(cohortId: string) {
    return this.db
      .select({ participantId: users.id, name: users.name, displayName: enrollments.displayName, passwordHash: users.passwordHash })
      .from(enrollments)
      .innerJoin(users, eq(users.id, enrollments.userId))
      .innerJoin(cohorts, eq(cohorts.id, enrollments.cohortId))
      .where(and(eq(enrollments.cohortId, cohortId), this.mine(cohorts)))
      .orderBy(asc(enrollments.displayName));
  }

  // ── consent ───────────────────────────────────────────────────────────────────────────────────────────────────
  async consentTexts() {
    return this.db.select().from(consentTexts).where(this.mine(consentTexts)).orderBy(asc(consentTexts.kind), desc(consentTexts.version));
  }

  /** The newest version of each kind. */
  async currentConsents() {
    const all = await this.consentTexts();
    const latest = new Map<ConsentKind, (typeof all)[number]>();
    for (const t of all) if (!latest.has(t.kind) || latest.get(t.kind)!.version < t.version) latest.set(t.kind, t);
    return [...latest.values()];
  }

  async publishConsent(input: { kind: ConsentKind; title: string; body: string; publishedBy: string }) {
    return this.db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${this.clinicId} || ${input.kind}))`);
      const [last] = await tx
        .select({ version: consentTexts.version })
        .from(consentTexts)
        .where(and(this.mine(consentTexts), eq(consentTexts.kind, input.kind)))
        .orderBy(desc(consentTexts.version))
        .limit(1);
      const [row] = await tx.insert(consentTexts).values({ ...input, clinicId: this.clinicId, version: (last?.version ?? 0) + 1 }).returning();
      if (!row) throw new Error('consent not published');
      return row;
    });
  }

  async consentText(id: string) {
    const [row] = await this.db.select().from(consentTexts).where(and(eq(consentTexts.id, id), this.mine(consentTexts)));
    return row ?? null;
  }

  async signatures(userIds: string[]) {
    if (userIds.length === 0) return [];
    return this.db
      .select({ userId: consentSignatures.userId, kind: consentTexts.kind, version: consentTexts.version, consentTextId: consentTexts.id, signedAt: consentSignatures.signedAt })
      .from(consentSignatures)
      .innerJoin(consentTexts, eq(consentTexts.id, consentSignatures.consentTextId))
      .where(and(this.mine(consentTexts), inArray(consentSignatures.userId, userIds)));
  }

  async sign(consentTextId: string, userId: string, typedName: string, ip: string | null) {
    await this.db.insert(consentSignatures).values({ consentTextId, userId, typedName, ip }).onConflictDoNothing();
  }

  // ── screening ─────────────────────────────────────────────────────────────────────────────────────────────────
  async screenings(participantId: string) {
    return this.db
      .select({ s: screenings, signerName: users.name })
      .from(screenings)
      .innerJoin(users, eq(users.id, screenings.signedBy))
      .where(and(eq(screenings.participantId, participantId), this.mine(screenings)))
      .orderBy(desc(screenings.version));
  }

  /** The newest version for each participant given. */
  async latestScreenings(participantIds: string[]) {
    if (participantIds.length === 0) return [];
    return this.db
      .selectDistinctOn([screenings.participantId])
      .from(screenings)
      .where(and(this.mine(screenings), inArray(screenings.participantId, participantIds)))
      .orderBy(screenings.participantId, desc(screenings.version));
  }

  async signScreening(participantId: string, record: ScreeningRecord, signedBy: string) {
    return this.db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${participantId}))`);
      const [last] = await tx
        .select({ version: screenings.version })
        .from(screenings)
        .where(eq(screenings.participantId, participantId))
        .orderBy(desc(screenings.version))
        .limit(1);
      const [row] = await tx
        .insert(screenings)
        .values({ clinicId: this.clinicId, participantId, version: (last?.version ?? 0) + 1, record, decision: record.decision, validUntil: record.validUntil, signedBy })
        .returning();
      if (!row) throw new Error('screening not saved');
      return row;
    });
  }

  // ── audit ─────────────────────────────────────────────────────────────────────────────────────────────────────
  /** One entry, or many in one insert (a page that shows several people's health data). */
  async audit(entries: AuditInput | AuditInput[]) {
    const list = [entries].flat();
    if (list.length === 0) return;
    await this.db.insert(auditLog).values(list.map((entry) => ({ ...entry, clinicId: this.clinicId, details: entry.details ?? null })));
  }

  async auditTrail(filter: { subjectId?: string | undefined; actorId?: string | undefined; action?: string | undefined; resourceType?: string | undefined; limit: number }) {
    const where = [this.mine(auditLog)];
    if (filter.subjectId) where.push(eq(auditLog.subjectId, filter.subjectId));
    if (filter.actorId) where.push(eq(auditLog.actorId, filter.actorId));
    if (filter.action) where.push(eq(auditLog.action, filter.action));
    if (filter.resourceType) where.push(eq(auditLog.resourceType, filter.resourceType));
    return this.db.select().from(auditLog).where(and(...where)).orderBy(desc(auditLog.id)).limit(filter.limit);
  }

  async names(ids: string[]) {
    if (ids.length === 0) return new Map<string, string>();
    const rows = await this.db.select({ id: users.id, name: users.name }).from(users).where(and(this.mine(users), inArray(users.id, ids)));
    return new Map(rows.map((r) => [r.id, r.name]));
  }
}
