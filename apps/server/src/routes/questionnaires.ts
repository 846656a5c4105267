import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { instruments } from '@holdspace/domain';
import type { Database } from '@holdspace/db';
import { myQuestionnairesSchema, submitResponseSchema, submitResultSchema } from '@holdspace/protocol';
import { auditMeta, requireParticipant, scopeOf } from '../plugins/auth.js';
import { errorResponses, HttpError } from '../plugins/errors.js';
import { checkSubmission, myAssessments } from '../services/outcomes.js';
import type { SafetyNotifier } from '../services/safety.js';

const errors = errorResponses;

/** A participant's own questionnaires: what is due, and answering one (QST1-QST5, CRS1). */
export const questionnaireRoutes: FastifyPluginAsyncZod<{ db: Database; now: () => Date; safety: SafetyNotifier }> = async (app, { db, now, safety }) => {
  app.get(
    '/api/me/questionnaires',
    { schema: { tags: ['outcomes'], summary: 'My questionnaires: what is due now, coming up and done', response: { 200: myQuestionnairesSchema, ...errors } } },
    async (request) => {
      const user = requireParticipant(request);
      const scope = scopeOf(db, user);
      const [assessments, settings] = await Promise.all([myAssessments(scope, user.id, now()), scope.settings()]);
      return { assessments, crisisResources: settings.crisisResources };
    },
  );

  app.post(
    '/api/me/questionnaires',
    {
      schema: {
        tags: ['outcomes'],
        summary: 'Send a finished questionnaire (stored once per responseId); an answer that needs a clinician alerts the team at once',
        body: submitResponseSchema,
        response: { 200: submitResultSchema, ...errors },
      },
    },
    async (request) => {
      const user = requireParticipant(request);
      const scope = scopeOf(db, user);
      const body = request.body;
      const at = now();
      const settings = await scope.settings();
      // A retry of a response already stored gets its first result, even once the questionnaire has closed.
      const prior = await scope.response(body.responseId);
      if (prior?.participantId === user.id) return result(prior, true);
      const { score, answers } = await checkSubmission(scope, user.id, body, at);
      const crisisItem = instruments[body.instrument].crisisItem;
      const stored = await scope.storeResponse({
        id: body.responseId,
        participantId: user.id,
        cohortId: body.cohortId,
        instrument: body.instrument,
        assessmentKey: body.assessmentKey,
        answers,
        total: score.total,
        band: score.band.key,
        submittedAt: at,
        alert: score.crisis && crisisItem ? { item: crisisItem, answer: score.crisisAnswer ?? 0 } : null,
      });
      if (stored.kind === 'already_answered') throw new HttpError(409, 'CONFLICT', 'You have already answered this questionnaire. Thank you.');
      const row = stored.row;
      if (stored.kind === 'stored') {
        await scope.audit([
          { ...auditMeta(request), action: 'create', resourceType: 'questionnaire_response', resourceId: row.id, subjectId: user.id, details: { instrument: row.instrument, assessmentKey: row.assessmentKey } },
          ...(stored.alert ? [{ ...auditMeta(request), action: 'create', resourceType: 'safety_alert', resourceId: stored.alert.id, subjectId: user.id }] : []),
        ]);
        // The alert is stored with the response; a failure to deliver it live must not lose the answer.
        if (stored.alert) await safety.deliver(scope, stored.alert).catch((error: unknown) => request.log.error({ err: error }, 'safety alert delivery failed'));
      }
      return result(row, stored.kind === 'duplicate');

      function result(r: { id: string; crisis: boolean; cohortId: string; instrument: string; assessmentKey: string }, duplicate: boolean) {
        if (r.cohortId !== body.cohortId || r.instrument !== body.instrument || r.assessmentKey !== body.assessmentKey) {
          throw new HttpError(409, 'CONFLICT', 'This response id was already used for another questionnaire.');
        }
        return { responseId: r.id, duplicate, crisis: r.crisis, crisisResources: r.crisis ? settings.crisisResources : [] };
      }
    },
  );
};
