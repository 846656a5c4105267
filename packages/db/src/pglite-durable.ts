import { fdatasyncSync } from 'node:fs';
import { PGlite, type PGliteOptions } from '@electric-sql/pglite';

// PGlite runs Postgres with fsync off (`-F`), and its Node filesystem (Emscripten's NODEFS) has no fsync: a sync Postgres
// asks for returns at once having done nothing (electric-sql/pglite 1065, 1107). An acknowledged commit then lives only
// in the OS's page cache, which survives the process being killed but not a power loss. We start Postgres with fsync on,
// WAL synced by fsync() (Emscripten routes fsync() to the stream's own fsync, while fdatasync() is a stub), and give
// NODEFS the fsync it lacks, so a COMMIT returns only once its WAL is on disk. Done here rather than in a pnpm patch:
// the package ships minified bundles, and a patch rewrites whole 300 KB lines three times over (1.3 MB).

/** The data folder's mount inside PGlite's Emscripten filesystem. */
const PGDATA = '/pglite/data';

export type PgliteDurability = 'synced' | 'os-cache';

interface NodefsStream {
  nfd?: number;
}
interface EmscriptenFs {
  lookupPath(path: string): { node: { stream_ops: { fsync?: (stream: NodefsStream) => number } } };
}

export const durableStartParams = (): string[] => [
  ...PGlite.defaultStartParams.filter((p) => p !== '-F'),
  '-c',
  'fsync=on',
  '-c',
  'wal_sync_method=fsync',
];

/** Opens a PGlite folder whose commits are on disk when they return (`synced`), or PGlite's default (`os-cache`). */
export async function openPglite(dir: string, durability: PgliteDurability, options: PGliteOptions = {}): Promise<PGlite> {
  if (durability === 'os-cache') return PGlite.create(dir, options);
  const client = await PGlite.create(dir, { ...options, startParams: durableStartParams() });
  giveNodefsFsync(client);
  return client;
}

function giveNodefsFsync(client: PGlite) {
  const fs = (client as unknown as { Module: { FS: EmscriptenFs } }).Module.FS;
  // Every NODEFS node shares one stream_ops object: adding fsync to it serves every file, open or not yet opened.
  const ops = fs.lookupPath(PGDATA).node.stream_ops;
  ops.fsync = (stream) => {
    if (stream.nfd !== undefined) fdatasyncSync(stream.nfd);
    return 0;
  };
}
