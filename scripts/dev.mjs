#!/usr/bin/env node
// `pnpm dev`: the server with reload on API_PORT (default 3001), and Vite with hot reload on PORT (default 5173),
// proxying /api and /socket.io to the server. SIGTERM or SIGINT stops both; this exits once both have.
import { join } from 'node:path';
import { exitCodeOf, root, spawnForwarding, stopping } from './lib.mjs';

const apiPort = process.env.API_PORT ?? '3001';
const webPort = process.env.PORT ?? '5173';
const children = [
  spawnForwarding(process.execPath, ['--import', 'tsx', '--watch', 'apps/server/src/server.ts'], {
    env: { NODE_ENV: 'development', PORT: apiPort, HOST: '127.0.0.1' },
  }),
  // Vite itself, not through a package manager, so the signal reaches it and nothing is left behind.
  spawnForwarding(process.execPath, [join(root, 'apps/web/node_modules/vite/bin/vite.js'), 'dev', '--port', webPort, '--strictPort'], {
    cwd: join(root, 'apps/web'),
    env: { API_PORT: apiPort },
  }),
];
console.log(`Holdspace dev: open http://localhost:${webPort} (API on ${apiPort})`);
// When one of them ends by itself, the other is stopped too.
for (const { exited } of children) {
  void exited.then(() => {
    if (stopping.signal) return;
    stopping.signal = 'SIGTERM';
    for (const c of children) c.child.kill('SIGTERM');
  });
}
const results = await Promise.all(children.map((c) => c.exited));
process.exit(Math.max(...results.map(exitCodeOf)));
