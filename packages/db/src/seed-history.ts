import { randomUUID } from 'node:crypto';
import {
  assessmentSchedule,
  clinicalFacts,
  decide,
  defaultClinicSettings,
  instruments,
  noContraindications,
  scoreAnswers,
  type CircleActor,
  type CircleCommand,
  type InstrumentId,
  type ScreeningRecord,
} from '@holdspace/domain';
import type { Database } from './create-db.js';
import { CircleLog } from './circle-log.js';
import { circles, cohortFacilitators, cohorts, enrollments, questionnaireResponses, safetyAlerts, screenings, users } from './schema.js';

const DAY = 86_400_000;

/** Six people who finished the summer program: their scores over it, baseline first (PHQ-9, GAD-7). */
const past = [
  { name: 'Morgan Lee', displayName: 'Ash', phq9: [18, 12, 8, 6], gad7: [15, 11, 8, 6] },
  { name: 'Taylor Brooks', displayName: 'Birch', phq9: [14, 11, 9, 7], gad7: [12, 10, 9, 8] },
  { name: 'Sam Rivera', displayName: 'Fern', phq9: [21, 15, 10, 4], gad7: [17, 12, 7, 4] },
  { name: 'Jamie Chen', displayName: 'Linden', phq9: [11, 10, 11, 10], gad7: [9, 9, 8, 9] },
  { name: 'Riley Patel', displayName: 'Moss', phq9: [16, 9, 6, 3], gad7: [13, 8, 5, 3] },
  { name: 'Casey Kim', displayName: 'Rowan', phq9: [13, 9, 7], gad7: [10, 8, 6] },
] as const;

/** Answers that add up to `total`, spread evenly over the items; `crisisItem` set to 1 when asked. */
function answersFor(id: InstrumentId, total: number, crisis = false): Record<string, number> {
  const items = instruments[id].item;
  const out: Record<string, number> = Object.fromEntries(items.map((i) => [i.linkId, 0]));
  let left = total;
  if (crisis && instruments[id].crisisItem) {
    out[instruments[id].crisisItem!] = 1;
    left -= 1;
  }
  for (let round = 0; left > 0 && round < 3; round++) {
    for (const item of items) {
      if (left === 0) break;
      if (item.linkId === instruments[id].crisisItem) continue;
      if (out[item.linkId]! < 3) {
        out[item.linkId]! += 1;
        left -= 1;
      }
    }
  }
  return out;
}

/**
 * A cohort that finished its program last summer: circles run through the real log (so attendance derives from it),
 * questionnaires at every point, one safety alert a clinician followed up, one mild adverse event. It gives the
 * outcomes pages and exports something true to show.
 */
export async function seedFinishedCohort(
  tx: Database,
  opts: { clinicId: string; facilitatorIds: string[]; prescriberId: string; passwordHash: string; now: Date },
): Promise<void> {
  const at = (days: number, hour: number) => {
    const d = new Date(opts.now.getTime() + days * DAY);
    d.setUTCHours(hour, 0, 0, 0);
    return d;
  };
  const [cohort] = await tx.insert(cohorts).values({ clinicId: opts.clinicId, name: 'Summer cohort', capacity: 8, format: 'in_person', location: 'Stillwater, room 2', timeZone: 'America/New_York' }).returning();
  if (!cohort) throw new Error('seed: summer cohort not created');
  await tx.insert(cohortFacilitators).values(opts.facilitatorIds.map((userId) => ({ cohortId: cohort.id, userId })));
  const people = await tx
    .insert(users)
    .values(past.map((p) => ({ clinicId: opts.clinicId, email: `${p.displayName.toLowerCase()}@demo.holdspace.example`, name: p.name, kind: 'participant' as const, passwordHash: opts.passwordHash })))
    .returning();
  await tx.insert(enrollments).values(people.map((u, i) => ({ cohortId: cohort.id, userId: u.id, displayName: past[i]!.displayName })));

  const program = [
    { kind: 'preparation' as const, title: 'Summer preparation circle', startsAt: at(-100, 22) },
    { kind: 'dosing' as const, title: 'Summer dosing circle 1', startsAt: at(-93, 21) },
    { kind: 'integration' as const, title: 'Summer integration circle 1', startsAt: at(-91, 22) },
    { kind: 'dosing' as const, title: 'Summer dosing circle 2', startsAt: at(-79, 21) },
    { kind: 'integration' as const, title: 'Summer integration circle 2', startsAt: at(-77, 22) },
  ];
  const circleRows = await tx.insert(circles).values(program.map((c) => ({ ...c, clinicId: opts.clinicId, cohortId: cohort.id, timeZone: 'America/New_York' }))).returning();
  const validUntil = at(-10, 0).toISOString().slice(0, 10);
  const record: ScreeningRecord = {
    contraindications: noContraindications(),
    notes: 'Demo record.',
    decision: 'cleared',
    validUntil,
    prescription: { doseMg: 200, route: 'sublingual_lozenge' },
    vitalLimits: {},
    medicationHolds: [],
    emergencyContact: { name: 'Demo Contact', phone: '+1 555 0100' },
    chaperone: null,
  };
  await tx.insert(screenings).values(people.map((p) => ({ clinicId: opts.clinicId, participantId: p.id, version: 1, record, decision: 'cleared' as const, validUntil, signedBy: opts.prescriberId, signedAt: at(-105, 15) })));

  // Each circle, as it ran: opened, people arriving and let in, closed two hours later.
  const log = new CircleLog(tx);
  const facilitator: CircleActor = { personId: opts.facilitatorIds[0]!, role: 'facilitator', displayName: 'Maya Okafor' };
  const system: CircleActor = { personId: 'system', role: 'facilitator', displayName: 'Holdspace' };
  const roster = Object.fromEntries(people.map((p, i) => [p.id, { displayName: past[i]!.displayName, clinical: clinicalFacts(record, defaultClinicSettings.vitalLimits, validUntil, { current: {}, signed: {} }) }]));
  const absent = new Map([[circleRows[4]!.id, 'Rowan']]);
  for (const [k, circle] of circleRows.entries()) {
    await log.init(circle.id);
    const start = circle.startsAt.getTime();
    const step = async (actor: CircleActor, command: CircleCommand, minutes: number) => {
      const now = new Date(start + minutes * 60_000);
      const result = await log.append({ circleId: circle.id, commandId: null, actor: actor.personId, now, decide: (state) => decide(state, command, actor, now.toISOString()) });
      if (!result.ok) throw new Error(`seed: ${command.type} refused (${result.rule} ${result.message})`);
    };
    // What happened, at minutes from the start; run in time order, as the log would have recorded it.
    const plan: [minutes: number, actor: CircleActor, command: CircleCommand][] = [
      [-20, system, { type: 'roster.sync', kind: circle.kind, roster, settings: { fastingWindowHours: 4, minObservationMinutes: 120 } }],
      [-15, facilitator, { type: 'presence.join', connectionId: `seed/${k}/f`, device: 'desktop' }],
      [-10, facilitator, { type: 'circle.open' }],
      [30, facilitator, { type: 'circle.start' }],
      [180, facilitator, { type: 'circle.close' }],
    ];
    const vitals = (personId: string, systolic: number): CircleCommand => ({ type: 'vitals.record', personId, systolic, diastolic: systolic - 44, heartRate: 68 + (systolic % 9) });
    for (const [i, p] of people.entries()) {
      if (absent.get(circle.id) === past[i]!.displayName) continue;
      const actor: CircleActor = { personId: p.id, role: 'participant', displayName: past[i]!.displayName };
      // Linden comes late to the first dosing circle.
      const arrives = past[i]!.displayName === 'Linden' && k === 1 ? 25 : -8 + i;
      plan.push([arrives, actor, { type: 'presence.join', connectionId: `seed/${k}/${i}`, device: 'phone' }], [arrives + 1, facilitator, { type: 'participant.admit', personId: p.id }]);
      if (circle.kind === 'dosing') {
        // As the pre-dose gate and readiness to leave require: fasting, a ride, vitals, the dose, discharge.
        plan.push(
          [arrives + 2, actor, { type: 'checkin.predose', lastFoodAt: new Date(start - 6 * 3_600_000).toISOString(), holdsFollowed: true, ride: 'ride' }],
          [32 + i, facilitator, vitals(p.id, 118 + i * 2)],
          [40 + i, facilitator, { type: 'dose.record', personId: p.id, doseMg: 200 }],
          [82 + i, facilitator, vitals(p.id, 128 + i * 2)],
          [150, actor, { type: 'checkin.after', grounded: true, readyToLeave: true }],
          [155 + i, facilitator, vitals(p.id, 120 + i * 2)],
          [162 + i, facilitator, { type: 'participant.discharge', personId: p.id }],
        );
      }
      plan.push([170 + i, actor, { type: 'presence.leave', connectionId: `seed/${k}/${i}` }]);
    }
    if (k === 1) plan.push([70, facilitator, { type: 'adverse.record', personId: people[2]!.id, kind: 'nausea', severity: 'mild', action: 'Rested on her side with a blanket; ginger tea; settled within 20 minutes.' }]);
    for (const [minutes, actor, command] of plan.sort((a, b) => a[0] - b[0])) await step(actor, command, minutes);
  }

  // Questionnaires at every point of the program, a day or two after each opened.
  const schedule = assessmentSchedule(
    circleRows.map((c) => ({ id: c.id, kind: c.kind, title: c.title, startsAt: c.startsAt.toISOString() })),
    { followUpDays: cohort.followUpDays },
  );
  const answeredAt = (point: (typeof schedule)[number], i: number) =>
    new Date(point.opensAt ? Date.parse(point.opensAt) + (1 + (i % 3)) * DAY + 3 * 3_600_000 : Date.parse(point.dueAt) - (2 + (i % 2)) * DAY);
  for (const [i, p] of people.entries()) {
    for (const [k, point] of schedule.entries()) {
      for (const instrument of ['phq9', 'gad7'] as const) {
        const total = past[i]![instrument][k];
        if (total === undefined) continue;
        // Fern's baseline answered question 9 "Several days": the prescriber called her the same day.
        const crisis = instrument === 'phq9' && k === 0 && past[i]!.displayName === 'Fern';
        const answers = answersFor(instrument, total, crisis);
        const score = scoreAnswers(instrument, answers);
        const submittedAt = answeredAt(point, i);
        const [row] = await tx
          .insert(questionnaireResponses)
          .values({ id: randomUUID(), clinicId: opts.clinicId, participantId: p.id, cohortId: cohort.id, instrument, assessmentKey: point.key, answers, total: score.total, band: score.band.key, crisis: score.crisis, submittedAt })
          .returning();
        if (row && score.crisis) {
          await tx.insert(safetyAlerts).values({
            clinicId: opts.clinicId,
            participantId: p.id,
            responseId: row.id,
            instrument,
            item: instruments[instrument].crisisItem!,
            answer: score.crisisAnswer ?? 1,
            raisedAt: submittedAt,
            acknowledgedAt: new Date(submittedAt.getTime() + 40 * 60_000),
            acknowledgedBy: opts.prescriberId,
            note: 'Called Fern within the hour: passive thoughts, no plan or intent. Safety plan reviewed; follow-up call booked for Friday.',
          });
        }
      }
    }
  }
}
