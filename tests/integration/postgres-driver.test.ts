import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { testDrivers } from '../support/harness.js';
import { repoRoot } from '../support/process.js';

const child = fileURLToPath(new URL('../support/driver-reset-child.ts', import.meta.url));

function run(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--import', 'tsx', child], { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    p.stdout.on('data', (d: Buffer) => (output += d.toString()));
    p.stderr.on('data', (d: Buffer) => (output += d.toString()));
    p.on('exit', (code) => resolve({ code, output }));
  });
}

// The postgres.js patch (patches/postgres@3.4.9.patch): without it this process dies with
// "TypeError: Cannot read properties of null (reading 'write') at nextWrite".
describe.skipIf(!testDrivers().includes('postgres'))('postgres.js under connection resets', () => {
  it('DB1: a transaction whose connection is reset mid-statement is rejected, the process lives on and the pool answers again', { timeout: 60_000 }, async () => {
    const { code, output } = await run({ ROUNDS: '5' });
    expect(output).not.toContain('TypeError');
    expect(code, output).toBe(0);
    const result = JSON.parse(output.trim().split('\n').at(-1) ?? '{}') as { survived?: boolean; outcomes?: string[] };
    expect(result.survived).toBe(true);
    expect(result.outcomes).toHaveLength(5);
    expect(result.outcomes).not.toContain('committed');
  });

  // Without the patch's catch of the array-type fetch: "Error: read ECONNRESET" as an unhandled rejection, exit 1.
  it('DB1: a new connection reset while it fetches the array types fails its query, the process lives on and the pool answers again', { timeout: 60_000 }, async () => {
    const { code, output } = await run({ RESET_MODE: 'types', ROUNDS: '5' });
    expect(output).not.toContain('triggerUncaughtException');
    expect(code, output).toBe(0);
    const result = JSON.parse(output.trim().split('\n').at(-1) ?? '{}') as { survived?: boolean; outcomes?: string[] };
    expect(result.survived).toBe(true);
    expect(result.outcomes).toEqual(['ECONNRESET', 'ECONNRESET', 'ECONNRESET', 'ECONNRESET', 'ECONNRESET']);
  });
});
