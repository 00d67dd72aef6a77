// The ops room over 20,000 cases (seeded with `opsroom seed`): the search box finds a case by
// reference, by a phone typed in national format and by a name typed in the other script; the
// board's counts are the server's; the last case of the biggest column can be scrolled to; the
// worst case is first in its column and in the overdue queue; the table shows the API's rows.
// Every expectation is read from the API as it answers, never written down here. A screenshot
// of each view goes to target/screenshots/ for a person to look at.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ADMIN_PASSWORD, browserTests, report, signedInPage } from './harness.mjs';

const SCREENSHOTS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'target', 'screenshots');
const CASES = 20_000;
const OPEN = ['new', 'triaged', 'in_progress', 'awaiting_evacuation'];

let page;
const env = browserTests({
  seedCases: CASES,
  async prepare() {
    mkdirSync(SCREENSHOTS, { recursive: true });
    page = await signedInPage(env.browser, env.server.url, 'admin', ADMIN_PASSWORD);
    await page.setViewportSize({ width: 1366, height: 768 });
    await page.waitForSelector('.column[data-status=new] .card');
  },
});

const shot = (name) => page.screenshot({ path: join(SCREENSHOTS, `ops-${name}.png`) });
const query = (params) => new URLSearchParams(params).toString();

/** Type into the header's search box (reached with its shortcut) and wait for the answer. */
async function search(text) {
  await page.keyboard.press('Escape');
  await page.click('header .who'); // out of any field, so `/` reaches the box
  await page.keyboard.press('/');
  assert.equal(await page.evaluate(() => document.activeElement?.name), 'search', '`/` focuses the search box');
  await page.keyboard.press('Control+A');
  await page.keyboard.type(text);
  await page.waitForFunction((asked) => document.querySelector('.search-results')?.dataset.answers === asked, text.trim());
  return page.$$eval('.search-results .search-result', (items) => items.map((li) => li.dataset.reference));
}

test('the search box finds a case by reference, by a phone in national format and by a name in the other script', async () => {
  // A seeded case, its reference typed as a person reads it out: lower case, a space inside.
  const { body } = await env.admin('GET', `/api/v1/cases?${query({ limit: 1 })}`);
  const wanted = body.cases[0].reference;
  const spoken = `${wanted.slice(0, 4)} ${wanted.slice(4)}`.replace(/-/g, '').toLowerCase();
  assert.equal((await search(spoken))[0], wanted, 'the reference comes first');
  await shot('search-results');
  await page.keyboard.press('Enter');
  await page.waitForFunction((ref) => document.querySelector('.drawer:not([hidden])')?.textContent.includes(ref), wanted);
  await shot('drawer-open');
  // The drawer sits beside the board: the header and every column stay in view.
  const drawer = await page.locator('.drawer').boundingBox();
  const header = await page.locator('header').boundingBox();
  assert.ok(drawer.y >= header.y + header.height - 1, 'the drawer does not cover the header');
  for (const column of await page.locator('.column').all()) {
    const box = await column.boundingBox();
    assert.ok(box.x + box.width <= drawer.x + 1 || box.x >= drawer.x + drawer.width - 1, 'no column under the drawer');
  }
  await page.click('.drawer button.close');

  // A case among the 20,000 whose people were written in Arabic, with a phone (a name the
  // seed does not draw, so the answer is not crowded by namesakes).
  const accepted = await report(env.server.url, {
    people: [{ name: 'نزار قرشي', age: 41, phone: '+249912764318' }],
    location: { lat: 15.5518, lon: 32.5324, place: 'الرياض، الخرطوم' },
    needs: ['medical'],
  });
  assert.ok((await search('0912764318')).includes(accepted.reference), 'found by the phone in national format');
  assert.ok((await search('Nizar Gurashi')).includes(accepted.reference), 'found by the name in Latin script');
  // Names and ages tell people apart in the results.
  const shown = await page.textContent(`.search-result[data-reference="${accepted.reference}"]`);
  assert.match(shown, /نزار/);
  assert.match(shown, /41/);
  await page.click(`.search-result[data-reference="${accepted.reference}"]`);
  await page.waitForFunction((ref) => document.querySelector('.drawer:not([hidden])')?.textContent.includes(ref), accepted.reference);
  await page.click('.drawer button.close');
});

test("a filter's counts per column are the server's totals", async () => {
  await page.selectOption('.filters select[name=need]', 'medical');
  await page.selectOption('.filters select[name=priority]', 'critical');
  for (const status of OPEN) {
    const { body } = await env.admin('GET', `/api/v1/cases?${query({ status, need: 'medical', priority: 'critical', limit: 1 })}`);
    await page.waitForFunction(
      ([s, total]) => document.querySelector(`.column[data-status=${s}] .count`)?.textContent === String(total),
      [status, body.total],
      { timeout: 10_000 },
    );
  }
  const cards = await page.$$eval('.column[data-status=new] .card', (all) => all.map((c) => c.dataset.caseId));
  for (const id of cards.slice(0, 5)) {
    const { body } = await env.admin('GET', `/api/v1/cases/${id}`);
    assert.ok(body.case.needs.includes('medical') && body.case.priority.level === 'critical', 'the cards shown match the filter');
  }
  await page.click('.filters .clear-filters');
});

test('the last case of the biggest column is reachable by scrolling, with few cards in the page', async () => {
  const { body: counts } = await env.admin('GET', '/api/v1/cases/counts');
  const biggest = OPEN.reduce((a, b) => (counts.by_status[a] >= counts.by_status[b] ? a : b));
  const column = `.column[data-status=${biggest}]`;
  await page.waitForSelector(`${column} .card`);
  try {
    // Scroll down until the column says there is no more.
    const height = () => page.$eval(`${column} .virtual-spacer`, (spacer) => spacer.style.height);
    for (let i = 0; i < 200 && !(await page.locator(`${column} .virtual-footer .end`).count()); i++) {
      const before = await height();
      await page.$eval(`${column} .cards`, (box) => box.scrollTo(0, box.scrollHeight));
      // The next page arrived (the column grew) or there is none.
      await page.waitForFunction(
        ([c, h]) => document.querySelector(`${c} .virtual-footer .end`) || document.querySelector(`${c} .virtual-spacer`).style.height !== h,
        [column, before],
      );
    }
    assert.equal(await page.locator(`${column} .virtual-footer .end`).count(), 1, 'the column reached its end');
    const rows = await page.$eval(`${column} .cards`, (box) => Math.round(parseFloat(box.querySelector('.virtual-spacer').style.height) / Number(box.dataset.rowHeight)));
    await page.$eval(`${column} .cards`, (box) => box.scrollTo(0, box.scrollHeight));
    const lastCard = page.locator(`${column} .card[data-row="${rows - 1}"]`);
    await lastCard.waitFor();
    // The column's last case, as the API pages it now.
    let cursor = null;
    let last = null;
    do {
      const { body } = await env.admin('GET', `/api/v1/cases?${query({ status: biggest, sort: 'urgency', limit: 500, ...(cursor ? { cursor } : {}) })}`);
      last = body.cases.at(-1) ?? last;
      cursor = body.next_cursor;
    } while (cursor);
    assert.equal(await lastCard.getAttribute('data-reference'), last.reference, `the last case of ${biggest}`);
    // (The number of rows may be a little below the column's count: cases the server reorders
    // while one pages through — overdue ones raised by the escalator as the minutes pass — can
    // move behind the cursor, as in any keyset paging under a live stream.)
    assert.ok(rows > counts.by_status[biggest] * 0.95, `the column paged through its cases (${rows} of ${counts.by_status[biggest]})`);
    const drawn = await page.locator(`${column} .card`).count();
    assert.ok(drawn < 60, `only the cards in view are in the DOM (${drawn} of ${rows})`);
  } finally {
    await page.$eval(`${column} .cards`, (box) => box.scrollTo(0, 0));
  }
});

test('an overdue case is first in its column and in the overdue queue', async () => {
  const { body: overdue } = await env.admin('GET', `/api/v1/cases?${query({ sla: 'red', sort: 'sla_due', limit: 20 })}`);
  assert.ok(overdue.total > 0, 'the seeded room has overdue cases');
  const worst = overdue.cases[0];
  // Its column, worst first: the first card is the API's first, and it is overdue.
  const { body: head } = await env.admin('GET', `/api/v1/cases?${query({ status: worst.status, sort: 'urgency', limit: 1 })}`);
  assert.ok(head.cases[0].minutes_overdue != null, 'the most urgent case of the column is an overdue one');
  await page.waitForSelector(`.column[data-status=${worst.status}] .card[data-row="0"][data-reference="${head.cases[0].reference}"] .overdue-by`);
  const minutes = await page.textContent(`.column[data-status=${worst.status}] .card[data-row="0"] .overdue-by`);
  assert.match(minutes, /\d/, 'the card says by how much');
  await shot('board');
  // The overdue queue, one click away on the KPI chip.
  await page.click('.kpi[data-kpi=sla-red]');
  await page.waitForSelector(`.overdue-view .table-row[data-row="0"][data-reference="${worst.reference}"]`);
  const queue = await page.$$eval('.overdue-view .table-body .table-row', (rows) => rows.sort((a, b) => a.dataset.row - b.dataset.row).map((r) => r.dataset.reference));
  assert.deepEqual(queue.slice(0, 10), overdue.cases.slice(0, 10).map((c) => c.reference), 'the queue is the API\'s order');
  // Cases keep falling overdue as the minutes pass (nobody reaches anyone in the seeded room),
  // so the queue's count lies between the API's totals asked before and after it was read.
  const shown = Number(await page.textContent('.overdue-view .table-bar .count'));
  const { body: after } = await env.admin('GET', `/api/v1/cases?${query({ sla: 'red', limit: 1 })}`);
  assert.ok(overdue.total <= shown && shown <= after.total, `the queue counts the overdue cases (${overdue.total} ≤ ${shown} ≤ ${after.total})`);
  await shot('overdue');
});

test('the table view shows the same rows as the API, and sorts on the server', async () => {
  await page.click('.view-tabs button[data-view=table]');
  for (const sort of ['urgency', 'waiting']) {
    if (sort !== 'urgency') await page.click(`.table-view .table-head button[data-sort=${sort}]`);
    const { body } = await env.admin('GET', `/api/v1/cases?${query({ sort, limit: 12 })}`);
    await page.waitForFunction(
      (first) => document.querySelector('.table-view .table-row[data-row="0"]')?.dataset.reference === first,
      body.cases[0].reference,
    );
    const rows = await page.$$eval('.table-view .table-body .table-row', (all) => all.sort((a, b) => a.dataset.row - b.dataset.row).map((r) => r.dataset.reference));
    assert.deepEqual(rows.slice(0, 12), body.cases.map((c) => c.reference), `sorted by ${sort}`);
    assert.equal(await page.textContent('.table-view .table-bar .count'), String(body.total));
  }
  // Supervisors and admins export the same query as CSV.
  const href = await page.getAttribute('.table-view .export', 'href');
  assert.match(href, /^\/api\/v1\/cases\/export\.csv\?.*sort=waiting/);
  await shot('table');
  await page.click('.view-tabs button[data-view=board]');
});

test('unassigned critical cases raise an alert: a count in the title, a sound the operator switches on', async () => {
  const { body: counts } = await env.admin('GET', '/api/v1/cases/counts');
  assert.ok(counts.unassigned_critical > 0, 'the seeded room has unassigned critical cases');
  await page.waitForFunction((n) => document.title.startsWith(`(${n}) `), counts.unassigned_critical);
  assert.equal(await page.textContent('.alert-chip'), `Critical, unassigned: ${counts.unassigned_critical}`);
  // Off until switched on (a browser plays sound after a gesture only), and remembered.
  assert.equal(await page.getAttribute('.alert-sound', 'aria-pressed'), 'false');
  await page.click('.alert-sound');
  assert.equal(await page.getAttribute('.alert-sound', 'aria-pressed'), 'true');
  assert.equal(await page.evaluate(() => localStorage.getItem('opsroom.alertSound')), 'on');
  await page.click('.alert-sound');
  // The chip shows those cases: the board filtered to critical and unassigned.
  await page.click('.alert-chip');
  const { body } = await env.admin('GET', `/api/v1/cases?${query({ status: 'new', priority: 'critical', assignee: 'none', limit: 1 })}`);
  await page.waitForFunction((total) => document.querySelector('.column[data-status=new] .count')?.textContent === String(total), body.total);
  await page.click('.filters .clear-filters');
});
