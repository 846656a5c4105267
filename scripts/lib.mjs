// Small helpers shared by the root scripts.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Set once SIGTERM or SIGINT reaches this launcher: what it runs is told to stop, and nothing new is started. */
export const stopping = { signal: null };
const running = new Set();
let forwarding = false;

/** Spawns a child that receives this launcher's SIGTERM and SIGINT; resolves with its exit code and signal. */
export function spawnForwarding(cmd, args, options = {}) {
  if (!forwarding) {
    forwarding = true;
    for (const sig of ['SIGINT', 'SIGTERM']) {
      process.on(sig, () => {
        stopping.signal ??= sig;
        for (const child of running) child.kill(sig);
      });
    }
  }
  const child = spawn(cmd, args, { cwd: root, stdio: 'inherit', ...options, env: { ...process.env, ...options.env } });
  running.add(child);
  const exited = new Promise((resolvePromise) => {
    child.on('error', () => resolvePromise({ code: 1, signal: null }));
    child.on('exit', (code, signal) => {
      running.delete(child);
      resolvePromise({ code, signal });
    });
  });
  return { child, exited };
}

/**
 * 0 when the child ended cleanly, or was ended by the stop this launcher was asked for (some tools, as Node's own
 * watch mode, exit 128 + the signal's number when told to stop).
 */
export function exitCodeOf({ code, signal }) {
  if (stopping.signal && (signal || code === 130 || code === 143)) return 0;
  return code ?? (signal ? 1 : 0);
}

/** Runs a command with inherited output; resolves with its exit code. */
export function run(cmd, args, options = {}) {
  return new Promise((resolvePromise) => {
    const child = spawn(cmd, args, { cwd: root, stdio: 'inherit', ...options, env: { ...process.env, ...options.env } });
    child.on('exit', (code, signal) => resolvePromise(code ?? (signal ? 1 : 0)));
  });
}

function newest(path) {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let max = st.mtimeMs;
  for (const name of readdirSync(path)) {
    if (name === 'node_modules' || name === '.svelte-kit' || name === 'build') continue;
    max = Math.max(max, newest(join(path, name)));
  }
  return max;
}

const webBuildIndex = join(root, 'apps/web/build/index.html');
const webInputs = ['apps/web/src', 'apps/web/static', 'apps/web/svelte.config.js', 'apps/web/vite.config.ts', 'apps/web/package.json', 'packages/client/src', 'packages/protocol/src', 'packages/domain/src'];

/**
 * Builds the web app when the build is missing or older than any of its sources. The build tool's own output (its
 * advice to run a preview server does not apply here) is shown only when the build fails.
 */
export async function ensureWebBuild() {
  const built = existsSync(webBuildIndex) ? statSync(webBuildIndex).mtimeMs : 0;
  const sources = Math.max(...webInputs.map((p) => newest(join(root, p))));
  if (built > sources) return 0;
  console.log(built ? 'Web app sources changed: rebuilding…' : 'Building the web app (first start, about a minute)…');
  const { child, exited } = spawnForwarding('pnpm', ['--filter', '@holdspace/web', 'build'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const result = await exited;
  if (stopping.signal) return 0;
  if (result.code !== 0) {
    process.stderr.write(output);
    console.error('The web app did not build (output above).');
    return result.code ?? 1;
  }
  console.log('Web app built.');
  return 0;
}

/**
 * Runs the server in this terminal. SIGTERM and SIGINT are passed on, and this launcher exits with the server's
 * own exit code once it has shut down, so a supervisor's stop ends both and leaves nothing behind.
 */
export function runServer(args = [], env = {}) {
  const { child, exited } = spawnForwarding(process.execPath, ['--import', 'tsx', ...args, join(root, 'apps/server/src/server.ts')], { env });
  void exited.then((result) => process.exit(exitCodeOf(result)));
  return child;
}
