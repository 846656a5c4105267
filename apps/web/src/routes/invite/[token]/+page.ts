import { error } from '@sveltejs/kit';
import { apiWith } from '$lib/api';
import type { PageLoad } from './$types';

/** An invite link: who it is for, or why it no longer works. No session needed. */
export const load: PageLoad = async ({ fetch, params }) => {
  const result = await apiWith(fetch).invite(params.token);
  if (result.ok) return { token: params.token, invite: result.data, problem: null };
  if (result.code === 'UNAVAILABLE' || result.code === 'INTERNAL') error(503, result.message);
  if (result.code === 'RATE_LIMITED') error(503, result.message);
  return { token: params.token, invite: null, problem: result.message };
};
