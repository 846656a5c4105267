import { expect, type Locator, type Page } from '@playwright/test';

export type ShareFor = 'Only the facilitators' | 'The group, after the facilitator approves it';

/** Every text frame a page receives over its WebSockets, from the moment this is called (before it joins). */
export function captureFrames(page: Page): string[] {
  const frames: string[] = [];
  page.on('websocket', (ws) => {
    ws.on('framereceived', (frame) => frames.push(typeof frame.payload === 'string' ? frame.payload : frame.payload.toString('utf8')));
  });
  return frames;
}

/** One device's countdown as it moved on: the value it then showed, and when (this machine's clock, which every page
 * of the test shares). `at + remainingMs` is the instant that device counts down to. */
export interface TimerReading {
  remainingMs: number;
  at: number;
}

/** Waits for the next time this page's round timer shows a new value (it does every second), and reads it then. */
export function nextTick(page: Page): Promise<TimerReading> {
  return page.getByTestId('round-timer').evaluate(
    (el) =>
      new Promise<TimerReading>((done) => {
        const before = el.getAttribute('data-remaining-ms');
        const observer = new MutationObserver(() => {
          const value = el.getAttribute('data-remaining-ms');
          if (value === before) return;
          observer.disconnect();
          done({ remainingMs: Number(value), at: Date.now() });
        });
        observer.observe(el, { attributes: true, attributeFilter: ['data-remaining-ms'] });
      }),
  );
}

/** The countdowns of several pages, read together (each at its next tick, so a display never reads stale). */
export function readTimers(pages: Page[]): Promise<TimerReading[]> {
  return Promise.all(pages.map(nextTick));
}

/** The instant each reading counts down to. */
export const deadlines = (readings: TimerReading[]) => readings.map((r) => r.at + r.remainingMs);

/** The "Sharing round" and "Shares to review" panels of the facilitator's dashboard (sharing UI contract). */
export class SharingDashboard {
  constructor(readonly page: Page) {}

  get round() {
    return this.page.getByRole('region', { name: 'Sharing round' });
  }
  get startForm() {
    return this.round.getByRole('form', { name: 'Start a round' });
  }
  get summaries() {
    return this.round.getByRole('region', { name: 'Round summaries' });
  }
  get review() {
    return this.page.getByRole('region', { name: 'Shares to review' });
  }
  get forYou() {
    return this.review.getByRole('region', { name: 'Shares for you' });
  }
  get published() {
    return this.review.getByRole('region', { name: 'Shared with the group' });
  }
  button(name: string): Locator {
    return this.round.getByRole('button', { name, exact: true });
  }
  /** The share waiting for review that says this. */
  toReview(text: string): Locator {
    return this.review.getByTestId('share-to-review').filter({ hasText: text });
  }

  /** Starts a round as the current segment planned it, checking the form was filled in from the plan. */
  async startPlannedRound(expected: { prompt: string; mode: 'Go-around' | 'Open floor'; minutes: number }) {
    const form = this.startForm;
    await expect(form.getByLabel('Prompt')).toHaveValue(expected.prompt);
    await expect(form.getByRole('radio', { name: expected.mode })).toBeChecked();
    await expect(form.getByLabel('Minutes each')).toHaveValue(String(expected.minutes));
    await form.getByRole('button', { name: 'Start round' }).click();
    await expect(form).toHaveCount(0);
  }

  async press(name: 'Next' | 'Skip' | 'Add a minute' | 'Pause' | 'Resume' | 'End round') {
    const button = this.button(name);
    await expect(button).toBeEnabled();
    await button.click();
  }

  /** Moves someone in the queue or the seat order, through the folded list of changes. */
  async move(label: string) {
    const controls = this.round.getByTestId('queue-controls');
    if ((await controls.getAttribute('open')) === null) await controls.locator('summary').click();
    await controls.getByRole('button', { name: label, exact: true }).click();
  }

  /** Names in the facilitator's editable list (queue or seat order still to come), top first. */
  async lineNames(): Promise<string[]> {
    return this.round.getByTestId('queue-item').evaluateAll((els) => els.map((e) => e.getAttribute('data-name') ?? ''));
  }

  async approve(text: string) {
    const item = this.toReview(text);
    await item.getByRole('button', { name: 'Approve', exact: true }).click();
    await expect(item).toHaveCount(0);
  }

  async decline(text: string, note: string) {
    const item = this.toReview(text);
    await item.getByRole('button', { name: 'Decline', exact: true }).click();
    const dialog = this.page.getByRole('dialog', { name: 'Decline share' });
    await dialog.getByLabel('Note to the author').fill(note);
    await dialog.getByRole('button', { name: 'Decline share' }).click();
    await expect(dialog).toBeHidden();
    await expect(item).toHaveCount(0);
  }

  async suggestEdit(text: string, suggested: string) {
    const item = this.toReview(text);
    await item.getByRole('button', { name: 'Suggest an edit', exact: true }).click();
    const dialog = this.page.getByRole('dialog', { name: 'Suggest an edit' });
    await expect(dialog.getByLabel('Suggested text')).toHaveValue(text);
    await dialog.getByLabel('Suggested text').fill(suggested);
    await dialog.getByRole('button', { name: 'Send suggestion' }).click();
    await expect(dialog).toBeHidden();
    await expect(item).toHaveAttribute('data-status', 'edit_proposed');
  }
}

/** A participant's sharing parts of the circle screen (sharing UI contract). */
export class SharingScreen {
  constructor(readonly page: Page) {}

  get round() {
    return this.page.getByRole('region', { name: 'Sharing round' });
  }
  get write() {
    return this.page.getByRole('region', { name: 'Write a share' });
  }
  get published() {
    return this.page.getByRole('region', { name: 'Shared with the group' });
  }
  get timer() {
    return this.page.getByTestId('round-timer');
  }
  button(name: string): Locator {
    return this.round.getByRole('button', { name, exact: true });
  }

  /** Display names in the round's list ("Queue" or "Seat order"), top first, as this device shows them. */
  async line(label: 'Queue' | 'Seat order'): Promise<string[]> {
    return this.round
      .getByRole('list', { name: label })
      .getByRole('listitem')
      .evaluateAll((els) => els.map((e) => e.textContent?.replace(/\s+/g, ' ').trim() ?? ''));
  }

  async raiseHand(expectedPlace: number) {
    await this.button('Raise my hand').click();
    await expect(this.button('Lower my hand')).toBeVisible();
    await expect(this.round).toContainText(`You are number ${expectedPlace} in the queue`);
  }

  /** Writes a share and waits for it to be listed as sent, with its status in words. */
  async writeShare(text: string, to: ShareFor, options: { anonymous?: boolean; status: string }) {
    const form = this.write;
    await form.getByLabel('Your share').fill(text);
    await form.getByRole('radiogroup', { name: 'Who sees it' }).getByRole('radio', { name: to }).check();
    await form.getByLabel('Share without my name').setChecked(options.anonymous ?? false);
    await form.getByRole('button', { name: 'Send share' }).click();
    await expect(this.myShare(text)).toContainText(options.status);
  }

  /** One of this person's own shares that has reached the circle, by its text. */
  myShare(text: string): Locator {
    return this.page.locator('[data-testid="my-share"]:not([data-status="sending"])').filter({ hasText: text });
  }
}
