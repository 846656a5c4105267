import { alertIdFor, fromCircleAlert, instruments, type CircleActor, type CircleEvent, type CircleState, type ClinicAlert } from '@holdspace/domain';
import type { ClinicScope, SafetyAlertRow } from '@holdspace/db';
import type { CircleService } from './circle-service.js';
import { alertViews } from './outcomes.js';

/**
 * Pushes alerts to every socket of the staff members given, wherever they are in the app. It goes through the
 * gateway's rooms, so a cluster adapter carries it to the other nodes too.
 */
export interface AlertPush {
  safetyAlert(userIds: string[], alert: ClinicAlert): void;
  safetyAcknowledged(userIds: string[], alert: ClinicAlert): void;
  careAlert(userIds: string[], alert: ClinicAlert): void;
  careAcknowledged(userIds: string[], alert: ClinicAlert): void;
}

const system: CircleActor = { personId: 'system', role: 'facilitator', displayName: 'Holdspace' };

/** CARE2: the open calls for support raised after this closed circle's close, as staff see them anywhere in the app. */
export function careAlertsOf(circle: { id: string; title: string }, state: CircleState, names: Map<string, string>, open = true): ClinicAlert[] {
  return Object.values(state.alerts)
    .filter((a) => a.afterClose && (!open || !a.ackedAt))
    .map((a) => fromCircleAlert(state, a, { title: circle.title, names }));
}

/**
 * CRS1, CRS2, ALR3, CARE2: alerts that need a clinician reach, at once, the staff who look after that person wherever
 * they are in the app; and one acknowledgement, made on any screen, reaches all of them and every dashboard.
 */
export class SafetyNotifier {
  constructor(
    private readonly push: AlertPush,
    private readonly circles: CircleService,
    /** The clinic's scope for a circle, or null when there is no such circle. */
    private readonly scopeOfCircle: (circleId: string) => Promise<{ scope: ClinicScope; cohortId: string } | null>,
  ) {}

  /** The facilitators of every cohort the person is in, and every prescriber of the clinic. */
  private async recipients(scope: ClinicScope, participantId: string) {
    const [cohorts, prescribers] = await Promise.all([scope.cohorts({ enrolled: participantId }), scope.staffWithRole('prescriber')]);
    return { cohorts, userIds: [...new Set([...cohorts.flatMap((c) => c.facilitators.map((f) => f.id)), ...prescribers])] };
  }

  async deliver(scope: ClinicScope, row: SafetyAlertRow): Promise<ClinicAlert> {
    const [view] = await alertViews(scope, [row]);
    if (!view) throw new Error('safety alert view missing');
    const { cohorts, userIds } = await this.recipients(scope, row.participantId);
    this.push.safetyAlert(userIds, view);

    const item = instruments[row.instrument].item.find((i) => i.linkId === row.item);
    const detail = `${instruments[row.instrument].shortTitle} question ${item?.prefix.replace('.', '') ?? ''} (thoughts of self-harm) answered “${view.answer?.answer ?? ''}”. Reach out now.`;
    for (const circleId of await scope.liveCircles(cohorts.flatMap((c) => c.circles.map((x) => x.id)))) {
      await this.circles.execute(circleId, system, { type: 'alert.crisis', personId: row.participantId, detail, safetyAlertId: row.id }, null);
    }
    return view;
  }

  /** ALR3: the one acknowledgement of a safety alert closes its copy on every dashboard and reaches every clinician. */
  async acknowledged(scope: ClinicScope, row: SafetyAlertRow, by: { id: string; name: string }): Promise<ClinicAlert> {
    const [view] = await alertViews(scope, [row]);
    if (!view) throw new Error('safety alert view missing');
    const { cohorts, userIds } = await this.recipients(scope, row.participantId);
    const states = await scope.circleStates(cohorts.flatMap((c) => c.circles.map((x) => x.id)));
    const actor: CircleActor = { personId: by.id, role: 'facilitator', displayName: by.name };
    for (const [circleId, state] of states) {
      if (!Object.values(state.alerts).some((a) => a.safetyAlertId === row.id && !a.ackedAt)) continue;
      await this.circles.execute(circleId, actor, { type: 'alert.crisisAck', safetyAlertId: row.id, note: row.note ?? '' }, null);
    }
    this.push.safetyAcknowledged(userIds, view);
    return view;
  }

  /**
   * CARE2: a call for support after the close, or its acknowledgement, goes to the circle's facilitators and the
   * clinic's prescribers wherever they are. Called with every committed batch of circle events.
   */
  async circleEvents(events: readonly CircleEvent[]): Promise<void> {
    const care = events.filter((e) => (e.type === 'alert.raised' || e.type === 'alert.acknowledged') && e.payload.afterClose);
    if (care.length === 0) return;
    const circleId = care[0]!.circleId;
    const found = await this.scopeOfCircle(circleId);
    if (!found) return;
    const { scope, cohortId } = found;
    const [cohort, prescribers, states] = await Promise.all([scope.cohort(cohortId), scope.staffWithRole('prescriber'), scope.circleStates([circleId])]);
    const state = states.get(circleId);
    const circle = cohort?.circles.find((c) => c.id === circleId);
    if (!cohort || !state || !circle) return;
    const userIds = [...new Set([...cohort.facilitators.map((f) => f.id), ...prescribers])];
    const names = await scope.names(care.map((e) => e.actor).filter((id) => id !== 'system'));
    for (const e of care) {
      const alertId = e.type === 'alert.raised' ? alertIdFor(e.seq) : (e.payload as { alertId: string }).alertId;
      const alert = state.alerts[alertId];
      if (!alert) continue;
      const view = fromCircleAlert(state, alert, { title: circle.title, names });
      if (e.type === 'alert.raised') this.push.careAlert(userIds, view);
      else this.push.careAcknowledged(userIds, view);
    }
  }
}
