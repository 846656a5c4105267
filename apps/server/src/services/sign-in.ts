import { createHash, randomBytes } from 'node:crypto';
import type { PeopleRepo, SignInRepo, UserRow } from '@holdspace/db';
import { HttpError } from '../plugins/errors.js';
import type { AccountService } from './accounts.js';
import { dummyHash, verifyPassword } from './passwords.js';
import type { ServerKeys } from './server-key.js';

/** Names a browser that has signed in to an account before: `userId:deviceId`, signed with the server key. */
export const DEVICE_COOKIE = 'hs_device';
export const DEVICE_COOKIE_DAYS = 365;

/** Failures from one source before it waits; then 30 s, doubling with each further failure, at most 15 minutes. */
export const FREE_FAILURES = 5;
const FIRST_WAIT_MS = 30_000;
const MAX_WAIT_MS = 15 * 60_000;
export const waitAfter = (failures: number) => (failures < FREE_FAILURES ? 0 : Math.min(FIRST_WAIT_MS * 2 ** (failures - FREE_FAILURES), MAX_WAIT_MS));

/** The one answer to a wrong email or password, whether or not the account exists. */
const NO_MATCH = 'That email and password do not match an account.';

export interface SignInAttempt {
  email: string;
  password: string;
  totp?: string | undefined;
  recoveryCode?: string | undefined;
  ip: string;
  deviceCookie?: string | undefined;
}

/**
 * Sign-in, throttled per account AND source (OWASP's device cookies): failures count against the pair of the email
 * and either a device that signed in to that account before or, for anyone else, the address. A stranger's
 * failures slow only the stranger; the person's own devices keep working. Unknown emails are throttled the same
 * way and the password hash runs for every attempt, so neither the answer nor its timing tells whether an account
 * exists.
 */
export class SignInService {
  constructor(
    private readonly people: PeopleRepo,
    private readonly signIns: SignInRepo,
    private readonly accounts: AccountService,
    private readonly keys: ServerKeys,
    private readonly now: () => Date,
  ) {}

  /** The account signed in to, and the device cookie to set (the same device keeps its id). */
  async signIn(attempt: SignInAttempt): Promise<{ user: UserRow; deviceCookie: string }> {
    const user = await this.people.userByEmail(attempt.email);
    const device = this.trustedDevice(attempt.deviceCookie, user);
    const key = createHash('sha256')
      .update(`${attempt.email.toLowerCase()}\n${device ? `device:${device}` : `ip:${attempt.ip}`}`)
      .digest('hex');
    const now = this.now();

    const throttled = await this.signIns.throttle(key);
    const valid = user?.passwordHash ? await verifyPassword(user.passwordHash, attempt.password) : await verifyPassword(await dummyHash(), attempt.password).then(() => false);
    if (throttled?.blockedUntil && throttled.blockedUntil > now) {
      const minutes = Math.max(1, Math.ceil((throttled.blockedUntil.getTime() - now.getTime()) / 60_000));
      throw new HttpError(
        429,
        'RATE_LIMITED',
        `Too many sign-in attempts for this email from here. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}. A device you have signed in from before is not affected.`,
      );
    }
    if (!user || !valid) {
      await this.signIns.recordFailure(key, now, waitAfter);
      throw new HttpError(401, 'UNAUTHENTICATED', NO_MATCH);
    }
    if (user.totpEnabledAt) {
      if (attempt.recoveryCode) {
        if (!(await this.accounts.useRecoveryCode(user.id, attempt.recoveryCode))) {
          await this.signIns.recordFailure(key, now, waitAfter);
          throw new HttpError(401, 'TWO_FACTOR_REQUIRED', 'That recovery code is not valid, or has been used already.');
        }
      } else if (!attempt.totp) {
        throw new HttpError(401, 'TWO_FACTOR_REQUIRED', 'Enter the 6-digit code from your authenticator app.');
      } else if (!(await this.accounts.acceptTotp(user, attempt.totp))) {
        await this.signIns.recordFailure(key, now, waitAfter);
        throw new HttpError(401, 'TWO_FACTOR_REQUIRED', 'That code did not match, or has been used already. Wait for the next code.');
      }
    }
    await this.signIns.clear(key);
    return { user, deviceCookie: this.newDeviceCookie(user.id, device) };
  }

  /** A device cookie for the account: the same device keeps its id, a new one gets a random id. */
  newDeviceCookie(userId: string, deviceId: string | null = null): string {
    return this.keys.sign(`${userId}:${deviceId ?? randomBytes(16).toString('base64url')}`);
  }

  /** The device id from a cookie this server signed for this account; null for any other cookie. */
  private trustedDevice(cookie: string | undefined, user: UserRow | undefined): string | null {
    const value = this.keys.verify(cookie);
    if (!value || !user) return null;
    const [userId, deviceId] = value.split(':');
    return userId === user.id && deviceId ? deviceId : null;
  }
}
