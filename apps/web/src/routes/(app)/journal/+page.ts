import { apiWith } from '$lib/api';
import { orFail } from '$lib/load';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, url }) => {
  const journal = orFail(await apiWith(fetch).myJournal(), url);
  return { journal, saved: url.searchParams.get('saved'), deleted: url.searchParams.has('deleted') };
};
