import { expect, type Browser, type BrowserContext, type Page } from '@playwright/test';

export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 800 };
export const DEMO_PASSWORD = 'holdspace-demo';

/** Screens looked at by a person after each run: tests/e2e/.artifacts/screens. */
export const screenshot = (page: Page, name: string) =>
  page.screenshot({ path: new URL(`../.artifacts/screens/${name}.png`, import.meta.url).pathname, fullPage: true });

export class SignInPage {
  constructor(readonly page: Page) {}
  async goto() {
    await this.page.goto('/sign-in');
  }
  /** Signs in and waits for the page each person starts on (circles, unless told otherwise). */
  async signIn(email: string, password = DEMO_PASSWORD, landing: RegExp = /\/circles$/) {
    await this.goto();
    await this.page.getByLabel('Email').fill(email);
    await this.page.getByLabel('Password').fill(password);
    await this.page.getByRole('button', { name: 'Sign in' }).click();
    await expect(this.page).toHaveURL(landing);
  }
}

export class CirclesPage {
  constructor(readonly page: Page) {}
  async open(title: string) {
    await this.page.getByRole('link', { name: new RegExp(title) }).first().click();
    await expect(this.page).toHaveURL(/\/circles\/[0-9a-f-]{36}$/);
  }
}

export class CirclePage {
  constructor(readonly page: Page) {}
  get presence() {
    return this.page.getByTestId('presence-list');
  }
  get connection() {
    return this.page.getByTestId('connection-status');
  }
  get status() {
    return this.page.getByTestId('circle-status');
  }
  /** Display names listed as here now, in screen order. */
  async names(): Promise<string[]> {
    return this.presence.getByTestId('presence-item').evaluateAll((els) => els.map((e) => e.getAttribute('data-person-name') ?? ''));
  }
  async expectNames(names: string[], timeout = 2000) {
    await expect.poll(() => this.names(), { timeout, intervals: [50, 100, 200] }).toEqual(names);
  }
  /** The confirmation asked before opening a circle far from its scheduled time (CIR5). */
  get openOffSchedule() {
    return this.page.getByRole('dialog', { name: 'Open this circle now?' });
  }
  /** Opens the circle, confirming when it is far from its scheduled time. */
  async openCircle() {
    await this.page.getByRole('button', { name: 'Open circle' }).click();
    const opened = this.status.filter({ hasText: /^\s*open\s*$/i });
    await expect(this.openOffSchedule.or(opened)).toBeVisible();
    if (await this.openOffSchedule.isVisible()) await this.openOffSchedule.getByRole('button', { name: 'Open anyway' }).click();
  }
}

/** One person in their own browser context, as on their own device. */
export class Person {
  private constructor(
    readonly context: BrowserContext,
    readonly page: Page,
  ) {}

  static async arrive(browser: Browser, email: string, viewport = DESKTOP, landing?: RegExp, baseURL?: string): Promise<Person> {
    const person = await Person.device(browser, viewport, baseURL);
    await new SignInPage(person.page).signIn(email, DEMO_PASSWORD, landing);
    return person;
  }

  /** A device with nobody signed in yet (someone about to open an invite link). */
  static async device(browser: Browser, viewport = DESKTOP, baseURL?: string): Promise<Person> {
    const context = await browser.newContext({ viewport, ...(viewport.width < 600 ? { isMobile: true, hasTouch: true } : {}), ...(baseURL ? { baseURL } : {}) });
    const page = await context.newPage();
    return new Person(context, page);
  }

  get circles() {
    return new CirclesPage(this.page);
  }
  get circle() {
    return new CirclePage(this.page);
  }
  async enterCircle(title: string) {
    await this.circles.open(title);
    await expect(this.circle.connection).toContainText(/live/i);
  }
}
