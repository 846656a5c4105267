import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import * as schema from './schema.js';
import { openPglite, type PgliteDurability } from './pglite-durable.js';

export type Schema = typeof schema;
/** The one database type repositories see, whichever driver is underneath. */
export type Database = PgDatabase<PgQueryResultHKT, Schema>;
export type Driver = 'pglite' | 'postgres';

export interface DbHandle {
  db: Database;
  driver: Driver;
  /** What an acknowledged commit survives: see `DbDurability`. */
  durability: DbDurability;
  /** Applies pending migrations; safe to call from several processes at once on Postgres. */
  migrate(): Promise<void>;
  migrationLevel(): Promise<{ applied: number; latest: string | null }>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * `synced`: PGlite writes each commit's WAL to disk before it returns (survives a power loss). `os-cache`: PGlite's own
 * default, the commit is in the OS's cache (survives the process being killed, not a power loss). `postgres`: what the
 * Postgres server is configured to do (fsync and synchronous_commit are on by default).
 */
export type DbDurability = PgliteDurability | 'postgres';

export interface DbOptions {
  /** postgres://… selects postgres.js; absent selects embedded PGlite. */
  databaseUrl?: string | undefined;
  /** PGlite data folder, or `memory://` for a throwaway database. */
  pgliteDir?: string | undefined;
  /** PGlite only: sync each commit to disk (the default), or leave it in the OS's cache. */
  pgliteDurability?: PgliteDurability | undefined;
  /** Connections in the postgres.js pool. */
  poolSize?: number;
  /** postgres.js: how long opening a connection may take. */
  connectTimeoutMs?: number;
  /** Postgres: the longest a statement (or a transaction left idle) may run before the server cancels it. */
  statementTimeoutMs?: number;
}

/** The database did not answer in time, or its connection failed: nothing is known to be saved, try again. */
export class DatabaseUnavailableError extends Error {
  constructor(message = 'The database did not answer in time') {
    super(message);
    this.name = 'DatabaseUnavailableError';
  }
}

const unavailableCodes = new Set([
  'CONNECTION_CLOSED',
  'CONNECTION_DESTROYED',
  'CONNECTION_ENDED',
  'CONNECT_TIMEOUT',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  '57014', // query_canceled: statement_timeout
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
  '25P03', // idle_in_transaction_session_timeout
]);

/** True for failures of reaching the database (as opposed to a query it refused): answer UNAVAILABLE. */
export function isUnavailableError(error: unknown): boolean {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof DatabaseUnavailableError) return true;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (unavailableCodes.has(code) || code.startsWith('08'))) return true;
  }
  return false;
}

/** Settles with the work, or rejects with DatabaseUnavailableError after ms (the work itself runs on). */
export function withTimeout<T>(work: Promise<T>, ms: number, message?: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DatabaseUnavailableError(message)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export const migrationsFolder = resolve(dirname(fileURLToPath(import.meta.url)), '../migrations');

interface JournalEntry {
  tag: string;
}
function journal(): JournalEntry[] {
  const file = join(migrationsFolder, 'meta/_journal.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { entries: JournalEntry[] }).entries;
}

/** The migrations this build ships: how many, and the newest one's name. */
export function shippedMigrations(): { applied: number; latest: string | null } {
  const entries = journal();
  return { applied: entries.length, latest: entries.at(-1)?.tag ?? null };
}

export class DataDirLockedError extends Error {
  constructor(dir: string, pid: number) {
    super(
      `The embedded database at ${dir} is in use by another process (pid ${pid}). ` +
        `Stop that process, or set PGLITE_DIR to another folder.`,
    );
    this.name = 'DataDirLockedError';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** PGlite has no locking of its own and corrupts a folder two processes open: hold a pid file while open. */
function lockDataDir(dir: string): () => void {
  mkdirSync(dir, { recursive: true });
  const lockFile = join(dir, '..', `${dir.split(/[\\/]/).filter(Boolean).pop() ?? 'pglite'}.lock`);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockFile, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(lockFile, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number(readFileSync(lockFile, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) throw new DataDirLockedError(dir, pid);
      rmSync(lockFile, { force: true }); // left by a process that is gone
    }
  }
  throw new Error(`Could not lock ${dir}`);
}

export async function createDb(options: DbOptions): Promise<DbHandle> {
  if (options.databaseUrl) return createPostgres(options.databaseUrl, options);
  return createPglite(options.pgliteDir ?? './data/pglite', options.pgliteDurability ?? 'synced');
}

async function migrationLevel(db: Database) {
  const entries = journal();
  let applied: number;
  try {
    const result: unknown = await db.execute(sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
    // PGlite answers {rows: [...]}, postgres.js an array of rows.
    const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as { n: number }[];
    applied = Number(rows[0]?.n ?? 0);
  } catch {
    applied = 0; // no migrations table yet
  }
  return { applied, latest: applied > 0 ? (entries[applied - 1]?.tag ?? null) : null };
}

async function createPglite(dir: string, durability: PgliteDurability): Promise<DbHandle> {
  const inMemory = dir.startsWith('memory://');
  const unlock = inMemory ? () => {} : lockDataDir(resolve(dir));
  let client: PGlite;
  try {
    client = inMemory ? await PGlite.create(dir) : await openPglite(resolve(dir), durability);
  } catch (error) {
    unlock();
    throw error;
  }
  const db = drizzlePglite({ client, schema }) as unknown as Database;
  return {
    db,
    driver: 'pglite',
    durability: inMemory ? 'os-cache' : durability,
    migrate: () => migratePglite(drizzlePglite({ client, schema }), { migrationsFolder }),
    migrationLevel: () => migrationLevel(db),
    ping: async () => {
      await client.query('select 1');
      return true;
    },
    close: async () => {
      try {
        if (!client.closed) await client.close();
      } finally {
        unlock();
      }
    },
  };
}

async function createPostgres(url: string, options: DbOptions): Promise<DbHandle> {
  const statementTimeout = options.statementTimeoutMs ?? 5000;
  const client = postgres(url, {
    max: options.poolSize ?? 10,
    onnotice: () => {},
    // Seconds, fractions allowed: a connection that cannot be opened fails fast instead of holding its query.
    connect_timeout: (options.connectTimeoutMs ?? 2000) / 1000,
    // Idle connections are closed and opened again when needed: after an outage none lingers half-dead.
    idle_timeout: 60,
    max_lifetime: 30 * 60,
    keep_alive: 10,
    // Seconds before a failed connection is opened again. postgres.js grows this to 20 s (3^n / 100) as failures
    // add up during an outage, so once the database is back the queries queued on those connections would wait out
    // the delay: capped at 1 s, the server works again within a second or two of its database.
    backoff: (retries: number) => (0.5 + Math.random() / 2) * Math.min(0.05 * 2 ** retries, 1),
    connection: {
      statement_timeout: statementTimeout,
      idle_in_transaction_session_timeout: statementTimeout * 2,
      lock_timeout: statementTimeout,
    },
  });
  const pg = drizzlePostgres({ client, schema });
  const db = pg as unknown as Database;
  return {
    db,
    driver: 'postgres',
    durability: 'postgres',
    migrate: async () => {
      // Several nodes may start together: one migrates while the others wait on the lock, then find nothing to do.
      const lock = await client.reserve();
      try {
        // Waiting for another node's migration is not a stuck statement.
        await lock`set statement_timeout = 0`;
        await lock`select pg_advisory_lock(727274)`;
        await migratePostgres(pg, { migrationsFolder });
      } finally {
        await lock`select pg_advisory_unlock(727274)`.catch(() => {});
        await lock`reset statement_timeout`.catch(() => {});
        lock.release();
      }
    },
    migrationLevel: () => migrationLevel(db),
    ping: async () => {
      await client`select 1`;
      return true;
    },
    close: () => client.end({ timeout: 1 }),
  };
}

export const pgliteDataExists = (dir: string) => existsSync(join(resolve(dir), 'PG_VERSION'));
