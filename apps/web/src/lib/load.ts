import { error, redirect } from '@sveltejs/kit';
import type { Result } from '@holdspace/protocol';
import { session } from './session.svelte';

/**
 * The data of a successful answer; otherwise what a load function shows instead: the sign-in page when the session
 * has ended, "not found" for anything this person may not see, and a calm error when the server is away.
 */
export function orFail<T>(result: Result<T>, url: URL, notFound = 'We could not find that page.'): T {
  if (result.ok) return result.data;
  if (result.code === 'UNAUTHENTICATED') {
    session.forget();
    redirect(307, `/sign-in?next=${encodeURIComponent(url.pathname + url.search)}`);
  }
  if (result.code === 'NOT_FOUND' || result.code === 'FORBIDDEN' || result.code === 'BAD_REQUEST') error(404, notFound);
  if (result.code === 'UNAVAILABLE' || result.code === 'RATE_LIMITED') error(503, result.message);
  error(500, result.message);
}
