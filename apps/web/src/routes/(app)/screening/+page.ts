import { apiWith } from '$lib/api';
import { orFail } from '$lib/load';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, url }) => {
  const queue = orFail(await apiWith(fetch).screeningQueue(), url);
  return { queue };
};
