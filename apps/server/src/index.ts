export { buildApp, type App, type RouteEntry } from './app.js';
export { loadConfig, ConfigError, type Config } from './config.js';
export { startServer, openDatabase, seedIfEmpty, demoSignIns, type Running } from './start.js';
export { hashPassword } from './services/passwords.js';
export { roomsFor } from './realtime/gateway.js';
