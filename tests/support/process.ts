import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const serverEntry = fileURLToPath(new URL('../../apps/server/src/server.ts', import.meta.url));

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

/**
 * The server as users run it: its own Node process, configured by environment variables. `entry` runs another
 * server script instead (the benchmark's bare servers), which must answer GET /api/health once ready.
 */
export async function spawnServer(env: Record<string, string>, { waitReady = true, entry = serverEntry } = {}): Promise<ServerProcess> {
  const port = env.PORT ?? String(await freePort());
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: repoRoot,
    // No load shedding: CI's two cores are busy, and shedding has its own test (metrics.test.ts).
    env: { ...process.env, HOST: '127.0.0.1', LOG_LEVEL: 'warn', SEED_DEMO_HISTORY: 'false', PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0', ...env, PORT: port },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  const url = `http://127.0.0.1:${port}`;
  const proc = { child, url, output: () => out, exited };
  if (waitReady) {
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`server exited early (${child.exitCode}):\n${out}`);
      const ok = await fetch(`${url}/api/health`).then((r) => r.ok).catch(() => false);
      if (ok) break;
      if (Date.now() > deadline) throw new Error(`server did not become ready:\n${out}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return proc;
}

/** The server processes one test starts: `end` kills those still running and waits until every one has exited. */
export function serverFleet() {
  const started: ServerProcess[] = [];
  return {
    async start(env: Record<string, string>): Promise<ServerProcess> {
      const p = await spawnServer(env);
      started.push(p);
      return p;
    },
    async end(): Promise<void> {
      for (const p of started) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
      await Promise.all(started.map((p) => p.exited));
    },
  };
}
