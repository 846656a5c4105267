import { isFull, takeToken, type Bucket, type Budget } from '@holdspace/domain';

/**
 * FAIR1, FAIR5: token buckets by key (a person in a circle, a session's connections). Buckets that have refilled are
 * forgotten, so memory follows the keys in use, not every key ever seen.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, { bucket: Bucket; budget: Budget }>();
  private takes = 0;

  constructor(private readonly now: () => number = Date.now) {}

  take(key: string, budget: Budget): boolean {
    const now = this.now();
    const { taken, bucket } = takeToken(this.buckets.get(key)?.bucket, budget, now);
    this.buckets.set(key, { bucket, budget });
    if (++this.takes % 1000 === 0) this.prune(now);
    return taken;
  }

  get size(): number {
    return this.buckets.size;
  }

  private prune(now: number): void {
    for (const [key, { bucket, budget }] of this.buckets) if (isFull(bucket, budget, now)) this.buckets.delete(key);
  }
}

/** FAIR5: keys (sessions) refused for a while after misbehaving. */
export class CoolOff {
  private readonly until = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  start(key: string, ms: number): void {
    // Cuts are rare: dropping what has expired here keeps the map to the sessions cooling off now.
    const now = this.now();
    for (const [k, until] of this.until) if (until <= now) this.until.delete(k);
    this.until.set(key, now + ms);
  }

  active(key: string): boolean {
    const until = this.until.get(key);
    if (until === undefined) return false;
    if (until > this.now()) return true;
    this.until.delete(key);
    return false;
  }
}

interface Readable {
  pause?(): void;
  resume?(): void;
}

/**
 * FAIR7: stops reading a socket's WebSocket for `ms`. Frames it sends meanwhile stay in the kernel's buffers and, once
 * those fill, in the sender's: TCP slows it, not the event loop. Pauses do not stack: the latest decides when reading
 * starts again.
 */
const resumeTimers = new WeakMap<object, ReturnType<typeof setTimeout>>();
export function pauseReading(socket: { conn: { transport: unknown } }, ms: number) {
  if (ms <= 0) return;
  const ws = (socket.conn.transport as { socket?: Readable }).socket;
  if (!ws?.pause || !ws.resume) return;
  ws.pause();
  clearTimeout(resumeTimers.get(ws));
  const timer = setTimeout(() => {
    resumeTimers.delete(ws);
    ws.resume?.();
  }, ms);
  timer.unref();
  resumeTimers.set(ws, timer);
}
