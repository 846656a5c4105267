import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { can, type ClinicRole, type Permission } from '@holdspace/domain';
import { ClinicScope, type AuditInput, type Database } from '@holdspace/db';
import { SESSION_COOKIE, type AuthedUser, type SessionService } from '../services/sessions.js';
import { HttpError } from './errors.js';
import { isAllowedOrigin } from './origin.js';

declare module 'fastify' {
  interface FastifyRequest {
    user: AuthedUser | null;
  }
}

export interface AuthPluginOptions {
  sessions: SessionService;
  allowedOrigins: string[];
}

/**
 * Resolves the session cookie on every /api request, and refuses cookie-authenticated writes whose Origin is
 * not ours (CSRF): SameSite cookies plus an Origin check, as browsers always send Origin on such requests.
 */
export const authPlugin = fp<AuthPluginOptions>(async (app, opts) => {
  app.decorateRequest('user', null);
  app.addHook('onRequest', async (request) => {
    if (!request.url.startsWith('/api/')) return;
    const unsafe = !['GET', 'HEAD', 'OPTIONS'].includes(request.method);
    if (unsafe && !isAllowedOrigin(request.headers.origin, { host: request.headers.host, secure: request.protocol === 'https' }, opts.allowedOrigins)) {
      throw new HttpError(403, 'FORBIDDEN', 'This request did not come from Holdspace (origin check failed).');
    }
    request.user = await opts.sessions.validate(request.cookies[SESSION_COOKIE]);
  });
});

export function requireUser(request: FastifyRequest): AuthedUser {
  if (!request.user) throw new HttpError(401, 'UNAUTHENTICATED', 'Please sign in.');
  return request.user;
}

export function clinicRoles(user: AuthedUser): ClinicRole[] {
  return user.kind === 'participant' ? ['participant'] : (user.roles as ClinicRole[]);
}

/** The signed-in person, if they hold the permission (POL1); otherwise 401 or 403. */
export function authorize(request: FastifyRequest, permission: Permission): AuthedUser {
  const user = requireUser(request);
  if (!can(clinicRoles(user), permission)) throw new HttpError(403, 'FORBIDDEN', 'Your role does not allow this.');
  if (user.twoFactorRequired && !user.twoFactorEnabled) {
    throw new HttpError(403, 'TWO_FACTOR_REQUIRED', 'Your clinic requires two-factor sign-in. Set it up under Account first.');
  }
  return user;
}

export function requireStaff(request: FastifyRequest): AuthedUser {
  const user = requireUser(request);
  if (user.kind !== 'staff') throw new HttpError(403, 'FORBIDDEN', 'Only clinic staff may do this.');
  return user;
}

export function requireParticipant(request: FastifyRequest): AuthedUser {
  const user = requireUser(request);
  if (user.kind !== 'participant') throw new HttpError(403, 'FORBIDDEN', 'Only participants do this.');
  return user;
}

/** The data access of the person's own clinic: the only way routes reach clinic data. */
export function scopeOf(db: Database, user: AuthedUser): ClinicScope {
  return new ClinicScope(db, user.clinicId);
}

/** Who did it and from where, for the audit trail. */
export function auditMeta(request: FastifyRequest): Pick<AuditInput, 'actorId' | 'ip' | 'userAgent'> {
  return { actorId: request.user?.id ?? null, ip: request.ip, userAgent: request.headers['user-agent'] ?? null };
}
