#!/usr/bin/env node
// `pnpm start`: build the web app if needed, then run the server (it migrates, seeds an empty database and serves).
import { ensureWebBuild, runServer } from './lib.mjs';

const code = await ensureWebBuild();
if (code !== 0) process.exit(code);
runServer();
