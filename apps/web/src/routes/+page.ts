import { redirect } from '@sveltejs/kit';
import { session } from '$lib/session.svelte';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch }) => {
  const me = await session.ensure(fetch);
  redirect(307, me ? '/circles' : '/sign-in');
};
