import { apiWith } from '$lib/api';
import { orFail } from '$lib/load';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, url }) => {
  const staff = orFail(await apiWith(fetch).staff(), url);
  return { facilitators: staff.filter((s) => s.roles.includes('facilitator')).sort((a, b) => a.name.localeCompare(b.name)) };
};
