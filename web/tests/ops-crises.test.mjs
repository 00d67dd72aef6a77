// Two crises in one room: the ops board's crisis switch shows one crisis's cases (or those no
// crisis holds) and every crisis again; a crisis declared while the room is open joins the
// switch at once. A screenshot goes to target/screenshots/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ADMIN_PASSWORD, browserTests, declareCrisis, report, signedInPage, square } from './harness.mjs';

const SCREENSHOTS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'target', 'screenshots');

const env = browserTests({
  async prepare() {
    mkdirSync(SCREENSHOTS, { recursive: true });
  },
});

const declare = (slug, en, ar, countries, area) => declareCrisis(env.admin, { slug, en, ar, countries, area });

/** The references on the board's "new" column, sorted. */
const newColumn = (page) =>
  page.$$eval('.column[data-status=new] .card', (cards) => cards.map((c) => c.dataset.reference).sort());

const showsExactly = (page, references) =>
  page.waitForFunction(
    (wanted) =>
      JSON.stringify([...document.querySelectorAll('.column[data-status=new] .card')].map((c) => c.dataset.reference).sort()) ===
      JSON.stringify(wanted),
    [...references].sort(),
  );

test('the crisis switch shows one crisis, the unplaced cases, or all; a new crisis joins it live', async () => {
  await declare('sudan-2023', 'Sudan 2023', 'السودان 2023', ['SD'], square(30, 12, 37, 19));
  const khartoum = await report(env.server.url, { people: [{ name: 'Huda' }], location: { lat: 15.55, lon: 32.53 } });
  const cairo = await report(env.server.url, { people: [{ name: 'Mona' }], location: { lat: 30.04, lon: 31.24 } });
  const page = await signedInPage(env.browser, env.server.url, 'admin', ADMIN_PASSWORD);
  await page.setViewportSize({ width: 1366, height: 768 });
  await showsExactly(page, [khartoum.reference, cairo.reference]);

  const options = () => page.$$eval('.filters select[name=crisis] option', (all) => all.map((o) => o.value));
  await page.waitForSelector('.filters select[name=crisis]');
  assert.deepEqual(await options(), ['', 'sudan-2023', 'unplaced']);
  await page.selectOption('.filters select[name=crisis]', 'sudan-2023');
  await showsExactly(page, [khartoum.reference]);
  await page.selectOption('.filters select[name=crisis]', 'unplaced');
  await showsExactly(page, [cairo.reference]);
  // Sorting the unplaced from the case's drawer: the Cairo case goes into the Sudan crisis and
  // leaves the unplaced board.
  await page.click(`.card[data-reference="${cairo.reference}"]`);
  await page.waitForSelector('.drawer select[name=crisis]');
  assert.equal(await page.inputValue('.drawer select[name=crisis]'), '');
  await page.selectOption('.drawer select[name=crisis]', 'sudan-2023');
  await page.click('.drawer button[name=place]');
  await showsExactly(page, []);
  await page.waitForFunction(() => document.querySelector('.drawer select[name=crisis]')?.value === 'sudan-2023');
  await page.waitForFunction(() => document.querySelector('.drawer li[data-kind=case_placed]')?.textContent.includes('Sudan 2023'));
  await page.selectOption('.drawer select[name=crisis]', '');
  await page.click('.drawer button[name=place]');
  await showsExactly(page, [cairo.reference]);
  await page.click('.drawer button.close');

  // Declared while the room is open: the switch learns it from the live stream, and a report
  // from its ground lands under it.
  await declare('libya-2011', 'Libya 2011', 'ليبيا 2011', ['LY'], square(11.5, 30, 16, 33.5));
  await page.waitForFunction(() => [...document.querySelectorAll('.filters select[name=crisis] option')].some((o) => o.value === 'libya-2011'));
  const tripoli = await report(env.server.url, { people: [{ name: 'Salem' }], location: { lat: 32.89, lon: 13.19 } });
  await page.selectOption('.filters select[name=crisis]', 'libya-2011');
  await showsExactly(page, [tripoli.reference]);
  await page.screenshot({ path: join(SCREENSHOTS, 'ops-crisis-switch.png') });
  await page.selectOption('.filters select[name=crisis]', '');
  await showsExactly(page, [khartoum.reference, cairo.reference, tripoli.reference]);
  assert.deepEqual(await newColumn(page), [khartoum.reference, cairo.reference, tripoli.reference].sort());
  await page.context().close();
});
