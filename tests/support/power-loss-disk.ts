import { cpSync, existsSync, ftruncateSync, closeSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { openPglite } from '@holdspace/db';

// A model of a disk after a power loss, for a PGlite folder: a second folder that receives a write only once the
// process has synced the file it went to. Whatever sat in the OS's cache unsynced is missing from it, as after the
// power fails before the OS wrote it back. Renames and removals reach it at once (a journaling filesystem's metadata);
// that is kinder than a real disk, never harsher, so a loss the model shows is a loss a real disk can show.

const PGDATA = '/pglite/data';

type PGlite = Awaited<ReturnType<typeof openPglite>>;

type Pending = { at: number; bytes: Buffer } | { truncateTo: number };
interface Stream {
  node: unknown;
}
interface Fs {
  lookupPath(path: string): { node: { stream_ops: Record<string, (...args: never[]) => unknown>; node_ops: Record<string, (...args: never[]) => unknown> } };
  getPath(node: unknown): string;
}

/** Mirrors into `diskDir` only the writes `client` syncs to `dir`. */
export function modelPowerLoss(dir: string, diskDir: string) {
  return {
    /**
     * Call right after PGlite.create, before any write the test counts. The disk starts as the folder is now, as if the
     * OS had written everything back once Postgres had started (startup, recovery and pg_control included); nothing
     * runs in PGlite while the copy is made.
     */
    attach(client: PGlite) {
      rmSync(diskDir, { recursive: true, force: true });
      cpSync(dir, diskDir, { recursive: true });
      const fs = (client as unknown as { Module: { FS: Fs } }).Module.FS;
      const root = fs.lookupPath(PGDATA).node;
      const streamOps = root.stream_ops as unknown as Record<string, (...args: unknown[]) => unknown>;
      const nodeOps = root.node_ops as unknown as Record<string, (...args: unknown[]) => unknown>;
      const pending = new Map<string, Pending[]>();
      const rel = (node: unknown) => fs.getPath(node).slice(PGDATA.length);
      const queue = (path: string, p: Pending) => pending.set(path, [...(pending.get(path) ?? []), p]);

      const write = streamOps.write!;
      streamOps.write = (stream, buffer, offset, length, position) => {
        const written = write(stream, buffer, offset, length, position) as number;
        const heap = buffer as Int8Array;
        const at = typeof position === 'number' ? position : 0;
        queue(rel((stream as Stream).node), { at, bytes: Buffer.from(new Uint8Array(heap.buffer, heap.byteOffset + (offset as number), written)) }); // a copy: the heap moves on
        return written;
      };
      const setattr = streamOps.setattr!;
      streamOps.setattr = (stream, attr) => {
        setattr(stream, attr);
        const size = (attr as { size?: number }).size;
        if (size !== undefined) queue(rel((stream as Stream).node), { truncateTo: size });
      };
      const fsync = streamOps.fsync;
      streamOps.fsync = (stream) => {
        const result = fsync ? fsync(stream) : 0;
        const path = rel((stream as Stream).node);
        const writes = pending.get(path);
        if (writes?.length) {
          const target = join(diskDir, path);
          mkdirSync(dirname(target), { recursive: true });
          const fd = openSync(target, existsSync(target) ? 'r+' : 'w+');
          try {
            for (const w of writes) {
              if ('truncateTo' in w) ftruncateSync(fd, w.truncateTo);
              else writeSync(fd, w.bytes, 0, w.bytes.length, w.at);
            }
          } finally {
            closeSync(fd);
          }
          pending.delete(path);
        }
        return result;
      };
      const rename = nodeOps.rename!;
      nodeOps.rename = (oldNode, newDir, newName) => {
        const from = rel(oldNode);
        const to = `${rel(newDir)}/${newName as string}`;
        rename(oldNode, newDir, newName);
        if (existsSync(join(diskDir, from))) renameSync(join(diskDir, from), join(diskDir, to));
        const moved = pending.get(from);
        pending.delete(from);
        if (moved) pending.set(to, moved);
      };
      const unlink = nodeOps.unlink!;
      nodeOps.unlink = (parent, name) => {
        const path = `${rel(parent)}/${name as string}`;
        unlink(parent, name);
        rmSync(join(diskDir, path), { force: true });
        pending.delete(path);
      };
    },
  };
}
