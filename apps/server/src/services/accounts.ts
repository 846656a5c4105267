import { createHash, randomBytes } from 'node:crypto';
import { decodeBase32IgnorePadding, encodeBase32NoPadding } from '@oslojs/encoding';
import { createTOTPKeyURI, verifyTOTPWithGracePeriod } from '@oslojs/otp';
import QRCode from 'qrcode';
import type { ClinicScope, PeopleRepo } from '@holdspace/db';
import type { Invite } from '@holdspace/protocol';
import { HttpError } from '../plugins/errors.js';
import type { Mailer } from './mailer.js';
import { hashPassword } from './passwords.js';

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export const qrSvg = (text: string) => QRCode.toString(text, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });

/** After this many wrong passwords in a row an account is locked for LOCK_MINUTES. */
export const LOCK_AFTER = 5;
export const LOCK_MINUTES = 15;

export interface AccountOptions {
  inviteDays: number;
  now: () => Date;
  mailer: Mailer;
}

/** People joining a clinic: invites (single use, expiring), their mail, and two-factor sign-in. */
export class AccountService {
  constructor(
    private readonly people: PeopleRepo,
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
    await this.people.setTotp(userId, secret, null);
    const uri = createTOTPKeyURI(issuer, email, key, 30, 6);
    return { secret, uri, qrSvg: await qrSvg(uri) };
  }

  verifyTotp(secret: string | null, code: string | undefined): boolean {
    if (!secret || !code) return false;
    return verifyTOTPWithGracePeriod(decodeBase32IgnorePadding(secret), 30, 6, code, 30);
  }

  async enableTotp(userId: string, code: string) {
    const user = await this.people.userById(userId);
    if (!user?.totpSecret) throw new HttpError(400, 'BAD_REQUEST', 'Start two-factor setup first.');
    if (!this.verifyTotp(user.totpSecret, code)) throw new HttpError(400, 'BAD_REQUEST', 'That code did not match. Check the time on your phone and try again.');
    await this.people.setTotp(userId, user.totpSecret, this.options.now());
  }

  async disableTotp(userId: string, code: string) {
    const user = await this.people.userById(userId);
    if (!user?.totpEnabledAt || !this.verifyTotp(user.totpSecret, code)) throw new HttpError(400, 'BAD_REQUEST', 'That code did not match.');
    await this.people.setTotp(userId, null, null);
  }
}
