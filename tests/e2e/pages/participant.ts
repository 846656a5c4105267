import { expect, type Page } from '@playwright/test';

/** /invite/[token]: a new person sets their password. */
export class InvitePage {
  constructor(readonly page: Page) {}

  async open(path: string, name: string) {
    await this.page.goto(path);
    const first = name.split(/\s+/)[0] ?? name;
    await expect(this.page.getByRole('heading', { level: 1, name: `Welcome, ${first}` })).toBeVisible();
  }

  async setPassword(password: string, confirm = password) {
    await this.page.getByLabel('Choose a password').fill(password);
    await this.page.getByLabel('Type it again').fill(confirm);
    await this.page.getByRole('button', { name: 'Set password and continue' }).click();
  }
}

/** /consents: each current text, signed by typing one's full name. */
export class ConsentsPage {
  constructor(readonly page: Page) {}

  consents() {
    return this.page.getByTestId('consent');
  }

  async expectProgress(signed: number, of: number) {
    await expect(this.page.getByTestId('consent-progress')).toHaveText(`${signed} of ${of} signed`);
  }

  /** Signs every text still unsigned, one after the other. */
  async signAll(fullName: string) {
    const total = await this.consents().count();
    expect(total).toBeGreaterThan(0);
    for (let i = 0; i < total; i += 1) {
      const consent = this.consents().nth(i);
      if ((await consent.getByTestId('consent-signed').count()) > 0) continue;
      await consent.getByLabel('Type your full name to sign').fill(fullName);
      await consent.getByRole('button', { name: /^Sign/ }).click();
      await expect(consent.getByTestId('consent-signed')).toContainText('Signed');
    }
    await this.expectProgress(total, total);
    await expect(this.page.getByRole('heading', { name: 'All signed. Thank you.' })).toBeVisible();
  }
}
