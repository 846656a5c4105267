import { allow, refuse, type Decision } from './result.js';
import { cutText, textLength } from './text.js';

/** The prompts of an integration journal entry. */
export type JournalPrompt = 'insights' | 'emotions' | 'imagery';

export const journalPrompts: readonly { key: JournalPrompt; label: string; hint: string }[] = [
  { key: 'insights', label: 'Insights', hint: 'What did you notice, learn or understand?' },
  { key: 'emotions', label: 'Emotions', hint: 'What did you feel, during the journey and since?' },
  { key: 'imagery', label: 'Imagery', hint: 'Images, colours, sounds, memories or sensations that stayed with you.' },
];

export interface Commitment {
  id: string;
  text: string;
  doneAt: string | null;
}

/** A private journal entry: only its author ever reads it (JRN1). */
export interface JournalEntry {
  id: string;
  /** The circle it reflects on, if any. */
  circleId: string | null;
  prompts: Record<JournalPrompt, string>;
  commitments: Commitment[];
  createdAt: string;
  updatedAt: string;
}

export interface JournalDraft {
  circleId: string | null;
  prompts: Partial<Record<JournalPrompt, string>>;
  commitments: { id?: string | undefined; text: string; done: boolean }[];
}

/** A draft that passed JRN2: every prompt present (maybe empty), empty commitments dropped, text trimmed. */
export type CheckedJournalDraft = JournalDraft & { prompts: Record<JournalPrompt, string> };

export const JOURNAL_LIMITS = { promptChars: 5000, commitmentChars: 300, commitments: 20 } as const;

/** JRN2: an entry says something (a prompt answered or a commitment), within the limits. */
export function checkJournalDraft(draft: JournalDraft): Decision<CheckedJournalDraft> {
  const prompts = Object.fromEntries(journalPrompts.map((p) => [p.key, (draft.prompts[p.key] ?? '').trim()])) as Record<JournalPrompt, string>;
  const commitments = draft.commitments.map((c) => ({ ...c, text: c.text.trim() })).filter((c) => c.text !== '');
  if (Object.values(prompts).every((t) => t === '') && commitments.length === 0) return refuse('JRN2', 'Write something in the entry, or add a commitment.');
  if (Object.values(prompts).some((t) => textLength(t) > JOURNAL_LIMITS.promptChars)) return refuse('JRN2', `Keep each part under ${JOURNAL_LIMITS.promptChars} characters.`);
  if (commitments.length > JOURNAL_LIMITS.commitments) return refuse('JRN2', `An entry holds at most ${JOURNAL_LIMITS.commitments} commitments.`);
  if (commitments.some((c) => textLength(c.text) > JOURNAL_LIMITS.commitmentChars)) return refuse('JRN2', `Keep each commitment under ${JOURNAL_LIMITS.commitmentChars} characters.`);
  return allow({ circleId: draft.circleId, prompts, commitments });
}

/** SHARE_TEXT_LIMIT mirrors the written-share limit: a journal entry brought to a circle fits in one share. */
export const SHARE_TEXT_LIMIT = 2000;

/** JRN3: the text a participant starts from when bringing an entry into a circle as a written share. */
export function shareTextFrom(entry: Pick<JournalEntry, 'prompts'>): string {
  const parts = journalPrompts.map((p) => entry.prompts[p.key].trim()).filter((t) => t !== '');
  const text = parts.join('\n\n');
  return cutText(text, SHARE_TEXT_LIMIT);
}
