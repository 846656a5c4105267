import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
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
    if (unsafe && !isAllowedOrigin(request.headers.origin, request.headers.host, opts.allowedOrigins)) {
      throw new HttpError(403, 'FORBIDDEN', 'This request did not come from Holdspace (origin check failed).');
    }
    request.user = await opts.sessions.validate(request.cookies[SESSION_COOKIE]);
  });
});

export function requireUser(request: FastifyRequest): AuthedUser {
  if (!request.user) throw new HttpError(401, 'UNAUTHENTICATED', 'Please sign in.');
  return request.user;
}

export type { FastifyInstance };
