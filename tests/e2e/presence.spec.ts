import { expect, test } from '@playwright/test';
import { DESKTOP, PHONE, Person, screenshot } from './pages/people';

const circleTitle = 'Preparation circle';

test('a facilitator and two participants see each other arrive, drop and return, each listed once', async ({ browser }) => {
  const maya = await Person.arrive(browser, 'maya@demo.holdspace.example', DESKTOP);
  await screenshot(maya.page, 'circles-facilitator-desktop');
  await maya.enterCircle(circleTitle);
  await expect(maya.circle.status).toHaveText(/^\s*not open yet\s*$/i);
  await maya.circle.openCircle();
  await expect(maya.circle.status).toHaveText(/^\s*open\s*$/i);

  const river = await Person.arrive(browser, 'river@demo.holdspace.example', PHONE);
  await screenshot(river.page, 'circles-participant-phone');
  await river.enterCircle(circleTitle);
  await maya.circle.expectNames(['Maya Okafor', 'River']);
  await river.circle.expectNames(['Maya Okafor', 'River']);

  const wren = await Person.arrive(browser, 'wren@demo.holdspace.example', PHONE);
  await wren.enterCircle(circleTitle);
  for (const p of [maya, river, wren]) await p.circle.expectNames(['Maya Okafor', 'River', 'Wren']);
  await screenshot(maya.page, 'circle-facilitator-desktop');
  await screenshot(river.page, 'circle-participant-phone');

  // River's phone loses its connection, then finds it again.
  await river.context.setOffline(true);
  await expect(river.circle.connection).toContainText(/offline|reconnecting/i);
  await screenshot(river.page, 'circle-participant-phone-offline');
  await river.context.setOffline(false);
  await expect(river.circle.connection).toContainText(/live/i, { timeout: 10_000 });
  for (const p of [maya, river, wren]) await p.circle.expectNames(['Maya Okafor', 'River', 'Wren'], 5000);

  // Leaving is seen by everyone within 2 s.
  await wren.context.close();
  await maya.circle.expectNames(['Maya Okafor', 'River']);
  await river.circle.expectNames(['Maya Okafor', 'River']);

  await maya.context.close();
  await river.context.close();
});
