import { laneLimits, nextLane, type Lane } from '@holdspace/domain';

interface Job {
  run: () => Promise<void>;
  bounded: boolean;
}

/**
 * One circle's work on this node, run one job at a time (so broadcasts leave in seq order) from three lanes:
 * calls for help first, then staff, with a participant's turn at least every few staff turns (FAIR2-FAIR4).
 */
export class CircleQueue {
  private readonly lanes: Record<Lane, Job[]> = { urgent: [], staff: [], participant: [] };
  /** Jobs sent by devices waiting in each lane: only they count toward its limit. */
  private readonly bounded: Record<Lane, number> = { urgent: 0, staff: 0, participant: 0 };
  private running = false;
  private staffStreak = 0;

  /** Jobs waiting or running. */
  get size(): number {
    return this.lanes.urgent.length + this.lanes.staff.length + this.lanes.participant.length + (this.running ? 1 : 0);
  }

  /**
   * Queues the work, or returns null at once when it is `bounded` (sent by a device) and its lane is full (FAIR2).
   */
  push<T>(lane: Lane, work: () => Promise<T>, bounded: boolean): Promise<T> | null {
    const limit = laneLimits[lane];
    if (bounded && limit !== null && this.bounded[lane] >= limit) return null;
    if (bounded) this.bounded[lane]++;
    return new Promise<T>((resolve, reject) => {
      this.lanes[lane].push({ run: () => Promise.resolve().then(work).then(resolve, reject), bounded });
      this.pump();
    });
  }

  private pump(): void {
    if (this.running) return;
    const lane = nextLane({ urgent: this.lanes.urgent.length, staff: this.lanes.staff.length, participant: this.lanes.participant.length }, this.staffStreak);
    if (!lane) return;
    this.staffStreak = lane === 'staff' ? this.staffStreak + 1 : lane === 'participant' ? 0 : this.staffStreak;
    const job = this.lanes[lane].shift()!;
    if (job.bounded) this.bounded[lane]--;
    this.running = true;
    void job.run().finally(() => {
      this.running = false;
      this.pump();
    });
  }
}
