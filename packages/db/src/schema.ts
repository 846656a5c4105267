import { sql } from 'drizzle-orm';
import {
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
import type { Audience, CircleState } from '@holdspace/domain';

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();

/** A clinic is a tenant: every other row belongs to exactly one. */
export const clinics = pgTable('clinics', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  createdAt: createdAt(),
});

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    clinicId: uuid('clinic_id')
      .notNull()
      .references(() => clinics.id),
    email: text('email').notNull(),
    name: text('name').notNull(),
    kind: text('kind', { enum: ['staff', 'participant'] }).notNull(),
    /** Staff roles: admin, facilitator, prescriber. Empty for participants. */
    roles: text('roles').array().notNull().default(sql`'{}'::text[]`),
    passwordHash: text('password_hash'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('users_email_unique').on(sql`lower(${t.email})`)],
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
  clinicId: uuid('clinic_id')
    .notNull()
    .references(() => clinics.id),
  name: text('name').notNull(),
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
    clinicId: uuid('clinic_id')
      .notNull()
      .references(() => clinics.id),
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

/** The fold of circle_events up to seq, written in the same transaction as the events. */
export const circleSnapshots = pgTable('circle_snapshots', {
  circleId: uuid('circle_id')
    .primaryKey()
    .references(() => circles.id),
  seq: integer('seq').notNull(),
  state: jsonb('state').$type<CircleState>().notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

