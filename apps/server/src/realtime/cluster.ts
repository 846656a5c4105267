import { createAdapter as createPostgresAdapter } from '@socket.io/postgres-adapter';
import { createAdapter as createRedisAdapter } from '@socket.io/redis-streams-adapter';
import pg from 'pg';
import { createClient } from 'redis';
import type { Server } from 'socket.io';
import { withTimeout } from '@holdspace/db';
import type { Config } from '../config.js';

export type ClusterAdapterName = 'postgres' | 'redis' | 'none';

/**
 * How nodes share Socket.IO rooms. Redis when REDIS_URL is given: it takes the fan-out off the clinical database (on
 * Postgres every broadcast is one more NOTIFY transaction, and NOTIFY commits queue on one lock for the whole database),
 * and alerts and disconnects ride its stream, which a node reads on from its last offset after a short outage.
 * Otherwise Postgres when DATABASE_URL is given (LISTEN/NOTIFY on the same database, no extra service). PGlite is one
 * node: no adapter.
 */
export function chooseAdapter(config: Pick<Config, 'CLUSTER_ADAPTER' | 'DATABASE_URL' | 'REDIS_URL'>): ClusterAdapterName {
  if (config.CLUSTER_ADAPTER !== 'auto') return config.CLUSTER_ADAPTER;
  if (config.REDIS_URL) return 'redis';
  if (config.DATABASE_URL) return 'postgres';
  return 'none';
}

export interface Cluster {
  adapter: ClusterAdapterName;
  /** Installs the adapter on the Socket.IO server; before any socket connects. */
  attach(io: Server): void;
  /** Nodes sharing rooms, this one included (1 without an adapter). */
  nodes(io: Server): Promise<number>;
  /** Closes the adapter, then its own connections; after the last broadcast. */
  close(io: Server): Promise<void>;
}

type Log = (error: unknown, what: string) => void;

const single: Cluster = { adapter: 'none', attach: () => {}, nodes: async () => 1, close: async () => {} };

export async function openCluster(config: Config, log: Log): Promise<Cluster> {
  const adapter = chooseAdapter(config);
  if (adapter === 'postgres') return postgresCluster(config, log);
  if (adapter === 'redis') return redisCluster(config, log);
  return single;
}

const closeAdapter = async (io: Server) => {
  await Promise.resolve(io.of('/').adapter.close());
};

function postgresCluster(config: Config, log: Log): Cluster {
  // One connection LISTENs, one publishes: broadcasts leave in the order they were made (pg's pool queue is FIFO).
  const pool = new pg.Pool({
    connectionString: config.DATABASE_URL,
    max: 2,
    connectionTimeoutMillis: config.DATABASE_CONNECT_TIMEOUT_MS,
    keepAlive: true,
    application_name: `holdspace-cluster ${config.nodeId}`.slice(0, 63),
  });
  pool.on('error', (error) => log(error, 'cluster connection'));
  return {
    adapter: 'postgres',
    attach: (io) => {
      io.adapter(
        createPostgresAdapter(pool, {
          channelPrefix: config.CLUSTER_CHANNEL,
          tableName: 'socket_io_attachments',
          errorHandler: (error) => log(error, 'cluster delivery'),
        }),
      );
    },
    nodes: (io) => io.of('/').adapter.serverCount(),
    close: async (io) => {
      await closeAdapter(io);
      // The adapter's goodbye (ADAPTER_CLOSE) is still queued on the pool: let it leave before the pool ends.
      const deadline = Date.now() + 500;
      while (Date.now() < deadline && (pool.waitingCount > 0 || pool.idleCount < pool.totalCount)) await new Promise((r) => setTimeout(r, 10));
      await withTimeout(pool.end(), 1000).catch((error: unknown) => log(error, 'closing the cluster connections'));
    },
  };
}

async function redisCluster(config: Config, log: Log): Promise<Cluster> {
  const client = createClient({ url: config.REDIS_URL, socket: { connectTimeout: config.DATABASE_CONNECT_TIMEOUT_MS } });
  client.on('error', (error: unknown) => log(error, 'cluster connection'));
  try {
    await withTimeout(client.connect(), config.DATABASE_CONNECT_TIMEOUT_MS * 2, 'Redis (REDIS_URL) did not answer in time');
  } catch (error) {
    client.destroy();
    throw error;
  }
  return {
    adapter: 'redis',
    attach: (io) => {
      // Blocking reads end within a second, so a closing node lets go of Redis promptly.
      io.adapter(createRedisAdapter(client, { streamName: config.CLUSTER_CHANNEL, channelPrefix: config.CLUSTER_CHANNEL, blockTimeInMs: 1000, onlyPlaintext: true }));
    },
    nodes: (io) => io.of('/').adapter.serverCount(),
    close: async (io) => {
      await closeAdapter(io);
      await withTimeout(client.close(), 1000).catch(() => client.destroy());
    },
  };
}
