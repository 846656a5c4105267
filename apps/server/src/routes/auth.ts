import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ClinicScope, type Database } from '@holdspace/db';
import {
  acceptInviteSchema,
  failureSchema,
  inviteInfoSchema,
  inviteParamsSchema,
  meSchema,
  recoveryCodesSchema,
  signInBodySchema,
  totpCodeSchema,
  totpSetupSchema,
} from '@holdspace/protocol';
import { SESSION_COOKIE, toMe, type SessionService } from '../services/sessions.js';
import type { AccountService } from '../services/accounts.js';
import { DEVICE_COOKIE, DEVICE_COOKIE_DAYS, type SignInService } from '../services/sign-in.js';
import { HttpError } from '../plugins/errors.js';
import { auditMeta, requireUser } from '../plugins/auth.js';

export interface AuthRouteOptions {
  db: Database;
  sessions: SessionService;
  accounts: AccountService;
  signIns: SignInService;
  secureCookie: boolean;
  authRateLimit: number;
  now: () => Date;
}

const empty = z.object({}).strict().optional();

export const authRoutes: FastifyPluginAsyncZod<AuthRouteOptions> = async (app, { db, sessions, accounts, signIns, secureCookie, authRateLimit, now }) => {
  const cookieOptions = { path: '/', httpOnly: true, sameSite: 'lax' as const, secure: secureCookie };

  const rememberDevice = (reply: import('fastify').FastifyReply, value: string) =>
    reply.setCookie(DEVICE_COOKIE, value, { ...cookieOptions, expires: new Date(now().getTime() + DEVICE_COOKIE_DAYS * 86_400_000) });

  async function startSession(userId: string, request: import('fastify').FastifyRequest, reply: import('fastify').FastifyReply) {
    const session = await sessions.create(userId, { ip: request.ip, userAgent: request.headers['user-agent'] ?? null });
    reply.setCookie(SESSION_COOKIE, session.token, { ...cookieOptions, expires: session.expiresAt });
    const authed = await sessions.validate(session.token);
    if (!authed) throw new Error('new session did not validate');
    request.user = authed;
    await new ClinicScope(db, authed.clinicId).audit({ ...auditMeta(request), action: 'sign_in', resourceType: 'session', subjectId: null });
    return toMe(authed);
  }

  app.post(
    '/api/auth/sign-in',
    {
      config: { rateLimit: { max: authRateLimit, timeWindow: '1 minute' } },
      schema: { tags: ['auth'], summary: 'Sign in with email and password (and a code, with two-factor on)', body: signInBodySchema, response: { 200: meSchema, 401: failureSchema, 429: failureSchema } },
    },
    async (request, reply) => {
      const { email, password, totp, recoveryCode } = request.body;
      const { user, deviceCookie } = await signIns.signIn({ email, password, totp, recoveryCode, ip: request.ip, deviceCookie: request.cookies[DEVICE_COOKIE] });
      const me = await startSession(user.id, request, reply);
      rememberDevice(reply, deviceCookie);
      return me;
    },
  );

  app.post(
    '/api/auth/sign-out',
    { schema: { tags: ['auth'], summary: 'End this session', body: empty, response: { 204: z.null() } } },
    async (request, reply) => {
      if (request.user) await sessions.end(request.user.sessionId);
      reply.clearCookie(SESSION_COOKIE, cookieOptions);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/auth/sign-out-everywhere',
    { schema: { tags: ['auth'], summary: 'End every session of the signed-in person, on every device', body: empty, response: { 204: z.null(), 401: failureSchema } } },
    async (request, reply) => {
      const user = requireUser(request);
      await sessions.endAllFor(user.id, 'You signed out on all devices.');
      reply.clearCookie(SESSION_COOKIE, cookieOptions);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/auth/me',
    { schema: { tags: ['auth'], summary: 'The signed-in person', response: { 200: meSchema, 401: failureSchema } } },
    async (request) => toMe(requireUser(request)),
  );

  app.post(
    '/api/auth/totp/setup',
    { schema: { tags: ['auth'], summary: 'Start two-factor setup: a new secret to scan', body: empty, response: { 200: totpSetupSchema, 401: failureSchema } } },
    async (request) => {
      const user = requireUser(request);
      return accounts.setupTotp(user.id, user.email, `Holdspace (${user.clinicName})`);
    },
  );

  app.post(
    '/api/auth/totp/enable',
    {
      schema: { tags: ['auth'], summary: 'Turn two-factor on with a code from the app; returns ten single-use recovery codes, shown once', body: totpCodeSchema, response: { 200: recoveryCodesSchema, 401: failureSchema } },
    },
    async (request) => ({ recoveryCodes: await accounts.enableTotp(requireUser(request).id, request.body.code) }),
  );

  app.post(
    '/api/auth/totp/disable',
    { schema: { tags: ['auth'], summary: 'Turn two-factor off', body: totpCodeSchema, response: { 204: z.null(), 401: failureSchema } } },
    async (request, reply) => {
      const user = requireUser(request);
      if (user.twoFactorRequired) throw new HttpError(403, 'FORBIDDEN', 'Your clinic requires two-factor sign-in.');
      await accounts.disableTotp(user.id, request.body.code);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/invites/:token',
    { schema: { tags: ['auth'], summary: 'What an invite link is for', params: inviteParamsSchema, response: { 200: inviteInfoSchema, 404: failureSchema } } },
    async (request) => accounts.inviteInfo(request.params.token),
  );

  app.post(
    '/api/invites/:token/accept',
    {
      config: { rateLimit: { max: authRateLimit, timeWindow: '1 minute' } },
      schema: { tags: ['auth'], summary: 'Set a password with an invite, and sign in', params: inviteParamsSchema, body: acceptInviteSchema, response: { 200: meSchema, 404: failureSchema } },
    },
    async (request, reply) => {
      const userId = await accounts.acceptInvite(request.params.token, request.body.password);
      const me = await startSession(userId, request, reply);
      // The phone that accepted the invite is the person's first known device.
      rememberDevice(reply, signIns.newDeviceCookie(userId));
      return me;
    },
  );
};
