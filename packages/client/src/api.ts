import {
  acknowledgeAlertSchema,
  clinicOverviewSchema,
  cohortOutcomesSchema,
  commitmentDoneSchema,
  createJournalEntrySchema,
  journalDraftSchema,
  journalEntrySchema,
  myJournalSchema,
  myQuestionnairesSchema,
  outcomeSettingsSchema,
  participantOutcomesSchema,
  alertSchema,
  submitResultSchema,
  type CircleDetail,
  type ClinicOverview,
  type CohortOutcomes,
  type JournalEntryView,
  type MyJournal,
  type MyQuestionnaires,
  type ParticipantOutcomes,
  type ClinicAlert,
  type SubmitResponse,
  type SubmitResult,
  acceptInviteSchema,
  auditEntrySchema,
  auditQuerySchema,
  circleListSchema,
  circleDetailSchema,
  clinicSettingsSchema,
  cohortSummarySchema,
  consentTextSchema,
  createdWithInviteSchema,
  createParticipantSchema,
  createStaffSchema,
  enrollSchema,
  healthSchema,
  inviteInfoSchema,
  meSchema,
  myConsentSchema,
  outboxMessageSchema,
  participantSchema,
  publishConsentSchema,
  rosterEntrySchema,
  screeningQueueEntrySchema,
  screeningVersionSchema,
  signConsentSchema,
  staffMemberSchema,
  recoveryCodesSchema,
  totpCodeSchema,
  totpSetupSchema,
  updateRolesSchema,
  type CircleSummary,
  type CohortSummary,
  type CreateCohort,
  type Failure,
  type Health,
  type Me,
  type Participant,
  type Result,
  type RosterEntry,
  type ScreeningVersion,
  type SignInBody,
  type StaffMember,
} from '@holdspace/protocol';
import type { ClinicSettings, ScreeningRecord } from '@holdspace/domain';
import { z } from 'zod';

export type InviteInfo = z.infer<typeof inviteInfoSchema>;
export type AcceptInvite = z.input<typeof acceptInviteSchema>;
export type CreatedWithInvite = z.infer<typeof createdWithInviteSchema>;
export type TotpSetup = z.infer<typeof totpSetupSchema>;
export type TotpCode = z.input<typeof totpCodeSchema>;
export type RecoveryCodes = z.infer<typeof recoveryCodesSchema>;
export type CreateStaff = z.input<typeof createStaffSchema>;
export type UpdateRoles = z.input<typeof updateRolesSchema>;
export type CreateParticipant = z.input<typeof createParticipantSchema>;
export type Enroll = z.input<typeof enrollSchema>;
export type ConsentText = z.infer<typeof consentTextSchema>;
export type PublishConsent = z.input<typeof publishConsentSchema>;
export type MyConsent = z.infer<typeof myConsentSchema>;
export type SignConsent = z.input<typeof signConsentSchema>;
export type ScreeningQueueEntry = z.infer<typeof screeningQueueEntrySchema>;
export type AuditQuery = Partial<z.input<typeof auditQuerySchema>>;
export type AuditEntry = z.infer<typeof auditEntrySchema>;
export type OutboxMessage = z.infer<typeof outboxMessageSchema>;
export type OutcomeSettingsBody = z.input<typeof outcomeSettingsSchema>;
export type AcknowledgeAlert = z.input<typeof acknowledgeAlertSchema>;
export type JournalDraftBody = z.input<typeof journalDraftSchema>;
export type CreateJournalEntry = z.input<typeof createJournalEntrySchema>;
export type CommitmentDone = z.input<typeof commitmentDoneSchema>;

const staffListSchema = z.array(staffMemberSchema);
const participantListSchema = z.array(participantSchema);
const cohortListSchema = z.array(cohortSummarySchema);
const rosterSchema = z.array(rosterEntrySchema);
const consentTextListSchema = z.array(consentTextSchema);
const myConsentListSchema = z.array(myConsentSchema);
const screeningQueueSchema = z.array(screeningQueueEntrySchema);
const screeningHistorySchema = z.array(screeningVersionSchema);
const auditListSchema = z.array(auditEntrySchema);
const outboxListSchema = z.array(outboxMessageSchema);
const alertListSchema = z.array(alertSchema);
/** Exports are files: the client keeps them as text (CSV) or as the JSON document they are. */
const fhirBundleSchema = z.object({ resourceType: z.literal('Bundle') }).loose();
const myDataSchema = z.object({ exportedAt: z.string() }).loose();

const seg = (value: string) => encodeURIComponent(value);

export const cohortCsvKinds = ['scores', 'attendance', 'adverse-events'] as const;
export type CohortCsv = (typeof cohortCsvKinds)[number];

export interface ApiOptions {
  /** Absolute origin for Node callers; the browser uses relative URLs. */
  baseUrl?: string;
  /** Node callers hold the session cookie themselves; browsers leave it to the cookie jar. */
  cookieJar?: { cookie: string | null };
  fetch?: typeof fetch;
}

/** Typed fetch client for /api: every answer is a Result, never a thrown HTTP error. */
export class HoldspaceApi {
  private readonly base: string;
  private readonly doFetch: typeof fetch;
  constructor(private readonly options: ApiOptions = {}) {
    this.base = options.baseUrl ?? '';
    this.doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  get origin(): string {
    return this.base;
  }

  async request<T>(method: string, path: string, schema: z.ZodType<T> | null, body?: unknown): Promise<Result<T>> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const jar = this.options.cookieJar;
    if (jar?.cookie) headers.cookie = jar.cookie;
    if (this.base && method !== 'GET') headers.origin = this.base;
    let res: Response;
    try {
      res = await this.doFetch(`${this.base}${path}`, {
        method,
        headers,
        credentials: 'same-origin',
        body: body === undefined ? null : JSON.stringify(body),
      });
    } catch {
      return { ok: false, code: 'UNAVAILABLE', message: 'Cannot reach Holdspace. Check your connection.' };
    }
    if (jar) {
      const setCookie = res.headers.get('set-cookie');
      if (setCookie) jar.cookie = setCookie.split(';')[0] ?? null;
    }
    const json: unknown = res.status === 204 ? null : await res.json().catch(() => null);
    if (!res.ok) {
      const f = json as Partial<Failure> | null;
      return { ok: false, code: f?.code ?? 'INTERNAL', message: f?.message ?? `Request failed (${res.status})`, ...(f?.issues ? { issues: f.issues } : {}), ...(f?.rule ? { rule: f.rule } : {}) };
    }
    if (!schema) return { ok: true, data: null as T };
    const parsed = schema.safeParse(json);
    return parsed.success ? { ok: true, data: parsed.data } : { ok: false, code: 'INTERNAL', message: 'Unexpected answer from the server.' };
  }

  signIn(body: SignInBody) {
    return this.request('POST', '/api/auth/sign-in', meSchema, body);
  }
  signOut() {
    return this.request('POST', '/api/auth/sign-out', null, {});
  }
  /** Ends every session of the signed-in person, on every device (this one included). */
  signOutEverywhere(): Promise<Result<null>> {
    return this.request('POST', '/api/auth/sign-out-everywhere', null, {});
  }
  me(): Promise<Result<Me>> {
    return this.request('GET', '/api/auth/me', meSchema);
  }

  // Two-factor sign-in (TOTP)
  totpSetup(): Promise<Result<TotpSetup>> {
    return this.request('POST', '/api/auth/totp/setup', totpSetupSchema, {});
  }
  totpEnable(body: TotpCode): Promise<Result<RecoveryCodes>> {
    return this.request('POST', '/api/auth/totp/enable', recoveryCodesSchema, body);
  }
  totpDisable(body: TotpCode): Promise<Result<null>> {
    return this.request('POST', '/api/auth/totp/disable', null, body);
  }

  // Invites (no session needed)
  invite(token: string): Promise<Result<InviteInfo>> {
    return this.request('GET', `/api/invites/${seg(token)}`, inviteInfoSchema);
  }
  /** Sets the password and signs the person in. */
  acceptInvite(token: string, body: AcceptInvite): Promise<Result<Me>> {
    return this.request('POST', `/api/invites/${seg(token)}/accept`, meSchema, body);
  }

  // Staff (clinic admin)
  staff(): Promise<Result<StaffMember[]>> {
    return this.request('GET', '/api/staff', staffListSchema);
  }
  createStaff(body: CreateStaff): Promise<Result<CreatedWithInvite>> {
    return this.request('POST', '/api/staff', createdWithInviteSchema, body);
  }
  updateStaffRoles(userId: string, body: UpdateRoles): Promise<Result<StaffMember>> {
    return this.request('PATCH', `/api/staff/${seg(userId)}`, staffMemberSchema, body);
  }
  /** A lost phone: their two-factor is turned off (audited) and they are signed out everywhere. */
  resetStaffTwoFactor(userId: string): Promise<Result<null>> {
    return this.request('POST', `/api/staff/${seg(userId)}/two-factor/reset`, null, {});
  }

  // Participants (clinic admin)
  participants(): Promise<Result<Participant[]>> {
    return this.request('GET', '/api/participants', participantListSchema);
  }
  createParticipant(body: CreateParticipant): Promise<Result<CreatedWithInvite>> {
    return this.request('POST', '/api/participants', createdWithInviteSchema, body);
  }
  /** A fresh invite; the previous one stops working. */
  reinviteParticipant(userId: string): Promise<Result<CreatedWithInvite>> {
    return this.request('POST', `/api/participants/${seg(userId)}/invite`, createdWithInviteSchema, {});
  }

  // Cohorts
  cohorts(): Promise<Result<CohortSummary[]>> {
    return this.request('GET', '/api/cohorts', cohortListSchema);
  }
  createCohort(body: CreateCohort): Promise<Result<CohortSummary>> {
    return this.request('POST', '/api/cohorts', cohortSummarySchema, body);
  }
  cohort(cohortId: string): Promise<Result<CohortSummary>> {
    return this.request('GET', `/api/cohorts/${seg(cohortId)}`, cohortSummarySchema);
  }
  enroll(cohortId: string, body: Enroll): Promise<Result<null>> {
    return this.request('POST', `/api/cohorts/${seg(cohortId)}/enrollments`, null, body);
  }
  /** Takes a facilitator or participant off a cohort; their live connections to its circles are cut. */
  removeFromCohort(cohortId: string, userId: string): Promise<Result<null>> {
    return this.request('DELETE', `/api/cohorts/${seg(cohortId)}/members/${seg(userId)}`, null);
  }
  roster(cohortId: string): Promise<Result<RosterEntry[]>> {
    return this.request('GET', `/api/cohorts/${seg(cohortId)}/roster`, rosterSchema);
  }

  // Consents
  /** Every version of every consent text (clinic admin). */
  consents(): Promise<Result<ConsentText[]>> {
    return this.request('GET', '/api/consents', consentTextListSchema);
  }
  publishConsent(body: PublishConsent): Promise<Result<ConsentText>> {
    return this.request('POST', '/api/consents', consentTextSchema, body);
  }
  /** The current version of each consent text, and when the signed-in participant signed it. */
  myConsents(): Promise<Result<MyConsent[]>> {
    return this.request('GET', '/api/me/consents', myConsentListSchema);
  }
  signConsent(consentTextId: string, body: SignConsent): Promise<Result<null>> {
    return this.request('POST', `/api/me/consents/${seg(consentTextId)}/sign`, null, body);
  }

  // Screening and clearance
  screeningQueue(): Promise<Result<ScreeningQueueEntry[]>> {
    return this.request('GET', '/api/screening/queue', screeningQueueSchema);
  }
  /** Signed versions, newest first. */
  screenings(userId: string): Promise<Result<ScreeningVersion[]>> {
    return this.request('GET', `/api/participants/${seg(userId)}/screenings`, screeningHistorySchema);
  }
  signScreening(userId: string, record: ScreeningRecord): Promise<Result<ScreeningVersion>> {
    return this.request('POST', `/api/participants/${seg(userId)}/screenings`, screeningVersionSchema, record);
  }

  // Clinic settings, audit trail, mail outbox (clinic admin)
  settings(): Promise<Result<ClinicSettings>> {
    return this.request('GET', '/api/settings', clinicSettingsSchema);
  }
  saveSettings(body: ClinicSettings): Promise<Result<ClinicSettings>> {
    return this.request('PUT', '/api/settings', clinicSettingsSchema, body);
  }
  audit(query: AuditQuery = {}): Promise<Result<AuditEntry[]>> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
    }
    const qs = params.toString();
    return this.request('GET', `/api/audit${qs ? `?${qs}` : ''}`, auditListSchema);
  }
  outbox(): Promise<Result<OutboxMessage[]>> {
    return this.request('GET', '/api/outbox', outboxListSchema);
  }
  // Questionnaires (participant)
  myQuestionnaires(): Promise<Result<MyQuestionnaires>> {
    return this.request('GET', '/api/me/questionnaires', myQuestionnairesSchema);
  }
  /** Idempotent by `responseId`: resending after a lost answer stores nothing twice. */
  submitQuestionnaire(body: SubmitResponse): Promise<Result<SubmitResult>> {
    return this.request('POST', '/api/me/questionnaires', submitResultSchema, body);
  }

  // Integration journal (participant only: no staff route reads it)
  myJournal(): Promise<Result<MyJournal>> {
    return this.request('GET', '/api/me/journal', myJournalSchema);
  }
  /** Idempotent by `entryId`. */
  createJournalEntry(body: CreateJournalEntry): Promise<Result<JournalEntryView>> {
    return this.request('POST', '/api/me/journal', journalEntrySchema, body);
  }
  updateJournalEntry(entryId: string, body: JournalDraftBody): Promise<Result<JournalEntryView>> {
    return this.request('PUT', `/api/me/journal/${seg(entryId)}`, journalEntrySchema, body);
  }
  deleteJournalEntry(entryId: string): Promise<Result<null>> {
    return this.request('DELETE', `/api/me/journal/${seg(entryId)}`, null);
  }
  setCommitmentDone(entryId: string, commitmentId: string, body: CommitmentDone): Promise<Result<JournalEntryView>> {
    return this.request('PUT', `/api/me/journal/${seg(entryId)}/commitments/${seg(commitmentId)}`, journalEntrySchema, body);
  }

  // My own data
  myData(): Promise<Result<Record<string, unknown>>> {
    return this.request('GET', '/api/me/export', myDataSchema);
  }
  myFhir(): Promise<Result<Record<string, unknown>>> {
    return this.request('GET', '/api/me/export/fhir', fhirBundleSchema);
  }

  // Safety alerts (clinicians)
  safetyAlerts(status: 'open' | 'all' = 'open'): Promise<Result<ClinicAlert[]>> {
    return this.request('GET', `/api/safety-alerts?status=${status}`, alertListSchema);
  }
  acknowledgeSafetyAlert(alertId: string, body: AcknowledgeAlert): Promise<Result<ClinicAlert>> {
    return this.request('POST', `/api/safety-alerts/${seg(alertId)}/acknowledge`, alertSchema, body);
  }
  careAlerts(): Promise<Result<ClinicAlert[]>> {
    return this.request('GET', '/api/care-alerts', alertListSchema);
  }
  acknowledgeCareAlert(circleId: string, alertId: string, body: { note?: string }): Promise<Result<ClinicAlert>> {
    return this.request('POST', `/api/care-alerts/${seg(circleId)}/${seg(alertId)}/acknowledge`, alertSchema, body);
  }

  // Outcomes, attendance and exports (staff)
  cohortOutcomes(cohortId: string): Promise<Result<CohortOutcomes>> {
    return this.request('GET', `/api/cohorts/${seg(cohortId)}/outcomes`, cohortOutcomesSchema);
  }
  setOutcomeSettings(cohortId: string, body: OutcomeSettingsBody): Promise<Result<CohortSummary>> {
    return this.request('PUT', `/api/cohorts/${seg(cohortId)}/outcome-settings`, cohortSummarySchema, body);
  }
  participantOutcomes(userId: string): Promise<Result<ParticipantOutcomes>> {
    return this.request('GET', `/api/participants/${seg(userId)}/outcomes`, participantOutcomesSchema);
  }
  clinicOverview(): Promise<Result<ClinicOverview>> {
    return this.request('GET', '/api/outcomes/overview', clinicOverviewSchema);
  }
  participantFhir(userId: string): Promise<Result<Record<string, unknown>>> {
    return this.request('GET', `/api/participants/${seg(userId)}/export/fhir`, fhirBundleSchema);
  }
  /** A cohort's CSV export: scores, attendance or adverse events. */
  async cohortCsv(cohortId: string, kind: CohortCsv): Promise<Result<string>> {
    return this.text(`/api/cohorts/${seg(cohortId)}/export/${kind}.csv`);
  }

  /** A GET whose answer is a file's text. */
  private async text(path: string): Promise<Result<string>> {
    const headers: Record<string, string> = {};
    if (this.options.cookieJar?.cookie) headers.cookie = this.options.cookieJar.cookie;
    let res: Response;
    try {
      res = await this.doFetch(`${this.base}${path}`, { headers, credentials: 'same-origin' });
    } catch {
      return { ok: false, code: 'UNAVAILABLE', message: 'Cannot reach Holdspace. Check your connection.' };
    }
    if (res.ok) return { ok: true, data: await res.text() };
    const f = (await res.json().catch(() => null)) as Partial<Failure> | null;
    return { ok: false, code: f?.code ?? 'INTERNAL', message: f?.message ?? `Request failed (${res.status})` };
  }

  async circles(): Promise<Result<CircleSummary[]>> {
    const r = await this.request('GET', '/api/circles', circleListSchema);
    return r.ok ? { ok: true, data: r.data.circles } : r;
  }
  circle(circleId: string): Promise<Result<CircleDetail>> {
    return this.request('GET', `/api/circles/${encodeURIComponent(circleId)}`, circleDetailSchema);
  }
  health(): Promise<Result<Health>> {
    return this.request('GET', '/api/health', healthSchema);
  }
}
