// Offline for real, in a real browser at 360x640: the service worker lets the report form open
// with no network, showing the reports still waiting on the phone, which can be edited or
// cancelled; a waiting report is sent exactly once when the network returns (cases counted
// through the API), a cancelled one never; a tracking link offline gets a shell with no case
// data, and nothing with case data is ever stored by the worker.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { browserTests, casesNamed, report } from './harness.mjs';

const env = browserTests();

/** A phone that opened the form once with network: the service worker is installed and active. */
async function phoneWithForm(lang) {
  const context = await env.browser.newContext({ viewport: { width: 360, height: 640 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
  page.errors = errors;
  await page.goto(`${env.server.url}/?lang=${lang}`);
  const ready = await page.evaluate(() =>
    Promise.race([navigator.serviceWorker.ready.then(() => true), new Promise((resolve) => setTimeout(resolve, 10_000, false))]),
  );
  assert.ok(ready, 'the service worker is active within 10 s');
  return { context, page };
}

const queued = (page) => page.evaluate(() => JSON.parse(localStorage.getItem('opsroom-queue')) ?? []);

async function fileOffline(page, name) {
  await page.fill('input[name="people[0].name"]', name);
  await page.check('input[name=needs][value=water]');
  await page.click('button.send');
  await page.waitForSelector('#status.queued', { timeout: 5000 });
}

/** Reload with no network: the page must be the form (from the worker), not the browser's error page. */
async function reloadOffline(page, lang) {
  const response = await page.reload();
  assert.equal(response?.status(), 200, 'the form, from the phone');
  assert.equal(await page.getAttribute('html', 'lang'), lang);
  await page.waitForSelector('#queued:not([hidden]) li', { timeout: 5000 });
}

for (const [lang, first, edited] of [
  ['ar', 'سعاد بلا شبكة', 'سعاد عثمان بلا شبكة'],
  ['en', 'Offline Reopen Omer', 'Offline Reopen Omer Edited'],
]) {
  test(`${lang}: reopened offline, the queued report is shown, edited, and sent exactly once`, async () => {
    const { context, page } = await phoneWithForm(lang);
    await context.setOffline(true);
    await fileOffline(page, first);
    const [{ key }] = await queued(page);

    await reloadOffline(page, lang);
    assert.equal(await page.textContent('#queued li bdi'), first, 'the waiting report, by its name');
    assert.equal(await page.inputValue('input[name="people[0].name"]'), '', 'the form is free for a new report');
    assert.notEqual(await page.inputValue('input[name=idempotency_key]'), key, 'with a key of its own');

    // Edit: the report comes back into the form, keeps its key, and is queued again as edited.
    await page.click('#queued li button:first-of-type');
    assert.equal(await page.inputValue('input[name="people[0].name"]'), first);
    assert.ok(await page.isChecked('input[name=needs][value=water]'));
    assert.ok(await page.isHidden('#queued'), 'while it is in the form it is not listed as waiting');
    await page.fill('input[name="people[0].name"]', edited);
    await page.click('button.send');
    await page.waitForSelector('#status.queued', { timeout: 5000 });
    const after = await queued(page);
    assert.equal(after.length, 1, 'one report waiting, not two');
    assert.equal(after[0].key, key, 'under its first key');
    assert.equal(await page.textContent('#queued li bdi'), edited);

    await context.setOffline(false);
    await page.waitForSelector('section.done .reference', { timeout: 20_000 });
    assert.deepEqual(await queued(page), []);
    assert.ok(await page.isHidden('#queued'));
    assert.equal((await casesNamed(env.admin, edited)).length, 1, 'exactly one case, as edited');
    assert.equal((await casesNamed(env.admin, first)).length, 0, 'and none as first written');
    assert.deepEqual(page.errors, []);
    await context.close();
  });
}

test('a cancelled queued report is never sent', async () => {
  const { context, page } = await phoneWithForm('en');
  await context.setOffline(true);
  await fileOffline(page, 'Cancelled Offline Report');
  await reloadOffline(page, 'en');
  await page.click('#queued li button:last-of-type');
  assert.ok(await page.isHidden('#queued'));
  assert.match(await page.textContent('#status'), /cancelled/);
  assert.deepEqual(await queued(page), []);

  // Back online, a later report goes out; the queue is sent in order, so had the cancelled one
  // still been waiting it would have gone first.
  await context.setOffline(false);
  await page.fill('input[name="people[0].name"]', 'Sent After The Cancelled One');
  await page.click('button.send');
  await page.waitForSelector('section.done .reference', { timeout: 20_000 });
  assert.equal((await casesNamed(env.admin, 'Sent After The Cancelled One')).length, 1);
  assert.equal((await casesNamed(env.admin, 'Cancelled Offline Report')).length, 0);
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('a tracking link offline shows the shell, and the worker stores no case data', async () => {
  const accepted = await report(env.server.url, { language: 'ar', people: [{ name: 'Tracked Offline' }] });
  const { context, page } = await phoneWithForm('ar');
  const link = `${env.server.url}/track/${accepted.tracking_token}?lang=ar`;
  await page.goto(link);
  assert.equal(await page.textContent('strong.reference'), accepted.reference, 'online: the case');

  await context.setOffline(true);
  const response = await page.goto(link);
  assert.equal(response?.status(), 200, 'the shell, not the browser error page');
  assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
  assert.equal(await page.$('strong.reference'), null, 'no case data offline');
  assert.match(await page.textContent('main'), /الشبكة/);
  await page.click('main a[href="/?lang=ar"]');
  await page.waitForSelector('form#report');

  const stored = await page.evaluate(async () => {
    const urls = [];
    for (const name of await caches.keys()) {
      for (const request of await (await caches.open(name)).keys()) urls.push(new URL(request.url).pathname);
    }
    return urls;
  });
  assert.ok(stored.includes('/'), `the form is kept: ${stored}`);
  assert.ok(!stored.some((path) => path.startsWith('/track/') || path.startsWith('/api/')), `nothing with case data: ${stored}`);
  await context.close();
});

test('the place picker, used once with network, still offers its towns offline', async () => {
  const { context, page } = await phoneWithForm('en');
  await page.focus('input[name="location.place"]');
  await page.waitForFunction(() => document.querySelectorAll('#places option').length > 100);
  const online = await page.evaluate(() => document.querySelectorAll('#places option').length);
  await context.setOffline(true);
  const response = await page.reload();
  assert.equal(response?.status(), 200, 'the form, from the phone');
  await page.focus('input[name="location.place"]');
  // The index and the countries' files have hashed names: the worker kept them when first used.
  await page.waitForFunction((n) => document.querySelectorAll('#places option').length === n, online, { timeout: 5000 });
  assert.deepEqual(page.errors.filter((e) => !/ERR_INTERNET_DISCONNECTED|Failed to load resource/.test(e)), []);
  await context.close();
});
