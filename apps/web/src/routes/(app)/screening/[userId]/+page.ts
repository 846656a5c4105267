import { apiWith } from '$lib/api';
import { orFail } from '$lib/load';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, url, params }) => {
  const client = apiWith(fetch);
  const [queue, history] = await Promise.all([client.screeningQueue(), client.screenings(params.userId)]);
  const entry = orFail(queue, url).find((e) => e.participantId === params.userId) ?? null;
  return { userId: params.userId, entry, history: orFail(history, url, 'We could not find that person.') };
};
