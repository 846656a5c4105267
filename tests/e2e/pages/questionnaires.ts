import { expect, type Locator, type Page } from '@playwright/test';

export type Instrument = 'PHQ-9' | 'GAD-7' | 'PCL-5';
/** The PHQ-9 and GAD-7 answers, as the participant reads them. */
export type Frequency = 'Not at all' | 'Several days' | 'More than half the days' | 'Nearly every day';

/** /questionnaires: the participant's assessment points, open ones first. */
export class QuestionnairesPage {
  constructor(readonly page: Page) {}

  async open() {
    await this.page.goto('/questionnaires');
    await expect(this.page.getByRole('heading', { level: 1, name: 'Your questionnaires' })).toBeVisible();
  }

  /** "To answer now", "Coming up", "Answered" or "No longer open". */
  group(title: 'To answer now' | 'Coming up' | 'Answered' | 'No longer open'): Locator {
    return this.page.getByRole('region', { name: title });
  }

  /** One assessment point's card, by its label ("Before your first circle"). */
  assessment(label: string): Locator {
    return this.page.getByTestId('assessment').filter({ has: this.page.getByRole('heading', { name: label, exact: true }) });
  }

  /** Opens one questionnaire of a point to answer it (or to go on with a draft kept on this device). */
  async start(label: string, instrument: Instrument) {
    await this.assessment(label).getByRole('link', { name: new RegExp(`^(Start|Continue) the ${instrument}$`) }).click();
    await expect(this.page.getByRole('heading', { level: 1, name: new RegExp(`\\(${instrument}\\)`) })).toBeVisible();
  }

  async expectAnswered(label: string, instrument: Instrument) {
    const row = this.assessment(label).getByRole('listitem').filter({ hasText: instrument });
    await expect(row).toContainText('Answered');
    await expect(row.getByRole('link')).toHaveCount(0);
  }

  /** The short thank-you after the last questionnaire of a point. */
  async expectSaved() {
    await expect(this.page.getByTestId('questionnaires-saved')).toContainText('Thank you, your answers are saved.');
  }
}

/** /questionnaires/[cohortId]/[assessmentKey]/[instrument]: one questionnaire, one question at a time by default. */
export class QuestionnairePage {
  constructor(readonly page: Page) {}

  /** The question shown (one at a time), or every question (on one page). */
  get questions(): Locator {
    return this.page.getByTestId('question');
  }
  get review(): Locator {
    return this.page.getByTestId('answer-review');
  }
  /** The crisis resources panel: shown while answering, and again after sending when the care team was told. */
  get crisis(): Locator {
    return this.page.getByTestId('crisis-resources');
  }
  get failure(): Locator {
    return this.page.getByRole('alert');
  }
  button(name: string): Locator {
    return this.page.getByRole('button', { name, exact: true });
  }

  async expectQuestion(n: number, of: number) {
    await expect(this.page.getByRole('heading', { name: `Question ${n} of ${of}` })).toBeVisible();
  }

  /** Chooses an answer to the question shown (or, on one page, to question `n`, counting from 1). */
  async choose(answer: string, n?: number) {
    const question = n === undefined ? this.questions.first() : this.questions.nth(n - 1);
    await question.getByRole('radio', { name: answer, exact: true }).check();
  }

  async next() {
    await this.page.getByRole('button', { name: /^(Next|Review answers|Back to the review)$/ }).click();
  }

  async back() {
    await this.button('Back').click();
  }

  /** Answers every question in order, one at a time, and arrives at the review. */
  async answerAll(answers: readonly string[]) {
    for (const [i, answer] of answers.entries()) {
      await this.expectQuestion(i + 1, answers.length);
      await this.choose(answer);
      await this.next();
    }
    await expect(this.page.getByRole('heading', { name: 'Check your answers' })).toBeVisible();
  }

  /** From the review: changes the answer to question `n` (counting from 1) and comes back to the review. */
  async change(n: number, answer: string) {
    await this.review.getByRole('button', { name: new RegExp(`the answer to question ${n}$`) }).click();
    await this.choose(answer);
    await this.button('Back to the review').click();
    await expect(this.review).toBeVisible();
  }

  /** The answers as the review lists them, in order. */
  async reviewedAnswers(): Promise<string[]> {
    return this.review.locator('.answer').allTextContents().then((all) => all.map((t) => t.trim()));
  }

  async setOnePage(on: boolean) {
    await this.page.getByLabel('Show all questions on one page').setChecked(on);
  }

  async send() {
    await this.button('Send answers').click();
  }

  async expectCrisisResources(moment: 'answering' | 'sent') {
    await expect(this.crisis).toBeVisible();
    await expect(this.crisis).toHaveAttribute('data-moment', moment);
    await expect(this.crisis.getByRole('link', { name: /^Call / }).first()).toHaveAttribute('href', /^tel:/);
  }

  /** After a crisis answer the thank-you stays, with the resources and word that the care team was told. */
  async expectSentWithCrisis() {
    await expect(this.page.getByRole('heading', { name: 'Thank you, your answers are saved' })).toBeVisible();
    await this.expectCrisisResources('sent');
    await expect(this.crisis).toContainText('Your care team has been told and will reach out to you.');
  }

  /** Sent without a crisis answer: on to the next questionnaire of the point, with a thank-you for this one. */
  async expectSavedAndNext(previous: Instrument, next: Instrument) {
    await expect(this.page.getByTestId('questionnaire-saved')).toContainText(`Thank you, your ${previous} answers are saved.`);
    await expect(this.page.getByRole('heading', { level: 1, name: new RegExp(`\\(${next}\\)`) })).toBeVisible();
  }
}
