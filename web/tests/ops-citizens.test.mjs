// The ops room and the citizens' side together: an advisory published in the ops room reaches
// other operators live and the public form; a citizen's update shows on the board live; an
// operator revokes a tracking link from the drawer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_PASSWORD, browserTests, report, signedInPage } from './harness.mjs';

const env = browserTests({ users: [['amira', 'operator', 'amira password 2023'], ['hoda', 'supervisor', 'hoda password 2023']] });

test('a supervisor publishes an advisory; an operator sees it live; the public form shows it; withdrawal removes it', async () => {
  const operator = await signedInPage(env.browser, env.server.url, 'amira', 'amira password 2023');
  await operator.click('details.advisories-panel summary');
  assert.equal(await operator.locator('form.publish').count(), 0, 'operators do not publish');

  const supervisor = await signedInPage(env.browser, env.server.url, 'hoda', 'hoda password 2023');
  supervisor.on('dialog', (dialog) => dialog.accept());
  await supervisor.click('details.advisories-panel summary');
  await supervisor.fill('input[name="headline.ar"]', 'لا رسوم على مقاعد الإجلاء');
  await supervisor.fill('input[name="headline.en"]', 'No fee for evacuation seats');
  await supervisor.fill('textarea[name="body.ar"]', 'المقاعد مجانية للجميع');
  await supervisor.fill('textarea[name="body.en"]', 'Seats are free for everyone');
  await supervisor.selectOption('select[name=kind]', 'rumour_rebuttal');
  await supervisor.click('button[name=publish]');

  await operator.waitForSelector('.advisory-list li:has-text("No fee for evacuation seats")', { timeout: 5000 });
  const form = await env.browser.newPage();
  await form.goto(`${env.server.url}/?lang=en`);
  assert.match(await form.textContent('section.advisories'), /No fee for evacuation seats/);

  await supervisor.click('.advisory-list li button[name=withdraw]');
  await operator.waitForSelector('.advisory-list li', { state: 'detached', timeout: 5000 });
  await form.reload();
  assert.equal(await form.locator('section.advisories').count(), 0);
});

test("a citizen's update shows on the case's card live; the drawer revokes the tracking link", async () => {
  const page = await signedInPage(env.browser, env.server.url, 'admin', ADMIN_PASSWORD);
  page.on('dialog', (dialog) => dialog.accept());
  const accepted = await report(env.server.url, { people: [{ name: 'Hamid' }], location: { lat: 15.55, lon: 32.53 } });
  const card = `.card[data-reference="${accepted.reference}"]`;
  await page.waitForSelector(card, { timeout: 5000 });
  const sent = await fetch(`${env.server.url}/api/v1/track/${accepted.tracking_token}/updates`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ kind: 'safe', message: 'We reached a neighbour' }),
  });
  assert.equal(sent.status, 201);
  await page.waitForSelector(`${card} .citizen:has-text("Citizen: safe now")`, { timeout: 2000 });

  await page.click(card);
  await page.click('.drawer button[name=revoke-link]');
  await page.waitForSelector('.drawer .notice.info');
  const after = await fetch(`${env.server.url}/api/v1/track/${accepted.tracking_token}`);
  assert.equal(after.status, 404, 'the old link is dead');
  await page.click('.drawer button[name=reissue-link]');
  const notice = await (await page.waitForSelector('.drawer .notice.info:has-text("/track/")')).textContent();
  const path = notice.slice(notice.indexOf('/track/'));
  assert.equal((await fetch(`${env.server.url}/api/v1/track/${path.split('/track/')[1]}`)).status, 200, 'the new link works');
});
