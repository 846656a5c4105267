import Fastify, { type FastifyRequest, type FastifyServerOptions } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { CircleDirectory, CircleLog, ClinicScope, PeopleRepo, RunsRepo, SignInRepo, withTimeout, type DbHandle } from '@holdspace/db';
import type { Config } from './config.js';
import { logSafety } from './log-safety.js';
import { authPlugin, requireStaff } from './plugins/auth.js';
import { registerBodyParsing } from './plugins/bodies.js';
import { Metrics, metricsRoute } from './metrics.js';
import { clientError, frameworkError, registerErrorHandler } from './plugins/errors.js';
import { registerPressure } from './plugins/pressure.js';
import { inlineScriptHashes, readIndexHtml, registerWeb } from './plugins/web.js';
import { openCluster } from './realtime/cluster.js';
import { attachGateway, endLocalPresence, SocketBroadcaster } from './realtime/gateway.js';
import { authRoutes } from './routes/auth.js';
import { circleRoutes } from './routes/circles.js';
import { clinicRoutes } from './routes/clinic.js';
import { cohortRoutes } from './routes/cohorts.js';
import { healthRoutes } from './routes/health.js';
import { journalRoutes } from './routes/journal.js';
import { myDataRoutes } from './routes/my-data.js';
import { outcomeRoutes } from './routes/outcomes.js';
import { questionnaireRoutes } from './routes/questionnaires.js';
import { peopleRoutes } from './routes/people.js';
import { recordRoutes } from './routes/records.js';
import { AccountService } from './services/accounts.js';
import { outboxMailer, type Mailer } from './services/mailer.js';
import { CircleService } from './services/circle-service.js';
import { rosterRefresh } from './services/roster-refresh.js';
import { SafetyNotifier } from './services/safety.js';
import type { CircleEvent } from '@holdspace/domain';
import { ServerRun } from './services/server-run.js';
import { SessionService } from './services/sessions.js';
import { loadServerKey, ServerKeys } from './services/server-key.js';
import { SignInService } from './services/sign-in.js';
import { reachedBy } from './plugins/origin.js';

/**
 * Addresses/ranges or a hop count, never `true` (config.ts refuses it): only a known proxy names the client. Fastify
 * 5.12 takes a plain number as "trust nobody", so hops are given as proxy-addr's (address, index) function: the
 * peer and the next hops-1 entries are proxies, the entry after them is the client.
 */
function trustProxyOption(trust: Config['TRUST_PROXY']): FastifyServerOptions['trustProxy'] {
  if (trust === false) return false;
  if (typeof trust === 'number') return (_address: string, hop: number) => hop < trust;
  return trust.join(',');
}

export interface RouteEntry {
  method: string;
  url: string;
  schema: { body?: unknown; params?: unknown; querystring?: unknown };
}

export interface AppDeps {
  config: Config;
  db: DbHandle;
  now?: () => Date;
  logger?: FastifyServerOptions['logger'];
  mailer?: Mailer;
}

/**
 * The whole application as one Fastify instance: plugins (external, then ours), routes, the realtime gateway.
 * Listening, signals and process exit live in server.ts, so tests can build this and `inject` or listen on port 0.
 */
export async function buildApp(deps: AppDeps) {
  const { config, db, now = () => new Date(), logger } = deps;
  const app = Fastify({
    // Logs never hold health data: failed queries lose their parameters, bodies are never written (log-safety.ts).
    logger: (logger && typeof logger === 'object' ? { ...logger, ...logSafety } : logger ?? {
      ...logSafety,
      level: config.LOG_LEVEL,
      // Readable lines for a person at a terminal; JSON lines for log collectors.
      ...(process.stdout.isTTY ? { transport: { target: 'pino-pretty', options: { translateTime: 'HH:MM:ss', ignore: 'pid,hostname' } } } : {}),
    }) as FastifyServerOptions['logger'],
    trustProxy: trustProxyOption(config.TRUST_PROXY),
    forceCloseConnections: true,
    return503OnClosing: true,
    // A request must arrive whole within 30 s, its headers within 10 s: half-sent requests do not hold sockets.
    requestTimeout: 30_000,
    connectionTimeout: 60_000,
    keepAliveTimeout: 5_000,
    bodyLimit: 256 * 1024,
    // Ids in paths are UUIDs; anything far longer is not a route of ours.
    maxParamLength: 200,
    frameworkErrors: frameworkError,
    clientErrorHandler: clientError,
  });
  // Answers from /api hold health data or depend on who asks: no browser or proxy keeps them (files set it too).
  app.addHook('onSend', async (request, reply) => {
    if (request.url.startsWith('/api/') && !reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
  });
  // Every route, as registered: the authorization matrix and the bad-input tests enumerate these.
  const routes: RouteEntry[] = [];
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      if (method !== 'HEAD' && route.url.startsWith('/api/') && !route.url.startsWith('/api/docs')) {
        routes.push({ method, url: route.url, schema: (route.schema ?? {}) as RouteEntry['schema'] });
      }
    }
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandler(app);
  registerBodyParsing(app);
  app.server.headersTimeout = 10_000;

  const metrics = new Metrics();
  const people = new PeopleRepo(db.db);
  const directory = new CircleDirectory(db.db);
  const log = new CircleLog(db.db);
  const sessions = new SessionService(people, { maxMs: config.SESSION_MAX_HOURS * 3_600_000 }, now);
  const broadcaster = new SocketBroadcaster();
  // CARE2: what a closed circle still raises reaches staff beyond its dashboard too.
  const publisher = {
    publish(events: CircleEvent[]) {
      broadcaster.publish(events);
      safety.circleEvents(events).catch((error: unknown) => app.log.error({ err: error }, 'care alert delivery failed'));
    },
  };
  const circles = new CircleService(
    log,
    directory,
    publisher,
    now,
    (clinicId, entries) => new ClinicScope(db.db, clinicId).audit(entries),
    (seconds) => metrics.appendSeconds.observe(seconds),
  );
  const safety: SafetyNotifier = new SafetyNotifier(broadcaster, circles, async (circleId) => {
    const context = await directory.context(circleId);
    return context ? { scope: new ClinicScope(db.db, context.clinicId), cohortId: context.cohortId } : null;
  });
  const serverKey = loadServerKey(config.SERVER_KEY, config.serverKeyFile);
  const keys = new ServerKeys(serverKey.key);
  const signInRepo = new SignInRepo(db.db);
  const accounts = new AccountService(people, signInRepo, { inviteDays: config.INVITE_DAYS, now, mailer: deps.mailer ?? outboxMailer, keys });
  const signIns = new SignInService(people, signInRepo, accounts, keys, now);

  const indexHtml = readIndexHtml(config.WEB_DIST);
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", ...(indexHtml ? inlineScriptHashes(indexHtml) : [])],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
        upgradeInsecureRequests: null,
      },
    },
    crossOriginEmbedderPolicy: false,
  });
  await registerPressure(app, config, metrics);
  await app.register(fastifyCookie);
  await app.register(fastifyRateLimit, { global: false });
  await app.register(fastifySwagger, {
    openapi: { info: { title: 'Holdspace API', version: config.version }, tags: ['system', 'auth', 'people', 'cohorts', 'consent', 'screening', 'clinic', 'circles', 'outcomes', 'journal'].map((name) => ({ name })) },
    transform: jsonSchemaTransform,
  });
  await app.register(authPlugin, { sessions, allowedOrigins: config.ALLOWED_ORIGINS });
  // After the auth plugin, so its hook has named the person before the docs' own hook asks.
  await app.register(fastifySwaggerUi, {
    routePrefix: '/api/docs',
    staticCSP: true,
    ...(config.API_DOCS === 'staff' ? { uiHooks: { onRequest: async (request: FastifyRequest) => void requireStaff(request) } } : {}),
  });
  // Nodes share Socket.IO rooms through this adapter: every emit and disconnect reaches sockets on the others.
  const cluster = await openCluster(config, (error, what) => app.log.warn({ err: error }, `${what} failed`));
  await metricsRoute(app, metrics, config.METRICS_TOKEN);
  await app.register(healthRoutes, { db, version: config.version, timeoutMs: 800, cluster: { adapter: cluster.adapter, nodes: () => cluster.nodes(io) } });
  const secureCookie = config.COOKIE_SECURE ?? (config.NODE_ENV === 'production' && config.TRUST_PROXY !== false);
  await app.register(authRoutes, { db: db.db, sessions, accounts, signIns, secureCookie, authRateLimit: config.AUTH_RATE_LIMIT_PER_MINUTE, now });
  await app.register(peopleRoutes, { db: db.db, accounts, sessions, publicUrl: config.PUBLIC_URL });
  await app.register(cohortRoutes, {
    db: db.db,
    now,
    // POL2: sockets in the person's rooms of these circles are cut, on every node (the adapter shares rooms).
    membershipLost: async (scope, userId, circleIds) => {
      broadcaster.cutMembership(userId, circleIds);
      for (const circleId of await scope.liveCircles(circleIds)) await circles.syncRoster(circleId);
    },
  });
  await app.register(recordRoutes, { db: db.db, now, refreshRoster: rosterRefresh(circles) });
  await app.register(clinicRoutes, { db: db.db });
  await app.register(circleRoutes, { directory, db: db.db });
  await app.register(questionnaireRoutes, { db: db.db, now, safety });
  await app.register(journalRoutes, { db: db.db, now });
  await app.register(myDataRoutes, { db: db.db, now });
  await app.register(outcomeRoutes, { db: db.db, now, safety, circles });
  await registerWeb(app, config.WEB_DIST, indexHtml);

  const run = new ServerRun(new RunsRepo(db.db), log, circles, {
    nodeId: config.nodeId,
    heartbeatMs: config.RUN_HEARTBEAT_MS,
    onError: (error, what) => app.log.warn({ err: error }, `${what} failed`),
    onSwept: (count) => app.log.info({ cleared: count }, 'ended presence left by runs that are gone'),
  });
  const gate = { accepting: true };
  const io = attachGateway(app, {
    sessions,
    circles,
    broadcaster,
    cluster,
    replay: (circleId, afterSeq, count) => log.eventsSince(circleId, afterSeq, count),
    nodeId: config.nodeId,
    runId: run.runId,
    allowedOrigins: config.ALLOWED_ORIGINS,
    reached: reachedBy(config.TRUST_PROXY),
    commandTimeoutMs: config.COMMAND_TIMEOUT_MS,
    gate,
    metrics,
    socketsPerPerson: config.SOCKETS_PER_PERSON,
  });

  // Shutdown, within SHUTDOWN_TIMEOUT_MS: stop taking socket messages, let what was taken commit and be
  // acknowledged, end this node's presence in one append per circle, then close the sockets. What cannot be written
  // in time (the database is away) is left to the next start's sweep (PRS5).
  const budget = Math.max(200, config.SHUTDOWN_TIMEOUT_MS - 1000);
  app.addHook('preClose', async () => {
    gate.accepting = false;
    const deadline = Date.now() + budget;
    const left = () => Math.max(50, deadline - Date.now());
    const step = (work: Promise<unknown>, what: string) =>
      withTimeout(work, left(), `${what} did not finish in time`).catch((error: unknown) => app.log.warn({ err: error }, `shutdown: ${what}`));
    await step(circles.drain(), 'commands under way');
    await step(endLocalPresence(io, circles), 'ending presence');
    io.local.disconnectSockets(true);
    await step(run.stop(), 'ending the run');
  });
  // Hourly: outcomes kept for retries are dropped once no outbox would still resend them (LOG3), and sign-in
  // failures a day old are forgotten.
  const pruneOutcomes = (at = now()) =>
    log.pruneOutcomes(at).catch((error: unknown) => {
      app.log.warn({ err: error }, 'pruning command outcomes failed');
      return 0;
    });
  const housekeeping = async () => {
    await pruneOutcomes();
    await signInRepo.prune(new Date(now().getTime() - 86_400_000), now()).catch((error: unknown) => app.log.warn({ err: error }, 'pruning sign-in failures failed'));
  };
  const pruning = setInterval(() => void housekeeping(), 3_600_000);
  pruning.unref();
  app.addHook('onReady', async () => {
    if (serverKey.source === 'generated') app.log.info({ file: config.serverKeyFile }, 'generated a server key; back it up, and give every node the same one (SERVER_KEY)');
    await accounts.sealPlainSecrets();
    await housekeeping();
  });
  app.addHook('onClose', async () => {
    clearInterval(pruning);
    io.engine.close();
    await withTimeout(circles.drain(), 1000).catch(() => {});
    await cluster.close(io);
  });

  return { fastify: app, io, run, routes, services: { circles, sessions, log, people, directory, accounts, pruneOutcomes }, cluster: { adapter: cluster.adapter, ordering: () => broadcaster.order?.stats } };
}

export type App = Awaited<ReturnType<typeof buildApp>>;
