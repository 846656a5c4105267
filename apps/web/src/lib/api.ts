import { HoldspaceApi } from '@holdspace/client';

type Fetch = typeof globalThis.fetch;

/** The browser talks to the same origin; the session lives in an httpOnly cookie the browser sends itself. */
export const api = new HoldspaceApi();

/** Inside a `load` function, use the `fetch` SvelteKit passes in so navigation tracks the request. */
export function apiWith(fetch: Fetch): HoldspaceApi {
  return new HoldspaceApi({ fetch });
}

export type AfterSignIn = '/circles' | `/circles/${string}`;

const afterSignIn = /^\/circles(\/[0-9a-f-]{36})?$/;

/** Where to go after signing in: only the pages that need a session, never another origin or an arbitrary path. */
export function safeNext(next: string | null | undefined): AfterSignIn {
  return next && afterSignIn.test(next) ? (next as AfterSignIn) : '/circles';
}
