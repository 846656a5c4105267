import { and, asc, desc, eq, getTableColumns, inArray, isNull, sql, type SQL } from 'drizzle-orm';
import type { Answers, CircleEvent, CircleState, ClinicSettings, Commitment, ConsentKind, InstrumentId, JournalPrompt, OutcomeSettings, ScreeningRecord } from '@holdspace/domain';
import type { Database } from './create-db.js';
import { CircleLog, toEvent } from './circle-log.js';
import {
  auditLog,
  circleEvents,
  circleSnapshots,
  circles,
  clinics,
  cohortFacilitators,
  cohorts,
  consentSignatures,
  consentTexts,
  enrollments,
  invites,
  journalEntries,
  outboxMessages,
  questionnaireResponses,
  safetyAlerts,
  screenings,
  users,
} from './schema.js';

export type ResponseRow = typeof questionnaireResponses.$inferSelect;
/** An alert with the assessment point of the response that raised it. */
export type SafetyAlertRow = typeof safetyAlerts.$inferSelect & { assessmentKey: string };
export type JournalRow = typeof journalEntries.$inferSelect;

/** A response to store, scored by the caller; `alert` when it needs a clinician now (CRS1). */
export interface NewResponse {
  id: string;
  participantId: string;
  cohortId: string;
  instrument: InstrumentId;
  assessmentKey: string;
  answers: Answers;
  total: number;
  band: string;
  submittedAt: Date;
  alert: { item: string; answer: number } | null;
}

export type StoredResponse =
  | { kind: 'stored'; row: ResponseRow; alert: SafetyAlertRow | null }
  | { kind: 'duplicate'; row: ResponseRow }
  /** Another response already answers this instrument at this point. */
  | { kind: 'already_answered' };

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
  async cohorts(filter: { facilitatedBy?: string | undefined; id?: string | undefined; enrolled?: string | undefined } = {}) {
    const enrolledIn = filter.enrolled
      ? this.db.select({ id: enrollments.cohortId }).from(enrollments).where(eq(enrollments.userId, filter.enrolled))
      : undefined;
    const rows = await this.db
      .select()
      .from(cohorts)
      .where(and(this.mine(cohorts), filter.id ? eq(cohorts.id, filter.id) : undefined, enrolledIn ? inArray(cohorts.id, enrolledIn) : undefined))
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
    outcomes: OutcomeSettings;
  }): Promise<string> {
    return this.db.transaction(async (tx) => {
      const [cohort] = await tx
        .insert(cohorts)
        .values({
          clinicId: this.clinicId,
          name: input.name,
          capacity: input.capacity,
          format: input.format,
          location: input.location,
          jurisdiction: input.jurisdiction,
          timeZone: input.timeZone,
          instruments: input.outcomes.instruments,
          followUpDays: input.outcomes.followUpDays,
        })
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

  async setOutcomeSettings(cohortId: string, settings: OutcomeSettings) {
    await this.db
      .update(cohorts)
      .set({ instruments: settings.instruments, followUpDays: settings.followUpDays })
      .where(and(eq(cohorts.id, cohortId), this.mine(cohorts)));
  }

  async enroll(cohortId: string, userId: string, displayName: string) {
    await this.db.insert(enrollments).values({ cohortId, userId, displayName });
  }

  /** Takes a person off a cohort of this clinic (as facilitator or participant): whether they were on it. */
  async removeFromCohort(cohortId: string, userId: string): Promise<boolean> {
    const mine = this.db.select({ id: cohorts.id }).from(cohorts).where(and(eq(cohorts.id, cohortId), this.mine(cohorts)));
    const facs = await this.db.delete(cohortFacilitators).where(and(inArray(cohortFacilitators.cohortId, mine), eq(cohortFacilitators.userId, userId))).returning();
    const enr = await this.db.delete(enrollments).where(and(inArray(enrollments.cohortId, mine), eq(enrollments.userId, userId))).returning();
    return facs.length + enr.length > 0;
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

  // ── questionnaires and safety alerts ──────────────────────────────────────────────────────────────────────────
  async responses(filter: { participantId?: string | undefined; cohortIds?: string[] | undefined }) {
    if (filter.cohortIds?.length === 0) return [];
    return this.db
      .select()
      .from(questionnaireResponses)
      .where(
        and(
          this.mine(questionnaireResponses),
          filter.participantId ? eq(questionnaireResponses.participantId, filter.participantId) : undefined,
          filter.cohortIds ? inArray(questionnaireResponses.cohortId, filter.cohortIds) : undefined,
        ),
      )
      .orderBy(asc(questionnaireResponses.submittedAt));
  }

  async response(id: string) {
    const [row] = await this.db.select().from(questionnaireResponses).where(and(eq(questionnaireResponses.id, id), this.mine(questionnaireResponses)));
    return row ?? null;
  }

  /**
   * Stores a response once: the same id again returns the first (a retry after a lost answer); another response for
   * the same instrument and point is refused. A response that needs a clinician gets its alert in the same
   * transaction, so no crisis answer is ever stored without one.
   */
  async storeResponse(input: NewResponse): Promise<StoredResponse> {
    return this.db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${input.participantId} || ${input.cohortId} || ${input.instrument} || ${input.assessmentKey}))`);
      const [seen] = await tx.select().from(questionnaireResponses).where(eq(questionnaireResponses.id, input.id));
      if (seen) return seen.participantId === input.participantId && seen.clinicId === this.clinicId ? { kind: 'duplicate', row: seen } : { kind: 'already_answered' };
      const [other] = await tx
        .select({ id: questionnaireResponses.id })
        .from(questionnaireResponses)
        .where(
          and(
            eq(questionnaireResponses.participantId, input.participantId),
            eq(questionnaireResponses.cohortId, input.cohortId),
            eq(questionnaireResponses.instrument, input.instrument),
            eq(questionnaireResponses.assessmentKey, input.assessmentKey),
          ),
        );
      if (other) return { kind: 'already_answered' };
      const { alert: wanted, ...values } = input;
      const [row] = await tx
        .insert(questionnaireResponses)
        .values({ ...values, clinicId: this.clinicId, crisis: wanted !== null })
        .returning();
      if (!row) throw new Error('response not stored');
      const [alert] = wanted
        ? await tx
            .insert(safetyAlerts)
            .values({ clinicId: this.clinicId, participantId: input.participantId, responseId: row.id, instrument: input.instrument, item: wanted.item, answer: wanted.answer, raisedAt: input.submittedAt })
            .returning()
        : [];
      return { kind: 'stored', row, alert: alert ? { ...alert, assessmentKey: row.assessmentKey } : null };
    });
  }

  async safetyAlerts(filter: { open?: boolean; participantIds?: string[] | undefined; id?: string | undefined } = {}) {
    if (filter.participantIds?.length === 0) return [];
    return this.db
      .select({ ...getTableColumns(safetyAlerts), assessmentKey: questionnaireResponses.assessmentKey })
      .from(safetyAlerts)
      .innerJoin(questionnaireResponses, eq(questionnaireResponses.id, safetyAlerts.responseId))
      .where(
        and(
          this.mine(safetyAlerts),
          filter.open ? isNull(safetyAlerts.acknowledgedAt) : undefined,
          filter.participantIds ? inArray(safetyAlerts.participantId, filter.participantIds) : undefined,
          filter.id ? eq(safetyAlerts.id, filter.id) : undefined,
        ),
      )
      .orderBy(desc(safetyAlerts.raisedAt));
  }

  /** Acknowledges an open alert once; null when there is no such open alert. */
  async acknowledgeAlert(alertId: string, by: string, note: string, at: Date) {
    const rows = await this.db
      .update(safetyAlerts)
      .set({ acknowledgedAt: at, acknowledgedBy: by, note })
      .where(and(eq(safetyAlerts.id, alertId), this.mine(safetyAlerts), isNull(safetyAlerts.acknowledgedAt)))
      .returning({ id: safetyAlerts.id });
    return rows.length === 0 ? null : ((await this.safetyAlerts({ id: alertId }))[0] ?? null);
  }

  /** Staff holding a role, e.g. every prescriber of the clinic. */
  async staffWithRole(role: string): Promise<string[]> {
    const rows = await this.db
      .select({ id: users.id })
      .from(users)
      .where(and(this.mine(users), eq(users.kind, 'staff'), sql`${role} = any(${users.roles})`));
    return rows.map((r) => r.id);
  }

  // ── circles, as outcomes read them ────────────────────────────────────────────────────────────────────────────
  /** Every event of these circles, in seq order per circle: attendance, adverse events and vitals derive from it. */
  async circleEvents(circleIds: string[]): Promise<CircleEvent[]> {
    if (circleIds.length === 0) return [];
    const rows = await this.db
      .select({ e: circleEvents })
      .from(circleEvents)
      .innerJoin(circles, eq(circles.id, circleEvents.circleId))
      .where(and(this.mine(circles), inArray(circleEvents.circleId, circleIds)))
      .orderBy(asc(circleEvents.circleId), asc(circleEvents.seq));
    return rows.map((r) => toEvent(r.e));
  }

  /** Those of these circles that are open or in session now. */
  async liveCircles(circleIds: string[]): Promise<string[]> {
    if (circleIds.length === 0) return [];
    const rows = await this.db
      .select({ circleId: circleSnapshots.circleId })
      .from(circleSnapshots)
      .innerJoin(circles, eq(circles.id, circleSnapshots.circleId))
      .where(and(this.mine(circles), inArray(circleSnapshots.circleId, circleIds), sql`${circleSnapshots.state}->>'status' in ('open', 'in_session')`));
    return rows.map((r) => r.circleId);
  }

  async circleStates(circleIds: string[]): Promise<Map<string, CircleState>> {
    if (circleIds.length === 0) return new Map();
    const rows = await this.db
      .select({ circleId: circleSnapshots.circleId, state: circleSnapshots.state })
      .from(circleSnapshots)
      .innerJoin(circles, eq(circles.id, circleSnapshots.circleId))
      .where(and(this.mine(circles), inArray(circleSnapshots.circleId, circleIds)));
    return new Map(rows.map((r) => [r.circleId, r.state]));
  }

  // ── integration journal: always by its author ─────────────────────────────────────────────────────────────────
  async journal(participantId: string) {
    return this.db
      .select()
      .from(journalEntries)
      .where(and(this.mine(journalEntries), eq(journalEntries.participantId, participantId)))
      .orderBy(desc(journalEntries.createdAt));
  }

  async journalEntry(participantId: string, entryId: string) {
    const [row] = await this.db
      .select()
      .from(journalEntries)
      .where(and(this.mine(journalEntries), eq(journalEntries.participantId, participantId), eq(journalEntries.id, entryId)));
    return row ?? null;
  }

  /** Creates the entry once: the same id again returns what is stored, if it is this author's. */
  async createJournalEntry(input: { id: string; participantId: string; circleId: string | null; prompts: Record<JournalPrompt, string>; commitments: Commitment[]; at: Date }) {
    const { at, ...values } = input;
    await this.db
      .insert(journalEntries)
      .values({ ...values, clinicId: this.clinicId, createdAt: at, updatedAt: at })
      .onConflictDoNothing({ target: journalEntries.id });
    return this.journalEntry(input.participantId, input.id);
  }

  async updateJournalEntry(participantId: string, entryId: string, change: { circleId?: string | null; prompts?: Record<JournalPrompt, string>; commitments: Commitment[]; at: Date }) {
    const { at, ...values } = change;
    const [row] = await this.db
      .update(journalEntries)
      .set({ ...values, updatedAt: at })
      .where(and(this.mine(journalEntries), eq(journalEntries.participantId, participantId), eq(journalEntries.id, entryId)))
      .returning();
    return row ?? null;
  }

  async deleteJournalEntry(participantId: string, entryId: string): Promise<boolean> {
    const rows = await this.db
      .delete(journalEntries)
      .where(and(this.mine(journalEntries), eq(journalEntries.participantId, participantId), eq(journalEntries.id, entryId)))
      .returning({ id: journalEntries.id });
    return rows.length > 0;
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
