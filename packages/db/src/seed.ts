import { count, sql } from 'drizzle-orm';
import type { Database } from './create-db.js';
import { CircleLog } from './circle-log.js';
import { seedFinishedCohort } from './seed-history.js';
import { circles, clinics, cohortFacilitators, cohorts, consentSignatures, consentTexts, enrollments, screenings, users } from './schema.js';
import { noContraindications, type ScreeningRecord } from '@holdspace/domain';

export const DEMO_PASSWORD = 'holdspace-demo';

export const demoPeople = {
  admin: { email: 'admin@demo.holdspace.example', name: 'Dana Reyes', roles: ['admin'] },
  facilitator: { email: 'maya@demo.holdspace.example', name: 'Maya Okafor', roles: ['facilitator'] },
  cofacilitator: { email: 'theo@demo.holdspace.example', name: 'Theo Brandt', roles: ['facilitator'] },
  prescriber: { email: 'dr.lindqvist@demo.holdspace.example', name: 'Dr. Sam Lindqvist', roles: ['prescriber'] },
  participants: [
    { email: 'river@demo.holdspace.example', name: 'Jordan Ellis', displayName: 'River' },
    { email: 'wren@demo.holdspace.example', name: 'Alex Moreno', displayName: 'Wren' },
    { email: 'sage@demo.holdspace.example', name: 'Priya Nair', displayName: 'Sage' },
    { email: 'cedar@demo.holdspace.example', name: 'Chris Walker', displayName: 'Cedar' },
    { email: 'juniper@demo.holdspace.example', name: 'Kim Tanaka', displayName: 'Juniper' },
  ],
} as const;

export async function isEmpty(db: Database): Promise<boolean> {
  const [row] = await db.select({ n: count() }).from(clinics);
  return (row?.n ?? 0) === 0;
}

/**
 * A demo clinic with staff, one cohort of five participants and its first three circles, and (with `history`) a cohort
 * that finished its program last summer, with scores and attendance. Runs only on an empty database; returns false
 * when there was already data.
 */
export async function seedDemo(db: Database, opts: { passwordHash: string; now?: Date; history?: boolean }): Promise<boolean> {
  if (!(await isEmpty(db))) return false;
  const now = opts.now ?? new Date();
  const day = 24 * 60 * 60 * 1000;
  const at = (days: number, hour: number) => {
    const d = new Date(now.getTime() + days * day);
    d.setUTCHours(hour, 0, 0, 0);
    return d;
  };

  return db.transaction(async (tx) => {
    // Nodes starting together: one seeds, the others wait here and then find data.
    await tx.execute(sql`select pg_advisory_xact_lock(727275)`);
    if (!(await isEmpty(tx as unknown as Database))) return false;
    const [clinic] = await tx.insert(clinics).values({ name: 'Stillwater Clinic (demo)' }).returning();
    if (!clinic) throw new Error('seed: clinic not created');
    const staff = [demoPeople.admin, demoPeople.facilitator, demoPeople.cofacilitator, demoPeople.prescriber];
    const staffRows = await tx
      .insert(users)
      .values(staff.map((p) => ({ clinicId: clinic.id, email: p.email, name: p.name, kind: 'staff' as const, roles: [...p.roles], passwordHash: opts.passwordHash })))
      .returning();
    const participantRows = await tx
      .insert(users)
      .values(demoPeople.participants.map((p) => ({ clinicId: clinic.id, email: p.email, name: p.name, kind: 'participant' as const, passwordHash: opts.passwordHash })))
      .returning();

    const [cohort] = await tx.insert(cohorts).values({ clinicId: clinic.id, name: 'Autumn cohort' }).returning();
    if (!cohort) throw new Error('seed: cohort not created');
    const facilitators = staffRows.filter((u) => u.roles.includes('facilitator'));
    await tx.insert(cohortFacilitators).values(facilitators.map((u) => ({ cohortId: cohort.id, userId: u.id })));
    await tx.insert(enrollments).values(
      participantRows.map((u, i) => ({ cohortId: cohort.id, userId: u.id, displayName: demoPeople.participants[i]?.displayName ?? u.name })),
    );

    const program = [
      { kind: 'preparation' as const, title: 'Preparation circle', startsAt: at(0, 17) },
      { kind: 'dosing' as const, title: 'Dosing circle 1', startsAt: at(7, 16) },
      { kind: 'integration' as const, title: 'Integration circle 1', startsAt: at(9, 17) },
    ];
    const circleRows = await tx
      .insert(circles)
      .values(program.map((c) => ({ ...c, clinicId: clinic.id, cohortId: cohort.id, timeZone: 'America/New_York' })))
      .returning();
    const log = new CircleLog(tx as unknown as Database);
    for (const c of circleRows) await log.init(c.id);

    const admin = staffRows.find((u) => u.roles.includes('admin'));
    const texts = await tx
      .insert(consentTexts)
      .values([
        { clinicId: clinic.id, kind: 'treatment' as const, version: 1, title: 'Consent to ketamine-assisted psychotherapy', body: demoTreatmentConsent, publishedBy: admin?.id ?? null },
        { clinicId: clinic.id, kind: 'group_confidentiality' as const, version: 1, title: 'Group confidentiality agreement', body: demoConfidentiality, publishedBy: admin?.id ?? null },
      ])
      .returning();

    // Four demo participants arrive ready (consents signed, a current clearance); Juniper is not cleared yet, so the
    // roster and the pre-dose gate show both states. Wren has a booster prescribed; Cedar has tighter personal limits.
    const prescriber = staffRows.find((u) => u.roles.includes('prescriber'));
    const validUntil = new Date(now.getTime() + 180 * day).toISOString().slice(0, 10);
    const plans: Pick<ScreeningRecord, 'prescription' | 'vitalLimits'>[] = [
      { prescription: { doseMg: 200, route: 'sublingual_lozenge' }, vitalLimits: {} },
      { prescription: { doseMg: 200, route: 'sublingual_lozenge', boosterDoseMg: 100, boosterWindowMinutes: [20, 45] }, vitalLimits: {} },
      { prescription: { doseMg: 150, route: 'sublingual_lozenge' }, vitalLimits: {} },
      { prescription: { doseMg: 200, route: 'sublingual_lozenge' }, vitalLimits: { systolicMax: 160, diastolicMax: 100 } },
    ];
    for (const [i, p] of participantRows.slice(0, plans.length).entries()) {
      await tx.insert(consentSignatures).values(texts.map((t) => ({ consentTextId: t.id, userId: p.id, typedName: p.name })));
      if (prescriber) {
        const record: ScreeningRecord = {
          contraindications: noContraindications(),
          notes: 'Demo record.',
          decision: 'cleared',
          validUntil,
          ...plans[i]!,
          medicationHolds: [{ medication: 'Lorazepam', holdHours: 48 }],
          emergencyContact: { name: 'Demo Contact', phone: '+1 555 0100' },
          chaperone: null,
        };
        await tx.insert(screenings).values({ clinicId: clinic.id, participantId: p.id, version: 1, record, decision: 'cleared', validUntil, signedBy: prescriber.id });
      }
    }
    if (opts.history && prescriber) {
      await seedFinishedCohort(tx as unknown as Database, { clinicId: clinic.id, facilitatorIds: facilitators.map((f) => f.id), prescriberId: prescriber.id, passwordHash: opts.passwordHash, now });
    }
    return true;
  });
}

const demoTreatmentConsent = `I understand that ketamine-assisted psychotherapy combines psychotherapy with ketamine given as a sublingual lozenge under medical supervision.

I understand the common effects (changes in perception, dissociation, nausea, a rise in blood pressure and heart rate), that I will be observed until I am ready to leave, and that I must not drive until the next day after sleep.

I will follow the fasting and medication instructions my prescriber gives me, arrange a ride home, and tell the team about any change in my health or medication. I may stop at any time.`;

const demoConfidentiality = `What is shared in this group stays in this group. I will not record, photograph or repeat what other participants share, and I will not identify other participants outside the group.

I will use only the display names people choose for the group, and I understand the facilitators keep the group safe and may pause or redirect sharing.`;
