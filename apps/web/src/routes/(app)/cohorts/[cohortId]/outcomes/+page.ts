import { error } from '@sveltejs/kit';
import { can } from '@holdspace/domain';
import { apiWith } from '$lib/api';
import { orFail } from '$lib/load';
import { rolesOf } from '$lib/nav';
import type { PageLoad } from './$types';

/** Any staff who may see outcomes; the server shows a facilitator only their own cohorts. */
export const load: PageLoad = async ({ fetch, url, params, parent }) => {
  const { me } = await parent();
  if (!can(rolesOf(me), 'outcomes.view')) error(404, 'We could not find that page.');
  const outcomes = orFail(await apiWith(fetch).cohortOutcomes(params.cohortId), url, 'We could not find that cohort.');
  return { outcomes };
};
