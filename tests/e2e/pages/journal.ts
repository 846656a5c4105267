import { expect, type Locator, type Page } from '@playwright/test';

export interface EntryText {
  /** The circle it reflects on, as the choice reads ("Integration circle 1 · 10 Dec"), or a pattern. */
  circle?: string | RegExp;
  insights?: string;
  emotions?: string;
  imagery?: string;
  /** Commitments to add, in order. */
  commitments?: string[];
}

/** /journal: the private integration journal, newest entry first. */
export class JournalPage {
  constructor(readonly page: Page) {}

  async open() {
    await this.page.goto('/journal');
    await expect(this.page.getByRole('heading', { level: 1, name: 'Your journal' })).toBeVisible();
  }

  get privacyNote(): Locator {
    return this.page.getByTestId('journal-privacy');
  }
  get entries(): Locator {
    return this.page.getByTestId('journal-entry');
  }
  get confirmation(): Locator {
    return this.page.getByTestId('journal-confirmation');
  }

  /** One entry of the list, by its title (the circle, or "Entry of …"). */
  entry(title: string | RegExp): Locator {
    return this.entries.filter({ has: this.page.getByRole('heading', { name: title }) });
  }

  /** Titles of the entries, top first. */
  async titles(): Promise<string[]> {
    return this.entries.getByRole('heading').allTextContents().then((all) => all.map((t) => t.trim()));
  }

  async newEntry(): Promise<JournalEntryPage> {
    await this.page.getByRole('link', { name: 'New entry' }).click();
    await expect(this.page.getByRole('heading', { level: 1, name: 'New journal entry' })).toBeVisible();
    return new JournalEntryPage(this.page);
  }

  async openEntry(title: string | RegExp): Promise<JournalEntryPage> {
    await this.entry(title).getByRole('heading').getByRole('link').click();
    await expect(this.page.getByRole('button', { name: 'Save entry' })).toBeVisible();
    return new JournalEntryPage(this.page);
  }

  /** Ticks a commitment off (or back on) straight from the list, and waits for the server to keep it. */
  async setCommitmentDone(title: string | RegExp, commitment: string, done: boolean) {
    const item = this.entry(title).getByTestId('commitment').filter({ hasText: commitment });
    await item.getByRole('checkbox').setChecked(done);
    await expect(item).toHaveAttribute('data-done', String(done));
    await expect(item.getByRole('checkbox')).toBeEnabled();
  }
}

/** /journal/new and /journal/[entryId]: writing, changing and deleting one entry. */
export class JournalEntryPage {
  constructor(readonly page: Page) {}

  get editor(): Locator {
    return this.page.getByTestId('journal-editor');
  }

  /** Fills in the parts given; commitments are added after any already there. */
  async fill(text: EntryText) {
    const editor = this.editor;
    const circle = text.circle;
    if (circle !== undefined) {
      const select = editor.getByLabel('Which circle is this about?');
      const labels = await select.locator('option').allTextContents();
      const label = labels.find((l) => (typeof circle === 'string' ? l === circle : circle.test(l)));
      if (label === undefined) throw new Error(`No circle to choose matches ${String(circle)}: ${labels.join(', ')}`);
      await select.selectOption({ label });
    }
    if (text.insights !== undefined) await editor.getByLabel('Insights').fill(text.insights);
    if (text.emotions !== undefined) await editor.getByLabel('Emotions').fill(text.emotions);
    if (text.imagery !== undefined) await editor.getByLabel('Imagery').fill(text.imagery);
    for (const commitment of text.commitments ?? []) {
      const before = await this.commitmentRows().count();
      await editor.getByRole('button', { name: 'Add a commitment' }).click();
      await editor.getByRole('textbox', { name: `Commitment ${before + 1}`, exact: true }).fill(commitment);
    }
  }

  commitmentRows(): Locator {
    return this.editor.getByTestId('commitment-row');
  }

  async removeCommitment(n: number) {
    await this.editor.getByRole('button', { name: `Remove commitment ${n}`, exact: true }).click();
  }

  /** Saves and returns to the list, which confirms it. */
  async save() {
    await this.editor.getByRole('button', { name: 'Save entry' }).click();
    await expect(this.page.getByTestId('journal-confirmation')).toHaveText('Entry saved.');
  }

  /** Deletes the entry after confirming, and returns to the list. */
  async delete() {
    await this.page.getByRole('button', { name: 'Delete entry…' }).click();
    const dialog = this.page.getByRole('dialog', { name: 'Delete this entry?' });
    await dialog.getByRole('button', { name: 'Delete entry', exact: true }).click();
    await expect(this.page.getByTestId('journal-confirmation')).toHaveText('Entry deleted.');
  }
}

/** In an integration circle's "Write a share": starts the share from one of the person's journal entries. */
export async function startShareFromJournal(page: Page, entryTitle: string | RegExp) {
  const write = page.getByRole('region', { name: 'Write a share' });
  await write.getByRole('button', { name: 'Start from a journal entry' }).click();
  const dialog = page.getByRole('dialog', { name: 'Start from a journal entry' });
  await dialog.getByRole('radio', { name: entryTitle }).check();
  await dialog.getByRole('button', { name: 'Use this entry' }).click();
  await expect(dialog).toBeHidden();
  await expect(write.getByLabel('Your share')).not.toHaveValue('');
}
