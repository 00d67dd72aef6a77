// Possible duplicates in the ops room: a second report of the same child, spelled in Latin,
// marks both cards live; the drawer shows why, and the operator decides and undoes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_PASSWORD, browserTests, report, signedInPage } from './harness.mjs';

const env = browserTests();

test('a possible duplicate appears on the cards live and is decided in the drawer', async () => {
  const page = await signedInPage(env.browser, env.server.url, 'admin', ADMIN_PASSWORD);
  const first = await report(env.server.url, {
    people: [{ name: 'محمد عبد الرحيم عثمان', age: 9, phone: '+249912000111' }],
    location: { lat: 15.55, lon: 32.53 },
  });
  const second = await report(env.server.url, {
    people: [{ name: 'Mohamed Abdelrahim Osman', age: 9, phone: '00249912000111' }],
    location: { lat: 15.551, lon: 32.53 },
  });
  for (const accepted of [first, second]) {
    await page.waitForSelector(`.card[data-reference="${accepted.reference}"] .possible-match`, { timeout: 5000 });
  }
  await page.click(`.card[data-reference="${second.reference}"]`);
  const item = await page.waitForSelector('.drawer li.match');
  const text = await item.textContent();
  assert.match(text, new RegExp(first.reference));
  assert.match(text, /across scripts/);
  await page.click('.drawer li.match button[name=same]');
  await page.waitForSelector('.drawer li.match.status-same');
  // The card no longer counts it as open.
  await page.waitForSelector(`.card[data-reference="${second.reference}"]:not(:has(.possible-match))`, { timeout: 5000 });
  await page.click('.drawer li.match button[name=undo]');
  await page.waitForSelector('.drawer li.match.status-open');
  // After a reload the board still shows what awaits a decision.
  await page.reload();
  // (A whole page load: the room, its board and the open suggestions, on a machine that may be busy.)
  await page.waitForSelector(`.card[data-reference="${second.reference}"] .possible-match`, { timeout: 15_000 });
  await page.click(`.card[data-reference="${second.reference}"]`);
  await page.waitForSelector('.drawer li.match.status-open');
  // Confirmed, the two are one person in the family view, whose search status the operator sets.
  await page.click('.drawer li.match button[name=same]');
  await page.waitForSelector('.drawer li.match.status-same');
  await page.waitForFunction(() => document.querySelectorAll('.drawer ul.family li').length === 2);
  await page.selectOption('.drawer ul.family li:has-text("Mohamed Abdelrahim Osman") select[name=tracing]', 'located');
  await page.waitForSelector('.drawer ul.family li:has-text("Mohamed Abdelrahim Osman") select[name=tracing] option[value=located][selected]', { state: 'attached' });
  // The other case is one click away.
  await page.click('.drawer li.match button.link');
  await page.waitForSelector(`.drawer h2:has-text("${first.reference}")`);
});
