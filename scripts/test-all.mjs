#!/usr/bin/env node
// `pnpm test`: every tier, in order, with a summary at the end. Stops at nothing: you see every failure at once.
import { run } from './lib.mjs';

const steps = [
  ['typecheck', ['typecheck']],
  ['lint', ['lint']],
  ['unit', ['test:unit']],
  ['integration', ['test:integration']],
  ['e2e', ['test:e2e']],
  // Proves the benchmark still runs end to end (servers, seed, driver); its figures are printed, never asserted.
  ['bench', ['bench', '--quick']],
];
const results = [];
for (const [name, args] of steps) {
  const started = Date.now();
  console.log(`\n━━ ${name} ━━`);
  const code = await run('pnpm', args);
  results.push({ name, code, seconds: ((Date.now() - started) / 1000).toFixed(1) });
}
console.log('\n━━ summary ━━');
for (const r of results) console.log(`  ${r.code === 0 ? 'pass' : 'FAIL'}  ${r.name.padEnd(12)} ${r.seconds}s`);
const failed = results.filter((r) => r.code !== 0).length;
console.log(`tiers: ${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
