import { instruments, type CircleActor } from '@holdspace/domain';
import type { ClinicScope, SafetyAlertRow } from '@holdspace/db';
import type { SafetyAlert } from '@holdspace/protocol';
import type { CircleService } from './circle-service.js';
import { alertViews } from './outcomes.js';

/** Pushes a safety alert to the sockets of the people given. */
export interface AlertPush {
  safetyAlert(userIds: string[], alert: SafetyAlert): void;
}

const system: CircleActor = { personId: 'system', role: 'facilitator', displayName: 'Holdspace' };

/**
 * CRS1, CRS2: a questionnaire answer that needs a clinician reaches, at once, the facilitators of every cohort the
 * person is in and every prescriber of the clinic, wherever they are in the app; and the dashboard of any of those
 * cohorts' circles that is under way. The alert itself was stored with the response: this only delivers it.
 */
export class SafetyNotifier {
  constructor(
    private readonly push: AlertPush,
    private readonly circles: CircleService,
  ) {}

  async deliver(scope: ClinicScope, row: SafetyAlertRow): Promise<SafetyAlert> {
    const [view] = await alertViews(scope, [row]);
    if (!view) throw new Error('safety alert view missing');
    const [cohorts, prescribers] = await Promise.all([scope.cohorts({ enrolled: row.participantId }), scope.staffWithRole('prescriber')]);
    const recipients = new Set([...cohorts.flatMap((c) => c.facilitators.map((f) => f.id)), ...prescribers]);
    this.push.safetyAlert([...recipients], view);

    const item = instruments[row.instrument].item.find((i) => i.linkId === row.item);
    const detail = `${instruments[row.instrument].shortTitle} question ${item?.prefix.replace('.', '') ?? ''} (thoughts of self-harm) answered “${view.answer}”. Reach out now.`;
    for (const circleId of await scope.liveCircles(cohorts.flatMap((c) => c.circles.map((x) => x.id)))) {
      await this.circles.execute(circleId, system, { type: 'alert.crisis', personId: row.participantId, detail }, null);
    }
    return view;
  }
}
