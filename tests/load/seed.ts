import { createHash, randomBytes } from 'node:crypto';
import { createDb, schema } from '@holdspace/db';
import { initialCircleState } from '@holdspace/domain';

export const PARTICIPANTS_PER_CIRCLE = 12;

/** One benchmark circle: its facilitator and participants, each holding a session cookie token. */
export interface BenchCircle {
  circleId: string;
  facilitator: { personId: string; token: string };
  participants: { personId: string; token: string }[];
}

const chunk = <T>(rows: T[], size = 1000): T[][] => Array.from({ length: Math.ceil(rows.length / size) }, (_, i) => rows.slice(i * size, (i + 1) * size));
const sessionIdOf = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * `count` cohorts in one clinic, each with one facilitator, twelve enrolled participants and one circle, and a session
 * for every person: written in bulk straight into a migrated, empty database, so the server finds a clinic (and seeds
 * no demo) and devices connect with the cookie a sign-in would have set.
 */
export async function seedCircles(databaseUrl: string, count: number): Promise<BenchCircle[]> {
  const handle = await createDb({ databaseUrl, poolSize: 4 });
  try {
    await handle.migrate();
    const db = handle.db;
    const now = new Date();
    const [clinic] = await db.insert(schema.clinics).values({ name: 'Benchmark Clinic' }).returning({ id: schema.clinics.id });
    const clinicId = clinic!.id;
    const tag = randomBytes(3).toString('hex');
    const people: { id: string; email: string; name: string; kind: 'staff' | 'participant'; roles: string[] }[] = [];
    const circles: BenchCircle[] = [];
    const cohortRows: (typeof schema.cohorts.$inferInsert)[] = [];
    const circleRows: (typeof schema.circles.$inferInsert)[] = [];
    const facilitators: (typeof schema.cohortFacilitators.$inferInsert)[] = [];
    const enrollments: (typeof schema.enrollments.$inferInsert)[] = [];
    const sessions: (typeof schema.sessions.$inferInsert)[] = [];
    const session = (userId: string) => {
      const token = randomBytes(24).toString('base64url');
      sessions.push({ id: sessionIdOf(token), userId, createdAt: now, lastSeenAt: now, expiresAt: new Date(now.getTime() + 24 * 3600_000) });
      return token;
    };
    for (let c = 0; c < count; c++) {
      const cohortId = crypto.randomUUID();
      const circleId = crypto.randomUUID();
      cohortRows.push({ id: cohortId, clinicId, name: `Bench cohort ${c + 1}`, capacity: PARTICIPANTS_PER_CIRCLE });
      circleRows.push({ id: circleId, clinicId, cohortId, kind: 'dosing', title: `Bench circle ${c + 1}`, startsAt: now, timeZone: 'UTC' });
      const facId = crypto.randomUUID();
      people.push({ id: facId, email: `fac${c}-${tag}@bench.example`, name: `Facilitator ${c + 1}`, kind: 'staff', roles: ['facilitator'] });
      facilitators.push({ cohortId, userId: facId });
      const participants = Array.from({ length: PARTICIPANTS_PER_CIRCLE }, (_, p) => {
        const id = crypto.randomUUID();
        people.push({ id, email: `p${c}-${p}-${tag}@bench.example`, name: `Participant ${c + 1}.${p + 1}`, kind: 'participant', roles: [] });
        enrollments.push({ cohortId, userId: id, displayName: `P${p + 1}` });
        return { personId: id, token: session(id) };
      });
      circles.push({ circleId, facilitator: { personId: facId, token: session(facId) }, participants });
    }
    await db.transaction(async (tx) => {
      for (const rows of chunk(people)) await tx.insert(schema.users).values(rows.map((p) => ({ ...p, clinicId, passwordHash: null })));
      for (const rows of chunk(cohortRows)) await tx.insert(schema.cohorts).values(rows);
      for (const rows of chunk(facilitators)) await tx.insert(schema.cohortFacilitators).values(rows);
      for (const rows of chunk(enrollments)) await tx.insert(schema.enrollments).values(rows);
      for (const rows of chunk(circleRows)) await tx.insert(schema.circles).values(rows);
      for (const rows of chunk(circleRows.map((c) => ({ circleId: c.id!, seq: 0, state: initialCircleState(c.id!) })), 200)) {
        await tx.insert(schema.circleSnapshots).values(rows);
      }
      for (const rows of chunk(sessions)) await tx.insert(schema.sessions).values(rows);
    });
    return circles;
  } finally {
    await handle.close();
  }
}

/** The same shape for the bare servers, which have no accounts: a person id is all they need. */
export function bareCircles(count: number): BenchCircle[] {
  return Array.from({ length: count }, () => ({
    circleId: crypto.randomUUID(),
    facilitator: { personId: crypto.randomUUID(), token: '' },
    participants: Array.from({ length: PARTICIPANTS_PER_CIRCLE }, () => ({ personId: crypto.randomUUID(), token: '' })),
  }));
}
