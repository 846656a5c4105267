import { z } from 'zod';
import { instrumentIds, isSafeCrisisUrl, JOURNAL_LIMITS, journalPrompts, type ClinicAlert, type InstrumentId, type JournalPrompt } from '@holdspace/domain';
import { circleKindSchema, circleSummarySchema } from './http.js';
import { freeText, storable } from './text.js';

const uuid = (what: string) => z.string().uuid(`Not a valid ${what} id`);
const iso = z.string();

// ── instruments and the schedule ──────────────────────────────────────────────────────────────────────────────────
export const instrumentIdSchema = z.enum(instrumentIds as [InstrumentId, ...InstrumentId[]], { error: 'Not a known questionnaire' });

/** A cohort's questionnaires: PHQ-9 and GAD-7 always, PCL-5 when chosen; and when the follow-up comes. */
export const outcomeSettingsSchema = z.object({
  instruments: z
    .array(instrumentIdSchema)
    .max(3)
    .refine((list) => list.includes('phq9') && list.includes('gad7'), 'PHQ-9 and GAD-7 are always given')
    .transform((list) => instrumentIds.filter((id) => list.includes(id))),
  followUpDays: z.number({ error: 'Give the follow-up in days' }).int('Whole days').min(1, 'At least 1 day').max(365, 'At most a year'),
});
export type OutcomeSettingsInput = z.input<typeof outcomeSettingsSchema>;

export const assessmentKeySchema = z.string().regex(/^(baseline|follow_up|after-[0-9a-f-]{36})$/, 'Not a known assessment');
export const pointStatusSchema = z.enum(['upcoming', 'due', 'overdue', 'missed', 'done']);

export const assessmentPointSchema = z.object({
  key: z.string(),
  kind: z.enum(['baseline', 'post_dosing', 'follow_up']),
  label: z.string(),
  circleId: z.string().nullable(),
  opensAt: iso.nullable(),
  dueAt: iso,
  closesAt: iso.nullable(),
});

const crisisNumber = z
  .string()
  .trim()
  .regex(/^[+\d][\d\s().-]{1,24}$/, 'Enter a phone number')
  .nullable();
const crisisResourceSchema = z.object({
  label: freeText({ min: 1, max: 120, tooShort: 'Name the service' }),
  description: freeText({ max: 300 }),
  phone: crisisNumber,
  sms: crisisNumber,
  url: storable(z.string().trim().max(300).url('Enter a full web address (https://…)').refine(isSafeCrisisUrl, 'Enter a full web address starting with https://')).nullable(),
});
export { crisisResourceSchema };

/** One circle as its page loads it, with the clinic's crisis lines for the support screen after the close (CARE1). */
export const circleDetailSchema = circleSummarySchema.extend({ crisisResources: z.array(crisisResourceSchema) });
export type CircleDetail = z.infer<typeof circleDetailSchema>;

/** One assessment point for the signed-in participant, with what is left to answer there. */
export const myAssessmentSchema = z.object({
  cohort: z.object({ id: z.string().uuid(), name: z.string() }),
  point: assessmentPointSchema,
  status: pointStatusSchema,
  instruments: z.array(z.object({ id: instrumentIdSchema, answeredAt: iso.nullable() })),
});
export type MyAssessment = z.infer<typeof myAssessmentSchema>;

export const myQuestionnairesSchema = z.object({
  assessments: z.array(myAssessmentSchema),
  crisisResources: z.array(crisisResourceSchema),
});
export type MyQuestionnaires = z.infer<typeof myQuestionnairesSchema>;

/** A finished questionnaire. `responseId` is made on the device, so a retried send is stored once. */
export const submitResponseSchema = z.object({
  responseId: uuid('response'),
  cohortId: uuid('cohort'),
  assessmentKey: assessmentKeySchema,
  instrument: instrumentIdSchema,
  answers: z
    .record(storable(z.string().min(1).max(40)), z.number().int('Choose one of the answers').min(0).max(4))
    .refine((a) => Object.keys(a).length <= 40, 'Too many answers'),
});
export type SubmitResponse = z.input<typeof submitResponseSchema>;

export const submitResultSchema = z.object({
  responseId: z.string().uuid(),
  /** True when this response had already been stored: the first result is returned again. */
  duplicate: z.boolean(),
  /** CRS1: the answers need a clinician now; the team has been told. */
  crisis: z.boolean(),
  crisisResources: z.array(crisisResourceSchema),
});
export type SubmitResult = z.infer<typeof submitResultSchema>;

// ── safety alerts ─────────────────────────────────────────────────────────────────────────────────────────────────
const alertKindSchema = z.enum(['support', 'break', 'vitals', 'crisis', 'observation', 'vitals_due', 'disconnected']);
const staffRef = z.object({ id: z.string(), name: z.string() });

/** ALR4: every alert a clinician sees, in the one model of the domain (`ClinicAlert`), whatever raised it. */
export const alertSchema = z.object({
  id: z.string(),
  kind: alertKindSchema,
  urgency: z.union([z.literal(1), z.literal(2), z.literal(3)]),
  person: z.object({ id: z.string(), name: z.string(), cohorts: z.array(z.object({ id: z.string().uuid(), name: z.string(), displayName: z.string() })) }),
  circle: z.object({ id: z.string().uuid(), title: z.string().nullable() }).nullable(),
  raisedAt: iso,
  detail: z.string(),
  acknowledgement: z.object({ by: staffRef, at: iso, note: z.string().nullable() }).nullable(),
  acknowledgeable: z.boolean(),
  safetyAlertId: z.string().uuid().nullable(),
  afterClose: z.boolean(),
  answer: z.object({ instrument: instrumentIdSchema, assessmentKey: z.string(), ref: z.string(), question: z.string(), answer: z.string() }).nullable(),
});
// Both ways: what is parsed is the domain's model, not a look-alike.
export type { ClinicAlert };
const _sameModel: z.infer<typeof alertSchema> extends ClinicAlert ? (ClinicAlert extends z.infer<typeof alertSchema> ? true : never) : never = true;
void _sameModel;

export const safetyAlertQuerySchema = z.strictObject({ status: z.enum(['open', 'all'], { error: 'Use open or all' }).default('open') });
export const safetyAlertParamsSchema = z.object({ alertId: uuid('alert') });
export const acknowledgeAlertSchema = z.object({
  note: freeText({ min: 10, max: 2000, tooShort: 'Say what was done (at least 10 characters)', tooLong: 'At most 2000 characters' }),
});

export const careAlertParamsSchema = z.object({ circleId: uuid('circle'), alertId: z.string().regex(/^a\d{1,12}$/, 'Not a valid alert id') });
/** ALR3: an urgent alert takes an optional note. */
export const acknowledgeUrgentSchema = z.object({ note: freeText({ max: 2000, tooLong: 'At most 2000 characters' }).optional() });

// ── outcomes ──────────────────────────────────────────────────────────────────────────────────────────────────────
const bandSchema = z.object({ key: z.string(), label: z.string(), min: z.number(), max: z.number(), level: z.number().int().min(0).max(4) });

export const responseSummarySchema = z.object({
  id: z.string().uuid(),
  cohortId: z.string().uuid(),
  instrument: instrumentIdSchema,
  assessmentKey: z.string(),
  assessmentLabel: z.string(),
  submittedAt: iso,
  total: z.number().int(),
  band: bandSchema,
  /** linkId -> the score of the answer chosen. */
  answers: z.record(z.string(), z.number()),
});
export type ResponseSummary = z.infer<typeof responseSummarySchema>;

const changeSchema = z.object({
  participantId: z.string().uuid(),
  baseline: z.number(),
  latest: z.number(),
  change: z.number(),
  response: z.boolean(),
  remission: z.boolean(),
});

export const cohortOutcomeSchema = z.object({
  instrument: instrumentIdSchema,
  enrolled: z.number().int(),
  withBaseline: z.number().int(),
  paired: z.number().int(),
  meanBaseline: z.number().nullable(),
  meanLatest: z.number().nullable(),
  meanChange: z.number().nullable(),
  medianChange: z.number().nullable(),
  responders: z.number().int(),
  remitters: z.number().int().nullable(),
  changes: z.array(changeSchema),
});
export type CohortOutcomeView = z.infer<typeof cohortOutcomeSchema>;

export const attendanceStatusSchema = z.enum(['attended', 'arrived', 'absent', 'not_held']);
export const attendanceCellSchema = z.object({
  circleId: z.string().uuid(),
  status: attendanceStatusSchema,
  minutesPresent: z.number().int(),
  dosed: z.boolean(),
});

export const cohortOutcomesSchema = z.object({
  cohort: z.object({ id: z.string().uuid(), name: z.string(), timeZone: z.string() }),
  settings: z.object({ instruments: z.array(instrumentIdSchema), followUpDays: z.number().int() }),
  schedule: z.array(assessmentPointSchema),
  summary: z.array(cohortOutcomeSchema),
  means: z.array(z.object({ instrument: instrumentIdSchema, points: z.array(z.object({ assessmentKey: z.string(), n: z.number().int(), mean: z.number() })) })),
  participants: z.array(
    z.object({
      participantId: z.string().uuid(),
      name: z.string(),
      displayName: z.string(),
      progress: z.array(z.object({ key: z.string(), status: pointStatusSchema })),
      latest: z.array(z.object({ instrument: instrumentIdSchema, total: z.number().int(), band: bandSchema, at: iso })),
      openSafetyAlerts: z.number().int(),
    }),
  ),
  circles: z.array(z.object({ id: z.string().uuid(), title: z.string(), kind: circleKindSchema, startsAt: iso, status: z.enum(['scheduled', 'open', 'in_session', 'closed']) })),
  attendance: z.array(z.object({ participantId: z.string().uuid(), cells: z.array(attendanceCellSchema) })),
});
export type CohortOutcomes = z.infer<typeof cohortOutcomesSchema>;

export const participantOutcomesSchema = z.object({
  participant: z.object({ id: z.string().uuid(), name: z.string() }),
  cohorts: z.array(z.object({ id: z.string().uuid(), name: z.string(), displayName: z.string(), instruments: z.array(instrumentIdSchema) })),
  responses: z.array(responseSummarySchema),
  changes: z.array(z.object({ cohortId: z.string().uuid(), instrument: instrumentIdSchema, change: changeSchema.nullable() })),
  safetyAlerts: z.array(alertSchema),
});
export type ParticipantOutcomes = z.infer<typeof participantOutcomesSchema>;

export const clinicOverviewSchema = z.object({
  cohorts: z.array(
    z.object({
      id: z.string().uuid(),
      name: z.string(),
      enrolled: z.number().int(),
      firstCircleAt: iso.nullable(),
      lastCircleAt: iso.nullable(),
      /** Share of let-in attendances over the circles held, 0-1; null before any was held. */
      attendanceRate: z.number().nullable(),
      summary: z.array(cohortOutcomeSchema.omit({ changes: true })),
    }),
  ),
});
export type ClinicOverview = z.infer<typeof clinicOverviewSchema>;

// ── integration journal ───────────────────────────────────────────────────────────────────────────────────────────
const promptKeys = journalPrompts.map((p) => p.key) as [JournalPrompt, ...JournalPrompt[]];
const promptText = freeText({ max: JOURNAL_LIMITS.promptChars, trim: false, tooLong: `Keep each part under ${JOURNAL_LIMITS.promptChars} characters` });

export const journalDraftSchema = z.object({
  circleId: uuid('circle').nullable(),
  prompts: z.partialRecord(z.enum(promptKeys), promptText),
  commitments: z
    .array(
      z.object({
        id: z.string().regex(/^c[0-9a-z]{1,24}$/, 'Not a valid commitment id').optional(),
        text: freeText({ max: JOURNAL_LIMITS.commitmentChars, trim: false, tooLong: `Keep each commitment under ${JOURNAL_LIMITS.commitmentChars} characters` }),
        done: z.boolean(),
      }),
    )
    .max(JOURNAL_LIMITS.commitments, `At most ${JOURNAL_LIMITS.commitments} commitments`),
});
export type JournalDraftInput = z.input<typeof journalDraftSchema>;

/** A new entry: its id is made on the device, so a retried save is stored once. */
export const createJournalEntrySchema = journalDraftSchema.extend({ entryId: uuid('journal entry') });
export const journalParamsSchema = z.object({ entryId: uuid('journal entry') });
export const commitmentParamsSchema = z.object({ entryId: uuid('journal entry'), commitmentId: z.string().regex(/^c[0-9a-z]{1,24}$/, 'Not a valid commitment id') });
export const commitmentDoneSchema = z.object({ done: z.boolean() });

export const journalEntrySchema = z.object({
  id: z.string().uuid(),
  circleId: z.string().uuid().nullable(),
  prompts: z.record(z.enum(promptKeys), z.string()),
  commitments: z.array(z.object({ id: z.string(), text: z.string(), doneAt: iso.nullable() })),
  createdAt: iso,
  updatedAt: iso,
});
export type JournalEntryView = z.infer<typeof journalEntrySchema>;

export const myJournalSchema = z.object({
  entries: z.array(journalEntrySchema),
  /** The circles of my cohorts an entry can be tied to. */
  circles: z.array(z.object({ id: z.string().uuid(), title: z.string(), kind: circleKindSchema, startsAt: iso, cohortName: z.string() })),
});
export type MyJournal = z.infer<typeof myJournalSchema>;
