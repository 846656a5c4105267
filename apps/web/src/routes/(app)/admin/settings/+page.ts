import { apiWith } from '$lib/api';
import { orFail } from '$lib/load';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, url }) => {
  const settings = orFail(await apiWith(fetch).settings(), url);
  return { settings };
};
