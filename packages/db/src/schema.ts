import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import {
  defaultClinicSettings,
  type Answers,
  type Audience,
  type CircleState,
  type ClinicSettings,
  type Commitment,
  type InstrumentId,
  type JournalPrompt,
  type ScreeningRecord,
} from '@holdspace/domain';

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
/** The tenant every row belongs to. */
const clinicRef = () => uuid('clinic_id').notNull().references(() => clinics.id);
/** The participant a health record is about. */
const participantRef = () => uuid('participant_id').notNull().references(() => users.id);

/** A clinic is a tenant: every other row belongs to exactly one. */
export const clinics = pgTable('clinics', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  settings: jsonb('settings').$type<ClinicSettings>().notNull().default(sql`'${sql.raw(JSON.stringify(defaultClinicSettings))}'::jsonb`),
  createdAt: createdAt(),
});

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    clinicId: clinicRef(),
    email: text('email').notNull(),
    name: text('name').notNull(),
    kind: text('kind', { enum: ['staff', 'participant'] }).notNull(),
    /** Staff roles: admin, facilitator, prescriber. Empty for participants. */
    roles: text('roles').array().notNull().default(sql`'{}'::text[]`),
    passwordHash: text('password_hash'),
    totpSecret: text('totp_secret'),
    totpEnabledAt: timestamp('totp_enabled_at', { withTimezone: true }),
    /** The last TOTP time step accepted: a code of that step or an earlier one is refused (no replay). */
    totpLastStep: bigint('totp_last_step', { mode: 'number' }),
    failedSignIns: integer('failed_sign_ins').notNull().default(0),
    lockedUntil: timestamp('locked_until', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('users_email_unique').on(sql`lower(${t.email})`)],
);

/**
 * Failed sign-ins per account and source (a device cookie the account signed in with before, or else the address):
 * a stranger's failures slow only their own source. The key is hashed, so attempted emails are not stored.
 */
/** PRS5: one row per server process run, kept fresh by its heartbeat; presence of a run not alive is swept. */
export const serverRuns = pgTable(
  'server_runs',
  {
    runId: text('run_id').primaryKey(),
    nodeId: text('node_id').notNull(),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
    heartbeatAt: timestamp('heartbeat_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('server_runs_node_idx').on(t.nodeId)],
);

export const signInThrottle = pgTable(
  'sign_in_throttle',
  {
    key: text('key').primaryKey(),
    failures: integer('failures').notNull(),
    blockedUntil: timestamp('blocked_until', { withTimezone: true }),
    lastAt: timestamp('last_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('sign_in_throttle_last_idx').on(t.lastAt)],
);

/** Two-factor recovery codes: single use, only their SHA-256 stored. */
export const recoveryCodes = pgTable(
  'recovery_codes',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    codeHash: text('code_hash').notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.codeHash] })],
);

/** Server-side sessions; only the SHA-256 of the cookie token is stored. */
export const sessions = pgTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    ip: text('ip'),
    userAgent: text('user_agent'),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
);

export const cohorts = pgTable('cohorts', {
  id: uuid('id').primaryKey().defaultRandom(),
  clinicId: clinicRef(),
  name: text('name').notNull(),
  capacity: integer('capacity').notNull().default(8),
  format: text('format', { enum: ['in_person', 'online', 'hybrid'] }).notNull().default('in_person'),
  location: text('location').notNull().default(''),
  jurisdiction: text('jurisdiction').notNull().default(''),
  timeZone: text('time_zone').notNull().default('UTC'),
  /** PHQ-9 and GAD-7 always; PCL-5 when the cohort chooses it. */
  instruments: text('instruments').array().$type<InstrumentId[]>().notNull().default(sql`'{phq9,gad7}'::text[]`),
  followUpDays: integer('follow_up_days').notNull().default(30),
  createdAt: createdAt(),
});

export const cohortFacilitators = pgTable(
  'cohort_facilitators',
  {
    cohortId: uuid('cohort_id')
      .notNull()
      .references(() => cohorts.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
  },
  (t) => [primaryKey({ columns: [t.cohortId, t.userId] })],
);

/** A participant's place in a cohort, with the only name other participants ever see. */
export const enrollments = pgTable(
  'enrollments',
  {
    cohortId: uuid('cohort_id')
      .notNull()
      .references(() => cohorts.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    displayName: text('display_name').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.cohortId, t.userId] })],
);

export const circles = pgTable(
  'circles',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    clinicId: clinicRef(),
    cohortId: uuid('cohort_id')
      .notNull()
      .references(() => cohorts.id),
    kind: text('kind', { enum: ['preparation', 'dosing', 'integration', 'follow_up'] }).notNull(),
    title: text('title').notNull(),
    startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
    timeZone: text('time_zone').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('circles_cohort_idx').on(t.cohortId)],
);

/**
 * The circle's event log and audit trail. seq is gap-free per circle; the last event of each command carries its
 * command_id, so a retried command finds its first result instead of applying twice.
 */
export const circleEvents = pgTable(
  'circle_events',
  {
    circleId: uuid('circle_id')
      .notNull()
      .references(() => circles.id),
    seq: integer('seq').notNull(),
    type: text('type').notNull(),
    actor: text('actor').notNull(),
    audience: text('audience').$type<Audience>().notNull(),
    payload: jsonb('payload').notNull(),
    commandId: text('command_id'),
    at: timestamp('at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.circleId, t.seq] }), uniqueIndex('circle_events_command_unique').on(t.commandId)],
);

/**
 * LOG3: the outcome of every command sent with a commandId, applied or refused, written in the transaction that
 * decided it, so a retry gets its first answer whatever the circle's state is by then. Kept COMMAND_OUTCOME_DAYS.
 */
export const commandOutcomes = pgTable(
  'command_outcomes',
  {
    commandId: text('command_id').primaryKey(),
    circleId: uuid('circle_id')
      .notNull()
      .references(() => circles.id),
    actor: text('actor').notNull(),
    ok: boolean('ok').notNull(),
    /** The circle's seq after the command (applied), or at the time it was refused. */
    seq: integer('seq').notNull(),
    rule: text('rule'),
    message: text('message'),
    decidedAt: timestamp('decided_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('command_outcomes_decided_idx').on(t.decidedAt)],
);

/** The fold of circle_events up to seq, written in the same transaction as the events. */
export const circleSnapshots = pgTable('circle_snapshots', {
  circleId: uuid('circle_id')
    .primaryKey()
    .references(() => circles.id),
  seq: integer('seq').notNull(),
  state: jsonb('state').$type<CircleState>().notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});


/** Single-use invites: only the SHA-256 of the token is stored. */
export const invites = pgTable(
  'invites',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    clinicId: clinicRef(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    tokenHash: text('token_hash').notNull().unique(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    createdBy: uuid('created_by').references(() => users.id),
    createdAt: createdAt(),
  },
  (t) => [index('invites_user_idx').on(t.userId)],
);

/** Messages the mailer would send; without SMTP configured, staff read them here. */
export const outboxMessages = pgTable('outbox_messages', {
  id: uuid('id').primaryKey().defaultRandom(),
  clinicId: clinicRef(),
  to: text('to').notNull(),
  subject: text('subject').notNull(),
  body: text('body').notNull(),
  createdAt: createdAt(),
  sentAt: timestamp('sent_at', { withTimezone: true }),
});

export const consentTexts = pgTable(
  'consent_texts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    clinicId: clinicRef(),
    kind: text('kind', { enum: ['treatment', 'group_confidentiality'] }).notNull(),
    version: integer('version').notNull(),
    title: text('title').notNull(),
    body: text('body').notNull(),
    publishedBy: uuid('published_by').references(() => users.id),
    publishedAt: timestamp('published_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('consent_texts_version_unique').on(t.clinicId, t.kind, t.version)],
);

export const consentSignatures = pgTable(
  'consent_signatures',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    consentTextId: uuid('consent_text_id')
      .notNull()
      .references(() => consentTexts.id),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    typedName: text('typed_name').notNull(),
    signedAt: timestamp('signed_at', { withTimezone: true }).notNull().defaultNow(),
    ip: text('ip'),
  },
  (t) => [uniqueIndex('consent_signatures_once').on(t.consentTextId, t.userId)],
);

/** Signed screening and clearance versions. Rows are never updated or deleted (a trigger refuses it). */
export const screenings = pgTable(
  'screenings',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    clinicId: clinicRef(),
    participantId: participantRef(),
    version: integer('version').notNull(),
    record: jsonb('record').$type<ScreeningRecord>().notNull(),
    decision: text('decision', { enum: ['cleared', 'not_cleared', 'needs_review'] }).notNull(),
    validUntil: text('valid_until'),
    signedBy: uuid('signed_by')
      .notNull()
      .references(() => users.id),
    signedAt: timestamp('signed_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('screenings_version_unique').on(t.participantId, t.version)],
);

/** Who read or changed what, when and from where. Append-only: the database refuses UPDATE and DELETE. */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    clinicId: uuid('clinic_id').notNull(),
    actorId: uuid('actor_id'),
    action: text('action').notNull(),
    resourceType: text('resource_type').notNull(),
    resourceId: text('resource_id'),
    subjectId: uuid('subject_id'),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    ip: text('ip'),
    userAgent: text('user_agent'),
    details: jsonb('details'),
  },
  (t) => [index('audit_clinic_at_idx').on(t.clinicId, t.at), index('audit_subject_idx').on(t.subjectId)],
);

/**
 * Questionnaire answers, scored when stored. The id is made on the participant's device, so a retried send is stored
 * once; one response per person, cohort, instrument and assessment point. Never changed or removed (a trigger).
 */
export const questionnaireResponses = pgTable(
  'questionnaire_responses',
  {
    id: uuid('id').primaryKey(),
    clinicId: clinicRef(),
    participantId: participantRef(),
    cohortId: uuid('cohort_id')
      .notNull()
      .references(() => cohorts.id),
    instrument: text('instrument').$type<InstrumentId>().notNull(),
    assessmentKey: text('assessment_key').notNull(),
    answers: jsonb('answers').$type<Answers>().notNull(),
    total: integer('total').notNull(),
    band: text('band').notNull(),
    crisis: boolean('crisis').notNull().default(false),
    submittedAt: timestamp('submitted_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('questionnaire_responses_once').on(t.participantId, t.cohortId, t.instrument, t.assessmentKey),
    index('questionnaire_responses_cohort_idx').on(t.cohortId),
  ],
);

/** CRS1: an answer that needs a clinician now. Stays open until a clinician acknowledges it with what was done. */
export const safetyAlerts = pgTable(
  'safety_alerts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    clinicId: clinicRef(),
    participantId: participantRef(),
    responseId: uuid('response_id')
      .notNull()
      .unique()
      .references(() => questionnaireResponses.id),
    instrument: text('instrument').$type<InstrumentId>().notNull(),
    item: text('item').notNull(),
    answer: integer('answer').notNull(),
    raisedAt: timestamp('raised_at', { withTimezone: true }).notNull(),
    acknowledgedAt: timestamp('acknowledged_at', { withTimezone: true }),
    acknowledgedBy: uuid('acknowledged_by').references(() => users.id),
    note: text('note'),
  },
  (t) => [index('safety_alerts_clinic_idx').on(t.clinicId, t.acknowledgedAt)],
);

/** A participant's private integration journal: no staff route reads it (JRN1). The id is made on the device. */
export const journalEntries = pgTable(
  'journal_entries',
  {
    id: uuid('id').primaryKey(),
    clinicId: clinicRef(),
    participantId: participantRef(),
    circleId: uuid('circle_id').references(() => circles.id),
    prompts: jsonb('prompts').$type<Record<JournalPrompt, string>>().notNull(),
    commitments: jsonb('commitments').$type<Commitment[]>().notNull().default(sql`'[]'::jsonb`),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('journal_entries_participant_idx').on(t.participantId)],
);
