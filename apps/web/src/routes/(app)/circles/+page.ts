import { apiWith } from '$lib/api';
import { orFail } from '$lib/load';
import { toAnswerNow } from '$lib/questionnaire';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, url, parent }) => {
  const { me } = await parent();
  const client = apiWith(fetch);
  const participant = me.kind === 'participant';
  const [circles, consents, questionnaires] = await Promise.all([
    client.circles(),
    participant ? client.myConsents() : Promise.resolve(null),
    participant ? client.myQuestionnaires() : Promise.resolve(null),
  ]);
  // Consents still to sign and questionnaires to answer are reminders here, not a reason to hide the circles.
  const consentsDue = consents?.ok ? consents.data.filter((c) => c.signedAt === null).length : 0;
  const questionnairesDue = questionnaires?.ok ? toAnswerNow(questionnaires.data.assessments) : 0;
  return { circles: orFail(circles, url), consentsDue, questionnairesDue };
};
