import { error, redirect } from '@sveltejs/kit';
import { session } from '$lib/session.svelte';
import type { LayoutLoad } from './$types';

/** Every page in this group needs a signed-in person; everyone else is sent to sign in and brought back after. */
export const load: LayoutLoad = async ({ fetch, url }) => {
  const me = await session.ensure(fetch);
  if (me) return { me };
  if (session.unreachable) error(503, session.unreachable);
  redirect(307, `/sign-in?next=${encodeURIComponent(url.pathname + url.search)}`);
};
