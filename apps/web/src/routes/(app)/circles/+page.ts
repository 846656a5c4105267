import { apiWith } from '$lib/api';
import { orFail } from '$lib/load';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, url, parent }) => {
  const { me } = await parent();
  const client = apiWith(fetch);
  const [circles, consents] = await Promise.all([
    client.circles(),
    me.kind === 'participant' ? client.myConsents() : Promise.resolve(null),
  ]);
  // Consents still to sign are a reminder here, not a reason to hide the circles.
  const consentsDue = consents?.ok ? consents.data.filter((c) => c.signedAt === null).length : 0;
  return { circles: orFail(circles, url), consentsDue };
};
