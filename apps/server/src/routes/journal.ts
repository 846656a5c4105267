import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { checkJournalDraft, type Commitment } from '@holdspace/domain';
import type { ClinicScope, Database, JournalRow } from '@holdspace/db';
import {
  commitmentDoneSchema,
  commitmentParamsSchema,
  createJournalEntrySchema,
  journalDraftSchema,
  journalEntrySchema,
  journalParamsSchema,
  myJournalSchema,
  type JournalDraftInput,
  type JournalEntryView,
} from '@holdspace/protocol';
import { auditMeta, requireParticipant, scopeOf } from '../plugins/auth.js';
import { errorResponses, HttpError } from '../plugins/errors.js';
import type { AuthedUser } from '../services/sessions.js';

const errors = errorResponses;

export const toJournalEntry = (r: JournalRow): JournalEntryView => ({
  id: r.id,
  circleId: r.circleId,
  prompts: r.prompts,
  commitments: r.commitments,
  createdAt: r.createdAt.toISOString(),
  updatedAt: r.updatedAt.toISOString(),
});

/** Commitments as stored: kept ids keep their first check-off time; new ones get an id. */
function commitmentsFrom(draft: JournalDraftInput['commitments'], before: readonly Commitment[], at: Date): Commitment[] {
  let n = 0;
  return draft.map((c) => {
    const old = c.id ? before.find((b) => b.id === c.id) : undefined;
    const id = old?.id ?? `c${at.getTime().toString(36)}${(n++).toString(36)}`;
    return { id, text: c.text, doneAt: c.done ? (old?.doneAt ?? at.toISOString()) : null };
  });
}

/**
 * JRN1-JRN3: the integration journal. Every route is the author's own: there is no staff route, and the queries are
 * by author as well as clinic. An entry reaches a circle only as a written share its author writes from it.
 */
export const journalRoutes: FastifyPluginAsyncZod<{ db: Database; now: () => Date }> = async (app, { db, now }) => {
  async function checked(scope: ClinicScope, user: AuthedUser, body: JournalDraftInput) {
    const draft = checkJournalDraft(body);
    if (!draft.ok) throw new HttpError(400, 'RULE_VIOLATION', draft.message, draft.rule);
    if (draft.value.circleId) {
      const cohorts = await scope.cohorts({ enrolled: user.id });
      if (!cohorts.some((c) => c.circles.some((x) => x.id === draft.value.circleId))) throw new HttpError(404, 'NOT_FOUND', 'That circle is not one of yours.');
    }
    return draft.value;
  }
  const audit = (scope: ClinicScope, request: Parameters<typeof auditMeta>[0], action: string, entryId: string, user: AuthedUser) =>
    scope.audit({ ...auditMeta(request), action, resourceType: 'journal_entry', resourceId: entryId, subjectId: user.id });

  app.get('/api/me/journal', { schema: { tags: ['journal'], summary: 'My journal entries, newest first, and the circles they can reflect on', response: { 200: myJournalSchema, ...errors } } }, async (request) => {
    const user = requireParticipant(request);
    const scope = scopeOf(db, user);
    const [rows, cohorts] = await Promise.all([scope.journal(user.id), scope.cohorts({ enrolled: user.id })]);
    return {
      entries: rows.map(toJournalEntry),
      circles: cohorts
        .flatMap((c) => c.circles.map((x) => ({ id: x.id, title: x.title, kind: x.kind, startsAt: x.startsAt.toISOString(), cohortName: c.name })))
        .sort((a, b) => a.startsAt.localeCompare(b.startsAt)),
    };
  });

  app.post(
    '/api/me/journal',
    { schema: { tags: ['journal'], summary: 'Write a journal entry (stored once per entryId)', body: createJournalEntrySchema, response: { 200: journalEntrySchema, ...errors } } },
    async (request) => {
      const user = requireParticipant(request);
      const scope = scopeOf(db, user);
      const existing = await scope.journalEntry(user.id, request.body.entryId);
      if (existing) return toJournalEntry(existing);
      const draft = await checked(scope, user, request.body);
      const at = now();
      const row = await scope.createJournalEntry({ id: request.body.entryId, participantId: user.id, circleId: draft.circleId, prompts: draft.prompts, commitments: commitmentsFrom(draft.commitments, [], at), at });
      // The id was taken by someone else's entry: never show or overwrite it.
      if (!row) throw new HttpError(409, 'CONFLICT', 'That entry id is already in use; please try again.');
      await audit(scope, request, 'create', row.id, user);
      return toJournalEntry(row);
    },
  );

  app.put(
    '/api/me/journal/:entryId',
    { schema: { tags: ['journal'], summary: 'Change a journal entry', params: journalParamsSchema, body: journalDraftSchema, response: { 200: journalEntrySchema, ...errors } } },
    async (request) => {
      const user = requireParticipant(request);
      const scope = scopeOf(db, user);
      const before = await scope.journalEntry(user.id, request.params.entryId);
      if (!before) throw new HttpError(404, 'NOT_FOUND', 'There is no such entry in your journal.');
      const draft = await checked(scope, user, request.body);
      const at = now();
      const row = await scope.updateJournalEntry(user.id, before.id, { circleId: draft.circleId, prompts: draft.prompts, commitments: commitmentsFrom(draft.commitments, before.commitments, at), at });
      if (!row) throw new HttpError(404, 'NOT_FOUND', 'There is no such entry in your journal.');
      await audit(scope, request, 'update', row.id, user);
      return toJournalEntry(row);
    },
  );

  app.put(
    '/api/me/journal/:entryId/commitments/:commitmentId',
    { schema: { tags: ['journal'], summary: 'Check a commitment off, or back on', params: commitmentParamsSchema, body: commitmentDoneSchema, response: { 200: journalEntrySchema, ...errors } } },
    async (request) => {
      const user = requireParticipant(request);
      const scope = scopeOf(db, user);
      const before = await scope.journalEntry(user.id, request.params.entryId);
      const target = before?.commitments.find((c) => c.id === request.params.commitmentId);
      if (!before || !target) throw new HttpError(404, 'NOT_FOUND', 'There is no such commitment in your journal.');
      const at = now();
      const commitments = before.commitments.map((c) => (c.id === target.id ? { ...c, doneAt: request.body.done ? (c.doneAt ?? at.toISOString()) : null } : c));
      const row = await scope.updateJournalEntry(user.id, before.id, { commitments, at });
      if (!row) throw new HttpError(404, 'NOT_FOUND', 'There is no such entry in your journal.');
      await audit(scope, request, 'update', row.id, user);
      return toJournalEntry(row);
    },
  );

  app.delete(
    '/api/me/journal/:entryId',
    { schema: { tags: ['journal'], summary: 'Delete a journal entry for good', params: journalParamsSchema, response: { 204: z.null(), ...errors } } },
    async (request, reply) => {
      const user = requireParticipant(request);
      const scope = scopeOf(db, user);
      if (!(await scope.deleteJournalEntry(user.id, request.params.entryId))) throw new HttpError(404, 'NOT_FOUND', 'There is no such entry in your journal.');
      await audit(scope, request, 'delete', request.params.entryId, user);
      return reply.status(204).send(null);
    },
  );
};
