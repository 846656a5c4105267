import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { clearanceStatus, dateIn, maySeeScreening, screeningReach, validateScreening } from '@holdspace/domain';
import type { ClinicScope, Database } from '@holdspace/db';
import {
  consentParamsSchema,
  consentTextSchema,
  myConsentSchema,
  publishConsentSchema,
  screeningInputSchema,
  screeningQueueEntrySchema,
  screeningVersionSchema,
  signConsentSchema,
  userParamsSchema,
} from '@holdspace/protocol';
import { auditMeta, authorize, requireParticipant, scopeOf } from '../plugins/auth.js';
import { errorResponses, HttpError } from '../plugins/errors.js';
import type { RosterRefresh } from '../services/roster-refresh.js';
import type { AuthedUser } from '../services/sessions.js';

const errors = errorResponses;

type ConsentRow = { id: string; kind: 'treatment' | 'group_confidentiality'; version: number; title: string; body: string; publishedAt: Date };
const toConsent = (c: ConsentRow) => ({ id: c.id, kind: c.kind, version: c.version, title: c.title, body: c.body, publishedAt: c.publishedAt.toISOString() });

/** POL3: of these participants, those whose screening records the user may see (with their enrollments). */
async function screeningVisible(scope: ClinicScope, user: AuthedUser, participantIds: string[]) {
  const enrolled = await scope.enrollmentsOf(participantIds);
  const facilitated = screeningReach(user) === 'facilitated' ? new Set((await scope.cohorts({ facilitatedBy: user.id })).map((c) => c.id)) : new Set<string>();
  const visible = new Set(participantIds.filter((id) => maySeeScreening(user, { inFacilitatedCohort: enrolled.some((e) => e.userId === id && facilitated.has(e.cohortId)) })));
  return { visible, enrolled };
}

/** Consent texts and signatures; screening and clearance. Each read and write of these is audited. */
export const recordRoutes: FastifyPluginAsyncZod<{ db: Database; now: () => Date; refreshRoster: RosterRefresh }> = async (app, { db, now, refreshRoster }) => {
  // ── consent ─────────────────────────────────────────────────────────────────────────────────────────────────
  app.get('/api/consents', { schema: { tags: ['consent'], summary: 'Every version of the clinic’s consent texts', response: { 200: z.array(consentTextSchema), ...errors } } }, async (request) => {
    const user = authorize(request, 'consents.manage');
    return (await scopeOf(db, user).consentTexts()).map(toConsent);
  });

  app.post(
    '/api/consents',
    { schema: { tags: ['consent'], summary: 'Publish a new version of a consent text (everyone signs it again)', body: publishConsentSchema, response: { 200: consentTextSchema, ...errors } } },
    async (request) => {
      const user = authorize(request, 'consents.manage');
      const scope = scopeOf(db, user);
      const row = await scope.publishConsent({ ...request.body, publishedBy: user.id });
      await scope.audit({ ...auditMeta(request), action: 'create', resourceType: 'consent_text', resourceId: row.id, details: { kind: row.kind, version: row.version } });
      await refreshRoster(scope, null);
      return toConsent(row);
    },
  );

  app.get('/api/me/consents', { schema: { tags: ['consent'], summary: 'The current consent texts for me, and whether I signed them', response: { 200: z.array(myConsentSchema), ...errors } } }, async (request) => {
    const user = requireParticipant(request);
    const scope = scopeOf(db, user);
    const [current, signed] = await Promise.all([scope.currentConsents(), scope.signatures([user.id])]);
    return current.map((c) => ({ ...toConsent(c), signedAt: signed.find((s) => s.consentTextId === c.id)?.signedAt.toISOString() ?? null }));
  });

  app.post(
    '/api/me/consents/:consentTextId/sign',
    { schema: { tags: ['consent'], summary: 'Sign a consent text by typing my name', params: consentParamsSchema, body: signConsentSchema, response: { 204: z.null(), ...errors } } },
    async (request, reply) => {
      const user = requireParticipant(request);
      const scope = scopeOf(db, user);
      const text = await scope.consentText(request.params.consentTextId);
      if (!text) throw new HttpError(404, 'NOT_FOUND', 'No such consent text.');
      const current = (await scope.currentConsents()).find((c) => c.kind === text.kind);
      if (current?.id !== text.id) throw new HttpError(409, 'CONFLICT', 'A newer version of this text has been published; please read and sign that one.');
      await scope.sign(text.id, user.id, request.body.typedName, request.ip);
      await scope.audit({ ...auditMeta(request), action: 'sign', resourceType: 'consent', resourceId: text.id, subjectId: user.id, details: { kind: text.kind, version: text.version } });
      await refreshRoster(scope, user.id);
      return reply.status(204).send(null);
    },
  );

  // ── screening and clearance ─────────────────────────────────────────────────────────────────────────────────
  app.get('/api/screening/queue', { schema: { tags: ['screening'], summary: 'Participants and their clearance status', response: { 200: z.array(screeningQueueEntrySchema), ...errors } } }, async (request) => {
    const user = authorize(request, 'screening.view');
    const scope = scopeOf(db, user);
    const everyone = await scope.people('participant');
    const { visible, enrolled } = await screeningVisible(scope, user, everyone.map((p) => p.id));
    const people = everyone.filter((p) => visible.has(p.id));
    const ids = people.map((p) => p.id);
    const latest = await scope.latestScreenings(ids);
    const today = dateIn(now(), 'UTC');
    await scope.audit(ids.map((id) => ({ ...auditMeta(request), action: 'read', resourceType: 'clearance', subjectId: id })));
    const order = { missing: 0, needs_review: 1, expired: 2, not_cleared: 3, current: 4 };
    return people
      .map((p) => {
        const s = latest.find((x) => x.participantId === p.id) ?? null;
        return {
          participantId: p.id,
          name: p.name,
          cohorts: enrolled.filter((e) => e.userId === p.id).map((e) => e.cohortName),
          clearance: clearanceStatus(s, today),
          validUntil: s?.validUntil ?? null,
          lastSignedAt: s?.signedAt.toISOString() ?? null,
        };
      })
      .sort((a, b) => order[a.clearance] - order[b.clearance] || a.name.localeCompare(b.name));
  });

  app.get(
    '/api/participants/:userId/screenings',
    { schema: { tags: ['screening'], summary: "A participant's signed screening versions, newest first", params: userParamsSchema, response: { 200: z.array(screeningVersionSchema), ...errors } } },
    async (request) => {
      const user = authorize(request, 'screening.view');
      const scope = scopeOf(db, user);
      const person = await scope.person(request.params.userId);
      if (!person || person.kind !== 'participant') throw new HttpError(404, 'NOT_FOUND', 'No such participant in this clinic.');
      if (!(await screeningVisible(scope, user, [person.id])).visible.has(person.id)) {
        throw new HttpError(403, 'FORBIDDEN', 'Screening records are open to prescribers and to the facilitators of this person’s cohorts.');
      }
      const rows = await scope.screenings(person.id);
      await scope.audit({ ...auditMeta(request), action: 'read', resourceType: 'screening', resourceId: rows[0]?.s.id ?? null, subjectId: person.id });
      return rows.map(({ s, signerName }) => ({ id: s.id, version: s.version, record: s.record, signedBy: { id: s.signedBy, name: signerName }, signedAt: s.signedAt.toISOString() }));
    },
  );

  app.post(
    '/api/participants/:userId/screenings',
    { schema: { tags: ['screening'], summary: 'Sign a new screening and clearance version (locked once signed)', params: userParamsSchema, body: screeningInputSchema, response: { 200: screeningVersionSchema, ...errors } } },
    async (request) => {
      const user = authorize(request, 'screening.sign');
      const scope = scopeOf(db, user);
      const person = await scope.person(request.params.userId);
      if (!person || person.kind !== 'participant') throw new HttpError(404, 'NOT_FOUND', 'No such participant in this clinic.');
      const checked = validateScreening(request.body, dateIn(now(), 'UTC'));
      if (!checked.ok) throw new HttpError(400, 'RULE_VIOLATION', checked.message, checked.rule);
      const row = await scope.signScreening(person.id, checked.value, user.id);
      await scope.audit({ ...auditMeta(request), action: 'sign', resourceType: 'screening', resourceId: row.id, subjectId: person.id, details: { version: row.version, decision: row.decision } });
      await refreshRoster(scope, person.id);
      return { id: row.id, version: row.version, record: row.record, signedBy: { id: user.id, name: user.name }, signedAt: row.signedAt.toISOString() };
    },
  );
};
