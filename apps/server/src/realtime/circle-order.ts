import type { CircleEvent } from '@holdspace/domain';

export interface CircleOrderOptions {
  /** Sends one event to this node's sockets of its audience. */
  emit(event: CircleEvent): void;
  /** Whether any socket of this node is in the circle; a circle nobody here watches is forgotten. */
  watched(circleId: string): boolean;
  /** Up to `count` of the log's events after `afterSeq` (every audience), to fill a gap that did not close by itself. */
  replay(circleId: string, afterSeq: number, count: number): Promise<CircleEvent[]>;
  /** How long an early event waits for the ones before it before the gap is read from the log. */
  waitMs: number;
  onError(error: unknown): void;
}

interface Stream {
  /** The seq this node sends next for the circle. */
  next: number;
  early: Map<number, CircleEvent>;
  timer: ReturnType<typeof setTimeout> | null;
}

/**
 * Each node sends a circle's events to its sockets in seq order. Events committed on other nodes arrive through the
 * adapter, and may overtake each other or this node's own: a device ignores an event at or below the seq it holds
 * (LOG4), so an event sent late would be lost to it. An event that comes early waits for those before it; a gap that
 * does not close within `waitMs` (a dropped message, a node that died between commit and broadcast) is read from the log.
 */
export class CircleOrder {
  private readonly streams = new Map<string, Stream>();
  /** Events that came before one they follow, events read from the log to fill a gap, and seqs given up on. */
  readonly stats = { early: 0, replayed: 0, skipped: 0 };

  constructor(private readonly options: CircleOrderOptions) {}

  /** A socket of this node joined the circle holding `seq`: a circle new to this node continues from there. */
  joined(circleId: string, seq: number): void {
    if (!this.streams.has(circleId)) this.streams.set(circleId, { next: seq + 1, early: new Map(), timer: null });
  }

  receive(events: CircleEvent[]): void {
    for (const event of events) {
      if (!this.options.watched(event.circleId)) {
        this.forget(event.circleId);
        continue;
      }
      let stream = this.streams.get(event.circleId);
      if (!stream) {
        stream = { next: event.seq, early: new Map(), timer: null };
        this.streams.set(event.circleId, stream);
      }
      if (event.seq < stream.next || stream.early.has(event.seq)) continue;
      if (event.seq > stream.next) this.stats.early += 1;
      stream.early.set(event.seq, event);
      this.drain(event.circleId, stream);
    }
  }

  /** Timers stop; nothing more is sent. */
  close(): void {
    for (const id of [...this.streams.keys()]) this.forget(id);
  }

  private drain(circleId: string, stream: Stream): void {
    for (let e = stream.early.get(stream.next); e; e = stream.early.get(stream.next)) {
      stream.early.delete(stream.next);
      stream.next += 1;
      this.options.emit(e);
    }
    if (stream.early.size === 0) {
      if (stream.timer) clearTimeout(stream.timer);
      stream.timer = null;
    } else if (!stream.timer) {
      stream.timer = setTimeout(() => void this.fill(circleId, stream), this.options.waitMs);
      stream.timer.unref?.();
    }
  }

  private async fill(circleId: string, stream: Stream): Promise<void> {
    stream.timer = null;
    if (this.streams.get(circleId) !== stream || stream.early.size === 0) return;
    const upTo = Math.max(...stream.early.keys());
    try {
      for (const e of await this.options.replay(circleId, stream.next - 1, upTo - stream.next + 1)) {
        if (e.seq < stream.next || e.seq > upTo || stream.early.has(e.seq)) continue;
        stream.early.set(e.seq, e);
        this.stats.replayed += 1;
      }
    } catch (error) {
      this.options.onError(error);
    }
    if (this.streams.get(circleId) !== stream || stream.early.size === 0) return;
    // Whatever the log could not give is skipped rather than holding the circle back: the device resyncs by seq.
    if (!stream.early.has(stream.next)) {
      const resume = Math.min(...stream.early.keys());
      this.stats.skipped += resume - stream.next;
      stream.next = resume;
    }
    this.drain(circleId, stream);
  }

  private forget(circleId: string): void {
    const stream = this.streams.get(circleId);
    if (stream?.timer) clearTimeout(stream.timer);
    this.streams.delete(circleId);
  }
}
