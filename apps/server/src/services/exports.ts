import { stringify } from 'csv-stringify/sync';
import { attendanceFrom, instruments, type AssessmentPoint, type CircleEvent } from '@holdspace/domain';
import type { ResponseRow } from '@holdspace/db';
import type { CohortRow } from './outcomes.js';
import { groupEvents } from './outcomes.js';

type Cell = string | number | boolean | null;

/** A spreadsheet would run a cell starting with = + - @ as a formula: such text is kept as text. */
const safe = (cell: Cell): Cell => (typeof cell === 'string' && /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell);

function csv(header: string[], rows: Cell[][]): string {
  return stringify([header, ...rows.map((r) => r.map(safe))], { cast: { boolean: (b) => (b ? 'yes' : 'no') } });
}

export interface RosterPerson {
  participantId: string;
  name: string;
  displayName: string;
}

/** One row per questionnaire response, with its total, band and each item's score. */
export function scoresCsv(cohort: CohortRow, roster: RosterPerson[], responses: ResponseRow[], schedule: AssessmentPoint[]): string {
  const items = Math.max(0, ...cohort.instruments.map((i) => instruments[i].item.length));
  const person = new Map(roster.map((r) => [r.participantId, r]));
  const rows = responses.map((r): Cell[] => {
    const instrument = instruments[r.instrument];
    const p = person.get(r.participantId);
    return [
      r.participantId,
      p?.name ?? '',
      p?.displayName ?? '',
      cohort.name,
      instrument.shortTitle,
      r.assessmentKey,
      schedule.find((s) => s.key === r.assessmentKey)?.label ?? '',
      r.submittedAt.toISOString(),
      r.total,
      instrument.bands.find((b) => b.key === r.band)?.label ?? r.band,
      ...Array.from({ length: items }, (_, k) => {
        const item = instrument.item[k];
        return item ? (r.answers[item.linkId] ?? null) : null;
      }),
    ];
  });
  return csv(
    ['participant_id', 'name', 'display_name', 'cohort', 'instrument', 'assessment_key', 'assessment', 'submitted_at', 'total', 'band', ...Array.from({ length: items }, (_, k) => `item_${k + 1}`)],
    rows,
  );
}

/** One row per person and circle, from the circle's event log (ATT1). */
export function attendanceCsv(cohort: CohortRow, roster: RosterPerson[], events: CircleEvent[], until: Date): string {
  const byCircle = groupEvents(events);
  const ids = roster.map((r) => r.participantId);
  const rows = cohort.circles.flatMap((c) =>
    attendanceFrom(byCircle.get(c.id) ?? [], ids, until.toISOString()).map((a): Cell[] => {
      const p = roster.find((r) => r.participantId === a.personId);
      return [a.personId, p?.name ?? '', p?.displayName ?? '', c.id, c.title, c.kind, c.startsAt.toISOString(), a.status, a.firstArrivedAt, a.admittedAt, a.minutesPresent, a.dosed, a.discharged];
    }),
  );
  return csv(['participant_id', 'name', 'display_name', 'circle_id', 'circle', 'kind', 'starts_at', 'status', 'first_arrived_at', 'admitted_at', 'minutes_present', 'dosed', 'discharged'], rows);
}

/** Every adverse event recorded in the cohort's circles (ADV1), with who recorded it. */
export function adverseEventsCsv(cohort: CohortRow, roster: RosterPerson[], events: CircleEvent[], names: Map<string, string>): string {
  const circle = new Map(cohort.circles.map((c) => [c.id, c]));
  const rows = events.flatMap((e): Cell[][] => {
    if (e.type !== 'adverse.recorded') return [];
    const p = roster.find((r) => r.participantId === e.payload.personId);
    const c = circle.get(e.circleId);
    return [[e.payload.personId, p?.name ?? '', p?.displayName ?? '', c?.title ?? '', c?.startsAt.toISOString() ?? '', e.at, e.payload.kind, e.payload.severity, e.payload.action, names.get(e.actor) ?? e.actor]];
  });
  return csv(['participant_id', 'name', 'display_name', 'circle', 'circle_starts_at', 'recorded_at', 'kind', 'severity', 'action', 'recorded_by'], rows);
}
