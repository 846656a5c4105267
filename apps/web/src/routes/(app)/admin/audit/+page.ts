import { auditQuerySchema } from '@holdspace/protocol';
import { apiWith } from '$lib/api';
import { orFail } from '$lib/load';
import type { PageLoad } from './$types';

/** The filters live in the address, so a filtered view can be bookmarked or linked to. */
export const load: PageLoad = async ({ fetch, url }) => {
  const raw = Object.fromEntries([...url.searchParams].filter(([, v]) => v !== ''));
  const parsed = auditQuerySchema.safeParse(raw);
  const query = parsed.success ? parsed.data : { limit: 100 };
  const client = apiWith(fetch);
  const [entries, staff, participants] = await Promise.all([client.audit(query), client.staff(), client.participants()]);
  return {
    query,
    invalidFilter: !parsed.success,
    entries: orFail(entries, url),
    staff: orFail(staff, url),
    participants: orFail(participants, url),
  };
};
