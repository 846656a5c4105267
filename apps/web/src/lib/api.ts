import { resolve } from '$app/paths';
import type { ResolvedPathname } from '$app/types';
import { HoldspaceApi } from '@holdspace/client';
import type { Me } from '@holdspace/protocol';

type Fetch = typeof globalThis.fetch;

/** The browser talks to the same origin; the session lives in an httpOnly cookie the browser sends itself. */
export const api = new HoldspaceApi();

/** Inside a `load` function, use the `fetch` SvelteKit passes in so navigation tracks the request. */
export function apiWith(fetch: Fetch): HoldspaceApi {
  return new HoldspaceApi({ fetch });
}

const uuid = '[0-9a-f-]{36}';
const afterSignIn = new RegExp(
  `^/(circles(/${uuid})?|consents|account|questionnaires(/${uuid}/[a-z0-9_-]+/[a-z0-9]+)?|journal(/new|/${uuid})?|alerts|screening(/${uuid})?|cohorts(/${uuid}/(roster|outcomes))?|participants/${uuid}/outcomes|admin/(staff|participants|consents|settings|audit|outbox|outcomes|cohorts(/new|/${uuid})?))$`,
);

/**
 * Where to go after signing in: only the app's own pages that need a session, never another origin or an arbitrary
 * path. Without a wish, each person starts where their work is.
 */
export function safeNext(next: string | null | undefined, me?: Me | null): ResolvedPathname {
  if (next && isAppPage(next)) return next;
  return resolve(me ? homeFor(me) : '/circles');
}

/** A path from the address bar (so it already holds any base path) that is one of the app's own pages. */
const isAppPage = (path: string): path is ResolvedPathname => afterSignIn.test(path);

/** The first page for each person: circles for participants and facilitators, otherwise their main task. */
export function homeFor(me: Me): '/circles' | '/admin/cohorts' | '/screening' {
  if (me.kind === 'participant' || me.roles.includes('facilitator')) return '/circles';
  if (me.roles.includes('admin')) return '/admin/cohorts';
  if (me.roles.includes('prescriber')) return '/screening';
  return '/circles';
}
