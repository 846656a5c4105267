import { randomBytes } from 'node:crypto';
import type { CircleLog, RunsRepo } from '@holdspace/db';
import type { CircleService } from './circle-service.js';

export interface ServerRunOptions {
  nodeId: string;
  heartbeatMs: number;
  onError: (error: unknown, what: string) => void;
  onSwept: (count: number) => void;
}

/**
 * PRS5: this process run. Its id is in every connection id it hands out; it records a heartbeat, and it ends the
 * presence that no live run holds: once at start, before any socket is accepted, and then on each beat.
 *
 * Why a heartbeat and not "everything but mine": nodes share the database, and another node's connections are live
 * while it beats. An earlier run of this node is dead as soon as this one starts (one process per NODE_ID); a run of
 * another node id is dead once it has been silent for three beats, and its presence ends on the next beat of any
 * other node: within four beats of its last (8 s with the default 2 s beat). This node sweeps others only after its own
 * heartbeat has held for a whole stale window, so after an outage every live node has had the time to beat again.
 */
export class ServerRun {
  readonly runId = randomBytes(6).toString('base64url');
  private timer: ReturnType<typeof setInterval> | null = null;
  private healthySince: number | null = null;
  private beating: Promise<void> | null = null;

  constructor(
    private readonly runs: RunsRepo,
    private readonly log: CircleLog,
    private readonly circles: CircleService,
    private readonly options: ServerRunOptions,
  ) {}

  get staleMs(): number {
    return this.options.heartbeatMs * 3;
  }

  /** Registers the run and clears what dead runs left: call before the server accepts sockets. */
  async start(): Promise<number> {
    await this.runs.start(this.runId, this.options.nodeId);
    this.healthySince = Date.now();
    const swept = await this.sweep();
    this.timer = setInterval(() => void (this.beating ??= this.beat().finally(() => (this.beating = null))), this.options.heartbeatMs);
    this.timer.unref();
    return swept;
  }

  /** Ends presence of connections whose run is not alive; this run always counts as alive. */
  async sweep(): Promise<number> {
    const alive = await this.runs.alive(this.staleMs);
    alive.add(this.runId);
    const swept = await this.circles.sweepPresence(await this.log.circlesWithPresence(), alive);
    if (swept > 0) this.options.onSwept(swept);
    return swept;
  }

  private async beat(): Promise<void> {
    try {
      await this.runs.heartbeat(this.runId, this.options.nodeId);
      this.healthySince ??= Date.now();
    } catch (error) {
      this.healthySince = null;
      this.options.onError(error, 'heartbeat');
      return;
    }
    if (this.healthySince === null || Date.now() - this.healthySince < this.staleMs) return;
    await this.sweep().catch((error: unknown) => this.options.onError(error, 'presence sweep'));
  }

  /** A clean stop: no more beats, and the run's row goes (its presence was ended by the shutdown). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.beating;
    await this.runs.end(this.runId);
  }
}
