import { instrumentIds, instruments, optionScore, type Answers, type Instrument, type InstrumentId } from '@holdspace/domain';
import type { MyAssessment } from '@holdspace/protocol';

// ── where each assessment point stands ──────────────────────────────────────────────────────────────────────────────

/** Open now (due or late) first, then coming up, then answered, then closed without answers. */
export type AssessmentGroupId = 'now' | 'upcoming' | 'done' | 'closed';

export interface AssessmentGroup {
  id: AssessmentGroupId;
  title: string;
  assessments: MyAssessment[];
}

export const canAnswer = (a: Pick<MyAssessment, 'status'>): boolean => a.status === 'due' || a.status === 'overdue';

/** The questionnaires of a point still to answer, in the cohort's order. */
export const stillToAnswer = (a: Pick<MyAssessment, 'instruments'>): InstrumentId[] =>
  a.instruments.filter((i) => i.answeredAt === null).map((i) => i.id);

/** How many questionnaires can be answered now, over every cohort. */
export const toAnswerNow = (assessments: readonly MyAssessment[]): number =>
  assessments.filter(canAnswer).reduce((n, a) => n + stillToAnswer(a).length, 0);

const lastAnswered = (a: MyAssessment): string =>
  a.instruments.reduce((at, i) => (i.answeredAt !== null && i.answeredAt > at ? i.answeredAt : at), '');

export function groupAssessments(assessments: readonly MyAssessment[]): AssessmentGroup[] {
  const of = (test: (a: MyAssessment) => boolean, order: (a: MyAssessment, b: MyAssessment) => number) =>
    assessments.filter(test).sort(order);
  const groups: AssessmentGroup[] = [
    { id: 'now', title: 'To answer now', assessments: of(canAnswer, (a, b) => a.point.dueAt.localeCompare(b.point.dueAt)) },
    {
      id: 'upcoming',
      title: 'Coming up',
      assessments: of((a) => a.status === 'upcoming', (a, b) => (a.point.opensAt ?? '').localeCompare(b.point.opensAt ?? '')),
    },
    { id: 'done', title: 'Answered', assessments: of((a) => a.status === 'done', (a, b) => lastAnswered(b).localeCompare(lastAnswered(a))) },
    {
      id: 'closed',
      title: 'No longer open',
      assessments: of((a) => a.status === 'missed', (a, b) => (b.point.closesAt ?? '').localeCompare(a.point.closesAt ?? '')),
    },
  ];
  return groups.filter((g) => g.assessments.length > 0);
}

// ── dates in the reader's own language and time zone ────────────────────────────────────────────────────────────────

/** "Tuesday 14 May". */
export function dayText(iso: string, locale?: string): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  return new Intl.DateTimeFormat(locale, { weekday: 'long', day: 'numeric', month: 'long' }).format(at);
}

/** "Tuesday 14 May, 18:30". */
export function dayTimeText(iso: string, locale?: string): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  return new Intl.DateTimeFormat(locale, { weekday: 'long', day: 'numeric', month: 'long', hour: 'numeric', minute: '2-digit' }).format(at);
}

/** When a point can be answered, in words: "Due by …", "Late, still open", "Opens on …". */
export function whenText(a: MyAssessment, locale?: string): string {
  const { point } = a;
  switch (a.status) {
    case 'due':
      return `Due by ${dayTimeText(point.dueAt, locale)}`;
    case 'overdue':
      return point.closesAt ? `Late, still open until ${dayText(point.closesAt, locale)}` : 'Late, still open';
    case 'upcoming':
      return point.opensAt ? `Opens on ${dayText(point.opensAt, locale)}` : 'Opens soon';
    case 'done': {
      const at = lastAnswered(a);
      return at ? `Answered on ${dayText(at, locale)}` : 'Answered';
    }
    case 'missed':
      return point.closesAt ? `Closed on ${dayText(point.closesAt, locale)}` : 'Closed';
  }
}

/** The instrument a page address names, if it is one. */
export function instrumentFrom(param: string): Instrument | null {
  const id = instrumentIds.find((i) => i === param);
  return id ? instruments[id] : null;
}

/** "9 questions". */
export const questionCount = (instrument: Instrument): string => `${instrument.item.length} questions`;

// ── safety ──────────────────────────────────────────────────────────────────────────────────────────────────────────

/** CRS1: the crisis item (PHQ-9 question 9) answered above 0. The crisis resources show at once. */
export function needsCrisisSupport(instrument: Instrument, answers: Answers): boolean {
  return instrument.crisisItem !== null && (answers[instrument.crisisItem] ?? 0) > 0;
}

// ── drafts kept on this device ──────────────────────────────────────────────────────────────────────────────────────

/**
 * Answers in progress. `responseId` is made when the draft starts and kept with it, so sending again after a lost
 * answer is stored once by the server.
 */
export interface QuestionnaireDraft {
  responseId: string;
  answers: Answers;
  /** The question shown (index into the items). */
  index: number;
  reviewing: boolean;
}

/** Per person: a shared device never shows one person's answers to another. */
export function draftKey(personId: string, cohortId: string, assessmentKey: string, instrument: InstrumentId): string {
  return `holdspace.questionnaire.${personId}.${cohortId}.${assessmentKey}.${instrument}`;
}

function storage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

/** A draft stored earlier, keeping only answers this instrument still knows. */
export function readDraft(key: string, instrument: Instrument): QuestionnaireDraft | null {
  let stored: unknown;
  try {
    stored = JSON.parse(storage()?.getItem(key) ?? 'null');
  } catch {
    return null;
  }
  if (typeof stored !== 'object' || stored === null) return null;
  const { responseId, answers, index, reviewing } = stored as Partial<Record<keyof QuestionnaireDraft, unknown>>;
  if (typeof responseId !== 'string' || typeof answers !== 'object' || answers === null) return null;
  const kept: Answers = {};
  for (const item of instrument.item) {
    const value = (answers as Record<string, unknown>)[item.linkId];
    if (typeof value === 'number' && item.answerOption.some((o) => optionScore(o) === value)) kept[item.linkId] = value;
  }
  const last = instrument.item.length - 1;
  return {
    responseId,
    answers: kept,
    index: typeof index === 'number' && Number.isInteger(index) ? Math.min(Math.max(index, 0), last) : 0,
    reviewing: reviewing === true,
  };
}

export function writeDraft(key: string, draft: QuestionnaireDraft): void {
  try {
    storage()?.setItem(key, JSON.stringify(draft));
  } catch {
    // A full or blocked storage: the answers stay on the page.
  }
}

export function removeDraft(key: string): void {
  try {
    storage()?.removeItem(key);
  } catch {
    // Nothing to remove.
  }
}

/** Signing out on a shared device leaves none of this person's unsent answers behind. */
export function forgetDrafts(personId: string): void {
  const store = storage();
  if (!store) return;
  const prefix = `holdspace.questionnaire.${personId}.`;
  for (const key of Array.from({ length: store.length }, (_, i) => store.key(i))) if (key?.startsWith(prefix)) removeDraft(key);
}

export function hasDraft(key: string, instrument: Instrument): boolean {
  const draft = readDraft(key, instrument);
  return draft !== null && Object.keys(draft.answers).length > 0;
}

const ONE_PAGE_KEY = 'holdspace.questionnaire.onePage';

/** The person's choice of all questions on one page, remembered for the next questionnaire. */
export function readOnePage(): boolean {
  try {
    return storage()?.getItem(ONE_PAGE_KEY) === 'on';
  } catch {
    return false;
  }
}

export function writeOnePage(on: boolean): void {
  try {
    storage()?.setItem(ONE_PAGE_KEY, on ? 'on' : 'off');
  } catch {
    // The choice holds for this page only.
  }
}
