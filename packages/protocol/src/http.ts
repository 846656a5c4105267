import { z } from 'zod';
import { storable } from './text.js';

export const staffRoles = ['admin', 'facilitator', 'prescriber'] as const;
export const staffRoleSchema = z.enum(staffRoles);
export type StaffRole = z.infer<typeof staffRoleSchema>;

export const signInBodySchema = z.object({
  email: z.string().trim().toLowerCase().email('Enter a valid email address').max(254),
  password: storable(z.string().min(1, 'Enter your password').max(512)),
  /** The 6-digit code from an authenticator app, when two-factor sign-in is on. */
  totp: z.string().regex(/^\d{6}$/, 'Enter the 6-digit code').optional(),
  /** One of the ten single-use recovery codes, instead of the code, when the authenticator app is lost. */
  recoveryCode: storable(z.string().trim().min(8, 'Enter a recovery code').max(40)).optional(),
});
export type SignInBody = z.infer<typeof signInBodySchema>;

export const meSchema = z.object({
  id: z.string().uuid(),
  name: z.string(),
  email: z.string(),
  kind: z.enum(['staff', 'participant']),
  roles: z.array(staffRoleSchema),
  twoFactor: z.object({ enabled: z.boolean(), required: z.boolean() }),
  clinic: z.object({ id: z.string().uuid(), name: z.string() }),
});
export type Me = z.infer<typeof meSchema>;

export const circleKinds = ['preparation', 'dosing', 'integration', 'follow_up'] as const;
export const circleKindSchema = z.enum(circleKinds);
export type CircleKind = z.infer<typeof circleKindSchema>;

export const circleSummarySchema = z.object({
  id: z.string().uuid(),
  title: z.string(),
  kind: circleKindSchema,
  startsAt: z.string(),
  timeZone: z.string(),
  cohort: z.object({ id: z.string().uuid(), name: z.string() }),
  /** In person, online or hybrid: remote participants (or their chaperone) record their own vitals (VIT1). */
  format: z.enum(['in_person', 'online', 'hybrid']),
  status: z.enum(['scheduled', 'open', 'in_session', 'closed']),
  /** The viewer's role in this circle and the name the group knows them by. */
  myRole: z.enum(['facilitator', 'participant']),
  myDisplayName: z.string(),
});
export type CircleSummary = z.infer<typeof circleSummarySchema>;

export const circleListSchema = z.object({ circles: z.array(circleSummarySchema) });
export const circleParamsSchema = z.object({ circleId: z.string().uuid('Not a valid circle id') });

export const healthSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  version: z.string(),
  protocolVersion: z.number().int(),
  database: z.object({
    driver: z.enum(['pglite', 'postgres']),
    /**
     * What an acknowledged write survives. synced: a power loss (PGlite syncs each commit); os-cache: the process being
     * killed, not a power loss; postgres: the Postgres server's own settings.
     */
    durability: z.enum(['synced', 'os-cache', 'postgres']),
    reachable: z.boolean(),
    migrations: z.object({ applied: z.number().int(), latest: z.string().nullable() }),
  }),
  /** How this node shares Socket.IO rooms with others, and how many nodes it hears (itself included; null: unknown). */
  cluster: z.object({ adapter: z.enum(['postgres', 'redis', 'none']), nodes: z.number().int().nullable() }),
  uptimeSeconds: z.number(),
});
export type Health = z.infer<typeof healthSchema>;
