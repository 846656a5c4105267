import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openPglite, type PgliteDurability } from '@holdspace/db';

// Issue 12, acceptance 5: what an acknowledged write survives on the embedded database. A child commits a row per
// transaction and prints each id once COMMIT returned; it is killed with SIGKILL after ACKED of them. "kill" reopens the
// folder itself (the OS's cache survives a process's death); "power loss" opens the model disk of
// tests/support/power-loss-disk.ts, which holds only what had been synced when the process died.

const ACKED = 300;
const writer = fileURLToPath(new URL('../support/pglite-writer.ts', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'holdspace-durability-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function freshFolder(name: string): Promise<string> {
  const dir = join(work, name);
  const client = await openPglite(dir, 'synced');
  await client.exec('create table acked (id int primary key, note text not null)');
  await client.close();
  return dir;
}

/** Runs the writer until ACKED commits were acknowledged, kills it, and says which acknowledged ids are missing. */
async function killAndCount(durability: PgliteDurability, loss: 'kill' | 'power loss') {
  const dir = await freshFolder(`${durability}-${loss.replace(' ', '-')}`);
  const disk = loss === 'power loss' ? `${dir}-disk` : '';
  const child = spawn(process.execPath, ['--import', 'tsx', writer, dir, durability, disk], { stdio: ['ignore', 'pipe', 'pipe'] });
  let acked = 0;
  let lastMs = 0;
  let errors = '';
  child.stderr.on('data', (c: Buffer) => (errors += c.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    let buffered = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        const [, id, ms] = line.split(' ');
        acked = Math.max(acked, Number(id));
        lastMs = Number(ms);
        if (acked >= ACKED && child.exitCode === null) {
          child.kill('SIGKILL'); // at the instant of the ACKED-th acknowledgement, before anything else can flush
          resolve();
        }
      }
    });
    void exited.then(() => (acked >= ACKED ? resolve() : reject(new Error(`the writer ended early: ${errors}`))));
  });
  await exited;
  const client = await openPglite(disk || dir, 'synced');
  try {
    const rows = (await client.query<{ id: number }>('select id from acked where id <= $1', [acked])).rows;
    return { acked, present: rows.length, lost: acked - rows.length, msPerCommit: lastMs / acked };
  } finally {
    await client.close();
  }
}

describe('what an acknowledged write survives on PGlite', () => {
  const figures: string[] = [];
  afterAll(() => {
    for (const f of figures) console.log(`figure: pglite durability: ${f}`);
  });

  for (const durability of ['synced', 'os-cache'] as const) {
    for (const loss of ['kill', 'power loss'] as const) {
      it(`${durability}, ${loss}`, { timeout: 120_000 }, async () => {
        const r = await killAndCount(durability, loss);
        figures.push(`${durability.padEnd(8)} ${loss.padEnd(10)}: ${r.lost} of ${r.acked} acknowledged commits lost; ${r.msPerCommit.toFixed(2)} ms per commit`);
        // The process's death never loses a commit; a power loss loses none only when each commit was synced.
        if (loss === 'kill' || durability === 'synced') expect(r.lost).toBe(0);
        // The model can see a loss: unsynced commits are gone from it (else the synced case would prove nothing).
        else expect(r.lost).toBeGreaterThan(0);
      });
    }
  }
});
