import { apiWith } from '$lib/api';
import { orFail } from '$lib/load';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, url, params }) => {
  const client = apiWith(fetch);
  const [cohort, roster] = await Promise.all([client.cohort(params.cohortId), client.roster(params.cohortId)]);
  return {
    cohort: orFail(cohort, url, 'We could not find that cohort.'),
    roster: orFail(roster, url, 'We could not find that cohort.'),
  };
};
