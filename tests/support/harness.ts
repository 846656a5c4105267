import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { CircleConnection, HoldspaceApi, type CircleConnectionOptions } from '@holdspace/client';
import { demoPeople } from '@holdspace/db';
import { loadConfig, startServer, type Running } from '@holdspace/server';

export type DriverName = 'pglite' | 'postgres';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
/** The cluster tests' Redis; each run names its own stream and channels (CLUSTER_CHANNEL). */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Both drivers unless TEST_DRIVERS narrows them (e.g. TEST_DRIVERS=postgres). */
export function testDrivers(): DriverName[] {
  const wanted = (process.env.TEST_DRIVERS ?? 'pglite,postgres').split(',').map((s) => s.trim());
  return (['pglite', 'postgres'] as const).filter((d) => wanted.includes(d));
}

export interface TestDatabase {
  env: Record<string, string>;
  drop(): Promise<void>;
}

/** A fresh, empty database: a new Postgres database on TEST_DATABASE_URL, or a new PGlite folder. */
export async function createTestDatabase(driver: DriverName): Promise<TestDatabase> {
  if (driver === 'pglite') {
    const dir = mkdtempSync(join(tmpdir(), 'hs-pglite-'));
    return { env: { PGLITE_DIR: join(dir, 'pglite') }, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `hs_test_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    env: { DATABASE_URL: url.toString() },
    drop: async () => {
      const a = postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => {} });
      await a.unsafe(`drop database if exists ${name} with (force)`);
      await a.end();
    },
  };
}

export interface TestServer extends Running {
  database: TestDatabase;
  stop(): Promise<void>;
}

let nodeCounter = 0;

/** The real server on a random port over a fresh database, seeded with the demo clinic. */
export async function startTestServer(
  driver: DriverName,
  options: { database?: TestDatabase; env?: Record<string, string>; now?: () => Date } = {},
): Promise<TestServer> {
  const database = options.database ?? (await createTestDatabase(driver));
  const config = loadConfig({
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'silent',
    // The tests work on the demo's one cohort; the finished summer cohort is for people trying the app.
    SEED_DEMO_HISTORY: 'false',
    NODE_ID: `test-${process.pid}-${++nodeCounter}`,
    // Tests sign many people in from one address; the per-address limit has its own test.
    AUTH_RATE_LIMIT_PER_MINUTE: '10000',
    // The server shares its event loop with the test and two busy cores with the rest of CI: shedding load here would
    // refuse what a test asserts on. metrics.test.ts turns it on to test it.
    PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0',
    ...database.env,
    ...options.env,
  });
  const running = await startServer(config, { quiet: true, ...(options.now ? { now: options.now } : {}) });
  return {
    ...running,
    database,
    stop: async () => {
      await running.close();
      if (!options.database) await database.drop();
    },
  };
}

export const demo = demoPeople;
export const DEMO_PASSWORD = 'holdspace-demo';

/** A signed-in person: an API client holding their cookie, and a way to open circle connections as them. */
export interface Person {
  api: HoldspaceApi;
  cookie: string;
  connect(circleId: string, options?: Partial<CircleConnectionOptions>): CircleConnection;
}

export async function signIn(url: string, email: string, password = DEMO_PASSWORD): Promise<Person> {
  const jar = { cookie: null as string | null };
  const api = new HoldspaceApi({ baseUrl: url, cookieJar: jar });
  const result = await api.signIn({ email, password });
  if (!result.ok || !jar.cookie) throw new Error(`sign-in failed for ${email}: ${result.ok ? 'no cookie' : result.message}`);
  const cookie = jar.cookie;
  const opened: CircleConnection[] = [];
  connections.push(opened);
  return {
    api,
    cookie,
    connect: (circleId, options = {}) => {
      const c = new CircleConnection({ url, circleId, headers: { cookie, origin: url }, ...options });
      opened.push(c);
      return c;
    },
  };
}

const connections: CircleConnection[][] = [];
/** Closes every connection opened through signIn(); call in afterEach. */
export function closeAllConnections() {
  for (const list of connections.splice(0)) for (const c of list) c.close();
}

type Falsy = undefined | null | false;

/** Polls until check gives a truthy value (an async check is awaited). */
export async function waitFor<T>(check: () => T | Falsy | Promise<T | Falsy>, { timeout = 5000, interval = 20, message = 'condition' } = {}): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() - start > timeout) throw new Error(`Timed out after ${timeout} ms waiting for ${message}`);
    await new Promise((r) => setTimeout(r, interval));
  }
}

export async function firstCircleId(person: Person): Promise<string> {
  const list = await person.api.circles();
  if (!list.ok || !list.data[0]) throw new Error('no circles');
  return list.data[0].id;
}

export type RawSocket = import('socket.io-client').Socket<
  import('@holdspace/protocol').ServerToClientEvents,
  import('@holdspace/protocol').ClientToServerEvents
>;

/** A bare Socket.IO client, for tests that look at frames and acks directly. */
export async function rawSocket(
  url: string,
  options: { cookie?: string; origin?: string | null; protocolVersion?: number } = {},
): Promise<RawSocket> {
  const { io } = await import('socket.io-client');
  const { PROTOCOL_VERSION } = await import('@holdspace/protocol');
  const headers: Record<string, string> = {};
  if (options.cookie) headers.cookie = options.cookie;
  if (options.origin !== null) headers.origin = options.origin ?? url;
  const socket: RawSocket = io(url, {
    transports: ['websocket'],
    auth: { protocolVersion: options.protocolVersion ?? PROTOCOL_VERSION },
    extraHeaders: headers,
    reconnection: false,
    forceNew: true,
  });
  rawSockets.push(socket);
  return socket;
}
const rawSockets: RawSocket[] = [];
export function closeRawSockets() {
  for (const s of rawSockets.splice(0)) s.disconnect();
}

/** Resolves on connect, rejects with the server's reason on connect_error. */
export function connected(socket: RawSocket): Promise<void> {
  return new Promise((resolve, reject) => {
    if (socket.connected) return resolve();
    socket.once('connect', () => resolve());
    socket.once('connect_error', (err) => reject(err));
  });
}

export interface NetworkProxy {
  url: string;
  /** From now on, nothing the server sends reaches the client (requests still get through). */
  dropReplies(): void;
  /** Cuts every connection through the proxy, as a lost network does; new connections work normally. */
  cut(): void;
  close(): Promise<void>;
}

/** Connects to the first of `targets` that accepts, as a load balancer does when a node is down; null if none does. */
function connectFirst(targets: URL[]): Promise<Socket | null> {
  const [first, ...rest] = targets;
  if (!first) return Promise.resolve(null);
  return new Promise((resolve) => {
    const socket = connect(Number(first.port), first.hostname);
    socket.once('connect', () => {
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', () => resolve(connectFirst(rest)));
  });
}

/**
 * A TCP proxy in front of a server: the network between a phone and Holdspace, which tests can break. Given several
 * servers, each new connection goes to the first that accepts.
 */
export async function networkProxy(target: string | string[]): Promise<NetworkProxy> {
  const targets = (Array.isArray(target) ? target : [target]).map((t) => new URL(t));
  const open = new Set<Socket>();
  let dropping = false;
  const proxy = createServer((client) => {
    open.add(client);
    client.on('error', () => {});
    client.on('close', () => open.delete(client));
    void connectFirst(targets).then((upstream) => {
      if (!upstream || client.destroyed) return void (upstream?.destroy(), client.destroy());
      open.add(upstream);
      upstream.on('error', () => {});
      for (const s of [client, upstream]) {
        s.on('close', () => {
          client.destroy();
          upstream.destroy();
          open.delete(s);
        });
      }
      client.pipe(upstream);
      upstream.on('data', (chunk: Buffer) => void (dropping || client.write(chunk)));
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const cut = () => {
    for (const s of open) s.destroy();
    dropping = false;
  };
  const address = proxy.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    url,
    dropReplies: () => void (dropping = true),
    cut,
    close: () => {
      cut();
      return new Promise((resolve) => proxy.close(() => resolve()));
    },
  };
}
