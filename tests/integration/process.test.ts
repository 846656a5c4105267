import { shippedMigrations } from '@holdspace/db';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { presenceList } from '@holdspace/domain';
import { closeAllConnections, createTestDatabase, demo, firstCircleId, signIn, waitFor } from '../support/harness.js';
import { spawnServer, type ServerProcess } from '../support/process.js';

const dir = mkdtempSync(join(tmpdir(), 'hs-process-'));
const pgliteDir = join(dir, 'pglite');
const started: ServerProcess[] = [];
afterAll(() => {
  closeAllConnections();
  for (const p of started) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

async function run(env: Record<string, string>, options?: { waitReady?: boolean }) {
  const p = await spawnServer(env, options);
  started.push(p);
  return p;
}

describe('the server process', () => {
  let circleId: string;

  it('starts on the embedded database with demo data; SIGTERM with sockets connected exits 0 within 5 s', async () => {
    const p = await run({ PGLITE_DIR: pgliteDir });
    expect(await fetch(`${p.url}/api/health`).then((r) => r.json())).toMatchObject({ status: 'ok', database: { driver: 'pglite', durability: 'synced' } });
    expect(p.output()).toContain('maya@demo.holdspace.example');

    const maya = await signIn(p.url, demo.facilitator.email);
    const river = await signIn(p.url, demo.participants[0].email);
    circleId = await firstCircleId(maya);
    const m = maya.connect(circleId);
    const r = river.connect(circleId, { device: 'phone' });
    await waitFor(() => m.state && presenceList(m.state).length === 2, { message: 'both present' });
    expect((await m.send({ type: 'circle.open', offSchedule: true })).ok).toBe(true);

    const sent = Date.now();
    p.child.kill('SIGTERM');
    const { code, at } = await p.exited;
    expect(code).toBe(0);
    expect(at - sent).toBeLessThan(5000);
    await waitFor(() => r.status === 'offline', { message: 'participant sees offline' });
    closeAllConnections();
  });

  it('keeps its data across a restart, and recorded the leaves of the sockets it closed', async () => {
    const p = await run({ PGLITE_DIR: pgliteDir });
    const maya = await signIn(p.url, demo.facilitator.email);
    const circle = await maya.api.circle(circleId);
    expect(circle).toMatchObject({ ok: true, data: { status: 'open' } });
    const m = maya.connect(circleId);
    await waitFor(() => m.status === 'live', { message: 'live' });
    expect(presenceList(m.state!).map((x) => x.displayName)).toEqual(['Maya Okafor']);
    closeAllConnections();
    p.child.kill('SIGTERM');
    expect((await p.exited).code).toBe(0);
  });

  it('clears presence left by a crash of the same node when it starts again', async () => {
    const p = await run({ PGLITE_DIR: pgliteDir, NODE_ID: 'node-a' });
    const river = await signIn(p.url, demo.participants[0].email);
    const r = river.connect(circleId);
    await waitFor(() => r.status === 'live');
    p.child.kill('SIGKILL');
    await p.exited;
    closeAllConnections();

    const again = await run({ PGLITE_DIR: pgliteDir, NODE_ID: 'node-a' });
    const maya = await signIn(again.url, demo.facilitator.email);
    const m = maya.connect(circleId);
    await waitFor(() => m.status === 'live');
    expect(presenceList(m.state!).map((x) => x.displayName)).toEqual(['Maya Okafor']);
    closeAllConnections();

    // A second process on the same data folder is refused with a clear message.
    const second = await run({ PGLITE_DIR: pgliteDir }, { waitReady: false });
    const { code } = await second.exited;
    expect(code).toBe(75);
    expect(second.output()).toMatch(/in use by another process \(pid \d+\)/);

    again.child.kill('SIGTERM');
    expect((await again.exited).code).toBe(0);
  });

  it('migrates an empty Postgres database named by DATABASE_URL and reports postgres', async () => {
    const db = await createTestDatabase('postgres');
    try {
      const p = await run(db.env);
      expect(await fetch(`${p.url}/api/health`).then((r) => r.json())).toMatchObject({
        database: { driver: 'postgres', migrations: shippedMigrations() },
      });
      p.child.kill('SIGTERM');
      expect((await p.exited).code).toBe(0);
    } finally {
      await db.drop();
    }
  });

  it('refuses a bad configuration value with a clear message', async () => {
    const p = await run({ PORT: 'seventy', PGLITE_DIR: pgliteDir }, { waitReady: false });
    const { code } = await p.exited;
    expect(code).toBe(78);
    expect(p.output()).toContain('PORT: must be a number');
  });
});
