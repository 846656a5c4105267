import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { answerLabel, instruments, viewFor } from '@holdspace/domain';
import type { Database } from '@holdspace/db';
import { auditMeta, requireParticipant, scopeOf } from '../plugins/auth.js';
import { errorResponses } from '../plugins/errors.js';
import { scheduleOf } from '../services/outcomes.js';
import { toJournalEntry } from './journal.js';
import { sendFhir, sendFile } from './files.js';
import { bundleFor } from './outcomes.js';

const errors = errorResponses;
const fileResponse = z.looseObject({});

/**
 * A participant downloads everything Holdspace holds about them, as they may see it in the app: their account,
 * cohorts, consents, clearances, their own part of every circle, their shares, questionnaires and journal. Staff-only
 * notes (discharge reasons, screening notes, how an alert was handled) stay with the clinic's records.
 */
export const myDataRoutes: FastifyPluginAsyncZod<{ db: Database; now: () => Date }> = async (app, { db, now }) => {
  app.get('/api/me/export', { schema: { tags: ['journal'], summary: 'All my data, as one JSON file', response: { 200: fileResponse, ...errors } } }, async (request, reply) => {
    const user = requireParticipant(request);
    const scope = scopeOf(db, user);
    const [cohorts, enrolled, signatures, screenings, responses, journal, alerts] = await Promise.all([
      scope.cohorts({ enrolled: user.id }),
      scope.enrollmentsOf([user.id]),
      scope.signatures([user.id]),
      scope.screenings(user.id),
      scope.responses({ participantId: user.id }),
      scope.journal(user.id),
      scope.safetyAlerts({ participantIds: [user.id] }),
    ]);
    const states = await scope.circleStates(cohorts.flatMap((c) => c.circles.map((x) => x.id)));
    const me = { personId: user.id, role: 'participant' as const };
    const labels = new Map(cohorts.flatMap((c) => scheduleOf(c).map((p) => [`${c.id}/${p.key}`, p.label] as const)));
    const at = now();
    const data = {
      exportedAt: at.toISOString(),
      account: { id: user.id, name: user.name, email: user.email, clinic: user.clinicName },
      cohorts: cohorts.map((c) => ({ id: c.id, name: c.name, displayName: enrolled.find((e) => e.cohortId === c.id)?.displayName ?? null })),
      consents: signatures.map((s) => ({ kind: s.kind, version: s.version, signedAt: s.signedAt.toISOString() })),
      clearances: screenings.map(({ s, signerName }) => ({
        version: s.version,
        decision: s.record.decision,
        validUntil: s.record.validUntil,
        prescription: s.record.prescription,
        medicationHolds: s.record.medicationHolds,
        emergencyContact: s.record.emergencyContact,
        chaperone: s.record.chaperone,
        signedBy: signerName,
        signedAt: s.signedAt.toISOString(),
      })),
      circles: cohorts.flatMap((c) =>
        c.circles.map((x) => {
          const state = states.get(x.id);
          const view = state ? viewFor(state, me) : null;
          return {
            id: x.id,
            title: x.title,
            kind: x.kind,
            startsAt: x.startsAt.toISOString(),
            cohort: c.name,
            status: view?.status ?? 'scheduled',
            myRecord: view?.people[user.id] ?? null,
            myShares: view ? Object.values(view.shares) : [],
          };
        }),
      ),
      questionnaires: responses.map((r) => ({
        id: r.id,
        questionnaire: instruments[r.instrument].title,
        assessment: labels.get(`${r.cohortId}/${r.assessmentKey}`) ?? r.assessmentKey,
        submittedAt: r.submittedAt.toISOString(),
        total: r.total,
        band: instruments[r.instrument].bands.find((b) => b.key === r.band)?.label ?? r.band,
        answers: instruments[r.instrument].item.map((i) => ({ question: i.text, answer: answerLabel(r.instrument, i.linkId, r.answers[i.linkId] ?? -1), score: r.answers[i.linkId] ?? null })),
      })),
      safetyAlerts: alerts.map((a) => ({ raisedAt: a.raisedAt.toISOString(), acknowledgedAt: a.acknowledgedAt?.toISOString() ?? null })),
      journal: journal.map(toJournalEntry),
    };
    await scope.audit({ ...auditMeta(request), action: 'export', resourceType: 'my_data', subjectId: user.id });
    return sendFile(reply, JSON.stringify(data, null, 2), 'application/json; charset=utf-8', 'holdspace-my-data.json');
  });

  app.get('/api/me/export/fhir', { schema: { tags: ['journal'], summary: 'My questionnaires, scores and vital signs as a FHIR R4 Bundle', response: { 200: fileResponse, ...errors } } }, async (request, reply) => {
    const user = requireParticipant(request);
    const scope = scopeOf(db, user);
    const person = await scope.person(user.id);
    const bundle = await bundleFor(scope, { id: user.id, name: user.name, email: person?.email ?? user.email }, await scope.cohorts({ enrolled: user.id }), now());
    await scope.audit({ ...auditMeta(request), action: 'export', resourceType: 'fhir_bundle', subjectId: user.id });
    return sendFhir(reply, bundle, 'holdspace-my');
  });
};
