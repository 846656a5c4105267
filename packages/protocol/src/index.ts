export * from './version.js';
export * from './result.js';
export * from './text.js';
export * from './http.js';
export * from './realtime.js';
export * from './clinic.js';
export * from './outcomes.js';
