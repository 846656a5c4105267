import { expect, type Page } from '@playwright/test';

/** The contraindications as the form labels them (from the domain's checklist). */
export const contraindicationLabels = [
  'Uncontrolled hypertension',
  'Recent heart attack or stroke',
  'Unstable angina',
  'Arrhythmia',
  'Aneurysmal vascular disease',
  'Pregnancy or breastfeeding',
  'Active psychosis, mania, or primary dissociative disorder',
  'Current opioid or stimulant use, or active substance misuse',
  'Uncontrolled hyperthyroidism',
  'Raised intracranial pressure, glaucoma, or seizure disorder',
  'Liver or bladder disease',
  'Ketamine allergy',
] as const;

export interface Clearance {
  present?: (typeof contraindicationLabels)[number][];
  decision: 'Cleared' | 'Not cleared' | 'Needs review';
  notes?: string;
  validUntil?: string;
  doseMg?: number;
  booster?: { doseMg: number; from: number; to: number };
  holds?: { medication: string; hours: number; notes?: string }[];
  emergencyContact: { name: string; phone: string; relationship?: string };
}

/** /screening and /screening/[userId]: the prescriber's queue and clearance form. */
export class ScreeningPage {
  constructor(readonly page: Page) {}

  async openFromQueue(name: string) {
    await this.page.goto('/screening');
    await this.page.getByRole('link', { name, exact: true }).click();
    await expect(this.page.getByRole('heading', { level: 1, name })).toBeVisible();
  }

  signButton() {
    return this.page.getByRole('button', { name: 'Sign clearance' });
  }

  needs() {
    return this.page.getByTestId('sign-needs');
  }

  answerRadio(label: string, present: boolean) {
    return this.page.getByRole('radiogroup', { name: label, exact: true }).getByRole('radio', { name: present ? 'Yes' : 'No', exact: true });
  }

  async answer(label: string, present: boolean) {
    await this.answerRadio(label, present).check();
  }

  async fill(c: Clearance) {
    const page = this.page;
    for (const label of contraindicationLabels) await this.answer(label, c.present?.includes(label) ?? false);
    await page.getByRole('radio', { name: new RegExp(`^${c.decision}`) }).check();
    if (c.notes) await page.getByLabel(/^Notes/).fill(c.notes);
    if (c.decision === 'Cleared') {
      if (c.validUntil) await page.getByLabel('Valid until').fill(c.validUntil);
      if (c.doseMg !== undefined) await page.getByLabel('Dose (mg)', { exact: true }).fill(String(c.doseMg));
      if (c.booster) {
        await page.getByLabel(/^Booster dose/).fill(String(c.booster.doseMg));
        await page.getByLabel('From', { exact: true }).fill(String(c.booster.from));
        await page.getByLabel('To', { exact: true }).fill(String(c.booster.to));
      }
    }
    for (const [i, hold] of (c.holds ?? []).entries()) {
      await page.getByRole('button', { name: 'Add a medication hold' }).click();
      await page.getByLabel(`Medication in hold ${i + 1}`).fill(hold.medication);
      await page.getByLabel(`Hold (hours before) in hold ${i + 1}`).fill(String(hold.hours));
      if (hold.notes) await page.getByLabel(`Notes in hold ${i + 1}`).fill(hold.notes);
    }
    await page.getByLabel('Name of the emergency contact').fill(c.emergencyContact.name);
    await page.getByLabel('Phone of the emergency contact').fill(c.emergencyContact.phone);
    if (c.emergencyContact.relationship) await page.getByLabel(/^Relationship of the emergency contact/).fill(c.emergencyContact.relationship);
  }

  async sign(version = 1) {
    await expect(this.needs()).toHaveCount(0);
    await expect(this.signButton()).toHaveAttribute('aria-disabled', 'false');
    await this.signButton().click();
    await expect(this.page.getByTestId('signed-message')).toHaveText(`Version ${version} signed and locked.`);
    await expect(this.page.getByTestId('screening-version').first()).toContainText(`Version ${version} (latest)`);
  }
}
