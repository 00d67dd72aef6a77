// The ops room in a real browser: sign in, live board and map, two operators, conflicts, RTL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_PASSWORD, apiClient, browserTests, report, signedInPage } from './harness.mjs';

const env = browserTests({ users: [['amira', 'operator', 'amira password 2023'], ['sami', 'operator', 'sami password 2023']] });

const KHARTOUM = { lat: 15.5518, lon: 32.5324, place: 'الرياض، الخرطوم' };

test('a report submitted through the API appears on the board and the map within 1 s', async () => {
  const page = await signedInPage(env.browser, env.server.url, 'admin', ADMIN_PASSWORD);
  await page.waitForFunction(() => document.querySelector('.map-canvas')?.clientWidth > 0);
  const started = Date.now();
  const accepted = await report(env.server.url, {
    people: [{ name: 'Mona', age: 9 }],
    location: KHARTOUM,
    needs: ['medical'],
    flags: ['injured', 'unaccompanied_minors'],
  });
  await page.waitForSelector(`.column[data-status=new] .card[data-reference="${accepted.reference}"]`, { timeout: 1000 });
  const onBoard = Date.now() - started;
  assert.ok(onBoard < 1000, `on the board after ${onBoard} ms`);
  // The map counts it in a cell (the client applies the event's cell at the map's resolution).
  await page.waitForFunction(
    (cell) => {
      const map = window.opsroom.state.map;
      const key = window.opsroom.parentCell(cell, map.resolution);
      return (map.cells.get(key)?.total ?? 0) >= 1;
    },
    accepted.cell,
    { timeout: 1000 },
  );
  await page.context().close();
});

test('one operator moves a case and the other operator\'s board moves the card', async () => {
  const accepted = await report(env.server.url, { people: [{ name: 'Huda' }], location: KHARTOUM });
  const amira = await signedInPage(env.browser, env.server.url, 'amira', 'amira password 2023');
  const sami = await signedInPage(env.browser, env.server.url, 'sami', 'sami password 2023');
  const card = `.card[data-reference="${accepted.reference}"]`;
  await sami.waitForSelector(`.column[data-status=new] ${card}`);
  await amira.click(`.column[data-status=new] ${card}`);
  await amira.waitForSelector('.drawer form select[name=status]');
  // The drawer offers only the moves the server allows from "new".
  const offered = await amira.$$eval('.drawer select[name=status] option', (options) => options.map((o) => o.value));
  assert.deepEqual(offered, ['triaged', 'in_progress', 'closed', 'duplicate']);
  await amira.selectOption('.drawer select[name=status]', 'triaged');
  await amira.click('.drawer button[name=move]');
  await sami.waitForSelector(`.column[data-status=triaged] ${card}`, { timeout: 2000 });
  assert.equal(await sami.locator(`.column[data-status=new] ${card}`).count(), 0);
  // Finishing it moves the card to the finished column on both boards.
  await amira.selectOption('.drawer select[name=status]', 'resolved');
  await amira.click('.drawer button[name=move]');
  await sami.waitForSelector(`.column[data-status=finished] ${card}`, { timeout: 2000 });
  await amira.context().close();
  await sami.context().close();
});

test('a stale edit is explained as a conflict and shows the case as it now stands', async () => {
  const accepted = await report(env.server.url, { people: [{ name: 'Omar' }] });
  const amira = await signedInPage(env.browser, env.server.url, 'amira', 'amira password 2023');
  const card = `.card[data-reference="${accepted.reference}"]`;
  await amira.click(`.column[data-status=new] ${card}`);
  await amira.waitForSelector('.drawer select[name=status]');
  // Meanwhile a colleague changes the case through the API.
  const colleague = await apiClient(env.server.url, 'sami', 'sami password 2023');
  const changed = await colleague('POST', `/api/v1/cases/${accepted.case_id}/status`, { status: 'triaged', version: 1 });
  assert.equal(changed.status, 200);
  // Amira's drawer still holds version 1.
  await amira.selectOption('.drawer select[name=status]', 'in_progress');
  await amira.click('.drawer button[name=move]');
  const notice = await amira.waitForSelector('.drawer .notice.conflict', { timeout: 2000 });
  assert.match(await notice.textContent(), /colleague changed this case/);
  assert.match(await amira.textContent('.drawer h2'), /Triaged/);
  await amira.context().close();
});

test('the Arabic UI renders right to left, the English one left to right', async () => {
  const page = await signedInPage(env.browser, env.server.url, 'admin', ADMIN_PASSWORD, 'ar');
  assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
  assert.equal(await page.getAttribute('html', 'lang'), 'ar');
  assert.equal(await page.evaluate(() => getComputedStyle(document.body).direction), 'rtl');
  assert.equal(await page.textContent('header h1'), 'غرفة العمليات');
  // In RTL the first column (new) sits at the right.
  const [first, second] = await page.$$eval('.column', (columns) => columns.slice(0, 2).map((c) => c.getBoundingClientRect().left));
  assert.ok(first > second, 'columns run right to left');
  await page.click('header button.lang');
  await page.waitForFunction(() => document.documentElement.dir === 'ltr');
  assert.equal(await page.textContent('header h1'), 'Ops room');
  await page.context().close();
});

test('after a dropped connection the board says so, reconnects and misses nothing', async () => {
  const page = await signedInPage(env.browser, env.server.url, 'admin', ADMIN_PASSWORD);
  const before = await report(env.server.url, { people: [{ name: 'Before restart' }] });
  await page.waitForSelector(`.card[data-reference="${before.reference}"]`);
  const restarting = env.server.restart();
  await page.waitForSelector('.connection[data-state=reconnecting]', { timeout: 10_000 });
  await restarting;
  // Reports sent while the page was away arrive once it has resumed from its last position.
  const during = await report(env.server.url, { people: [{ name: 'After restart' }] });
  await page.waitForSelector('.connection[data-state=live]', { timeout: 15_000 });
  await page.waitForSelector(`.card[data-reference="${during.reference}"]`, { timeout: 5000 });
  assert.equal(await page.locator(`.card[data-reference="${before.reference}"]`).count(), 1, 'nothing twice');
  await page.context().close();
});

test('the room runs one frame loop however often the language switches or the operator signs out and in, the sign-in page none', async () => {
  const context = await env.browser.newContext();
  // Every requestAnimationFrame callback is counted by the frame it runs in: a loop asks for
  // every frame, so the fewest callbacks in any frame of a quiet second is the number of loops.
  await context.addInitScript(() => {
    localStorage.setItem('opsroom.lang', 'en');
    const request = window.requestAnimationFrame.bind(window);
    window.frameCallbacks = new Map(); // frame time → callbacks run in that frame
    window.requestAnimationFrame = (callback) =>
      request((time) => {
        window.frameCallbacks.set(time, (window.frameCallbacks.get(time) ?? 0) + 1);
        callback(time);
      });
  });
  const page = await context.newPage();
  const signIn = async () => {
    await page.fill('input[name=name]', 'admin');
    await page.fill('input[name=password]', ADMIN_PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForSelector('.connection[data-state=live]', { timeout: 10_000 });
  };
  /** Over a quiet second: how many frames ran callbacks, and the fewest callbacks in one. */
  const loops = () =>
    page.evaluate(async () => {
      window.frameCallbacks.clear();
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const counts = [...window.frameCallbacks.values()];
      return { frames: counts.length, fewest: counts.length ? Math.min(...counts) : 0 };
    });
  await page.goto(`${env.server.url}/ops/`);
  await signIn();
  const first = await loops();
  assert.ok(first.frames > 10, `the room draws every frame (${first.frames} frames in a second)`);
  assert.equal(first.fewest, 1, 'one loop after signing in');
  for (let round = 0; round < 3; round++) {
    for (const dir of ['rtl', 'ltr']) {
      await page.click('header button.lang');
      await page.waitForFunction((d) => document.documentElement.dir === d, dir);
      await page.waitForSelector('.connection[data-state=live]', { timeout: 10_000 });
    }
    await page.click('header button:has-text("Sign out")');
    await page.waitForSelector('form.login');
    const signedOut = await loops();
    assert.equal(signedOut.frames, 0, `no frame loop on the sign-in page (round ${round}: ${signedOut.frames} frames ran callbacks)`);
    await signIn();
  }
  const last = await loops();
  assert.ok(last.frames > 10, `the room still draws every frame (${last.frames} frames in a second)`);
  assert.equal(last.fewest, 1, 'still one loop after three rounds of switching languages and signing out and in');
  await context.close();
});
