#!/usr/bin/env node
// `pnpm start`: build the web app if needed, then run the server (it migrates, seeds an empty database and serves).
import { ensureWebBuild, runServer, stopping } from './lib.mjs';

const code = await ensureWebBuild();
if (code !== 0 || stopping.signal) process.exit(code);
runServer();
