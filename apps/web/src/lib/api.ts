import { HoldspaceApi } from '@holdspace/client';

type Fetch = typeof globalThis.fetch;

/** The browser talks to the same origin; the session lives in an httpOnly cookie the browser sends itself. */
export const api = new HoldspaceApi();

/** Inside a `load` function, use the `fetch` SvelteKit passes in so navigation tracks the request. */
export function apiWith(fetch: Fetch): HoldspaceApi {
  return new HoldspaceApi({ fetch });
}

/** Where to go after signing in: only paths inside this app, never another origin. */
export function safeNext(next: string | null | undefined, fallback = '/circles'): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return fallback;
  if (next === '/sign-in' || next.startsWith('/sign-in?')) return fallback;
  return next;
}
