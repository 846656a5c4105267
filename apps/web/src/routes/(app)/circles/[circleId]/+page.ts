import { apiWith } from '$lib/api';
import { orFail } from '$lib/load';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, params, url }) => {
  const circle = orFail(await apiWith(fetch).circle(params.circleId), url, 'We could not find that circle. It may belong to another cohort, or the link may be incomplete.');
  return { circle };
};
