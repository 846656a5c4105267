import type { Me, Result, SignInBody } from '@holdspace/protocol';
import { api, apiWith } from './api';
import { forgetDrafts } from './questionnaire';

type Fetch = typeof globalThis.fetch;

/** The signed-in person, shared by every page. The cookie itself is httpOnly; this only mirrors who it belongs to. */
class Session {
  me = $state<Me | null>(null);
  /** True once the server has told us whether a session exists. */
  checked = $state(false);
  /** Set when the server could not be reached while checking, so pages can say so instead of asking to sign in. */
  unreachable = $state<string | null>(null);

  #inflight: Promise<Me | null> | null = null;

  /** Who is signed in, asking the server once per page load. */
  ensure(fetch?: Fetch): Promise<Me | null> {
    if (this.checked) return Promise.resolve(this.me);
    this.#inflight ??= (fetch ? apiWith(fetch) : api)
      .me()
      .then((result) => {
        if (result.ok) {
          this.me = result.data;
          this.unreachable = null;
          this.checked = true;
        } else if (result.code === 'UNAVAILABLE' || result.code === 'INTERNAL') {
          // Not known yet: try again on the next navigation.
          this.me = null;
          this.unreachable = result.message;
        } else {
          this.me = null;
          this.unreachable = null;
          this.checked = true;
        }
        return this.me;
      })
      .finally(() => {
        this.#inflight = null;
      });
    return this.#inflight;
  }

  async signIn(body: SignInBody): Promise<Result<Me>> {
    const result = await api.signIn(body);
    if (result.ok) {
      this.me = result.data;
      this.checked = true;
      this.unreachable = null;
    }
    return result;
  }

  /** An answer that signed someone in (accepting an invite): remember who it is. */
  adopt(me: Me): void {
    this.me = me;
    this.checked = true;
    this.unreachable = null;
  }

  /** Ends every session of this person on every device, this one included. */
  async signOutEverywhere(): Promise<Result<null>> {
    const result = await api.signOutEverywhere();
    if (result.ok || result.code === 'UNAUTHENTICATED') {
      this.leave();
      return { ok: true, data: null };
    }
    return result;
  }

  /** Ends the session on the server. Only forgets the person locally once the server has agreed. */
  async signOut(): Promise<Result<null>> {
    const result = await api.signOut();
    if (result.ok || result.code === 'UNAUTHENTICATED') {
      this.leave();
      return { ok: true, data: null };
    }
    return result;
  }

  /** Signed out on purpose: unsent answers on this device go too (an expired session keeps them for the return). */
  private leave(): void {
    if (this.me) forgetDrafts(this.me.id);
    this.forget();
  }

  /** The server no longer knows this session (expired, or signed out elsewhere). */
  forget(): void {
    this.me = null;
    this.checked = true;
  }

  /** Something suggests the session may have ended: ask the server again on the next navigation. */
  recheck(): void {
    this.checked = false;
  }
}

export const session = new Session();
