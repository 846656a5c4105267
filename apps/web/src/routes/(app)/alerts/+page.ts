import { error } from '@sveltejs/kit';
import { can } from '@holdspace/domain';
import { apiWith } from '$lib/api';
import { orFail } from '$lib/load';
import { rolesOf } from '$lib/nav';
import type { PageLoad } from './$types';

/** Every safety alert this clinician may see, open and acknowledged. */
export const load: PageLoad = async ({ fetch, url, parent }) => {
  const { me } = await parent();
  if (!can(rolesOf(me), 'safety.view')) error(404, 'We could not find that page.');
  const alerts = orFail(await apiWith(fetch).safetyAlerts('all'), url);
  return { alerts };
};
