export * from './people.js';
export * from './result.js';
export * from './audience.js';
export * from './circle.js';
