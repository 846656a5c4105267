import { error } from '@sveltejs/kit';
import { apiWith } from '$lib/api';
import { orFail } from '$lib/load';
import { draftKey, instrumentFrom } from '$lib/questionnaire';
import type { PageLoad } from './$types';

const notFound = 'We could not find that questionnaire. It may belong to another cohort, or the link may be incomplete.';

export const load: PageLoad = async ({ fetch, params, url, parent }) => {
  const { me } = await parent();
  const instrument = instrumentFrom(params.instrument);
  if (!instrument) error(404, notFound);
  const mine = orFail(await apiWith(fetch).myQuestionnaires(), url, notFound);
  const assessment = mine.assessments.find((a) => a.cohort.id === params.cohortId && a.point.key === params.assessmentKey);
  const given = assessment?.instruments.find((i) => i.id === instrument.id);
  if (!assessment || !given) error(404, notFound);
  return {
    instrument,
    assessment,
    answeredAt: given.answeredAt,
    crisisResources: mine.crisisResources,
    draftKey: draftKey(me.id, assessment.cohort.id, assessment.point.key, instrument.id),
    /** The questionnaire just sent before this one, to thank the person for it. */
    after: instrumentFrom(url.searchParams.get('after') ?? ''),
  };
};
