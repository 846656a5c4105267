// Small helpers shared by the root scripts.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

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

/** Builds the web app when the build is missing or older than any of its sources. */
export async function ensureWebBuild() {
  const built = existsSync(webBuildIndex) ? statSync(webBuildIndex).mtimeMs : 0;
  const sources = Math.max(...webInputs.map((p) => newest(join(root, p))));
  if (built > sources) return 0;
  console.log(built ? 'Web app sources changed: rebuilding…' : 'Building the web app (first start)…');
  return run('pnpm', ['--filter', '@holdspace/web', 'build']);
}

/** Runs the server in this terminal, passing signals through so it can shut down cleanly. */
export function runServer(args = [], env = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args, join(root, 'apps/server/src/server.ts')], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, ...env },
  });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
  return child;
}
