import { apiWith } from '$lib/api';
import { orFail } from '$lib/load';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, url, params }) => {
  const client = apiWith(fetch);
  const [cohort, roster, participants] = await Promise.all([
    client.cohort(params.cohortId),
    client.roster(params.cohortId),
    client.participants(),
  ]);
  return {
    cohort: orFail(cohort, url, 'We could not find that cohort.'),
    roster: orFail(roster, url, 'We could not find that cohort.'),
    participants: orFail(participants, url),
  };
};
