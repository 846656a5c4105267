import { redirect } from '@sveltejs/kit';
import { safeNext } from '$lib/api';
import { session } from '$lib/session.svelte';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, url }) => {
  const wanted = url.searchParams.get('next');
  const me = await session.ensure(fetch);
  if (me) redirect(307, safeNext(wanted, me));
  return { next: wanted };
};
