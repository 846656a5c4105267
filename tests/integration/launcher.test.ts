import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/harness.js';
import { freePort, repoRoot, spawnServer } from '../support/process.js';

// `pnpm start` and `pnpm dev` as people and supervisors run them: pnpm, the launcher script, the server (and Vite).
// Each runs in its own process group, so the test can see every process it started and nothing else.

const dir = mkdtempSync(join(tmpdir(), 'hs-launcher-'));
const groups: number[] = [];
afterAll(() => {
  for (const pgid of groups) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

/** Processes still running in the group (zombies waiting for init to reap them are not running). */
function alive(pgid: number): string[] {
  try {
    return execFileSync('ps', ['-o', 'pid=,stat=,args=', '-g', String(pgid)], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => line.trim() && !/^\s*\d+\s+Z/.test(line));
  } catch {
    return []; // ps exits 1 when the group is empty
  }
}

function launch(script: 'start' | 'dev', env: Record<string, string>) {
  // The default log level, as someone running it would have.
  const { LOG_LEVEL: _level, ...inherited } = process.env;
  const child = spawn('pnpm', [script], {
    cwd: repoRoot,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...inherited, HOST: '127.0.0.1', SEED_DEMO_HISTORY: 'false', ...env },
  });
  groups.push(child.pid!);
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; at: number }>((resolve) => child.on('exit', (code) => resolve({ code, at: Date.now() })));
  return { child, pgid: child.pid!, output: () => out, exited };
}

const healthy = (url: string) => fetch(url).then((r) => r.ok).catch(() => false);

describe('pnpm start and pnpm dev', () => {
  const pgliteDir = join(dir, 'pglite');

  it('SIGTERM to `pnpm start` stops every process within 5 s with exit 0, and the PGlite folder is released', async () => {
    const port = await freePort();
    const started = launch('start', { PORT: String(port), PGLITE_DIR: pgliteDir });
    // The first start may build the web app.
    await waitFor(() => healthy(`http://127.0.0.1:${port}/api/health`), { timeout: 240_000, interval: 250, message: 'pnpm start serving' });
    await waitFor(() => started.output().includes('juniper@demo.holdspace.example'), { message: 'the banner' });
    expect(alive(started.pgid).length, alive(started.pgid).join('\n')).toBeGreaterThanOrEqual(3); // pnpm, launcher, server

    const sent = Date.now();
    process.kill(started.pgid, 'SIGTERM'); // to pnpm alone, as `timeout` or a supervisor sends it
    const { code, at } = await started.exited;
    console.log(`pnpm start: exit ${code} ${at - sent} ms after SIGTERM`);
    expect(code).toBe(0);
    expect(at - sent).toBeLessThan(5000);
    await waitFor(() => alive(started.pgid).length === 0, { timeout: 5000 - (Date.now() - sent), message: 'no process left' });

    const output = started.output();
    expect(output).not.toMatch(/npm run preview|ELIFECYCLE|incoming request/);
    // The demo sign-ins are the last thing printed.
    expect(output.trimEnd().split('\n').at(-1)).toContain('juniper@demo.holdspace.example');

    // The folder is free: a new server takes it.
    const next = await spawnServer({ PGLITE_DIR: pgliteDir });
    next.child.kill('SIGTERM');
    expect((await next.exited).code).toBe(0);
  }, 300_000);

  const devStops = [
    { how: 'Ctrl-C (SIGINT to the group)', signal: 'SIGINT', group: true },
    { how: 'a SIGTERM to pnpm alone', signal: 'SIGTERM', group: false },
  ] as const;
  it.each(devStops)('$how on `pnpm dev` stops the server and Vite within 5 s with exit 0', async ({ signal, group }) => {
    const [apiPort, webPort] = [await freePort(), await freePort()];
    const started = launch('dev', { API_PORT: String(apiPort), PORT: String(webPort), PGLITE_DIR: join(dir, `dev-${signal}`, 'pglite') });
    await waitFor(async () => (await healthy(`http://127.0.0.1:${apiPort}/api/health`)) && (await healthy(`http://127.0.0.1:${webPort}/`)), {
      timeout: 120_000,
      interval: 250,
      message: 'pnpm dev serving',
    });
    const sent = Date.now();
    process.kill(group ? -started.pgid : started.pgid, signal);
    const { code, at } = await started.exited;
    console.log(`pnpm dev: exit ${code} ${at - sent} ms after ${signal}${group ? ' to the group' : ''}`);
    expect(code, started.output()).toBe(0);
    expect(at - sent).toBeLessThan(5000);
    await waitFor(() => alive(started.pgid).length === 0, { timeout: 5000, message: 'no process left' });
    expect(started.output()).not.toContain('ELIFECYCLE');
  }, 200_000);
});
