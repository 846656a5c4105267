import { expect, test, type Page } from '@playwright/test';
import { DashboardPage, ParticipantScreen } from './pages/circle';
import { DESKTOP, PHONE, Person, screenshot } from './pages/people';
import { captureFrames, deadlines, readTimers, SharingDashboard, SharingScreen, type TimerReading } from './pages/sharing';

const circleTitle = 'Preparation circle';
const intentionPrompt = 'What are your intentions for this work? What would you like clarity about?';
const openPrompt = 'Share what feels right to share from today.';

const people = [
  { email: 'cedar@demo.holdspace.example', name: 'Cedar', viewport: DESKTOP },
  { email: 'river@demo.holdspace.example', name: 'River', viewport: PHONE },
  { email: 'sage@demo.holdspace.example', name: 'Sage', viewport: PHONE },
  { email: 'wren@demo.holdspace.example', name: 'Wren', viewport: PHONE },
] as const;
type Name = (typeof people)[number]['name'];
const names = people.map((p) => p.name);
const TABLET = { width: 820, height: 1180 };

/** The dashboard from its top: the alerts stay in view as it scrolls, so a whole-page picture starts there. */
async function dashboardShot(page: Page, name: string) {
  await page.evaluate(() => window.scrollTo(0, 0));
  await screenshot(page, name);
}

interface Device {
  person: Person;
  screen: ParticipantScreen;
  sharing: SharingScreen;
  /** Every WebSocket frame this device received. */
  frames: string[];
}

/**
 * Every device counts down to the same instant, within a second. Each reading is taken as that device's countdown
 * moves on; the time between readings (how far apart the devices were read) is taken out by comparing the instants
 * they count down to, not the raw values.
 */
function expectAgreement(readings: TimerReading[]) {
  const spread = Math.max(...readings.map((r) => r.at)) - Math.min(...readings.map((r) => r.at));
  const ends = deadlines(readings);
  const disagreement = Math.max(...ends) - Math.min(...ends);
  const detail = readings.map((r) => `${r.remainingMs} ms at +${r.at - Math.min(...readings.map((x) => x.at))}`).join(', ');
  expect(spread, `read within a tick of each other: ${detail}`).toBeLessThan(1_500);
  expect(disagreement, `countdowns ${detail}`).toBeLessThan(1_000);
  return disagreement;
}

test('a facilitator and four participants share in a go-around and an open floor, and write shares', async ({ browser }) => {
  test.setTimeout(300_000);

  // ── The facilitator opens the preparation circle; four participants join and are let in ─────────────────────────
  const maya = await Person.arrive(browser, 'maya@demo.holdspace.example', DESKTOP);
  await maya.enterCircle(circleTitle);
  const dashboard = new DashboardPage(maya.page);
  const board = new SharingDashboard(maya.page);
  // One server serves every spec of a run, and presence.spec.ts may have opened this circle already.
  await expect(maya.circle.status).toHaveText(/not open yet|open/i);
  if (/not open yet/i.test(await maya.circle.status.innerText())) await maya.circle.openCircle();
  await expect(maya.circle.status).toHaveText(/^\s*open\s*$/i);

  const devices = {} as Record<Name, Device>;
  for (const p of people) {
    const person = await Person.arrive(browser, p.email, p.viewport);
    // Listening before the circle is joined: every frame this device ever receives is kept.
    const frames = captureFrames(person.page);
    await person.enterCircle(circleTitle);
    devices[p.name] = { person, screen: new ParticipantScreen(person.page), sharing: new SharingScreen(person.page), frames };
  }
  for (const name of names) await dashboard.letIn(name);
  for (const name of names) await expect(devices[name].screen.heading("You're in the circle")).toBeVisible();
  const pages = [maya.page, ...names.map((n) => devices[n].person.page)];

  // ── A go-around: the intention round, started from its segment's plan ──────────────────────────────────────────
  await dashboard.goToSegment('Intention round');
  await board.startPlannedRound({ prompt: intentionPrompt, mode: 'Go-around', minutes: 3 });
  // Seats go by display name; Cedar holds the talking piece first, and every device says so.
  await expect(board.round).toContainText('Speaking: Cedar');
  await expect(devices.Cedar.sharing.round).toContainText('Speaking: you');
  for (const name of ['River', 'Sage', 'Wren'] as const) await expect(devices[name].sharing.round).toContainText('Speaking: Cedar');
  expect(await board.lineNames()).toEqual(['River', 'Sage', 'Wren']);

  // The facilitator moves Wren ahead of Sage: the seat order changes on every device.
  await board.move('Move Wren up');
  await expect.poll(() => board.lineNames()).toEqual(['River', 'Wren', 'Sage']);
  for (const name of names) {
    await expect.poll(() => devices[name].sharing.line('Seat order')).toEqual([
      expect.stringContaining('Cedar'),
      expect.stringContaining('River'),
      expect.stringContaining('Wren'),
      expect.stringContaining('Sage'),
    ]);
  }
  await screenshot(devices.River.person.page, 'sharing-participant-go-around-phone');
  await dashboardShot(maya.page, 'sharing-dashboard-go-around-desktop');

  // Cedar is done; River passes without a word; the facilitator moves on from Wren; Sage is done.
  await devices.Cedar.sharing.button("I'm done").click();
  await expect(devices.River.sharing.round).toContainText('Speaking: you');
  await devices.River.sharing.button('Pass').click();
  await expect(board.round).toContainText('Speaking: Wren');
  await board.press('Next');
  await expect(devices.Sage.sharing.round).toContainText('Speaking: you');
  await devices.Sage.sharing.button("I'm done").click();
  for (const name of names) await expect(devices[name].sharing.round).not.toContainText('Speaking:');
  await board.press('End round');
  for (const name of names) await expect(devices[name].sharing.round).toHaveCount(0);

  // The summary is for staff: who spoke, who passed.
  const summary = board.summaries.getByTestId('round-summary').first();
  for (const [name, outcome] of [['Cedar', 'Spoke'], ['River', 'Passed'], ['Wren', 'Spoke'], ['Sage', 'Spoke']] as const) {
    await expect(summary.getByRole('listitem').filter({ hasText: name })).toContainText(outcome);
  }
  for (const name of names) await expect(devices[name].person.page.getByText('Round summaries')).toHaveCount(0);

  // ── An open floor: three hands, a reorder, an extension ────────────────────────────────────────────────────────
  await dashboard.goToSegment('Sharing round');
  await board.startPlannedRound({ prompt: openPrompt, mode: 'Open floor', minutes: 3 });
  for (const name of names) await expect(devices[name].sharing.button('Raise my hand')).toBeVisible();
  await devices.River.sharing.raiseHand(1);
  await devices.Sage.sharing.raiseHand(2);
  await devices.Wren.sharing.raiseHand(3);
  await expect.poll(() => board.lineNames()).toEqual(['River', 'Sage', 'Wren']);

  // Wren to the front, then Sage below River: the same queue on every device, and each knows their place.
  await board.move('Move Wren to the front');
  await expect.poll(() => board.lineNames()).toEqual(['Wren', 'River', 'Sage']);
  await board.move('Move Sage up');
  await expect.poll(() => board.lineNames()).toEqual(['Wren', 'Sage', 'River']);
  // A fourth hand, lowered by the facilitator: only that one goes down.
  await devices.Cedar.sharing.raiseHand(4);
  await expect.poll(() => board.lineNames()).toEqual(['Wren', 'Sage', 'River', 'Cedar']);
  await board.move("Lower Cedar's hand");
  await expect(devices.Cedar.sharing.button('Raise my hand')).toBeVisible();
  for (const name of names) {
    await expect.poll(() => devices[name].sharing.line('Queue')).toEqual([
      expect.stringContaining('Wren'),
      expect.stringContaining('Sage'),
      expect.stringContaining('River'),
    ]);
  }
  await expect(devices.Wren.sharing.round).toContainText('You are number 1 in the queue');
  await expect(devices.Sage.sharing.round).toContainText('You are number 2 in the queue');
  await expect(devices.River.sharing.round).toContainText('You are number 3 in the queue');
  await screenshot(devices.Sage.person.page, 'sharing-participant-queue-phone');

  // The facilitator gives Wren the floor: the countdown agrees on all five devices within a second.
  await board.press('Next');
  await expect(devices.Wren.sharing.round).toContainText('Speaking: you');
  for (const page of pages) await expect(page.getByTestId('round-timer')).toBeVisible();
  test.info().annotations.push({ type: 'countdown disagreement (ms)', description: String(expectAgreement(await readTimers(pages))) });
  await dashboardShot(maya.page, 'sharing-dashboard-open-floor-desktop');
  await maya.page.setViewportSize(TABLET);
  await dashboardShot(maya.page, 'sharing-dashboard-open-floor-tablet');
  await maya.page.setViewportSize(DESKTOP);
  await screenshot(devices.Wren.person.page, 'sharing-participant-speaking-phone');

  // "Add a minute": about 60 s more on every device.
  const before = await readTimers(pages);
  await board.press('Add a minute');
  await expect.poll(async () => Number(await maya.page.getByTestId('round-timer').getAttribute('data-remaining-ms'))).toBeGreaterThan(before[0]!.remainingMs + 30_000);
  const after = await readTimers(pages);
  test.info().annotations.push({ type: 'countdown disagreement after a minute more (ms)', description: String(expectAgreement(after)) });
  const [was, now] = [deadlines(before), deadlines(after)];
  now.forEach((end, i) => {
    const grew = end - was[i]!;
    expect(Math.abs(grew - 60_000), `device ${i} grew by ${grew} ms`).toBeLessThan(1_000);
  });

  // Pause holds the countdown still everywhere; resume starts it again.
  await board.press('Pause');
  await expect(board.round).toContainText('Paused');
  for (const name of names) await expect(devices[name].sharing.round).toContainText('Paused');
  await board.press('Resume');
  await expect(board.button('Pause')).toBeVisible();

  // Wren is done: Sage, next in the queue, has the floor.
  await devices.Wren.sharing.button("I'm done").click();
  await expect(devices.Sage.sharing.round).toContainText('Speaking: you');
  await expect(devices.River.sharing.round).toContainText('You are number 1 in the queue');
  await board.press('End round');

  // ── Written shares ─────────────────────────────────────────────────────────────────────────────────────────────
  const groupShare = 'I want to trust the quiet more often';
  const privateShare = 'I am nervous about the dosing day and did not say so';
  const declinedShare = 'My neighbour Alex told me a secret about his family';
  const editedFrom = 'I feel some fear and much much hope';
  const editedTo = 'I feel fear, and also hope';
  const declineNote = 'Thank you for trusting us; we will talk about this together after the circle.';

  await devices.River.sharing.writeShare(groupShare, 'The group, after the facilitator approves it', { status: 'Waiting for approval' });
  await devices.Wren.sharing.writeShare(privateShare, 'Only the facilitators', { status: 'Only for the facilitators' });
  await devices.Sage.sharing.writeShare(declinedShare, 'The group, after the facilitator approves it', { status: 'Waiting for approval' });
  await devices.Cedar.sharing.writeShare(editedFrom, 'The group, after the facilitator approves it', { anonymous: true, status: 'Waiting for approval' });
  await screenshot(devices.River.person.page, 'sharing-participant-share-written-phone');

  await expect(board.toReview(groupShare)).toContainText('River');
  await expect(board.toReview(editedFrom)).toContainText('(asked to be anonymous)');
  await expect(board.forYou).toContainText(privateShare);
  await expect(board.review).toContainText('3 waiting');
  await dashboardShot(maya.page, 'sharing-dashboard-shares-to-review-desktop');

  // Approved: River's share reaches every device.
  await board.approve(groupShare);
  for (const name of names) await expect(devices[name].sharing.published).toContainText(groupShare);
  await expect(devices.River.sharing.myShare(groupShare)).toContainText('Shared with the group');

  // Declined with a kind note: Sage reads it; the share goes nowhere else.
  await board.decline(declinedShare, declineNote);
  await expect(devices.Sage.sharing.myShare(declinedShare)).toContainText(`Not shared: ${declineNote}`);

  // An edit suggested, accepted by Cedar, then approved: shared without a name.
  await board.suggestEdit(editedFrom, editedTo);
  await dashboardShot(maya.page, 'sharing-dashboard-edit-suggested-desktop');
  const cedarShare = devices.Cedar.sharing.myShare(editedFrom);
  await expect(cedarShare).toContainText('The facilitator suggested an edit');
  await expect(cedarShare).toContainText(editedTo);
  await cedarShare.getByRole('button', { name: 'Accept edit' }).click();
  await expect(board.toReview(editedTo)).toHaveAttribute('data-status', 'pending');
  await board.approve(editedTo);
  for (const name of names) {
    const shared = devices[name].sharing.published.getByRole('listitem').filter({ hasText: editedTo });
    await expect(shared).toContainText('Anonymous');
    await expect(shared).not.toContainText('Cedar');
  }
  await expect(board.published).toContainText(groupShare);
  await expect(board.published).toContainText(editedTo);
  await screenshot(devices.Wren.person.page, 'sharing-participant-published-phone');
  await dashboardShot(maya.page, 'sharing-dashboard-published-desktop');

  // ── Never on another participant's device: not on the page, and not in any frame it received ───────────────────
  const secrets: [string, Name][] = [
    [privateShare, 'Wren'],
    [declinedShare, 'Sage'],
    [declineNote, 'Sage'],
    [editedFrom, 'Cedar'],
  ];
  for (const [text, author] of secrets) {
    for (const name of names.filter((n) => n !== author)) {
      await expect(devices[name].person.page.locator('body')).not.toContainText(text);
      expect(devices[name].frames.some((frame) => frame.includes(text)), `${name} received "${text}"`).toBe(false);
    }
  }
  // The capture worked: the published share and the author's own shares did arrive as frames.
  for (const name of names) expect(devices[name].frames.some((frame) => frame.includes(groupShare))).toBe(true);
  expect(devices.Wren.frames.some((frame) => frame.includes(privateShare))).toBe(true);

  for (const name of names) await devices[name].person.context.close();
  await maya.context.close();
});
