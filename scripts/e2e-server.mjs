#!/usr/bin/env node
// The server for browser tests: a fresh embedded database every run, seeded with the demo clinic.
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runServer } from './lib.mjs';

const dir = join(tmpdir(), `holdspace-e2e-${process.env.E2E_PORT ?? '4310'}`);
rmSync(dir, { recursive: true, force: true });
runServer([], { PORT: process.env.E2E_PORT ?? '4310', HOST: '127.0.0.1', PGLITE_DIR: join(dir, 'pglite'), LOG_LEVEL: 'warn', NODE_ENV: 'test', SEED_DEMO_HISTORY: 'false', PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0' });
