import { expect, test } from '@playwright/test';
import { crisisAlert, ParticipantOutcomesPage, SafetyAlertsPage, SafetyBanner, ClinicOutcomesPage, CohortOutcomesPage } from './pages/outcomes';
import { DESKTOP, PHONE, Person, screenshot } from './pages/people';
import { QuestionnairePage, QuestionnairesPage, type Frequency } from './pages/questionnaires';
import { ClockServer } from './support/clock';

// This spec moves time a month and a half forward, so it runs its own server, whose clock it holds.
const port = Number(process.env.E2E_CLOCK_PORT ?? 4311);
let server: ClockServer;

test.beforeAll(async () => {
  server = await ClockServer.start(port);
});
test.afterAll(async () => server?.stop());

const F: Frequency[] = ['Not at all', 'Several days', 'More than half the days', 'Nearly every day'];
const answers = (scores: number[]) => scores.map((s) => F[s]!);
// Baseline PHQ-9: 14 (moderate), question 9 "Several days". GAD-7: 7 (mild).
const PHQ9_BASELINE = [2, 2, 2, 2, 1, 1, 2, 1, 1];
const GAD7_BASELINE = [1, 2, 1, 1, 0, 1, 1];
// Follow-up: PHQ-9 3 and GAD-7 3, both minimal.
const PHQ9_FOLLOW_UP = [1, 0, 1, 1, 0, 0, 0, 0, 0];
const GAD7_FOLLOW_UP = [1, 1, 0, 0, 0, 0, 1];

test('a participant answers baseline and follow-up on a phone; a question 9 answer reaches the facilitator within 2 s; the trend shows the scores and bands', async ({ browser }) => {
  test.setTimeout(120_000);
  const url = server.url;

  // Maya holds the preparation circle, open, on her dashboard.
  const maya = await Person.arrive(browser, 'maya@demo.holdspace.example', DESKTOP, undefined, url);
  await maya.enterCircle('Preparation circle');
  await maya.circle.openCircle();
  await expect(maya.circle.status).toHaveText(/open/i);

  // River, on his phone before the circle, sees the baseline questionnaires waiting.
  const river = await Person.arrive(browser, 'river@demo.holdspace.example', PHONE, undefined, url);
  await expect(river.page.getByTestId('questionnaires-due')).toBeVisible();
  await screenshot(river.page, 'outcomes-home-questionnaires-due-phone');
  const list = new QuestionnairesPage(river.page);
  await list.open();
  await screenshot(river.page, 'outcomes-questionnaires-phone');
  await list.start('Before your first circle', 'PHQ-9');

  const form = new QuestionnairePage(river.page);
  const phq9 = answers(PHQ9_BASELINE);
  for (const [i, answer] of phq9.slice(0, 8).entries()) {
    await form.expectQuestion(i + 1, 9);
    if (i === 0) await screenshot(river.page, 'outcomes-question-1-phone');
    await form.choose(answer);
    await form.next();
  }
  await form.expectQuestion(9, 9);
  await expect(form.crisis).toHaveCount(0);
  await form.choose(phq9[8]!);
  // CRS3: the crisis lines appear the moment the answer is chosen, before anything is sent.
  await form.expectCrisisResources('answering');
  await expect(form.crisis.getByRole('link', { name: /^Call 988/ })).toHaveAttribute('href', 'tel:988');
  await expect(form.crisis.getByRole('link', { name: /^Text 988/ })).toHaveAttribute('href', 'sms:988');
  await screenshot(river.page, 'outcomes-question-9-crisis-phone');
  await form.next();
  expect(await form.reviewedAnswers()).toEqual(phq9);
  await screenshot(river.page, 'outcomes-review-phone');

  const banner = new SafetyBanner(maya.page);
  const sentAt = Date.now();
  await form.send();
  // CRS1, CRS2: the alert is on Maya's dashboard and on her banner within 2 s of River sending.
  await expect(crisisAlert(maya.page, 'River')).toBeVisible({ timeout: 2000 });
  await banner.expectAlert(/River.*PHQ-9 question 9.*Several days/);
  expect(Date.now() - sentAt).toBeLessThan(2000);
  await expect(maya.page.getByTestId('participant-card').filter({ hasText: 'River' }).first()).toBeVisible();
  await screenshot(maya.page, 'outcomes-dashboard-crisis-alert-desktop');
  await form.expectSentWithCrisis();
  await screenshot(river.page, 'outcomes-sent-with-crisis-phone');

  // The GAD-7 of the same point, then the list says both are answered.
  await list.open();
  await list.start('Before your first circle', 'GAD-7');
  await form.answerAll(answers(GAD7_BASELINE));
  await form.send();
  await list.expectSaved();
  await list.expectAnswered('Before your first circle', 'PHQ-9');
  await list.expectAnswered('Before your first circle', 'GAD-7');

  // Maya follows the alert up and records what was done.
  const alerts = new SafetyAlertsPage(maya.page);
  await banner.review();
  await screenshot(maya.page, 'outcomes-alerts-desktop');
  await alerts.acknowledge('Jordan Ellis', 'Called River after the circle: no plan or intent; safety plan reviewed together.');
  await banner.expectNone();
  await Promise.all([maya.context.close(), river.context.close()]);

  // Six weeks later: the program is over and the 30-day follow-up is open.
  await server.advanceDays(45);
  const riverLater = await Person.arrive(browser, 'river@demo.holdspace.example', PHONE, undefined, url);
  const later = new QuestionnairesPage(riverLater.page);
  await later.open();
  await later.start('30-day follow-up', 'PHQ-9');
  const followUp = new QuestionnairePage(riverLater.page);
  await followUp.answerAll(answers(PHQ9_FOLLOW_UP));
  await expect(followUp.crisis).toHaveCount(0);
  await followUp.send();
  await followUp.expectSavedAndNext('PHQ-9', 'GAD-7');
  await followUp.answerAll(answers(GAD7_FOLLOW_UP));
  await followUp.send();
  await later.expectSaved();
  await later.expectAnswered('30-day follow-up', 'GAD-7');
  await screenshot(riverLater.page, 'outcomes-follow-up-done-phone');

  // Maya finds River through the cohort's outcomes and sees his trend against the bands.
  const mayaLater = await Person.arrive(browser, 'maya@demo.holdspace.example', DESKTOP, undefined, url);
  await mayaLater.page.goto('/cohorts');
  const cohort = new CohortOutcomesPage(mayaLater.page);
  await cohort.openFrom(mayaLater.page.getByRole('link', { name: 'Outcomes and attendance of Autumn cohort' }));
  expect(await cohort.latest('River', 'phq9')).toEqual({ score: 3, band: 'minimal' });
  await screenshot(mayaLater.page, 'outcomes-cohort-desktop');
  await cohort.openParticipant('River');
  const trend = new ParticipantOutcomesPage(mayaLater.page);
  expect(await trend.points('phq9')).toEqual([
    { score: 14, band: 'moderate' },
    { score: 3, band: 'minimal' },
  ]);
  expect(await trend.tableScores('phq9')).toEqual(await trend.points('phq9'));
  expect(await trend.points('gad7')).toEqual([
    { score: 7, band: 'mild' },
    { score: 3, band: 'minimal' },
  ]);
  await expect(trend.trend('phq9')).toContainText('Moderate');
  await expect(trend.trend('phq9')).toContainText('Minimal');
  await expect(trend.responseMark('phq9')).toBeVisible();
  await expect(trend.remissionMark('phq9')).toBeVisible();
  await expect(trend.safetyAlerts).toHaveCount(1);
  await screenshot(mayaLater.page, 'outcomes-participant-trend-desktop');
  await mayaLater.page.setViewportSize(PHONE);
  await screenshot(mayaLater.page, 'outcomes-participant-trend-phone');

  // The clinic overview puts the finished summer cohort beside this one.
  const dana = await Person.arrive(browser, 'admin@demo.holdspace.example', DESKTOP, /\/admin\/cohorts$/, url);
  const overview = new ClinicOutcomesPage(dana.page);
  await overview.goto();
  expect((await overview.bars('phq9')).map((b) => b.cohort)).toEqual(expect.arrayContaining(['Summer cohort']));
  await screenshot(dana.page, 'outcomes-clinic-overview-desktop');
  await Promise.all([riverLater.context.close(), mayaLater.context.close(), dana.context.close()]);
});
