import { createHash, randomBytes } from 'node:crypto';
import type { PeopleRepo, SessionWithUser } from '@holdspace/db';
import type { Me } from '@holdspace/protocol';

export const SESSION_COOKIE = 'hs_session';

export interface SessionPolicy {
  /** Absolute lifetime; the idle timeout is each clinic's setting. */
  maxMs: number;
}

/** Socket activity writes a session's last-seen time at most this often. */
export const TOUCH_EVERY_MS = 30_000;

const sessionIdOf = (token: string) => createHash('sha256').update(token).digest('hex');

export interface AuthedUser {
  id: string;
  clinicId: string;
  name: string;
  email: string;
  kind: 'staff' | 'participant';
  roles: string[];
  sessionId: string;
  clinicName: string;
  twoFactorEnabled: boolean;
  twoFactorRequired: boolean;
}

/** Server-side sessions: the cookie holds a random token, the database only its hash. */
export class SessionService {
  private readonly listeners = new Set<(sessionId: string, reason: string) => void>();

  constructor(
    private readonly people: PeopleRepo,
    private readonly policy: SessionPolicy,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Called when a session ends, so live sockets using it can be closed. */
  onEnded(listener: (sessionId: string, reason: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async create(userId: string, meta: { ip: string | null; userAgent: string | null }) {
    const token = randomBytes(32).toString('base64url');
    const id = sessionIdOf(token);
    const now = this.now();
    const expiresAt = new Date(now.getTime() + this.policy.maxMs);
    // Times come from the server's clock, never the database's, so idle checks compare like with like.
    await this.people.createSession({ id, userId, createdAt: now, lastSeenAt: now, expiresAt, ...meta });
    return { token, id, expiresAt };
  }

  /** The user behind a cookie token, or null when absent, expired or idle too long. Touches the session. */
  async validate(token: string | undefined): Promise<AuthedUser | null> {
    if (!token) return null;
    const id = sessionIdOf(token);
    const found = await this.people.sessionWithUser(id);
    if (!found) return null;
    const now = this.now();
    if (this.expired(found, now)) {
      await this.end(id, 'Your session has expired. Please sign in again.');
      return null;
    }
    if (now.getTime() - found.session.lastSeenAt.getTime() > 60_000) await this.people.touchSession(id, now);
    return toUser(found);
  }

  expired(found: SessionWithUser, now: Date): boolean {
    const idleMs = found.clinic.settings.idleTimeoutMinutes * 60_000;
    return found.session.expiresAt <= now || now.getTime() - found.session.lastSeenAt.getTime() > idleMs;
  }

  /** Activity on a live socket keeps its session from going idle; written at most once per TOUCH_EVERY_MS. */
  async touch(sessionId: string) {
    const now = this.now();
    const last = this.touched.get(sessionId);
    if (last !== undefined && now.getTime() - last < TOUCH_EVERY_MS) return;
    this.forgetOldTouches(now.getTime());
    this.touched.set(sessionId, now.getTime());
    await this.people.touchSession(sessionId, now);
  }
  private readonly touched = new Map<string, number>();
  private lastPruned = 0;

  /** A touch older than the window throttles nothing: dropping it keeps the map to sessions active in the window. */
  private forgetOldTouches(now: number) {
    if (now - this.lastPruned < TOUCH_EVERY_MS) return;
    this.lastPruned = now;
    for (const [id, at] of this.touched) if (now - at >= TOUCH_EVERY_MS) this.touched.delete(id);
  }

  /** How many sessions the touch throttle remembers. */
  get throttledTouches(): number {
    return this.touched.size;
  }

  async end(sessionId: string, reason = 'You have signed out.') {
    await this.people.deleteSession(sessionId);
    this.touched.delete(sessionId);
    for (const l of this.listeners) l(sessionId, reason);
  }

  /** Ends every session of a person (sign out everywhere, a role change). */
  async endAllFor(userId: string, reason: string) {
    for (const id of await this.people.sessionIdsOf(userId)) await this.end(id, reason);
  }

  /** Ends those of `ids` that have expired or gone idle: run often for sessions with live sockets. */
  async sweep(ids: string[]) {
    for (const id of await this.people.endedSessions(ids, this.now())) {
      await this.end(id, 'You were signed out after a period of inactivity.');
    }
  }
}

function toUser(found: SessionWithUser): AuthedUser {
  return {
    id: found.user.id,
    clinicId: found.user.clinicId,
    name: found.user.name,
    email: found.user.email,
    kind: found.user.kind,
    roles: found.user.roles,
    sessionId: found.session.id,
    clinicName: found.clinic.name,
    twoFactorEnabled: Boolean(found.user.totpEnabledAt),
    twoFactorRequired: found.user.kind === 'staff' && found.clinic.settings.requireTwoFactor,
  };
}

export function toMe(user: AuthedUser): Me {
  return {
    id: user.id,
    name: user.name,
    email: user.email,
    kind: user.kind,
    roles: user.roles.filter((r): r is Me['roles'][number] => r === 'admin' || r === 'facilitator' || r === 'prescriber'),
    twoFactor: { enabled: user.twoFactorEnabled, required: user.twoFactorRequired },
    clinic: { id: user.clinicId, name: user.clinicName },
  };
}
