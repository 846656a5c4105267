import { test } from '@playwright/test';
test('dbg', async ({ page }) => {
  await page.goto('http://127.0.0.1:4399/sign-in');
  await page.getByLabel('Email').fill('admin@demo.holdspace.example');
  await page.getByLabel('Password').fill('holdspace-demo');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/admin\/cohorts/);
  await page.goto('http://127.0.0.1:4399/admin/cohorts/new');
  await page.getByRole('button', { name: 'Add a circle' }).click();
  for (const n of [1, 4, 5]) console.log(n, await page.getByLabel(`Kind of circle ${n}`).count(), await page.getByRole('combobox', { name: `Kind of circle ${n}` }).count());
  console.log(await page.evaluate(() => document.activeElement?.id));
  console.log(await page.evaluate(() => [...document.querySelectorAll('label')].map((l) => l.htmlFor + '=' + l.textContent).join('\n')));
});
