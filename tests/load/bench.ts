// `pnpm bench [--quick] [--levels=10,25] [--seconds=30] [--sides=a,b,c,d] [--all-levels] [--no-idle]`: Holdspace beside bare Socket.IO, on real
// servers and real Postgres, driven from a separate process. See tests/load/README.md for what each side is.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, type TestDatabase } from '../support/harness.js';
import { repoRoot, spawnServer, type ServerProcess } from '../support/process.js';
import type { DriverConfig } from './driver.js';
import { sampleProcess } from './measure.js';
import { kneeOf, ratios, table, withinKnee, type LevelResult } from './report.js';
import { bareCircles, seedCircles, type BenchCircle } from './seed.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const allLevels = args.includes('--all-levels');
const option = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const levels = (option('levels') ?? (quick ? '2,5' : '10,25,50,100,200,300,400,600')).split(',').map(Number);
const seconds = Number(option('seconds') ?? (quick ? 6 : 30));
const PERIOD_MS = 10_000;
const sideNames = {
  a: 'a: bare Socket.IO, no database',
  b: 'b: bare Socket.IO + one INSERT per command',
  c: 'c: one Holdspace node',
  d: 'd: three Holdspace nodes (clients round-robin over the node URLs, no load balancer)',
} as const;
type SideKey = keyof typeof sideNames;
const sides = (option('sides') ?? 'a,b,c,d').split(',') as SideKey[];

const here = fileURLToPath(new URL('.', import.meta.url));
const canPin = spawnSync('taskset', ['-c', '0', 'true']).status === 0;
const workDir = mkdtempSync(join(tmpdir(), 'hs-bench-'));
const servers: ServerProcess[] = [];
const databases: TestDatabase[] = [];
const harnessFailures: string[] = [];

interface Side {
  key: SideKey;
  kind: DriverConfig['kind'];
  nodes: ServerProcess[];
  circles: BenchCircle[];
  results: LevelResult[];
  adapter: string;
  done: boolean;
  idle?: IdleResult;
}

interface IdleResult {
  /** Sockets that joined their circle; `opened` counts every one, refused joins too. */
  sockets: number;
  opened: number;
  errors: number;
  errorKinds: Record<string, number>;
  rssBeforeMb: number;
  rssAfterMb: number;
  kbPerSocket: number;
}
const IDLE_SOCKETS = 1000;

async function start(env: Record<string, string>, entry?: string): Promise<ServerProcess> {
  const server = await spawnServer({ LOG_LEVEL: 'warn', ...env }, entry ? { entry } : {});
  servers.push(server);
  // Every server on core 0, the driver on core 1: the server's figures are one core's worth.
  if (canPin && server.child.pid) spawnSync('taskset', ['-a', '-pc', '0', String(server.child.pid)], { stdio: 'ignore' });
  return server;
}

async function database(): Promise<TestDatabase> {
  const db = await createTestDatabase('postgres');
  databases.push(db);
  return db;
}

async function holdspace(key: SideKey, nodeCount: number, circles: number): Promise<Side> {
  const db = await database();
  const seeded = Date.now();
  const list = await seedCircles(db.env.DATABASE_URL!, circles);
  console.log(`figure: seeded ${circles} circles (${circles * 13} people and sessions) for ${key} in ${((Date.now() - seeded) / 1000).toFixed(1)} s`);
  const nodes = await Promise.all(
    Array.from({ length: nodeCount }, (_, i) => start({ ...db.env, NODE_ID: `bench-${key}-${i + 1}`, AUTH_RATE_LIMIT_PER_MINUTE: '100000' })),
  );
  const health = (await fetch(`${nodes[0]!.url}/api/health`).then((r) => r.json())) as { cluster?: { adapter?: string } };
  return { key, kind: 'holdspace', nodes, circles: list, results: [], adapter: health.cluster?.adapter ?? 'unknown', done: false };
}

async function bare(key: SideKey, withInsert: boolean, circles: number): Promise<Side> {
  const env: Record<string, string> = {};
  if (withInsert) env.BENCH_INSERT_URL = (await database()).env.DATABASE_URL!;
  const node = await start(env, join(here, 'bare-server.ts'));
  return { key, kind: 'bare', nodes: [node], circles: bareCircles(circles), results: [], adapter: 'none', done: false };
}

function drive<R = LevelResult>(side: Side, circles: number, idle = false): Promise<R> {
  const config: DriverConfig = {
    kind: side.kind,
    urls: side.nodes.map((n) => n.url),
    circles: side.circles.slice(0, circles),
    seconds,
    periodMs: PERIOD_MS,
    serverPids: side.nodes.map((n) => n.child.pid!),
    idle,
  };
  const file = join(workDir, `${side.key}-${circles}${idle ? '-idle' : ''}.json`);
  writeFileSync(file, JSON.stringify(config));
  const node = [process.execPath, '--import', 'tsx', join(here, 'driver.ts'), file];
  const [cmd, ...argv] = canPin ? ['taskset', '-c', '1', ...node] : node;
  return new Promise((resolve, reject) => {
    const child = spawn(cmd!, argv, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('result:'));
      if (code === 0 && line) resolve(JSON.parse(line.slice('result:'.length)) as R);
      else reject(new Error(`the load driver failed (exit ${code}):\n${out.slice(-2000)}`));
    });
  });
}

/**
 * Waits until a side's servers are quiet (under 10% of a core for a second, at most 30 s): the devices that just left
 * are still being processed (presence leaves), and all servers share core 0 with the next side's measure.
 */
async function settle(side: Side) {
  const cpu = () => side.nodes.reduce((sum, n) => sum + (sampleProcess(n.child.pid!)?.cpuMs ?? 0), 0);
  const until = Date.now() + 30_000;
  let last = cpu();
  while (Date.now() < until) {
    await new Promise((r) => setTimeout(r, 1000));
    const now = cpu();
    if (now - last < 100) return;
    last = now;
  }
}

async function cleanUp() {
  for (const s of servers) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGTERM');
  const killLater = setTimeout(() => servers.forEach((s) => s.child.exitCode === null && s.child.kill('SIGKILL')), 5000);
  await Promise.all(servers.map((s) => s.exited));
  clearTimeout(killLater);
  await Promise.all(databases.map((d) => d.drop().catch((e: unknown) => console.error('a benchmark database was not dropped:', e))));
  rmSync(workDir, { recursive: true, force: true });
}

let cleaning: Promise<void> | null = null;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    cleaning ??= cleanUp();
    void cleaning.finally(() => process.exit(130));
  });
}

const began = Date.now();
const all: Side[] = [];
try {
  console.log(`bench: levels ${levels.join(', ')} circles of 1 facilitator + 12 participants; ${seconds} s per level; a check-in per participant every ${PERIOD_MS / 1000} s, staggered`);
  console.log(canPin ? 'bench: servers pinned to core 0, the load driver to core 1' : 'bench: taskset not available: nothing pinned');
  // Holdspace sides are seeded for the idle measure too (1,000 sockets), unless it is skipped.
  const most = Math.max(...levels, quick || args.includes('--no-idle') ? 0 : Math.ceil(IDLE_SOCKETS / 13));
  const makers: Record<SideKey, () => Promise<Side>> = {
    a: () => bare('a', false, most),
    b: () => bare('b', true, most),
    c: () => holdspace('c', 1, most),
    d: () => holdspace('d', 3, most),
  };
  all.push(...(await Promise.all(sides.map((key) => makers[key]()))));
  for (const s of all) console.log(`bench: ${sideNames[s.key]}: ${s.nodes.map((n) => n.url).join(' ')} (adapter ${s.adapter})`);

  // Idle memory first, on servers that have carried nothing yet: 77 circles are 1,001 sockets.
  const idleCircles = Math.ceil(IDLE_SOCKETS / 13);
  if (!quick && !args.includes('--no-idle')) {
    for (const side of all) {
      side.idle = await drive<IdleResult>(side, idleCircles, true);
      await settle(side);
      console.log(`  ${side.key} idle: ${side.idle.sockets} of ${side.idle.opened} sockets joined, ${side.idle.kbPerSocket} kB per socket (${side.idle.rssBeforeMb} -> ${side.idle.rssAfterMb} MB), ${side.idle.errors} errors`);
    }
  }

  for (const circles of levels) {
    // Sides alternate at each level, so a machine busy for a while weighs on all of them alike.
    for (const side of all.filter((s) => !s.done)) {
      const r = await drive(side, circles);
      await settle(side);
      side.results.push(r);
      if (r.toFacilitator.n === 0) harnessFailures.push(`${side.key} at ${circles} circles: no event reached a facilitator`);
      console.log(`  ${side.key} @ ${circles}: fac p50/p99 ${r.toFacilitator.p50}/${r.toFacilitator.p99} ms, ack p99 ${r.toAck.p99} ms, ${r.commandsPerSecond} cmd/s, ${r.errors} errors, cpu ${r.serverCpuPercent}%, setup ${r.setupSeconds} s, load ${r.loadAverage}`);
      // Past the knee: one level more shows the slope, then the side stops. A quick run runs every level, and so
      // does --all-levels (the slope beyond the knee, on a machine too busy for the knee to say much).
      if (!quick && !allLevels && !withinKnee(r)) side.done = true;
    }
  }

  const knees = Object.fromEntries(all.map((s) => [s.key, kneeOf(s.results)]));
  for (const s of all) console.log(table(`${sideNames[s.key]} (adapter ${s.adapter})`, s.results));
  console.log(`\nknee (largest load with p99 emit -> facilitator <= 50 ms and 0 errors): ${all.map((s) => `${s.key} ${knees[s.key]} circles (${knees[s.key]! * 13} sockets)`).join(', ')}`);
  const bySide = Object.fromEntries(all.map((s) => [s.key, s.results]));
  const r = ratios(knees, bySide);
  console.log(r.text);
  const bareIdle = all.find((s) => s.key === 'a')?.idle;
  const idleRatios = Object.fromEntries(
    all.filter((s) => s.idle && bareIdle && s.key !== 'a').map((s) => [`${s.key}/a`, Math.round((s.idle!.kbPerSocket / bareIdle!.kbPerSocket) * 10) / 10]),
  );
  if (all.some((s) => s.idle)) console.log(`idle RSS per socket at ${IDLE_SOCKETS} sockets: ${all.map((s) => `${s.key} ${s.idle?.kbPerSocket ?? '-'} kB`).join(', ')}; ratios ${JSON.stringify(idleRatios)}`);

  const resultsDir = join(here, 'results');
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  const report = {
    at: new Date().toISOString(),
    quick,
    levels,
    secondsPerLevel: seconds,
    periodMs: PERIOD_MS,
    pinned: canPin,
    sides: Object.fromEntries(all.map((s) => [s.key, { name: sideNames[s.key], adapter: s.adapter, nodes: s.nodes.length, knee: knees[s.key], idle: s.idle ?? null, results: s.results }])),
    ratios: r.json,
    idleRatios,
    harnessFailures,
  };
  writeFileSync(file, JSON.stringify(report, null, 2));
  console.log(`\nfigure: bench ${quick ? '--quick ' : ''}took ${((Date.now() - began) / 1000).toFixed(0)} s; figures written to ${file}`);
} catch (error) {
  harnessFailures.push(error instanceof Error ? error.message : String(error));
} finally {
  cleaning ??= cleanUp();
  await cleaning;
}
if (harnessFailures.length > 0) {
  console.error(`\nbench: the harness failed:\n${harnessFailures.map((f) => `  - ${f}`).join('\n')}`);
  process.exit(1);
}
process.exit(0);
