import { z } from 'zod';
import {
  contraindications,
  type ClinicSettings,
  type ContraindicationKey,
  type ScreeningRecord,
} from '@holdspace/domain';
import { circleKindSchema, staffRoleSchema } from './http.js';
import { crisisResourceSchema, outcomeSettingsSchema } from './outcomes.js';
import { freeText, storable } from './text.js';

const uuid = (what: string) => z.string().uuid(`Not a valid ${what} id`);
const name = freeText({ min: 1, max: 120, tooShort: 'Required', tooLong: 'At most 120 characters' });
const email = z.string().trim().toLowerCase().email('Enter a valid email address').max(254);
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'Use a date like 2026-12-31');
/** A wall-clock time in the circle's own time zone, e.g. 2026-12-01T17:00. */
const localDateTime = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, 'Use a date and time like 2026-12-01T17:00');
export const timeZoneSchema = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'Not a known time zone (e.g. America/New_York)');

// ── params ────────────────────────────────────────────────────────────────────────────────────────────────────────
export const userParamsSchema = z.object({ userId: uuid('person') });
export const cohortParamsSchema = z.object({ cohortId: uuid('cohort') });
export const cohortMemberParamsSchema = z.object({ cohortId: uuid('cohort'), userId: uuid('person') });
export const consentParamsSchema = z.object({ consentTextId: uuid('consent text') });
export const inviteParamsSchema = z.object({ token: storable(z.string().min(20, 'Not a valid invite').max(100, 'Not a valid invite')) });

// ── accounts ──────────────────────────────────────────────────────────────────────────────────────────────────────
export const passwordSchema = storable(z.string().min(10, 'Use at least 10 characters').max(200, 'At most 200 characters'));

export const staffMemberSchema = z.object({
  id: z.string().uuid(),
  name: z.string(),
  email: z.string(),
  roles: z.array(staffRoleSchema),
  twoFactor: z.boolean(),
  activated: z.boolean(),
});
export type StaffMember = z.infer<typeof staffMemberSchema>;

export const createStaffSchema = z.object({
  name,
  email,
  roles: z.array(staffRoleSchema).min(1, 'Give at least one role').max(3),
});
export const updateRolesSchema = z.object({ roles: z.array(staffRoleSchema).min(1, 'Give at least one role').max(3) });

export const inviteSchema = z.object({ url: z.string(), expiresAt: z.string(), qrSvg: z.string() });
export type Invite = z.infer<typeof inviteSchema>;

export const participantSchema = z.object({
  id: z.string().uuid(),
  name: z.string(),
  email: z.string(),
  activated: z.boolean(),
  cohorts: z.array(z.object({ id: z.string().uuid(), name: z.string(), displayName: z.string() })),
});
export type Participant = z.infer<typeof participantSchema>;

export const createParticipantSchema = z.object({ name, email });
export const createdWithInviteSchema = z.object({ id: z.string().uuid(), invite: inviteSchema });

export const inviteInfoSchema = z.object({ clinicName: z.string(), name: z.string(), email: z.string(), expiresAt: z.string() });
export const acceptInviteSchema = z.object({ password: passwordSchema });

export const totpSetupSchema = z.object({ secret: z.string(), uri: z.string(), qrSvg: z.string() });
export const totpCodeSchema = z.object({ code: z.string().regex(/^\d{6}$/, 'Enter the 6-digit code') });
/** Shown once when two-factor is turned on: each works once instead of a code. */
export const recoveryCodesSchema = z.object({ recoveryCodes: z.array(z.string()) });

// ── clinic settings ───────────────────────────────────────────────────────────────────────────────────────────────
const vitalLimitsSchema = z.object({
  systolicMax: z.number().int().min(90).max(260),
  diastolicMax: z.number().int().min(50).max(160),
  heartRateMax: z.number().int().min(60).max(220),
  systolicMin: z.number().int().min(60).max(140).optional(),
  heartRateMin: z.number().int().min(30).max(100).optional(),
  spo2Min: z.number().int().min(70).max(100).optional(),
});
export const clinicSettingsSchema: z.ZodType<ClinicSettings> = z.object({
  fastingWindowHours: z.number().min(0).max(24),
  minObservationMinutes: z.number().int().min(30).max(600),
  careAfterCloseHours: z.number().int().min(1, 'At least 1 hour').max(24, 'At most 24 hours').optional(),
  vitalLimits: vitalLimitsSchema,
  idleTimeoutMinutes: z.number().int().min(5).max(240),
  requireTwoFactor: z.boolean(),
  crisisResources: z.array(crisisResourceSchema).min(1, 'Keep at least one crisis line').max(8, 'At most 8 crisis lines'),
});

// ── cohorts ───────────────────────────────────────────────────────────────────────────────────────────────────────
export const cohortFormats = ['in_person', 'online', 'hybrid'] as const;

export const programCircleInputSchema = z.object({
  kind: circleKindSchema,
  title: freeText({ max: 120 }).optional(),
  startsAt: localDateTime,
});

export const createCohortSchema = z.object({
  name,
  capacity: z.number().int().min(1, 'At least 1').max(16, 'At most 16 people').default(8),
  format: z.enum(cohortFormats),
  location: freeText({ max: 200 }).default(''),
  jurisdiction: freeText({ max: 120 }).default(''),
  timeZone: timeZoneSchema,
  facilitatorIds: z.array(z.string().uuid()).min(1, 'Choose one or two facilitators').max(2, 'At most two facilitators'),
  program: z.array(programCircleInputSchema).min(1, 'Add at least one circle').max(40, 'A program has at most 40 circles'),
  outcomes: outcomeSettingsSchema.default({ instruments: ['phq9', 'gad7'], followUpDays: 30 }),
});
export type CreateCohort = z.input<typeof createCohortSchema>;

export const cohortSummarySchema = z.object({
  id: z.string().uuid(),
  name: z.string(),
  capacity: z.number(),
  format: z.enum(cohortFormats),
  location: z.string(),
  jurisdiction: z.string(),
  timeZone: z.string(),
  enrolled: z.number(),
  facilitators: z.array(z.object({ id: z.string().uuid(), name: z.string() })),
  circles: z.array(z.object({ id: z.string().uuid(), kind: circleKindSchema, title: z.string(), startsAt: z.string(), timeZone: z.string() })),
  outcomes: z.object({ instruments: z.array(z.enum(['phq9', 'gad7', 'pcl5'])), followUpDays: z.number().int() }),
});
export type CohortSummary = z.infer<typeof cohortSummarySchema>;

export const enrollSchema = z.object({
  participantId: z.string().uuid('Choose a participant'),
  displayName: freeText({ min: 1, max: 40, tooShort: 'Required', tooLong: 'At most 40 characters' }),
});

const badgeSchema = z.object({ state: z.enum(['ok', 'warn', 'missing']), label: z.string() });
export const rosterEntrySchema = z.object({
  participantId: z.string().uuid(),
  name: z.string(),
  displayName: z.string(),
  activated: z.boolean(),
  readiness: z.object({ consent: badgeSchema, screening: badgeSchema, clearance: badgeSchema, baseline: badgeSchema, questionnaires: badgeSchema, mayBeDosed: z.boolean() }),
});
export type RosterEntry = z.infer<typeof rosterEntrySchema>;

// ── consent ───────────────────────────────────────────────────────────────────────────────────────────────────────
export const consentKindSchema = z.enum(['treatment', 'group_confidentiality']);
export const consentTextSchema = z.object({
  id: z.string().uuid(),
  kind: consentKindSchema,
  version: z.number().int(),
  title: z.string(),
  body: z.string(),
  publishedAt: z.string(),
});
export const publishConsentSchema = z.object({
  kind: consentKindSchema,
  title: name,
  body: freeText({ min: 20, max: 50_000, tooShort: 'Write the full text (at least 20 characters)' }),
});
export const myConsentSchema = consentTextSchema.extend({ signedAt: z.string().nullable() });
export const signConsentSchema = z.object({ typedName: freeText({ min: 2, max: 120, tooShort: 'Type your full name' }) });

// ── screening and clearance ───────────────────────────────────────────────────────────────────────────────────────
const contact = z.object({
  name: freeText({ min: 1, max: 120, tooShort: 'Required' }),
  phone: z.string().trim().regex(/^[+\d][\d\s().-]{5,24}$/, 'Enter a phone number'),
  relationship: freeText({ max: 60 }).optional(),
});
const contraindicationKeys = contraindications.map((c) => c.key) as [ContraindicationKey, ...ContraindicationKey[]];

export const screeningInputSchema: z.ZodType<ScreeningRecord> = z.object({
  contraindications: z.record(z.enum(contraindicationKeys), z.boolean()) as z.ZodType<Record<ContraindicationKey, boolean>>,
  notes: freeText({ max: 10_000 }),
  decision: z.enum(['cleared', 'not_cleared', 'needs_review']),
  validUntil: isoDate.nullable(),
  prescription: z
    .object({
      doseMg: z.number().positive('Dose must be above 0').max(1000),
      route: z.literal('sublingual_lozenge'),
      boosterDoseMg: z.number().positive().max(1000).optional(),
      boosterWindowMinutes: z.tuple([z.number().int().min(0).max(240), z.number().int().min(1).max(300)]).optional(),
    })
    .nullable(),
  vitalLimits: vitalLimitsSchema.partial(),
  medicationHolds: z
    .array(z.object({ medication: freeText({ min: 1, max: 120 }), holdHours: z.number().min(0).max(24 * 14), notes: freeText({ max: 500 }).optional() }))
    .max(30),
  emergencyContact: contact.nullable(),
  chaperone: contact.nullable(),
});

export const screeningVersionSchema = z.object({
  id: z.string().uuid(),
  version: z.number().int(),
  record: screeningInputSchema,
  signedBy: z.object({ id: z.string().uuid(), name: z.string() }),
  signedAt: z.string(),
});
export type ScreeningVersion = z.infer<typeof screeningVersionSchema>;

export const screeningQueueEntrySchema = z.object({
  participantId: z.string().uuid(),
  name: z.string(),
  cohorts: z.array(z.string()),
  clearance: z.enum(['current', 'expired', 'not_cleared', 'needs_review', 'missing']),
  validUntil: z.string().nullable(),
  lastSignedAt: z.string().nullable(),
});

// ── audit and outbox ──────────────────────────────────────────────────────────────────────────────────────────────
export const auditQuerySchema = z.object({
  subjectId: z.string().uuid().optional(),
  actorId: z.string().uuid().optional(),
  action: z.enum(['read', 'create', 'update', 'delete', 'sign', 'export', 'acknowledge', 'sign_in', 'sign_out', 'role_change']).optional(),
  resourceType: storable(z.string().max(40)).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export const auditEntrySchema = z.object({
  id: z.number(),
  at: z.string(),
  actor: z.object({ id: z.string().uuid().nullable(), name: z.string().nullable() }),
  action: z.string(),
  resourceType: z.string(),
  resourceId: z.string().nullable(),
  subject: z.object({ id: z.string().uuid().nullable(), name: z.string().nullable() }),
  ip: z.string().nullable(),
});
export const outboxMessageSchema = z.object({ id: z.string().uuid(), to: z.string(), subject: z.string(), body: z.string(), createdAt: z.string() });
