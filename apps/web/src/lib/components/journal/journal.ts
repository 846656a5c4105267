import { journalPrompts, type JournalDraft, type JournalPrompt } from '@holdspace/domain';
import type { JournalEntryView, MyJournal } from '@holdspace/protocol';
import { dayText } from '$lib/questionnaire';

export type JournalCircle = MyJournal['circles'][number];

export const newestFirst = (entries: readonly JournalEntryView[]): JournalEntryView[] =>
  [...entries].sort((a, b) => b.createdAt.localeCompare(a.createdAt));

export const circleOf = (circles: readonly JournalCircle[], id: string | null): JournalCircle | null =>
  id === null ? null : (circles.find((c) => c.id === id) ?? null);

/** The circle an entry reflects on, or the day it was written. */
export function entryTitle(entry: Pick<JournalEntryView, 'circleId' | 'createdAt'>, circles: readonly JournalCircle[]): string {
  return circleOf(circles, entry.circleId)?.title ?? `Entry of ${dayText(entry.createdAt)}`;
}

/** "10 Dec": a circle's day, short enough for a choice on a phone. */
export function shortDay(iso: string, locale?: string): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  return new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short' }).format(at);
}

/** "Autumn cohort · 10 Dec" above an entry tied to a circle. */
export function circleContext(circle: JournalCircle): string {
  return `${circle.cohortName} · ${shortDay(circle.startsAt)}`;
}

/** The first words written, for the list and the picker. */
export function excerpt(entry: Pick<JournalEntryView, 'prompts' | 'commitments'>): string {
  for (const p of journalPrompts) {
    const text = (entry.prompts[p.key] ?? '').trim();
    if (text !== '') return text;
  }
  return entry.commitments[0]?.text ?? '';
}

/** The circles to choose from: those already held, most recent first, then those still to come. */
export function circleChoices(circles: readonly JournalCircle[], now = new Date().toISOString()) {
  const byStart = (a: JournalCircle, b: JournalCircle) => a.startsAt.localeCompare(b.startsAt);
  return {
    past: circles.filter((c) => c.startsAt <= now).sort((a, b) => byStart(b, a)),
    upcoming: circles.filter((c) => c.startsAt > now).sort(byStart),
  };
}

// ── the editor's draft ──────────────────────────────────────────────────────────────────────────────────────────────

/** A commitment in the editor; `key` tells rows apart before the server has given a new one its id. */
export interface CommitmentRow {
  key: string;
  id?: string | undefined;
  text: string;
  done: boolean;
}

export interface EditorDraft {
  /** '' for no particular circle (a select's value). */
  circleId: string;
  prompts: Record<JournalPrompt, string>;
  commitments: CommitmentRow[];
}

let rowCount = 0;
export const newRow = (): CommitmentRow => ({ key: `new-${(rowCount += 1)}`, text: '', done: false });

export function draftOf(entry: JournalEntryView | null): EditorDraft {
  return {
    circleId: entry?.circleId ?? '',
    prompts: Object.fromEntries(journalPrompts.map((p) => [p.key, entry?.prompts[p.key] ?? ''])) as Record<JournalPrompt, string>,
    commitments: (entry?.commitments ?? []).map((c) => ({ key: c.id, id: c.id, text: c.text, done: c.doneAt !== null })),
  };
}

/** The draft as the domain checks it and the server takes it. */
export function bodyOf(draft: EditorDraft): JournalDraft {
  return {
    circleId: draft.circleId === '' ? null : draft.circleId,
    prompts: { ...draft.prompts },
    commitments: draft.commitments.map(({ id, text, done }) => (id ? { id, text, done } : { text, done })),
  };
}

/** Whether the editor holds words not yet saved. */
export const sameDraft = (a: EditorDraft, b: EditorDraft): boolean => JSON.stringify(bodyOf(a)) === JSON.stringify(bodyOf(b));
