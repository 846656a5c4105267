#!/usr/bin/env node
// `pnpm test:e2e [spec…]`: build the web app if needed, then run Playwright against a fresh server.
import { ensureWebBuild, run } from './lib.mjs';

const build = await ensureWebBuild();
if (build !== 0) process.exit(build);
process.exit(await run('pnpm', ['--filter', '@holdspace/tests', 'exec', 'playwright', 'test', '--config', 'e2e/playwright.config.ts', ...process.argv.slice(2).map((a) => a.replace(/^tests\//, ''))]));
