export * from './people.js';
export * from './result.js';
export * from './audience.js';
export * from './circle.js';
export * from './clinic.js';
export * from './screening.js';
export * from './readiness.js';
export * from './policy.js';
