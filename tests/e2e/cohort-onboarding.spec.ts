import { expect, test } from '@playwright/test';
import { AdminCohortPage, AdminConsentsPage, AdminParticipantsPage, NewCohortPage, expectReadiness } from './pages/admin';
import { ConsentsPage, InvitePage } from './pages/participant';
import { DESKTOP, PHONE, Person, screenshot } from './pages/people';
import { ScreeningPage } from './pages/screening';

const ADMIN = 'admin@demo.holdspace.example';
const PRESCRIBER = 'dr.lindqvist@demo.holdspace.example';
const FACILITATOR = 'maya@demo.holdspace.example';

/** A calendar date (yyyy-mm-dd) some days from today. */
function day(offset: number): string {
  const d = new Date();
  d.setDate(d.getDate() + offset);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

const run = Date.now().toString(36);
const newcomers = [
  { name: 'Noor Haddad', displayName: 'Noor', email: `noor.${run}@example.test`, password: 'quiet-river-stones' },
  { name: 'Tomás Rivera', displayName: 'Tomás', email: `tomas.${run}@example.test`, password: 'morning-cedar-path' },
  { name: 'Ines Kovač', displayName: 'Ines', email: `ines.${run}@example.test`, password: 'slow-tide-lantern' },
] as const;

test('an admin sets up a cohort, three new people join from their phones, the prescriber decides, and the roster shows who may be dosed', async ({ browser }) => {
  test.setTimeout(240_000);

  // ── The clinic admin ────────────────────────────────────────────────────────────────────────────────────────
  const admin = await Person.arrive(browser, ADMIN, DESKTOP, /\/admin\/cohorts$/);
  await screenshot(admin.page, 'onboarding-01-admin-cohorts-desktop');

  const consents = new AdminConsentsPage(admin.page);
  await consents.goto();
  if (!(await consents.isPublished('treatment'))) {
    await consents.publish(
      'Consent to treatment',
      'Consent to ketamine-assisted group therapy',
      'I understand what ketamine-assisted therapy involves, its known risks and side effects, and that I can stop at any time.\n\nI will follow the preparation and aftercare instructions, including not driving until the next day.',
    );
  }
  if (!(await consents.isPublished('group_confidentiality'))) {
    await consents.publish(
      'Group confidentiality agreement',
      'Group confidentiality',
      'What others share in the group stays in the group. I will not record sessions or share anything that identifies another member.',
    );
  }
  await expect(consents.kind('treatment')).toContainText(/Version \d+, current/);
  await expect(consents.kind('group_confidentiality')).toContainText(/Version \d+, current/);
  await screenshot(admin.page, 'onboarding-02-admin-consents-desktop');

  // A cohort with a program: start from the template, try the editor, then set the real dates.
  const newCohort = new NewCohortPage(admin.page);
  await newCohort.goto();
  await expect(newCohort.rows()).toHaveCount(4);
  // Clicking Create with nothing filled in shows the problems beside their fields.
  await admin.page.getByRole('button', { name: 'Create cohort' }).click();
  await expect(admin.page.getByLabel('Name', { exact: true })).toHaveAttribute('aria-invalid', 'true');
  await expect(admin.page.getByLabel('Name', { exact: true })).toBeFocused();
  await expect(admin.page.locator('#cohort-facilitators-error')).toContainText('Choose one or two facilitators');
  await screenshot(admin.page, 'onboarding-03-new-cohort-errors-desktop');

  const cohortName = `Spring evening cohort ${run}`;
  await newCohort.fillBasics({
    name: cohortName,
    capacity: 6,
    format: 'Hybrid',
    location: 'Stillwater Clinic, Room 2',
    jurisdiction: 'Sweden',
    timeZone: 'Europe/Stockholm',
    facilitators: ['Maya Okafor'],
    program: [],
  });
  await admin.page.getByRole('button', { name: 'Add a circle' }).click();
  await expect(newCohort.rows()).toHaveCount(5);
  await expect(admin.page.getByLabel('Kind of circle 5')).toBeFocused();
  await admin.page.getByLabel('Title of circle 5').fill('Second dosing circle');
  await admin.page.getByRole('button', { name: 'Move circle 5, Second dosing circle, up' }).click();
  await expect(admin.page.getByLabel('Title of circle 4')).toHaveValue('Second dosing circle');
  await expect(admin.page.getByRole('button', { name: 'Move circle 4, Second dosing circle, up' })).toBeFocused();
  await admin.page.getByRole('button', { name: 'Remove circle 4, Second dosing circle' }).click();
  await expect(newCohort.rows()).toHaveCount(4);
  const program = [
    { kind: 'Preparation circle', title: 'Preparation circle', date: day(7), time: '17:30' },
    { kind: 'Dosing circle', title: 'Dosing circle 1', date: day(14), time: '10:00' },
    { kind: 'Integration circle', title: 'Integration circle 1', date: day(16), time: '17:30' },
    { kind: 'Follow-up circle', title: 'Follow-up circle', date: day(42), time: '17:30' },
  ] as const;
  for (const [i, circle] of program.entries()) await newCohort.fillRow(i + 1, circle);
  await screenshot(admin.page, 'onboarding-04-new-cohort-filled-desktop');
  await admin.page.setViewportSize(PHONE);
  await screenshot(admin.page, 'onboarding-04b-new-cohort-filled-phone');
  await admin.page.setViewportSize(DESKTOP);
  const cohortId = await newCohort.create();
  const cohortPage = new AdminCohortPage(admin.page);
  await expect(admin.page.getByRole('heading', { level: 1, name: cohortName })).toBeVisible();
  const programList = admin.page.getByTestId('program');
  for (const circle of program) await expect(programList).toContainText(circle.title);
  await expect(admin.page.getByText('Maya Okafor')).toBeVisible();

  // Three new participants, each with an invite, each enrolled under a display name.
  const participants = new AdminParticipantsPage(admin.page);
  const invites: string[] = [];
  for (const [i, person] of newcomers.entries()) {
    await participants.goto();
    invites.push(await participants.add(person.name, person.email));
    if (i === 0) {
      await screenshot(admin.page, 'onboarding-05-participant-invite-desktop');
      await admin.page.setViewportSize(PHONE);
      await screenshot(admin.page, 'onboarding-05b-participant-invite-phone');
      await admin.page.setViewportSize(DESKTOP);
    }
  }
  await cohortPage.goto(cohortId);
  for (const person of newcomers) await cohortPage.enroll(person.name, person.displayName);
  for (const person of newcomers) {
    await expectReadiness(admin.page, person.name, { consent: 'Consents not signed', clearance: 'No clearance', mayBeDosed: false });
    await expect(cohortPage.entry(person.name)).toContainText('Invite not accepted yet');
  }
  await screenshot(admin.page, 'onboarding-06-cohort-enrolled-desktop');

  // ── Each newcomer, on their own phone ───────────────────────────────────────────────────────────────────────
  for (const [i, person] of newcomers.entries()) {
    const phone = await Person.device(browser, PHONE);
    const invite = new InvitePage(phone.page);
    await invite.open(invites[i] ?? '', person.name);
    if (i === 0) {
      await screenshot(phone.page, 'onboarding-07-invite-phone');
      // The confirmation is checked before anything is sent.
      await invite.setPassword(person.password, `${person.password}x`);
      await expect(phone.page.getByLabel('Type it again')).toHaveAttribute('aria-invalid', 'true');
      await expect(phone.page.getByLabel('Type it again')).toBeFocused();
      await expect(phone.page.locator('#confirm-error')).toContainText('not the same');
      await screenshot(phone.page, 'onboarding-08-invite-mismatch-phone');
    }
    await invite.setPassword(person.password);
    await expect(phone.page).toHaveURL(/\/consents$/);
    const signing = new ConsentsPage(phone.page);
    await expect(signing.consents()).toHaveCount(2);
    await signing.expectProgress(0, 2);
    if (i === 0) {
      await screenshot(phone.page, 'onboarding-09-consents-phone');
      // The circles page reminds them until both are signed.
      await phone.page.getByRole('button', { name: 'Menu' }).click();
      await screenshot(phone.page, 'onboarding-10-menu-phone');
      await phone.page.getByRole('link', { name: 'Circles' }).click();
      await expect(phone.page.getByTestId('consents-due')).toContainText('2 consents to sign');
      await screenshot(phone.page, 'onboarding-11-circles-consents-due-phone');
      await phone.page.getByRole('link', { name: 'Read and sign' }).click();
      await expect(phone.page).toHaveURL(/\/consents$/);
    }
    await signing.signAll(person.name);
    if (i === 0) {
      await screenshot(phone.page, 'onboarding-12-consents-signed-phone');
      await phone.page.getByRole('link', { name: 'Go to your circles' }).click();
      await expect(phone.page.getByRole('heading', { level: 1, name: 'Your circles' })).toBeVisible();
      await expect(phone.page.getByTestId('consents-due')).toHaveCount(0);
      await screenshot(phone.page, 'onboarding-13-circles-phone');
    }
    await phone.context.close();
  }

  // ── The prescriber ──────────────────────────────────────────────────────────────────────────────────────────
  const prescriber = await Person.arrive(browser, PRESCRIBER, DESKTOP, /\/screening$/);
  await expect(prescriber.page.locator(`[data-testid="queue-entry"][data-name="${newcomers[0].name}"]`)).toHaveAttribute('data-clearance', 'missing');
  await screenshot(prescriber.page, 'onboarding-14-screening-queue-desktop');
  const screening = new ScreeningPage(prescriber.page);

  // Noor: a complete clearance, after first trying to sign an empty form.
  await screening.openFromQueue(newcomers[0].name);
  await expect(prescriber.page.getByRole('radio', { name: 'No', exact: true, checked: true })).toHaveCount(0);
  await expect(screening.needs()).toContainText('Answer every contraindication (none answered yet).');
  await expect(screening.needs()).toContainText('Choose a decision.');
  await expect(screening.needs()).toContainText('An emergency contact is required');
  // The button says it cannot sign yet (aria-disabled); pressing it anyway shows every problem and sends nothing.
  await expect(screening.signButton()).toHaveAttribute('aria-disabled', 'true');
  await screening.signButton().click({ force: true });
  await expect(prescriber.page.getByRole('radiogroup', { name: 'Uncontrolled hypertension', exact: true }).getByRole('radio', { name: 'Yes' })).toBeFocused();
  await expect(prescriber.page.getByTestId('screening-version')).toHaveCount(0);
  await screenshot(prescriber.page, 'onboarding-15-screening-incomplete-desktop');
  const validUntil = day(90);
  await screening.fill({
    decision: 'Cleared',
    notes: 'Screened in person; blood pressure well controlled.',
    validUntil,
    doseMg: 200,
    holds: [{ medication: 'Lorazepam', hours: 24, notes: 'Resume the evening after dosing' }],
    emergencyContact: { name: 'Sami Haddad', phone: '+46 70 123 45 67', relationship: 'Brother' },
  });
  await screenshot(prescriber.page, 'onboarding-16-screening-filled-desktop');
  await screening.sign();
  await screenshot(prescriber.page, 'onboarding-17-screening-signed-desktop');

  // Tomás: cleared, with a booster.
  await screening.openFromQueue(newcomers[1].name);
  await screening.fill({
    decision: 'Cleared',
    validUntil,
    doseMg: 150,
    booster: { doseMg: 50, from: 20, to: 40 },
    emergencyContact: { name: 'Lucía Rivera', phone: '+46 70 555 12 12', relationship: 'Partner' },
  });
  await screening.sign();

  // Ines: not cleared, with the reason in the notes.
  await screening.openFromQueue(newcomers[2].name);
  await screening.fill({
    present: ['Pregnancy or breastfeeding'],
    decision: 'Not cleared',
    notes: 'Currently breastfeeding. Revisit in six months.',
    emergencyContact: { name: 'Marko Kovač', phone: '+46 70 987 65 43' },
  });
  await screening.sign();
  await prescriber.page.setViewportSize(PHONE);
  await screenshot(prescriber.page, 'onboarding-18-screening-declined-phone');
  await prescriber.page.setViewportSize(DESKTOP);

  // A signed version is locked; a new one starts from it.
  await prescriber.page.getByRole('button', { name: 'Record a new version' }).click();
  await expect(screening.answerRadio('Pregnancy or breastfeeding', true)).toBeChecked();
  await expect(prescriber.page.getByRole('radio', { name: /^Not cleared/ })).toBeChecked();
  await prescriber.page.getByRole('button', { name: 'Cancel' }).click();

  await prescriber.page.goto('/screening');
  await expect(prescriber.page.locator(`[data-testid="queue-entry"][data-name="${newcomers[0].name}"]`)).toHaveAttribute('data-clearance', 'current');
  await expect(prescriber.page.locator(`[data-testid="queue-entry"][data-name="${newcomers[2].name}"]`)).toHaveAttribute('data-clearance', 'not_cleared');
  await screenshot(prescriber.page, 'onboarding-19-screening-queue-after-desktop');

  // ── The roster, for the admin and for the cohort's facilitator ─────────────────────────────────────────────
  await cohortPage.goto(cohortId);
  const cleared = 'Cleared until';
  await expect
    .poll(async () => admin.page.getByTestId('roster-summary').textContent(), { timeout: 10_000 })
    .toContain('2 of 3');
  await expectReadiness(admin.page, newcomers[0].name, { consent: 'Consents signed', clearance: cleared, clearedUntil: validUntil, mayBeDosed: true });
  await expectReadiness(admin.page, newcomers[1].name, { consent: 'Consents signed', clearance: cleared, clearedUntil: validUntil, mayBeDosed: true });
  await expectReadiness(admin.page, newcomers[2].name, { consent: 'Consents signed', clearance: 'Not cleared', mayBeDosed: false });
  await screenshot(admin.page, 'onboarding-20-roster-desktop');
  await admin.page.setViewportSize(PHONE);
  await screenshot(admin.page, 'onboarding-21-roster-phone');
  await admin.page.setViewportSize(DESKTOP);

  // With no mail server, the three invites wait in the outbox.
  const nav = admin.page.getByRole('navigation', { name: 'Main' });
  await nav.getByRole('link', { name: 'Outbox', exact: true }).click();
  for (const person of newcomers) await expect(admin.page.getByTestId('outbox-message').filter({ hasText: person.email })).toHaveCount(1);
  await screenshot(admin.page, 'onboarding-23-outbox-desktop');

  // Each signature and each read of a clearance is in the audit trail, filtered here to one person.
  await nav.getByRole('link', { name: 'Participants', exact: true }).click();
  await admin.page.getByRole('link', { name: `Audit trail for ${newcomers[0].name}` }).click();
  await expect(admin.page).toHaveURL(/\/admin\/audit\?subjectId=/);
  await expect(admin.page.getByLabel('About')).toHaveValue(/[0-9a-f-]{36}/);
  await expect(admin.page.getByTestId('audit-entry').filter({ hasText: 'Signed' }).first()).toBeVisible();
  await expect(admin.page.getByTestId('audit-entry').filter({ hasText: 'Dr. Sam Lindqvist' }).first()).toBeVisible();
  await screenshot(admin.page, 'onboarding-24-audit-desktop');
  await admin.page.setViewportSize(PHONE);
  await screenshot(admin.page, 'onboarding-24b-audit-phone');
  await admin.page.setViewportSize(DESKTOP);

  await nav.getByRole('link', { name: 'Settings', exact: true }).click();
  await expect(admin.page.getByLabel('Fasting before dosing (hours)')).toHaveValue(/\d/);
  await screenshot(admin.page, 'onboarding-25-settings-desktop');
  await nav.getByRole('link', { name: 'Staff', exact: true }).click();
  await expect(admin.page.locator('[data-testid="staff-member"][data-name="Maya Okafor"]')).toContainText('Facilitator');
  await screenshot(admin.page, 'onboarding-26-staff-desktop');

  const maya = await Person.arrive(browser, FACILITATOR, DESKTOP);
  await maya.page.getByRole('link', { name: 'Cohorts' }).click();
  await maya.page.getByRole('link', { name: cohortName, exact: true }).click();
  await expect(maya.page).toHaveURL(new RegExp(`/cohorts/${cohortId}/roster$`));
  await expectReadiness(maya.page, newcomers[0].name, { consent: 'Consents signed', clearance: cleared, clearedUntil: validUntil, mayBeDosed: true });
  await expectReadiness(maya.page, newcomers[2].name, { consent: 'Consents signed', clearance: 'Not cleared', mayBeDosed: false });
  await screenshot(maya.page, 'onboarding-22-facilitator-roster-desktop');

  await admin.context.close();
  await prescriber.context.close();
  await maya.context.close();
});
