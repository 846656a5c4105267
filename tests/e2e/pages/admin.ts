import { expect, type Page } from '@playwright/test';

export type ConsentKindLabel = 'Consent to treatment' | 'Group confidentiality agreement';

/** /admin/consents: the current version of each text, and publishing a new one. */
export class AdminConsentsPage {
  constructor(readonly page: Page) {}

  async goto() {
    await this.page.goto('/admin/consents');
    await expect(this.page.getByRole('heading', { level: 1, name: 'Consent texts' })).toBeVisible();
  }

  kind(kind: 'treatment' | 'group_confidentiality') {
    return this.page.locator(`[data-testid="consent-kind"][data-kind="${kind}"]`);
  }

  async isPublished(kind: 'treatment' | 'group_confidentiality'): Promise<boolean> {
    await expect(this.kind(kind)).toBeVisible();
    return (await this.kind(kind).getByText('Not published yet').count()) === 0;
  }

  async publish(kind: ConsentKindLabel, title: string, body: string) {
    await this.page.getByRole('radio', { name: kind }).check();
    await this.page.getByLabel('Title').fill(title);
    await this.page.getByLabel('Full text').fill(body);
    await this.page.getByRole('button', { name: 'Publish this version' }).click();
    await expect(this.page.getByRole('status').filter({ hasText: 'is now current' })).toBeVisible();
  }
}

export interface ProgramCircle {
  kind: 'Preparation circle' | 'Dosing circle' | 'Integration circle' | 'Follow-up circle';
  title: string;
  date: string;
  time: string;
}

export interface NewCohort {
  name: string;
  capacity: number;
  format: 'In person' | 'Online' | 'Hybrid';
  location: string;
  jurisdiction: string;
  timeZone: string;
  facilitators: string[];
  program: ProgramCircle[];
}

/** /admin/cohorts/new: the cohort form with its program editor. */
export class NewCohortPage {
  constructor(readonly page: Page) {}

  async goto() {
    await this.page.goto('/admin/cohorts');
    await this.page.getByRole('link', { name: 'New cohort' }).click();
    await expect(this.page.getByRole('heading', { level: 1, name: 'New cohort' })).toBeVisible();
  }

  rows() {
    return this.page.getByTestId('program-row');
  }

  async fillBasics(cohort: NewCohort) {
    const page = this.page;
    await page.getByLabel('Name', { exact: true }).fill(cohort.name);
    await page.getByLabel('Places').fill(String(cohort.capacity));
    await page.getByLabel('Time zone').selectOption(cohort.timeZone);
    await page.getByRole('radio', { name: new RegExp(`^${cohort.format}`) }).check();
    await page.getByLabel('Location').fill(cohort.location);
    await page.getByLabel('Jurisdiction').fill(cohort.jurisdiction);
    for (const name of cohort.facilitators) await page.getByRole('checkbox', { name }).check();
  }

  /** Fills row n (1-based) of the program. */
  async fillRow(n: number, circle: ProgramCircle) {
    const page = this.page;
    await page.getByLabel(`Kind of circle ${n}`).selectOption({ label: circle.kind });
    await page.getByLabel(`Title of circle ${n}`).fill(circle.title);
    await page.getByLabel(`Date of circle ${n}`).fill(circle.date);
    await page.getByLabel(`Time of circle ${n}`).fill(circle.time);
  }

  async create(): Promise<string> {
    await this.page.getByRole('button', { name: 'Create cohort' }).click();
    await expect(this.page).toHaveURL(/\/admin\/cohorts\/[0-9a-f-]{36}$/);
    return new URL(this.page.url()).pathname.split('/').at(-1) ?? '';
  }
}

/** /admin/participants: adding people and reading the invite link the page shows. */
export class AdminParticipantsPage {
  constructor(readonly page: Page) {}

  async goto() {
    await this.page.goto('/admin/participants');
    await expect(this.page.getByRole('heading', { level: 1, name: 'Participants' })).toBeVisible();
  }

  /** Adds a participant; returns the path of their invite link (/invite/<token>). */
  async add(name: string, email: string): Promise<string> {
    const page = this.page;
    await page.getByRole('button', { name: 'Add a participant' }).click();
    await page.getByLabel('Full name').fill(name);
    await page.getByLabel('Email').fill(email);
    await page.getByRole('button', { name: 'Add and create invite' }).click();
    const card = page.getByTestId('invite-card');
    await expect(card.getByRole('heading', { name: `Invite for ${name}` })).toBeVisible();
    await expect(card.getByRole('img', { name: /QR code/ })).toBeVisible();
    const url = await card.getByTestId('invite-url').inputValue();
    expect(url).toMatch(/\/invite\/[A-Za-z0-9_-]{20,}$/);
    return new URL(url).pathname;
  }
}

/** /admin/cohorts/[id]: enrolling people and the roster with readiness. */
export class AdminCohortPage {
  constructor(readonly page: Page) {}

  async goto(cohortId: string) {
    await this.page.goto(`/admin/cohorts/${cohortId}`);
    await expect(this.page.getByRole('heading', { level: 2, name: 'Roster and readiness' })).toBeVisible();
  }

  async enroll(name: string, displayName: string) {
    const page = this.page;
    const select = page.getByLabel('Participant', { exact: true });
    const option = select.locator('option', { hasText: name });
    await expect(option).toHaveCount(1);
    await select.selectOption({ value: (await option.getAttribute('value')) ?? '' });
    await page.getByLabel('Display name in the group').fill(displayName);
    await page.getByRole('button', { name: 'Enroll', exact: true }).click();
    await expect(page.getByRole('status').filter({ hasText: `${name} is enrolled as ${displayName}.` })).toBeVisible();
    await expect(this.entry(name)).toBeVisible();
  }

  entry(name: string) {
    return this.page.locator(`[data-testid="roster-entry"][data-name="${name}"]`);
  }
}

/** The roster as anyone on staff sees it: one row per person, with readiness badges. */
export async function expectReadiness(
  page: Page,
  name: string,
  expected: { consent: RegExp | string; clearance: RegExp | string; clearedUntil?: string; mayBeDosed: boolean },
) {
  const entry = page.locator(`[data-testid="roster-entry"][data-name="${name}"]`);
  await expect(entry.getByTestId('badge-consent')).toContainText(expected.consent);
  await expect(entry.getByTestId('badge-clearance')).toContainText(expected.clearance);
  if (expected.clearedUntil) await expect(entry.getByTestId('badge-clearance')).toHaveAttribute('data-until', expected.clearedUntil);
  await expect(entry.getByTestId('dose-status')).toHaveText(expected.mayBeDosed ? 'May be dosed' : 'Not ready to dose');
  await expect(entry).toHaveAttribute('data-may-be-dosed', String(expected.mayBeDosed));
}
