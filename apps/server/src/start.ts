import { createDb, DEMO_PASSWORD, demoPeople, PeopleRepo, seedDemo, type DbHandle } from '@holdspace/db';
import { buildApp, type App } from './app.js';
import type { Config } from './config.js';
import { hashPassword } from './services/passwords.js';

export interface Running {
  app: App;
  db: DbHandle;
  url: string;
  close(): Promise<void>;
}

export async function openDatabase(config: Config): Promise<DbHandle> {
  const db = await createDb({
    databaseUrl: config.DATABASE_URL,
    pgliteDir: config.PGLITE_DIR,
    pgliteDurability: config.PGLITE_DURABILITY,
    poolSize: config.DATABASE_POOL_SIZE,
    connectTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS,
    statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
  });
  try {
    await db.migrate();
  } catch (error) {
    await db.close();
    throw error;
  }
  return db;
}

export async function seedIfEmpty(db: DbHandle, history = true): Promise<boolean> {
  return seedDemo(db.db, { passwordHash: await hashPassword(DEMO_PASSWORD), history });
}

export function demoSignIns(): string {
  const rows = [
    ['clinic admin', demoPeople.admin.email],
    ['facilitator', demoPeople.facilitator.email],
    ['co-facilitator', demoPeople.cofacilitator.email],
    ['prescriber', demoPeople.prescriber.email],
    ...demoPeople.participants.map((p) => [`participant "${p.displayName}"`, p.email] as const),
  ];
  return [`Demo sign-ins (password for all: ${DEMO_PASSWORD})`, ...rows.map(([role, email]) => `  ${role.padEnd(26)} ${email}`)].join('\n');
}

/** Opens the database, migrates, seeds an empty one, builds the app and listens. */
export async function startServer(config: Config, options: { now?: () => Date; quiet?: boolean } = {}): Promise<Running> {
  const db = await openDatabase(config);
  let app: App;
  try {
    if (config.SEED_DEMO) await seedIfEmpty(db, config.SEED_DEMO_HISTORY);
    app = await buildApp({ config, db, ...(options.now ? { now: options.now } : {}), ...(options.quiet ? { logger: false } : {}) });
    // PRS5: the run is recorded and what dead runs left is swept before any socket can join.
    const stale = await app.run.start();
    if (stale > 0) app.fastify.log.info({ cleared: stale }, 'cleared presence left by runs that are gone');
    await app.fastify.listen({ host: config.HOST, port: config.PORT });
  } catch (error) {
    await db.close();
    throw error;
  }
  const address = app.fastify.server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const url = `http://${config.HOST === '0.0.0.0' || config.HOST === '::' ? 'localhost' : config.HOST}:${port}`;

  let closing: Promise<void> | null = null;
  return {
    app,
    db,
    url,
    close: () =>
      (closing ??= (async () => {
        try {
          await app.fastify.close();
        } finally {
          await db.close();
        }
      })()),
  };
}

export async function hasDemoData(db: DbHandle): Promise<boolean> {
  return Boolean(await new PeopleRepo(db.db).userByEmail(demoPeople.admin.email));
}
