import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { PeopleRepo } from '@holdspace/db';
import { failureSchema, meSchema, signInBodySchema } from '@holdspace/protocol';
import { dummyHash, verifyPassword } from '../services/passwords.js';
import { SESSION_COOKIE, toMe, type SessionService } from '../services/sessions.js';
import { HttpError } from '../plugins/errors.js';
import { requireUser } from '../plugins/auth.js';

export interface AuthRouteOptions {
  people: PeopleRepo;
  sessions: SessionService;
  secureCookie: boolean;
}

export const authRoutes: FastifyPluginAsyncZod<AuthRouteOptions> = async (app, { people, sessions, secureCookie }) => {
  const cookieOptions = { path: '/', httpOnly: true, sameSite: 'lax' as const, secure: secureCookie };

  app.post(
    '/api/auth/sign-in',
    {
      config: { rateLimit: { max: 10, timeWindow: '1 minute' } },
      schema: { tags: ['auth'], summary: 'Sign in with email and password', body: signInBodySchema, response: { 200: meSchema, 401: failureSchema } },
    },
    async (request, reply) => {
      const { email, password } = request.body;
      const user = await people.userByEmail(email);
      const valid = user?.passwordHash ? await verifyPassword(user.passwordHash, password) : await verifyPassword(await dummyHash(), password).then(() => false);
      if (!user || !valid) throw new HttpError(401, 'UNAUTHENTICATED', 'That email and password do not match an account.');
      const session = await sessions.create(user.id, { ip: request.ip, userAgent: request.headers['user-agent'] ?? null });
      reply.setCookie(SESSION_COOKIE, session.token, { ...cookieOptions, expires: session.expiresAt });
      const authed = await sessions.validate(session.token);
      if (!authed) throw new Error('new session did not validate');
      return toMe(authed);
    },
  );

  app.post(
    '/api/auth/sign-out',
    { schema: { tags: ['auth'], summary: 'End this session', body: z.object({}).passthrough().optional(), response: { 204: z.null() } } },
    async (request, reply) => {
      if (request.user) await sessions.end(request.user.sessionId);
      reply.clearCookie(SESSION_COOKIE, cookieOptions);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/auth/me',
    { schema: { tags: ['auth'], summary: 'The signed-in person', response: { 200: meSchema, 401: failureSchema } } },
    async (request) => toMe(requireUser(request)),
  );
};
