import { error } from '@sveltejs/kit';
import { apiWith } from '$lib/api';
import { orFail } from '$lib/load';
import type { PageLoad } from './$types';

const notFound = 'We could not find that journal entry. It may have been deleted.';

export const load: PageLoad = async ({ fetch, params, url }) => {
  const journal = orFail(await apiWith(fetch).myJournal(), url, notFound);
  const entry = journal.entries.find((e) => e.id === params.entryId);
  if (!entry) error(404, notFound);
  return { entry, circles: journal.circles };
};
