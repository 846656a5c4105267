import { dosedAndAway, observationDue, participantIds, vitalsDue } from './care.js';
import { recordOf, type Alert, type AlertKind, type CircleState } from './circle.js';
import { instruments, type InstrumentId } from './instruments.js';
import { answerLabel } from './scoring.js';

/**
 * ALR4: one model for every alert a clinician sees, whatever raised it: a circle's alerts on its dashboard (raised
 * and derived), a call for support after the close (CARE2), and a questionnaire's safety alert (CRS1).
 */
export type ClinicAlertKind = AlertKind | 'observation' | 'vitals_due' | 'disconnected';

export interface AlertAcknowledgement {
  by: { id: string; name: string };
  at: string;
  note: string | null;
}

/** The questionnaire answer a safety alert is about (CRS1). */
export interface AlertAnswer {
  instrument: InstrumentId;
  assessmentKey: string;
  /** "PHQ-9 question 9" */
  ref: string;
  /** The question's words. */
  question: string;
  /** The answer given, in words. */
  answer: string;
}

export interface ClinicAlert {
  /** A safety alert's id; a circle alert's id in its circle (`a12`), or a derived one (`obs:<person>`). */
  id: string;
  kind: ClinicAlertKind;
  /** 1 is the most urgent. */
  urgency: 1 | 2 | 3;
  /** The name staff know the person by here, and the names their cohorts know them by. */
  person: { id: string; name: string; cohorts: { id: string; name: string; displayName: string }[] };
  /** The circle it was raised in; null for a questionnaire's safety alert. */
  circle: { id: string; title: string | null } | null;
  raisedAt: string;
  detail: string;
  acknowledgement: AlertAcknowledgement | null;
  /** Raised alerts are acknowledged; derived ones clear when the thing is done (ALR2). */
  acknowledgeable: boolean;
  /** A crisis: the clinic's safety alert it is, acknowledged once wherever it shows (ALR3). */
  safetyAlertId: string | null;
  /** CARE2: raised after its circle closed. */
  afterClose: boolean;
  answer: AlertAnswer | null;
}

/** ALR4: what identifies an alert among all of them (a circle's ids are its own). */
export const alertKey = (a: Pick<ClinicAlert, 'id' | 'circle'>): string => (a.circle ? `${a.circle.id}:${a.id}` : a.id);

/**
 * ALR5, from ALR3: how an alert is acknowledged. A crisis asks what was done (required, CRS1); an urgent alert asks
 * for an optional note; anything else is acknowledged at once; a derived alert is not acknowledged at all.
 */
export function acknowledgementAsked(a: Pick<ClinicAlert, 'kind' | 'urgency' | 'acknowledgeable'>): 'what-was-done' | 'optional-note' | 'at-once' | null {
  if (!a.acknowledgeable) return null;
  if (a.kind === 'crisis') return 'what-was-done';
  return a.urgency === 1 ? 'optional-note' : 'at-once';
}

const nameIn = (state: CircleState, id: string) => state.roster[id]?.displayName ?? state.admitted[id]?.displayName ?? state.presence[id]?.displayName ?? 'Someone';

/** ALR4: a circle's raised alert in the one model. `names`: staff names, for who acknowledged it. */
export function fromCircleAlert(state: CircleState, a: Alert, context: { title: string | null; names: ReadonlyMap<string, string> }): ClinicAlert {
  return {
    id: a.id,
    kind: a.kind,
    urgency: a.urgency,
    person: { id: a.personId, name: nameIn(state, a.personId), cohorts: [] },
    circle: { id: state.circleId, title: context.title },
    raisedAt: a.raisedAt,
    detail: a.detail,
    acknowledgement: a.ackedAt ? { by: { id: a.ackedBy ?? '', name: (a.ackedBy && context.names.get(a.ackedBy)) ?? 'A clinician' }, at: a.ackedAt, note: a.ackNote } : null,
    acknowledgeable: true,
    safetyAlertId: a.safetyAlertId ?? null,
    afterClose: !!a.afterClose,
    answer: null,
  };
}

/** A safety alert as stored: the answer that raised it, and its one acknowledgement. */
export interface SafetyAlertRecord {
  id: string;
  participantId: string;
  instrument: InstrumentId;
  assessmentKey: string;
  item: string;
  answer: number;
  raisedAt: string;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  note: string | null;
}

/** The opening words of a question, up to its first pause: “Thoughts that you would be better off dead…”. */
export function shortQuestion(text: string, max = 60): string {
  const pause = text.search(/[,;:.]/);
  if (pause > 0 && pause <= max) return `${text.slice(0, pause)}…`;
  if (text.length <= max) return text;
  const cut = text.lastIndexOf(' ', max);
  return `${text.slice(0, cut > 0 ? cut : max)}…`;
}

/** ALR4: a questionnaire's safety alert (CRS1) in the one model. */
export function fromSafetyAlert(
  row: SafetyAlertRecord,
  people: { names: ReadonlyMap<string, string>; cohortsOf: (participantId: string) => ClinicAlert['person']['cohorts'] },
): ClinicAlert {
  const instrument = instruments[row.instrument];
  const item = instrument.item.find((i) => i.linkId === row.item);
  const answer: AlertAnswer = {
    instrument: row.instrument,
    assessmentKey: row.assessmentKey,
    ref: item ? `${instrument.shortTitle} question ${item.prefix.replace('.', '')}` : instrument.shortTitle,
    question: item?.text ?? row.item,
    answer: answerLabel(row.instrument, row.item, row.answer),
  };
  return {
    id: row.id,
    kind: 'crisis',
    urgency: 1,
    person: { id: row.participantId, name: people.names.get(row.participantId) ?? 'Someone', cohorts: people.cohortsOf(row.participantId) },
    circle: null,
    raisedAt: row.raisedAt,
    detail: `answered ${answer.ref} “${shortQuestion(answer.question)}”: ${answer.answer}`,
    acknowledgement:
      row.acknowledgedAt && row.acknowledgedBy ? { by: { id: row.acknowledgedBy, name: people.names.get(row.acknowledgedBy) ?? 'Someone' }, at: row.acknowledgedAt, note: row.note } : null,
    acknowledgeable: true,
    safetyAlertId: row.id,
    afterClose: false,
    answer,
  };
}

/** ALR2: a circle's open alerts, raised and derived, most urgent first, then oldest first. */
export function alertsAt(state: CircleState, now: string, title: string | null = null): ClinicAlert[] {
  const names = new Map<string, string>();
  const list = Object.values(state.alerts)
    .filter((a) => !a.ackedAt)
    .map((a) => fromCircleAlert(state, a, { title, names }));
  const derived = (id: string, personId: string, kind: ClinicAlertKind, detail: string, since: string): ClinicAlert => ({
    ...fromCircleAlert(state, { id, personId, kind: 'break', urgency: 2, detail, raisedAt: since, ackedAt: null, ackedBy: null, ackNote: null }, { title, names }),
    kind,
    acknowledgeable: false,
  });
  for (const id of participantIds(state)) {
    const obs = observationDue(state, id, now);
    if (obs?.overdue) list.push(derived(`obs:${id}`, id, 'observation', 'Observation check overdue', obs.dueAt));
    const vit = vitalsDue(state, id, now);
    if (vit?.overdue) list.push(derived(`vit:${id}`, id, 'vitals_due', `${vit.label} overdue`, vit.dueAt));
    const away = dosedAndAway(state, recordOf(state, id));
    if (away) list.push(derived(`away:${id}`, id, 'disconnected', 'Dosed and not connected', away));
  }
  return list.sort((a, b) => a.urgency - b.urgency || a.raisedAt.localeCompare(b.raisedAt) || a.id.localeCompare(b.id));
}

/**
 * ALR6: one list from several copies of the same alerts (a page's load, the live feed, answers to acknowledging):
 * one entry per alert, the acknowledged copy winning (acknowledging cannot be undone), newest first.
 */
export function mergeAlerts(...lists: readonly (readonly ClinicAlert[])[]): ClinicAlert[] {
  const byKey: Record<string, ClinicAlert> = {};
  for (const alert of lists.flat()) {
    const key = alertKey(alert);
    const known = byKey[key];
    if (!known || (!known.acknowledgement && alert.acknowledgement)) byKey[key] = alert;
  }
  return Object.values(byKey).sort((a, b) => b.raisedAt.localeCompare(a.raisedAt) || alertKey(a).localeCompare(alertKey(b)));
}
