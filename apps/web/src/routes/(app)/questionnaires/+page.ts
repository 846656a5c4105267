import { apiWith } from '$lib/api';
import { orFail } from '$lib/load';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, url, parent }) => {
  const { me } = await parent();
  const mine = orFail(await apiWith(fetch).myQuestionnaires(), url);
  return { assessments: mine.assessments, personId: me.id, saved: url.searchParams.has('saved') };
};
