import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config.js';
import { chooseAdapter } from './cluster.js';

const pg = 'postgres://db.internal/holdspace';
const redis = 'redis://cache.internal:6379';

describe('which adapter shares the rooms', () => {
  it('auto: Redis when REDIS_URL is set, else Postgres with DATABASE_URL, else none (the embedded database is one node)', () => {
    expect(chooseAdapter(loadConfig({ DATABASE_URL: pg, REDIS_URL: redis }))).toBe('redis');
    expect(chooseAdapter(loadConfig({ DATABASE_URL: pg }))).toBe('postgres');
    expect(chooseAdapter(loadConfig({ REDIS_URL: redis }))).toBe('redis');
    expect(chooseAdapter(loadConfig({}))).toBe('none');
  });

  it('CLUSTER_ADAPTER overrides it, and refuses an adapter without its service', () => {
    expect(chooseAdapter(loadConfig({ DATABASE_URL: pg, REDIS_URL: redis, CLUSTER_ADAPTER: 'postgres' }))).toBe('postgres');
    expect(chooseAdapter(loadConfig({ DATABASE_URL: pg, CLUSTER_ADAPTER: 'none' }))).toBe('none');
    expect(() => loadConfig({ CLUSTER_ADAPTER: 'postgres' })).toThrow(/CLUSTER_ADAPTER: postgres needs DATABASE_URL/);
    expect(() => loadConfig({ DATABASE_URL: pg, CLUSTER_ADAPTER: 'redis' })).toThrow(/redis needs REDIS_URL/);
    expect(() => loadConfig({ CLUSTER_ADAPTER: 'kafka' })).toThrow(ConfigError);
    expect(() => loadConfig({ REDIS_URL: 'cache.internal:6379' })).toThrow(/REDIS_URL: must start with redis:\/\//);
    expect(() => loadConfig({ CLUSTER_CHANNEL: 'has space' })).toThrow(/CLUSTER_CHANNEL/);
  });
});
