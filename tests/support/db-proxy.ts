import { connect, createServer, type Socket } from 'node:net';

export interface DbProxy {
  /** The database URL with the proxy's address in place of the real one. */
  url: string;
  /**
   * Cuts every open connection, as a failover or a restarted pooler does: closed (FIN) by default, or reset (RST)
   * with `hard`. New connections work normally.
   */
  reset(options?: { hard?: boolean }): void;
  /**
   * The database goes away: every open connection is cut as `reset` does, and new ones are refused (reset at once)
   * until `heal`.
   */
  cut(options?: { hard?: boolean }): void;
  /** Once: resets (RST) the connection whose client next sends bytes holding `text`, before they are forwarded. */
  resetWhenSent(text: string): void;
  /**
   * Stops forwarding in both directions without closing anything: a silent partition. Bytes wait in the kernel's
   * buffers (as TCP retransmits them) and new connections are held unanswered until `heal`.
   */
  partition(): void;
  /** Ends a cut or a partition. */
  heal(): void;
  /** Connections opened through the proxy so far. */
  readonly opened: number;
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  upstream: Socket | null;
}

/** A TCP proxy in front of Postgres that tests can break: resets and silent partitions. */
export async function dbProxy(databaseUrl: string): Promise<DbProxy> {
  const target = new URL(databaseUrl);
  const targetPort = Number(target.port || 5432);
  const pairs = new Set<Pair>();
  let partitioned = false;
  let refusing = false;
  let opened = 0;
  let resetOn: string | null = null;

  const forward = (pair: Pair) => {
    const upstream = connect(targetPort, target.hostname);
    pair.upstream = upstream;
    upstream.on('error', () => {});
    upstream.on('close', () => drop(pair));
    pair.client.on('data', (chunk: Buffer) => {
      if (resetOn === null || !chunk.includes(resetOn)) return;
      resetOn = null;
      pair.client.unpipe(upstream);
      pairs.delete(pair);
      pair.client.resetAndDestroy();
      upstream.resetAndDestroy();
    });
    pair.client.pipe(upstream);
    upstream.pipe(pair.client);
    pair.client.resume();
  };
  const drop = (pair: Pair) => {
    if (!pairs.delete(pair)) return;
    pair.client.destroy();
    pair.upstream?.destroy();
  };

  const server = createServer((client) => {
    opened++;
    client.on('error', () => {});
    if (refusing) return client.resetAndDestroy();
    const pair: Pair = { client, upstream: null };
    pairs.add(pair);
    client.on('close', () => drop(pair));
    if (partitioned) client.pause();
    else forward(pair);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const url = new URL(databaseUrl);
  url.hostname = '127.0.0.1';
  url.port = String(typeof address === 'object' && address ? address.port : 0);

  const reset = ({ hard = false } = {}) => {
    for (const pair of [...pairs]) {
      pairs.delete(pair);
      if (hard) {
        pair.client.resetAndDestroy();
        pair.upstream?.resetAndDestroy();
      } else {
        pair.client.destroy();
        pair.upstream?.destroy();
      }
    }
  };
  return {
    url: url.toString(),
    reset,
    cut: (options) => {
      refusing = true;
      reset(options);
    },
    resetWhenSent: (text) => void (resetOn = text),
    partition: () => {
      partitioned = true;
      for (const { client, upstream } of pairs) {
        if (!upstream) continue;
        client.unpipe(upstream);
        upstream.unpipe(client);
        client.pause();
        upstream.pause();
      }
    },
    heal: () => {
      partitioned = false;
      refusing = false;
      for (const pair of pairs) {
        if (!pair.upstream) {
          forward(pair);
          continue;
        }
        pair.client.pipe(pair.upstream);
        pair.upstream.pipe(pair.client);
        pair.client.resume();
        pair.upstream.resume();
      }
    },
    get opened() {
      return opened;
    },
    close: () => {
      reset();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
