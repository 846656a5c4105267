import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { SOCKETS_PER_PERSON } from '@holdspace/domain';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'use true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** proxy-addr's names for address ranges, accepted in TRUST_PROXY beside addresses and CIDR ranges. */
const RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal'];
const ANY = /^(true|yes|on|any|all|\*)$/i;

function proxyEntry(entry: string): boolean {
  if (RANGE_NAMES.includes(entry)) return true;
  const [address = '', bits, ...rest] = entry.split('/');
  const family = isIP(address);
  if (!family || rest.length) return false;
  if (bits === undefined) return true;
  const n = Number(bits);
  return /^\d{1,3}$/.test(bits) && n >= 1 && n <= (family === 4 ? 32 : 128);
}

/**
 * Which peers may say who the client is (X-Forwarded-For): off, the number of proxies in front (hops), or the
 * proxies' addresses and ranges. Never "any peer": a client could then name any address and slip past the
 * per-source sign-in limit.
 */
export type TrustProxy = false | number | string[];

const trustProxy = z
  .string()
  .default('false')
  .transform((raw, ctx): TrustProxy => {
    const v = raw.trim();
    if (v === '' || /^(false|no|off|0)$/i.test(v)) return false;
    if (ANY.test(v)) {
      ctx.addIssue({
        code: 'custom',
        message: 'trusting every peer lets any client forge its address; give the proxy\'s address or range (e.g. 127.0.0.1 or 10.0.0.0/8) or the number of proxies in front (e.g. 1)',
      });
      return z.NEVER;
    }
    if (/^\d+$/.test(v)) {
      const hops = Number(v);
      if (hops > 10) {
        ctx.addIssue({ code: 'custom', message: 'a hop count is the number of proxies in front of the server (1-10)' });
        return z.NEVER;
      }
      return hops;
    }
    const entries = v.split(',').map((s) => s.trim()).filter(Boolean);
    const bad = entries.filter((e) => !proxyEntry(e));
    if (bad.length) {
      ctx.addIssue({ code: 'custom', message: `not an address, CIDR range or hop count: ${bad.join(', ')} (use e.g. 127.0.0.1, 10.0.0.0/8, loopback, or 1)` });
      return z.NEVER;
    }
    return entries;
  });

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test'], { message: 'use development, production or test' }).default('production'),
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: z.coerce.number({ message: 'must be a number' }).int().min(0).max(65535, 'must be a port number (0-65535)').default(3000),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  PGLITE_DIR: z.string().min(1).default('./data/pglite'),
  /** `synced`: each commit on disk before it is acknowledged; `os-cache`: PGlite's default, lost on a power loss. */
  PGLITE_DURABILITY: z.enum(['synced', 'os-cache'], { message: 'use synced or os-cache' }).default('synced'),
  /** Nodes share Socket.IO rooms through Redis streams (preferred over Postgres when both are set). */
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  /** How nodes share rooms: auto (Redis if REDIS_URL, else Postgres if DATABASE_URL, else none), or one of them. */
  CLUSTER_ADAPTER: z.enum(['auto', 'postgres', 'redis', 'none'], { message: 'use auto, postgres, redis or none' }).default('auto'),
  /** Names the channel (and Redis stream) the nodes of one deployment share; deployments sharing a Redis differ here. */
  CLUSTER_CHANNEL: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{1,40}$/, 'letters, digits and _ . : - only, at most 40')
    .default('holdspace'),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(2).max(100).default(10),
  /** Postgres: how long opening a connection may take before the call fails. */
  DATABASE_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(2000),
  /** Postgres: the longest one statement may run (statement_timeout; lock waits and idle transactions alike). */
  DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(5000),
  /** How long a socket command or join waits for the database before the device is told UNAVAILABLE (not saved yet). */
  COMMAND_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(1500),
  /** How often a server run records that it is alive; a run silent for three beats is dead and its presence swept. */
  RUN_HEARTBEAT_MS: z.coerce.number().int().min(200).max(600_000).default(2000),
  /** Warnings and errors by default; `info` adds a line per request. */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('warn'),
  /** Comma-separated origins allowed to open sockets and send cookie-authenticated writes; empty: same origin only. */
  ALLOWED_ORIGINS: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim().replace(/\/$/, ''))
        .filter(Boolean),
    ),
  /** Mark the session cookie Secure: on behind https. Defaults to on in production when TRUST_PROXY is set. */
  COOKIE_SECURE: bool.optional(),
  TRUST_PROXY: trustProxy,
  SESSION_MAX_HOURS: z.coerce.number().int().min(1).max(24 * 30).default(12),
  /** Sign-in and invite attempts allowed per minute from one address. */
  AUTH_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(20),
  SEED_DEMO: bool.default(true),
  /** With the demo, a cohort that finished its program last summer: scores, attendance and one safety alert. */
  SEED_DEMO_HISTORY: bool.default(true),
  /** The address people use to reach Holdspace, for links in invites (default: the address of the request). */
  PUBLIC_URL: z.string().url('must be a URL like https://holdspace.example.org').optional(),
  /** How long an invite link stays valid. */
  INVITE_DAYS: z.coerce.number().int().min(1).max(60).default(7),
  /** Folder of the built web app; served for every non-API path. */
  WEB_DIST: z.string().default(new URL('../../web/build', import.meta.url).pathname),
  /** Names this server process in presence records; stale records of the same node are cleared at start. */
  NODE_ID: z.string().min(1).optional(),
  /**
   * 32 bytes (base64, or 64 hex digits) that seal two-factor secrets and sign device cookies; every node shares it.
   * Unset: generated once and kept in SERVER_KEY_FILE.
   */
  SERVER_KEY: z
    .string()
    .optional()
    .or(z.literal('').transform(() => undefined)),
  /** Where a generated server key is kept (default: server.key beside the embedded database's folder). */
  SERVER_KEY_FILE: z.string().min(1).optional(),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(4500),
  /** Who may read the API documentation (/api/docs): anyone, or signed-in staff only (the default in production). */
  API_DOCS: z.enum(['public', 'staff'], { message: 'use public or staff' }).optional(),
  /** A bearer token that opens /metrics to a scraper anywhere; unset: /metrics answers this machine only (not through a proxy). */
  METRICS_TOKEN: z
    .string()
    .min(16, 'use at least 16 characters (e.g. openssl rand -hex 16)')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  /** FAIR6: the sockets one person may hold on one node. */
  SOCKETS_PER_PERSON: z.coerce.number().int().min(1).max(1000).default(SOCKETS_PER_PERSON),
  /** HTTP requests are answered 503 while the event loop's delay over the last sample is above this; 0 turns it off. */
  PRESSURE_MAX_EVENT_LOOP_DELAY_MS: z.coerce.number().int().min(0).max(60_000).default(500),
  /** HTTP requests are answered 503 while the event loop is busier than this share of the time; 0 (off) by default. */
  PRESSURE_MAX_EVENT_LOOP_UTILIZATION: z.coerce.number().min(0).max(1).default(0),
});

export type Config = Omit<z.infer<typeof envSchema>, 'API_DOCS'> & { API_DOCS: 'public' | 'staff'; nodeId: string; serverKeyFile: string; version: string };

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: Record<string, string | undefined> = process.env, version = '0.1.0'): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message} (got ${JSON.stringify(env[String(i.path[0])])})`));
  }
  const c = parsed.data;
  if (c.CLUSTER_ADAPTER === 'postgres' && !c.DATABASE_URL) throw new ConfigError(['CLUSTER_ADAPTER: postgres needs DATABASE_URL (the embedded database is one node)']);
  if (c.CLUSTER_ADAPTER === 'redis' && !c.REDIS_URL) throw new ConfigError(['CLUSTER_ADAPTER: redis needs REDIS_URL']);
  return { ...c, API_DOCS: c.API_DOCS ?? (c.NODE_ENV === 'production' ? 'staff' : 'public'), nodeId: c.NODE_ID ?? `${hostname()}:${c.PORT}`, serverKeyFile: c.SERVER_KEY_FILE ?? join(dirname(c.PGLITE_DIR), 'server.key'), version };
}
