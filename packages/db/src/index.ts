export * as schema from './schema.js';
export * from './create-db.js';
export * from './circle-log.js';
export * from './people.js';
export * from './seed.js';
export * from './clinic-scope.js';
export * from './sign-in.js';
export * from './runs.js';
export { openPglite, type PgliteDurability } from './pglite-durable.js';
