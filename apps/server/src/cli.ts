import { loadConfig } from './config.js';
import { demoSignIns, openDatabase, seedIfEmpty } from './start.js';

/** `pnpm db:migrate` and `pnpm db:seed`. */
async function main() {
  const command = process.argv[2];
  if (command !== 'migrate' && command !== 'seed') {
    console.error('usage: cli.ts migrate|seed');
    process.exit(64);
  }
  const config = loadConfig();
  const db = await openDatabase(config);
  try {
    const level = await db.migrationLevel();
    console.log(`Database (${db.driver}) migrated: ${level.applied} migrations, latest ${level.latest}`);
    if (command === 'seed') {
      const seeded = await seedIfEmpty(db);
      console.log(seeded ? `Demo data created.\n${demoSignIns()}` : 'The database already has data; nothing was seeded.');
    }
  } finally {
    await db.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
