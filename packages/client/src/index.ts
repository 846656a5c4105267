export * from './outbox.js';
export * from './api.js';
export * from './circle-connection.js';
export * from './safety-feed.js';
