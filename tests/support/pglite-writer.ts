import { openPglite, type PgliteDurability } from '@holdspace/db';
import { modelPowerLoss } from './power-loss-disk.js';

// Child of pglite-durability.test.ts: commits one row per transaction, forever, and prints each id once its COMMIT has
// returned (what the server would acknowledge). The test kills it with SIGKILL.
const [dir, durability, diskDir] = process.argv.slice(2) as [string, PgliteDurability, string | undefined];
const disk = diskDir ? modelPowerLoss(dir, diskDir) : null;
const client = await openPglite(dir, durability);
disk?.attach(client);
const started = performance.now();
for (let id = 1; ; id++) {
  await client.transaction(async (tx) => {
    await tx.query('insert into acked (id, note) values ($1, $2)', [id, `row ${id}`]);
  });
  process.stdout.write(`ack ${id} ${(performance.now() - started).toFixed(1)}\n`);
}
