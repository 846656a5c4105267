import { checkAnswers, type Answers, type Instrument } from '@holdspace/domain';
import type { Result, SubmitResponse, SubmitResult } from '@holdspace/protocol';
import { readDraft, removeDraft, writeDraft, type QuestionnaireDraft } from '$lib/questionnaire';

/** Where one questionnaire is sent. */
export interface AnswerTarget {
  cohortId: string;
  assessmentKey: string;
  /** The key of this person's draft on this device. */
  draftKey: string;
}

/**
 * One questionnaire being answered: the answers so far, the question shown, and the send. Every change is kept on
 * this device at once, so a reload or a lost connection loses nothing; the draft goes only once the server has the
 * answers.
 */
export class Answering {
  readonly instrument: Instrument;
  readonly #target: AnswerTarget;
  readonly #responseId: string;

  answers = $state<Answers>({});
  /** The question shown, one at a time. */
  index = $state(0);
  reviewing = $state(false);
  /** A question opened from the review goes back to the review when answered. */
  fromReview = $state(false);
  /** The question whose answer is missing, as the person tried to go on or send. */
  unanswered = $state<string | null>(null);
  sending = $state(false);
  /** Why the last send did not arrive, in words; the answers are kept. */
  failure = $state<string | null>(null);
  /** The session ended while sending: the person signs in again, and the draft waits here. */
  signedOut = $state(false);
  result = $state<SubmitResult | null>(null);

  constructor(instrument: Instrument, target: AnswerTarget) {
    this.instrument = instrument;
    this.#target = target;
    const draft = readDraft(target.draftKey, instrument);
    this.#responseId = draft?.responseId ?? crypto.randomUUID();
    if (draft) {
      this.answers = draft.answers;
      this.index = draft.index;
      this.reviewing = draft.reviewing;
    }
  }

  get total(): number {
    return this.instrument.item.length;
  }

  get item() {
    return this.instrument.item[this.index]!;
  }

  get isLast(): boolean {
    return this.index === this.total - 1;
  }

  get answeredCount(): number {
    return this.instrument.item.filter((i) => this.answers[i.linkId] !== undefined).length;
  }

  choose(linkId: string, value: number): void {
    this.answers[linkId] = value;
    if (this.unanswered === linkId) this.unanswered = null;
    this.failure = null;
    this.#keep();
  }

  /** On to the next question, or to the review after the last (or after a change made from it). */
  next(): boolean {
    if (this.answers[this.item.linkId] === undefined) {
      this.unanswered = this.item.linkId;
      return false;
    }
    if (this.fromReview || this.isLast) this.review();
    else this.index += 1;
    this.#keep();
    return true;
  }

  back(): void {
    this.unanswered = null;
    if (this.reviewing) {
      this.reviewing = false;
      this.index = this.total - 1;
    } else if (this.index > 0) {
      this.index -= 1;
    }
    this.fromReview = false;
    this.#keep();
  }

  review(): void {
    this.reviewing = true;
    this.fromReview = false;
    this.#keep();
  }

  /** From the review: open one question to change its answer. */
  change(index: number): void {
    this.index = index;
    this.reviewing = false;
    this.fromReview = true;
    this.#keep();
  }

  /**
   * Checks every question is answered, then sends. On a missing answer it opens that question; on a failure it keeps
   * everything for another try with the same response id.
   */
  async send(submit: (body: SubmitResponse) => Promise<Result<SubmitResult>>): Promise<boolean> {
    if (this.sending) return false;
    const checked = checkAnswers(this.instrument, this.answers);
    if (!checked.ok) {
      const first = this.instrument.item.findIndex((i) => this.answers[i.linkId] === undefined);
      if (first !== -1) {
        this.unanswered = this.instrument.item[first]!.linkId;
        this.index = first;
        this.reviewing = false;
        this.fromReview = true;
      }
      this.failure = checked.message;
      return false;
    }
    this.sending = true;
    this.failure = null;
    this.signedOut = false;
    const result = await submit({
      responseId: this.#responseId,
      cohortId: this.#target.cohortId,
      assessmentKey: this.#target.assessmentKey,
      instrument: this.instrument.id,
      answers: checked.value,
    });
    this.sending = false;
    if (!result.ok) {
      this.signedOut = result.code === 'UNAUTHENTICATED';
      this.failure = this.signedOut
        ? 'Not sent: you have been signed out. Your answers are kept on this device. Sign in again, then send them.'
        : `Not sent. ${result.message} Your answers are kept on this device, so you can try again.`;
      return false;
    }
    removeDraft(this.#target.draftKey);
    this.result = result.data;
    return true;
  }

  #keep(): void {
    if (Object.keys(this.answers).length === 0) return;
    const draft: QuestionnaireDraft = {
      responseId: this.#responseId,
      answers: { ...this.answers },
      index: this.index,
      reviewing: this.reviewing,
    };
    writeDraft(this.#target.draftKey, draft);
  }
}
