import { redirect } from '@sveltejs/kit';
import { homeFor } from '$lib/api';
import { session } from '$lib/session.svelte';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch }) => {
  const me = await session.ensure(fetch);
  redirect(307, me ? homeFor(me) : '/sign-in');
};
