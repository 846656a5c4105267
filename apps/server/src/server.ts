import { ConfigError, loadConfig } from './config.js';
import { DataDirLockedError } from '@holdspace/db';
import { demoSignIns, hasDemoData, startServer } from './start.js';

/** Process entry: read config, start, print where to go, and shut down cleanly on SIGTERM/SIGINT. */
async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(78);
    }
    throw error;
  }

  let running;
  try {
    running = await startServer(config);
  } catch (error) {
    if (error instanceof DataDirLockedError) {
      console.error(error.message);
      process.exit(75);
    }
    throw error;
  }
  const { db, url } = running;
  const log = running.app.fastify.log;
  const lines = [`Holdspace is running at ${url}  (database: ${db.driver === 'pglite' ? `embedded PGlite in ${config.PGLITE_DIR}` : 'PostgreSQL'})`];
  if (await hasDemoData(db)) lines.push(demoSignIns());
  console.log(`\n${lines.join('\n')}\n`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      log.error('shutdown took too long; exiting');
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS);
    timer.unref();
    running.close().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
