import { and, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { Database } from './create-db.js';
import { ClinicScope, type AuditInput } from './clinic-scope.js';
import { recoveryCodes, signInThrottle, users } from './schema.js';

export type ThrottleRow = typeof signInThrottle.$inferSelect;

/** Sign-in throttling and two-factor state: each write is one conditional statement, safe with several nodes. */
export class SignInRepo {
  constructor(private readonly db: Database) {}

  async throttle(key: string): Promise<ThrottleRow | undefined> {
    const [row] = await this.db.select().from(signInThrottle).where(eq(signInThrottle.key, key));
    return row;
  }

  /** Counts one more failure for the key; `blockFor` maps the new count to how long the key must then wait. */
  async recordFailure(key: string, now: Date, blockFor: (failures: number) => number): Promise<ThrottleRow> {
    const [row] = await this.db
      .insert(signInThrottle)
      .values({ key, failures: 1, lastAt: now })
      .onConflictDoUpdate({ target: signInThrottle.key, set: { failures: sql`${signInThrottle.failures} + 1`, lastAt: now } })
      .returning();
    const ms = blockFor(row!.failures);
    if (ms <= 0) return row!;
    const blockedUntil = new Date(now.getTime() + ms);
    await this.db.update(signInThrottle).set({ blockedUntil }).where(eq(signInThrottle.key, key));
    return { ...row!, blockedUntil };
  }

  async clear(key: string) {
    await this.db.delete(signInThrottle).where(eq(signInThrottle.key, key));
  }

  /** Forgets keys with no failure since `before` and no wait still running. */
  async prune(before: Date, now: Date) {
    await this.db
      .delete(signInThrottle)
      .where(and(lt(signInThrottle.lastAt, before), or(isNull(signInThrottle.blockedUntil), lt(signInThrottle.blockedUntil, now))));
  }

  /** Records `step` as the last accepted TOTP step, only if it is newer: false means the code was already used. */
  async acceptTotpStep(userId: string, step: number): Promise<boolean> {
    const updated = await this.db
      .update(users)
      .set({ totpLastStep: step })
      .where(and(eq(users.id, userId), or(isNull(users.totpLastStep), lt(users.totpLastStep, step))))
      .returning({ id: users.id });
    return updated.length === 1;
  }

  async setTotp(userId: string, secret: string | null, enabledAt: Date | null, lastStep: number | null = null) {
    await this.db.update(users).set({ totpSecret: secret, totpEnabledAt: enabledAt, totpLastStep: lastStep }).where(eq(users.id, userId));
  }

  /** Two-factor off: no secret, no recovery codes; with its audit entry in the same transaction when one is given. */
  async clearTwoFactor(userId: string, audit?: { clinicId: string; entry: AuditInput }) {
    await this.db.transaction(async (tx) => {
      await tx.update(users).set({ totpSecret: null, totpEnabledAt: null, totpLastStep: null }).where(eq(users.id, userId));
      await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
      if (audit) await new ClinicScope(tx as unknown as Database, audit.clinicId).audit(audit.entry);
    });
  }

  /** TOTP secrets stored before they were encrypted: [userId, secret]. */
  async plainTotpSecrets(isEncrypted: string): Promise<{ id: string; secret: string }[]> {
    const rows = await this.db
      .select({ id: users.id, secret: users.totpSecret })
      .from(users)
      .where(sql`${users.totpSecret} is not null and ${users.totpSecret} not like ${`${isEncrypted}%`}`);
    return rows.map((r) => ({ id: r.id, secret: r.secret! }));
  }

  async replaceRecoveryCodes(userId: string, codeHashes: string[]) {
    await this.db.transaction(async (tx) => {
      await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
      if (codeHashes.length > 0) await tx.insert(recoveryCodes).values(codeHashes.map((codeHash) => ({ userId, codeHash })));
    });
  }

  /** Uses a recovery code, once: a second use finds nothing to update. */
  async useRecoveryCode(userId: string, codeHash: string, now: Date): Promise<boolean> {
    const used = await this.db
      .update(recoveryCodes)
      .set({ usedAt: now })
      .where(and(eq(recoveryCodes.userId, userId), eq(recoveryCodes.codeHash, codeHash), isNull(recoveryCodes.usedAt)))
      .returning({ userId: recoveryCodes.userId });
    return used.length === 1;
  }

  async unusedRecoveryCodes(userId: string): Promise<number> {
    const [row] = await this.db
      .select({ n: sql<number>`count(*)::int` })
      .from(recoveryCodes)
      .where(and(eq(recoveryCodes.userId, userId), isNull(recoveryCodes.usedAt)));
    return row?.n ?? 0;
  }
}
