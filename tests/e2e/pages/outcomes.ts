import { readFile } from 'node:fs/promises';
import { expect, type Download, type Locator, type Page } from '@playwright/test';

export type InstrumentId = 'phq9' | 'gad7' | 'pcl5';
export type PointStatus = 'done' | 'due' | 'overdue' | 'missed' | 'upcoming';
export type CohortCsvLabel = 'Scores (CSV)' | 'Attendance (CSV)' | 'Adverse events (CSV)';

/** One plotted score as the chart draws it: `<circle data-score data-band>`. */
export interface PlottedScore {
  score: number;
  band: string;
}

async function plotted(points: Locator): Promise<PlottedScore[]> {
  return points.evaluateAll((els) => els.map((e) => ({ score: Number(e.getAttribute('data-score')), band: e.getAttribute('data-band') ?? '' })));
}

/** Clicks a button that hands the browser a file, and returns the download. */
async function download(page: Page, button: Locator): Promise<Download> {
  const [file] = await Promise.all([page.waitForEvent('download'), button.click()]);
  return file;
}

/** The safety-alert banner at the top of every page, for clinicians (facilitators and prescribers). */
export class SafetyBanner {
  constructor(readonly page: Page) {}

  get root() {
    return this.page.getByTestId('safety-banner');
  }
  /** The lines of the banner, newest first (at most three; the rest are counted). */
  get lines() {
    return this.root.getByTestId('safety-banner-alert');
  }
  /** What screen readers were last told (an assertive live region). */
  get announcement() {
    return this.page.getByTestId('safety-announcement');
  }

  /** Waits for a banner line saying this, by default within the 2 seconds an alert may take to arrive. */
  async expectAlert(text: string | RegExp, timeout = 2000) {
    await expect(this.lines.filter({ hasText: text })).toHaveCount(1, { timeout });
  }

  async expectNone() {
    await expect(this.root).toHaveCount(0);
  }

  /** Follows "Review" to the alerts page. */
  async review() {
    await this.root.getByRole('link', { name: /^Review/ }).click();
    await expect(this.page).toHaveURL(/\/alerts$/);
  }
}

/** /alerts: open safety alerts first, then acknowledged ones; acknowledging asks what was done. */
export class SafetyAlertsPage {
  constructor(readonly page: Page) {}

  async goto() {
    await this.page.goto('/alerts');
    await expect(this.page.getByRole('heading', { level: 1, name: 'Safety alerts' })).toBeVisible();
  }

  get openList() {
    return this.page.getByTestId('open-alerts').getByTestId('safety-alert');
  }
  get acknowledgedList() {
    return this.page.getByTestId('acknowledged-alerts').getByTestId('safety-alert');
  }
  /** Open alerts about a person, by their name. */
  open(name: string): Locator {
    return this.openList.filter({ has: this.page.getByRole('heading', { name }) });
  }
  acknowledged(name: string): Locator {
    return this.acknowledgedList.filter({ has: this.page.getByRole('heading', { name }) });
  }
  get dialog() {
    return this.page.getByRole('dialog', { name: 'Acknowledge this safety alert' });
  }

  /** Opens the dialog for the newest open alert about this person. */
  async startAcknowledging(name: string) {
    await this.open(name).first().getByRole('button', { name: /^Acknowledge/ }).click();
    await expect(this.dialog).toBeVisible();
  }

  /** Records what was done (at least 10 characters) and waits for the alert to move to the acknowledged ones. */
  async acknowledge(name: string, note: string) {
    const before = await this.open(name).count();
    await this.startAcknowledging(name);
    await this.dialog.getByLabel('What was done?').fill(note);
    await this.dialog.getByRole('button', { name: 'Acknowledge', exact: true }).click();
    await expect(this.dialog).toBeHidden();
    await expect(this.page.getByRole('status').filter({ hasText: `The alert about ${name} is acknowledged.` })).toBeVisible();
    await expect(this.open(name)).toHaveCount(before - 1);
    await expect(this.acknowledged(name).filter({ hasText: note })).toHaveCount(1);
  }

  /** Tries to send the dialog as it is; returns the error shown beside the note. */
  async submitExpectingError(): Promise<string> {
    await this.dialog.getByRole('button', { name: 'Acknowledge', exact: true }).click();
    const error = this.dialog.locator('#acknowledge-note-error');
    await expect(error).toBeVisible();
    return (await error.textContent())?.trim() ?? '';
  }
}

/** /participants/[userId]/outcomes: one person's trends, changes, answers and safety alerts. */
export class ParticipantOutcomesPage {
  constructor(readonly page: Page) {}

  async goto(userId: string, name?: string) {
    await this.page.goto(`/participants/${userId}/outcomes`);
    await expect(this.page.getByRole('heading', { level: 1, ...(name ? { name } : {}) })).toBeVisible();
  }

  /** One instrument's card in one cohort (the first cohort when the person is in several). */
  trend(instrument: InstrumentId): Locator {
    return this.page.locator(`[data-testid="instrument-trend"][data-instrument="${instrument}"]`).first();
  }
  /** The scores plotted on an instrument's chart, oldest first. */
  async points(instrument: InstrumentId): Promise<PlottedScore[]> {
    return plotted(this.trend(instrument).getByTestId('trend-point'));
  }
  /** The same scores as the table under the chart lists them. */
  async tableScores(instrument: InstrumentId): Promise<PlottedScore[]> {
    return this.trend(instrument)
      .getByTestId('trend-row')
      .evaluateAll((els) => els.map((e) => ({ score: Number(e.getAttribute('data-score')), band: e.getAttribute('data-band') ?? '' })));
  }
  /** Baseline to latest, in words; with the response and remission marks when they apply. */
  change(instrument: InstrumentId): Locator {
    return this.trend(instrument).getByTestId('change');
  }
  responseMark(instrument: InstrumentId): Locator {
    return this.trend(instrument).getByTestId('response-mark');
  }
  remissionMark(instrument: InstrumentId): Locator {
    return this.trend(instrument).getByTestId('remission-mark');
  }
  get safetyAlerts() {
    return this.page.getByTestId('participant-alerts').getByTestId('safety-alert');
  }
  /** The answered questionnaires, newest first. */
  get responses() {
    return this.page.getByTestId('response-answers');
  }
  /** Opens the n-th response (0 = newest) and returns each question's answer in words, in question order. */
  async answersOf(index: number): Promise<string[]> {
    const response = this.responses.nth(index);
    await response.locator('summary').click();
    return response.getByTestId('response-item').locator('.answer').allInnerTexts();
  }
  get fhirButton() {
    return this.page.getByRole('button', { name: 'Download FHIR bundle' });
  }
  /** Downloads the FHIR bundle and returns it parsed. */
  async downloadFhir(): Promise<{ resourceType: string; [key: string]: unknown }> {
    const file = await download(this.page, this.fhirButton);
    return JSON.parse(await readFile(await file.path(), 'utf8')) as { resourceType: string };
  }
}

/** /cohorts/[cohortId]/outcomes: a cohort's summary, means, participants, attendance and exports. */
export class CohortOutcomesPage {
  constructor(readonly page: Page) {}

  async goto(cohortId: string, name?: string) {
    await this.page.goto(`/cohorts/${cohortId}/outcomes`);
    await expect(this.page.getByRole('heading', { level: 1, ...(name ? { name } : {}) })).toBeVisible();
  }

  /** Follows a cohort card's or a cohort page's "Outcomes and attendance" link. */
  async openFrom(link: Locator) {
    await link.click();
    await expect(this.page).toHaveURL(/\/cohorts\/[0-9a-f-]{36}\/outcomes$/);
  }

  summaryRow(instrument: InstrumentId): Locator {
    return this.page.locator(`[data-testid="summary-row"][data-instrument="${instrument}"]`);
  }
  /** The cohort's mean at each assessment point, as plotted. */
  async means(instrument: InstrumentId): Promise<PlottedScore[]> {
    return plotted(this.page.locator(`[data-testid="cohort-means"][data-instrument="${instrument}"]`).getByTestId('mean-point'));
  }
  participant(displayName: string): Locator {
    return this.page.locator(`[data-testid="participant-row"][data-display-name="${displayName}"]`);
  }
  /** A participant's latest score and band on an instrument; null before any answer. */
  async latest(displayName: string, instrument: InstrumentId): Promise<PlottedScore | null> {
    const cell = this.participant(displayName).locator(`[data-testid="latest"][data-instrument="${instrument}"]`);
    const score = await cell.getAttribute('data-score');
    return score ? { score: Number(score), band: (await cell.getAttribute('data-band')) ?? '' } : null;
  }
  /** Where a participant stands at each assessment point, in the schedule's order. */
  async progress(displayName: string): Promise<PointStatus[]> {
    return this.participant(displayName)
      .getByTestId('progress')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-status') as PointStatus));
  }
  async openSafetyAlerts(displayName: string): Promise<number> {
    return Number(await this.participant(displayName).getAttribute('data-open-alerts'));
  }
  /** Goes to one participant's outcomes page from their row. */
  async openParticipant(displayName: string) {
    await this.participant(displayName).getByRole('link').click();
    await expect(this.page).toHaveURL(/\/participants\/[0-9a-f-]{36}\/outcomes$/);
  }
  /** A participant's attendance at each circle (attended, arrived, absent, not_held), in date order. */
  async attendance(displayName: string): Promise<{ status: string; dosed: boolean }[]> {
    return this.page
      .locator(`[data-testid="attendance-row"][data-display-name="${displayName}"]`)
      .getByTestId('attendance-cell')
      .evaluateAll((els) => els.map((e) => ({ status: e.getAttribute('data-status') ?? '', dosed: e.getAttribute('data-dosed') === 'true' })));
  }
  exportButton(label: CohortCsvLabel): Locator {
    return this.page.getByRole('button', { name: label });
  }
  /** Downloads one of the CSV exports and returns its text. */
  async exportCsv(label: CohortCsvLabel): Promise<{ filename: string; text: string }> {
    const file = await download(this.page, this.exportButton(label));
    return { filename: file.suggestedFilename(), text: await readFile(await file.path(), 'utf8') };
  }
}

/** /admin/outcomes: every cohort's attendance and change, with a bar chart per questionnaire. */
export class ClinicOutcomesPage {
  constructor(readonly page: Page) {}

  async goto() {
    await this.page.goto('/admin/outcomes');
    await expect(this.page.getByRole('heading', { level: 1, name: 'Outcomes' })).toBeVisible();
  }

  cohort(name: string): Locator {
    return this.page.locator(`[data-testid="overview-row"][data-cohort="${name}"]`);
  }
  async attendanceRate(name: string): Promise<string> {
    return ((await this.cohort(name).getByTestId('attendance-rate').textContent()) ?? '').trim();
  }
  /** Each cohort's mean change on an instrument, as its bar chart draws it ("−6.2"). */
  async bars(instrument: InstrumentId = 'phq9'): Promise<{ cohort: string; change: string }[]> {
    return this.page
      .locator(`[data-testid="instrument-overview"][data-instrument="${instrument}"]`)
      .getByTestId('change-bar')
      .evaluateAll((els) => els.map((e) => ({ cohort: e.getAttribute('data-cohort') ?? '', change: e.getAttribute('data-change') ?? '' })));
  }
  async openCohort(name: string) {
    await this.cohort(name).getByRole('link', { name }).click();
    await expect(this.page).toHaveURL(/\/cohorts\/[0-9a-f-]{36}\/outcomes$/);
  }
}

export interface OutcomeSettings {
  pcl5: boolean;
  followUpDays: number;
}

/** The questionnaire settings of a cohort: on the new-cohort form (sent with it) and on the cohort's own page. */
export class OutcomeSettingsForm {
  constructor(readonly page: Page) {}

  get pcl5() {
    return this.page.getByRole('checkbox', { name: 'Also give the PCL-5 (PTSD)' });
  }
  get followUpDays() {
    return this.page.getByLabel('Follow-up after the last circle (days)');
  }

  async fill(settings: Partial<OutcomeSettings>) {
    if (settings.pcl5 !== undefined) await this.pcl5.setChecked(settings.pcl5);
    if (settings.followUpDays !== undefined) await this.followUpDays.fill(String(settings.followUpDays));
  }

  async read(): Promise<OutcomeSettings> {
    return { pcl5: await this.pcl5.isChecked(), followUpDays: Number(await this.followUpDays.inputValue()) };
  }

  /** On a cohort's page: saves them on their own. */
  async save(settings: Partial<OutcomeSettings>) {
    await this.fill(settings);
    await this.page.getByRole('button', { name: 'Save questionnaire settings' }).click();
    await expect(this.page.getByRole('status').filter({ hasText: 'Questionnaire settings saved.' })).toBeVisible();
  }
}

export interface CrisisLine {
  label: string;
  description?: string;
  phone?: string;
  sms?: string;
  url?: string;
}

/** /admin/settings: the clinic's crisis lines, shown to participants who may be at risk. */
export class CrisisLinesSettings {
  constructor(readonly page: Page) {}

  async goto() {
    await this.page.goto('/admin/settings');
    await expect(this.page.getByRole('heading', { name: 'Crisis lines' })).toBeVisible();
  }

  get lines() {
    return this.page.getByTestId('crisis-line');
  }

  /** Fills crisis line n (1-based); fields left out are cleared. */
  async fillLine(n: number, line: CrisisLine) {
    const page = this.page;
    await page.getByLabel(`Name of crisis line ${n}`, { exact: true }).fill(line.label);
    await page.getByLabel(`Phone of crisis line ${n}`).fill(line.phone ?? '');
    await page.getByLabel(`Text messages of crisis line ${n}`).fill(line.sms ?? '');
    await page.getByLabel(`What it offers of crisis line ${n}`).fill(line.description ?? '');
    await page.getByLabel(`Web address of crisis line ${n}`).fill(line.url ?? '');
  }

  async addLine(line: CrisisLine) {
    await this.page.getByRole('button', { name: 'Add a crisis line' }).click();
    await this.fillLine(await this.lines.count(), line);
  }

  async removeLine(n: number) {
    await this.page.getByRole('button', { name: new RegExp(`^Remove crisis line ${n},`) }).click();
  }

  /** Saves every clinic setting and waits for the confirmation. */
  async save() {
    await this.page.getByRole('button', { name: 'Save settings' }).click();
    await expect(this.page.getByRole('status').filter({ hasText: 'Settings saved.' })).toBeVisible();
  }

  /** What the form holds now, line by line. */
  async read(): Promise<CrisisLine[]> {
    await expect(this.lines.first()).toBeVisible();
    const out: CrisisLine[] = [];
    const count = await this.lines.count();
    for (let n = 1; n <= count; n += 1) {
      const page = this.page;
      out.push({
        label: await page.getByLabel(`Name of crisis line ${n}`, { exact: true }).inputValue(),
        phone: await page.getByLabel(`Phone of crisis line ${n}`).inputValue(),
        sms: await page.getByLabel(`Text messages of crisis line ${n}`).inputValue(),
        description: await page.getByLabel(`What it offers of crisis line ${n}`).inputValue(),
        url: await page.getByLabel(`Web address of crisis line ${n}`).inputValue(),
      });
    }
    return out;
  }
}

/** On a facilitator's live dashboard: a crisis alert (a questionnaire answer that needs a clinician now) about someone. */
export function crisisAlert(page: Page, displayName: string): Locator {
  return page.getByRole('region', { name: 'Alerts', exact: true }).locator('[data-testid="alert"][data-kind="crisis"]').filter({ hasText: displayName });
}

/** The questionnaires badge of a roster entry ("No questionnaires due", "Questionnaires late"). */
export function questionnairesBadge(page: Page, displayName: string): Locator {
  return page.locator(`[data-testid="roster-entry"][data-display-name="${displayName}"]`).getByTestId('badge-questionnaires');
}
