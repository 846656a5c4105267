import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { decodeBase32IgnorePadding, encodeBase32NoPadding } from '@oslojs/encoding';
import { createTOTPKeyURI, generateHOTP } from '@oslojs/otp';
import QRCode from 'qrcode';
import type { AuditInput, ClinicScope, PeopleRepo, SignInRepo, UserRow } from '@holdspace/db';
import type { Invite } from '@holdspace/protocol';
import { HttpError } from '../plugins/errors.js';
import type { Mailer } from './mailer.js';
import { hashPassword } from './passwords.js';
import { SEALED_PREFIX, type ServerKeys } from './server-key.js';

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export const qrSvg = (text: string) => QRCode.toString(text, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });

export const RECOVERY_CODE_COUNT = 10;
/** Recovery codes as shown: `XXXX-XXXX-XXXX-XXXX` in base32 (80 random bits); spaces, dashes and case do not matter. */
const normalizeRecoveryCode = (code: string) => code.toUpperCase().replace(/[^A-Z2-7]/g, '');
const TOTP_STEP_MS = 30_000;

export interface AccountOptions {
  inviteDays: number;
  now: () => Date;
  mailer: Mailer;
  /** Seals TOTP secrets at rest (AES-256-GCM under the server key). */
  keys: ServerKeys;
}

/** People joining a clinic: invites (single use, expiring), their mail, and two-factor sign-in. */
export class AccountService {
  constructor(
    private readonly people: PeopleRepo,
    private readonly signIns: SignInRepo,
    private readonly options: AccountOptions,
  ) {}

  async createWithInvite(
    scope: ClinicScope,
    actorId: string,
    input: { name: string; email: string; kind: 'staff' | 'participant'; roles: string[] },
    origin: string,
  ): Promise<{ id: string; invite: Invite }> {
    if (await this.people.userByEmail(input.email)) throw new HttpError(409, 'CONFLICT', 'Someone already uses this email address.');
    const person = await scope.createPerson(input);
    return { id: person.id, invite: await this.invite(scope, actorId, person, origin) };
  }

  /** A new single-use link for the person; any earlier open invite stops working. */
  async invite(scope: ClinicScope, actorId: string, person: { id: string; name: string; email: string }, origin: string): Promise<Invite> {
    const token = randomBytes(24).toString('base64url');
    const expiresAt = new Date(this.options.now().getTime() + this.options.inviteDays * 86_400_000);
    await scope.createInvite({ userId: person.id, tokenHash: hashToken(token), expiresAt, createdBy: actorId });
    const url = `${origin}/invite/${token}`;
    const clinicName = await scope.clinicName();
    await this.options.mailer.send(scope, {
      to: person.email,
      subject: `Your invitation to ${clinicName} on Holdspace`,
      body: `Hello ${person.name},\n\n${clinicName} has invited you to Holdspace. Open this link on your phone or computer to set your password:\n\n${url}\n\nThe link works once and expires on ${expiresAt.toUTCString()}.`,
    });
    return { url, expiresAt: expiresAt.toISOString(), qrSvg: await qrSvg(url) };
  }

  async inviteInfo(token: string) {
    const found = await this.people.openInvite(hashToken(token), this.options.now());
    if (!found) throw new HttpError(404, 'NOT_FOUND', 'This invite link has expired or has already been used. Ask your clinic for a new one.');
    return { clinicName: found.clinicName, name: found.user.name, email: found.user.email, expiresAt: found.invite.expiresAt.toISOString() };
  }

  async acceptInvite(token: string, password: string): Promise<string> {
    const found = await this.people.openInvite(hashToken(token), this.options.now());
    if (!found) throw new HttpError(404, 'NOT_FOUND', 'This invite link has expired or has already been used. Ask your clinic for a new one.');
    const accepted = await this.people.acceptInvite(found.invite.id, found.user.id, await hashPassword(password), this.options.now());
    if (!accepted) throw new HttpError(404, 'NOT_FOUND', 'This invite link has already been used.');
    return found.user.id;
  }

  // ── two-factor (TOTP, RFC 6238: 30 s, 6 digits) ─────────────────────────────────────────────────────────────
  async setupTotp(userId: string, email: string, issuer: string) {
    const key = randomBytes(20);
    const secret = encodeBase32NoPadding(key);
    await this.signIns.setTotp(userId, this.options.keys.seal(secret, userId), null);
    const uri = createTOTPKeyURI(issuer, email, key, 30, 6);
    return { secret, uri, qrSvg: await qrSvg(uri) };
  }

  /** The time step a code belongs to (the current one, or one either side for clock drift), or null. */
  private stepOf(sealed: string | null, userId: string, code: string): number | null {
    if (!sealed) return null;
    const key = decodeBase32IgnorePadding(this.options.keys.open(sealed, userId));
    const current = Math.floor(this.options.now().getTime() / TOTP_STEP_MS);
    const given = Buffer.from(code);
    for (const step of [current - 1, current, current + 1]) {
      const expected = Buffer.from(generateHOTP(key, BigInt(step), 6));
      if (expected.length === given.length && timingSafeEqual(expected, given)) return step;
    }
    return null;
  }

  /** True for a right code whose time step is newer than the last one accepted, which it then becomes: no replay. */
  async acceptTotp(user: Pick<UserRow, 'id' | 'totpSecret'>, code: string): Promise<boolean> {
    const step = this.stepOf(user.totpSecret, user.id, code);
    return step !== null && (await this.signIns.acceptTotpStep(user.id, step));
  }

  /** Turns two-factor on; returns the ten recovery codes, shown this once. */
  async enableTotp(userId: string, code: string): Promise<string[]> {
    const user = await this.people.userById(userId);
    if (!user?.totpSecret) throw new HttpError(400, 'BAD_REQUEST', 'Start two-factor setup first.');
    const step = this.stepOf(user.totpSecret, user.id, code);
    if (step === null) throw new HttpError(400, 'BAD_REQUEST', 'That code did not match. Check the time on your phone and try again.');
    await this.signIns.setTotp(userId, user.totpSecret, this.options.now(), step);
    return this.newRecoveryCodes(userId);
  }

  async disableTotp(userId: string, code: string) {
    const user = await this.people.userById(userId);
    if (!user?.totpEnabledAt || !(await this.acceptTotp(user, code))) throw new HttpError(400, 'BAD_REQUEST', 'That code did not match.');
    await this.clearTwoFactor(userId);
  }

  /** Removes the secret and the recovery codes: the person sets two-factor up again. */
  clearTwoFactor(userId: string, audit?: { clinicId: string; entry: AuditInput }) {
    return this.signIns.clearTwoFactor(userId, audit);
  }

  /** Ten new recovery codes; any earlier ones stop working. Only their SHA-256 is stored. */
  async newRecoveryCodes(userId: string): Promise<string[]> {
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () => encodeBase32NoPadding(randomBytes(10)).match(/.{4}/g)!.join('-'));
    await this.signIns.replaceRecoveryCodes(userId, codes.map((c) => hashToken(normalizeRecoveryCode(c))));
    return codes;
  }

  useRecoveryCode(userId: string, code: string): Promise<boolean> {
    return this.signIns.useRecoveryCode(userId, hashToken(normalizeRecoveryCode(code)), this.options.now());
  }

  /** Seals TOTP secrets stored in plain text by an earlier version. */
  async sealPlainSecrets(): Promise<number> {
    const plain = await this.signIns.plainTotpSecrets(SEALED_PREFIX);
    for (const { id, secret } of plain) {
      const user = await this.people.userById(id);
      await this.signIns.setTotp(id, this.options.keys.seal(secret, id), user?.totpEnabledAt ?? null, user?.totpLastStep ?? null);
    }
    return plain.length;
  }
}
