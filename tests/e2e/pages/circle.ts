import { expect, type Locator, type Page } from '@playwright/test';

export interface Reading {
  systolic: number;
  diastolic: number;
  heartRate: number;
  spo2?: number;
}

/** The facilitator's live dashboard, by the names of the live circle UI contract. */
export class DashboardPage {
  constructor(readonly page: Page) {}

  get root() {
    return this.page.getByTestId('facilitator-dashboard');
  }
  get alerts() {
    return this.page.getByRole('region', { name: 'Alerts', exact: true });
  }
  get lobby() {
    return this.page.getByRole('region', { name: 'Waiting to be let in' });
  }
  get agenda() {
    return this.page.getByRole('region', { name: 'Agenda' });
  }
  card(name: string): Locator {
    return this.page.locator(`[data-testid="participant-card"][data-name="${name}"]`);
  }
  /** Open alerts about one person that say something. */
  alert(name: string, detail: string | RegExp): Locator {
    return this.alerts.getByRole('listitem').filter({ hasText: name }).filter({ hasText: detail });
  }
  dialog(name: string | RegExp): Locator {
    return this.page.getByRole('dialog', { name });
  }
  button(name: string): Locator {
    return this.page.getByRole('button', { name, exact: true });
  }

  async cardNames(): Promise<string[]> {
    return this.page.getByTestId('participant-card').evaluateAll((els) => els.map((e) => e.getAttribute('data-name') ?? ''));
  }

  async letIn(name: string) {
    await this.lobby.getByRole('button', { name: `Let in ${name}` }).click();
    await expect(this.lobby.getByRole('button', { name: `Let in ${name}` })).toHaveCount(0);
  }

  async startSession() {
    await this.button('Start session').click();
    await expect(this.button('Start session')).toHaveCount(0);
  }

  /** Moves through the agenda until the marked segment has this title. */
  async goToSegment(title: string) {
    const current = this.agenda.locator('[aria-current="step"]');
    for (let i = 0; i < 12 && !((await current.textContent()) ?? '').includes(title); i += 1) {
      const before = await current.textContent();
      await this.agenda.getByRole('button', { name: 'Next segment' }).click();
      await expect(current).not.toHaveText(before ?? '');
    }
    await expect(current).toContainText(title);
  }

  /** Before the session starts: renames one segment through "Edit agenda". */
  async renameSegment(from: string, to: string) {
    await this.agenda.getByRole('button', { name: 'Edit agenda' }).click();
    const editor = this.agenda.getByRole('form', { name: 'Edit agenda' });
    const titles = editor.getByRole('textbox', { name: /^Title/ });
    const index = (await titles.evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value))).indexOf(from);
    expect(index).toBeGreaterThanOrEqual(0);
    await titles.nth(index).fill(to);
    await editor.getByRole('button', { name: 'Save agenda' }).click();
    await expect(editor).toHaveCount(0);
    await expect(this.agenda.getByRole('listitem').filter({ hasText: to })).toHaveCount(1);
  }

  async recordVitals(name: string, reading: Reading) {
    await this.card(name).getByRole('button', { name: 'Record vitals' }).click();
    const dialog = this.dialog(`Vitals for ${name}`);
    await dialog.getByLabel('Systolic').fill(String(reading.systolic));
    await dialog.getByLabel('Diastolic').fill(String(reading.diastolic));
    await dialog.getByLabel('Heart rate').fill(String(reading.heartRate));
    if (reading.spo2 !== undefined) await dialog.getByLabel('SpO2 (optional)').fill(String(reading.spo2));
    await dialog.getByRole('button', { name: 'Save vitals' }).click();
    await expect(dialog).toBeHidden();
    await expect(this.card(name).getByTestId('vitals')).toContainText(`${reading.systolic}/${reading.diastolic}`);
  }

  /** Records the prescribed dose (prefilled in the dialog) and returns the mg it said. */
  async recordDose(name: string, expectedMg: number) {
    const button = this.card(name).getByRole('button', { name: 'Record dose' });
    await expect(button).toBeEnabled();
    await button.click();
    const dialog = this.dialog(`Dose for ${name}`);
    await expect(dialog.getByLabel('Dose (mg)')).toHaveValue(String(expectedMg));
    await dialog.getByRole('button', { name: 'Confirm dose taken' }).click();
    await expect(dialog).toBeHidden();
    await expect(this.card(name).getByTestId('dose')).toContainText(`${expectedMg} mg`);
  }

  /** Acknowledges an alert; an urgent one (ALR3) asks for an optional note in a dialog first. */
  async acknowledge(name: string, detail: string | RegExp, note?: string) {
    const item = this.alert(name, detail);
    const urgent = (await item.getAttribute('data-urgency')) === '1' && (await item.getAttribute('data-kind')) !== 'crisis';
    await item.getByRole('button', { name: /^Acknowledge/ }).click();
    if (urgent) {
      const dialog = this.dialog('Acknowledge this alert');
      await expect(dialog).toBeVisible();
      if (note) await dialog.getByLabel(/What was done/).fill(note);
      await dialog.getByRole('button', { name: 'Acknowledge' }).click();
      await expect(dialog).toBeHidden();
    }
    await expect(item).toHaveCount(0);
  }

  /** Opens the discharge dialog and returns it (the caller reads the readiness items, then confirms). */
  async openDischarge(name: string): Promise<Locator> {
    await this.card(name).getByRole('button', { name: 'Discharge' }).click();
    const dialog = this.dialog(`Discharge ${name}`);
    await expect(dialog).toBeVisible();
    return dialog;
  }

  /** Readiness-to-leave items listed as not met in an open discharge dialog. */
  async unmetItems(dialog: Locator): Promise<string[]> {
    return dialog.locator('[data-testid="check-item"][data-state="not-met"]').evaluateAll((els) => els.map((e) => e.textContent?.replace(/\s+/g, ' ').trim() ?? ''));
  }

  async confirmDischarge(dialog: Locator, name: string, reason?: string) {
    if (reason) await dialog.getByLabel('Reason').fill(reason);
    await dialog.getByRole('button', { name: 'Confirm discharge' }).click();
    await expect(dialog).toBeHidden();
    await expect(this.card(name).getByTestId('discharged')).toBeVisible();
  }

  async openEndCircle(): Promise<Locator> {
    await this.button('End circle').click();
    const dialog = this.dialog('End this circle?');
    await expect(dialog).toBeVisible();
    return dialog;
  }
}

export type Sleep = 'Poor' | 'Fair' | 'Good';
export type GettingHome = 'Someone is driving me home' | 'My chaperone is with me' | 'Not arranged yet';

/** A participant's own screen, by the names of the live circle UI contract. */
export class ParticipantScreen {
  constructor(readonly page: Page) {}

  get root() {
    return this.page.getByTestId('participant-circle');
  }
  section(heading: string): Locator {
    return this.page.getByRole('region', { name: heading });
  }
  heading(name: string): Locator {
    return this.page.getByRole('heading', { name });
  }

  async arrivalCheckIn(answers: { mood: number; anxiety: number; sleep: Sleep; body: string; intention: string }) {
    const form = this.section('Arrival check-in');
    await form.getByLabel('Mood').fill(String(answers.mood));
    await form.getByLabel('Anxiety').fill(String(answers.anxiety));
    await form.getByRole('radio', { name: answers.sleep }).check();
    await form.getByLabel('How does your body feel?').fill(answers.body);
    await form.getByLabel('Your intention for today').fill(answers.intention);
    await form.getByRole('button', { name: 'Save check-in' }).click();
    await expect(form.getByRole('status').filter({ hasText: /Saved/ })).toBeVisible();
  }

  /** "HH:MM" some hours ago, on this device's own clock. */
  async timeHoursAgo(hours: number): Promise<string> {
    return this.page.evaluate((h) => {
      const at = new Date(Date.now() - h * 3_600_000);
      const pad = (n: number) => String(n).padStart(2, '0');
      return `${pad(at.getHours())}:${pad(at.getMinutes())}`;
    }, hours);
  }

  async predoseCheckIn(answers: { lastAteHoursAgo: number; holdsFollowed: boolean; home: GettingHome }) {
    const form = this.section('Before dosing');
    await form.getByLabel('When did you last eat?').fill(await this.timeHoursAgo(answers.lastAteHoursAgo));
    await form.getByLabel('I followed my medication holds').setChecked(answers.holdsFollowed);
    await form.getByRole('radio', { name: answers.home }).check();
    await form.getByRole('button', { name: 'Save pre-dose check-in' }).click();
    await expect(form.getByRole('status').filter({ hasText: /Saved/ })).toBeVisible();
  }

  async signal(name: "I'm okay" | 'I need support' | 'I need a break') {
    await this.page.getByRole('button', { name }).click();
  }

  async comingBack() {
    const form = this.section('Coming back');
    await form.getByLabel('I feel grounded').check();
    await form.getByLabel("I'm ready to leave").check();
    await form.getByRole('button', { name: 'Save', exact: true }).click();
    await expect(form.getByRole('status').filter({ hasText: /Saved/ })).toBeVisible();
  }
}
