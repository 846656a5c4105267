import { apiWith } from '$lib/api';
import { orFail } from '$lib/load';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, url }) => {
  const overview = orFail(await apiWith(fetch).clinicOverview(), url);
  return { overview };
};
