// Partner agencies in a real browser: an operator refers a case from the drawer, the partner's
// page shows it live, the partner accepts and reports progress, and the ops room sees each step
// live. Also: the partner page's languages and refusals, resuming after a dropped connection, a
// revoked token, and the admins' Partners panel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_PASSWORD, apiClient, browserTests, partnerPage, report, signedInPage } from './harness.mjs';

const env = browserTests({ users: [['amira', 'operator', 'amira password 2023']] });

/** Register a partner and issue it a token, as an admin would through the API. */
async function partnerWithToken(name, nameAr) {
  const registered = await env.admin('POST', '/api/v1/partners', { name, name_ar: nameAr, kind: 'red_crescent' });
  assert.equal(registered.status, 201, JSON.stringify(registered.body));
  const issued = await env.admin('POST', `/api/v1/partners/${registered.body.partner_id}/tokens`, {});
  assert.equal(issued.status, 201);
  return { partner: registered.body, token: issued.body.token, tokenId: issued.body.token_id };
}

const KHARTOUM = { lat: 15.5518, lon: 32.5324, place: 'الرياض، الخرطوم' };

test('a case referred in the drawer reaches the partner live; its answers reach the drawer live', async () => {
  const { partner, token } = await partnerWithToken('Sudanese Red Crescent', 'الهلال الأحمر السوداني');
  const desk = await partnerPage(env.browser, env.server.url, token);
  assert.equal(await desk.textContent('header .partner-name'), 'Sudanese Red Crescent');
  assert.match(await desk.textContent('.profile .fields'), /^names, ages, sex, phones, needs, vulnerabilities$/);
  await desk.waitForSelector('.cases .empty');
  // The token lives in the HttpOnly cookie only: not in storage, not readable by the script.
  assert.ok(!(await desk.evaluate(() => JSON.stringify({ ...localStorage }) + document.cookie)).includes(token));

  const accepted = await report(env.server.url, {
    people: [{ name: 'Mona', age: 9, phone: '+249912000111' }],
    location: KHARTOUM,
    needs: ['medical'],
    flags: ['injured'],
  });
  const ops = await signedInPage(env.browser, env.server.url, 'amira', 'amira password 2023');
  ops.on('dialog', (dialog) => dialog.accept());
  await ops.click(`.card[data-reference="${accepted.reference}"]`);
  await ops.waitForSelector('.drawer form.refer');
  await ops.selectOption('.drawer select[name=partner_id]', partner.partner_id);
  await ops.selectOption('.drawer select[name=request_type]', 'medical_evacuation');
  await ops.fill('.drawer form.refer input[name=note]', 'Injured child, bring a stretcher');
  await ops.click('.drawer button[name=refer]');
  await ops.waitForSelector('.drawer li.referral.status-pending:has-text("Sudanese Red Crescent")');

  // The partner's page shows the case as soon as it is referred, cut to the partner's profile.
  const card = `article.case[data-reference="${accepted.reference}"]`;
  await desk.waitForSelector(card);
  assert.match(await desk.textContent(`${card} .people`), /Mona.*9.*\+249912000111/);
  assert.match(await desk.textContent(`${card} .referral`), /Medical evacuation.*Awaiting your answer.*bring a stretcher/s);

  // Declining needs a reason: the refusal is said in the page's language.
  await desk.click(`${card} button[name=decline]`);
  assert.equal(await (await desk.waitForSelector(`${card} .referral .error`)).textContent(), 'Say why you decline this request.');

  await desk.fill(`${card} form.accept input[name=text]`, 'Team of two');
  await desk.click(`${card} button[name=accept]`);
  await desk.waitForSelector(`${card} .referral.status-accepted`);
  await ops.waitForSelector('.drawer li.referral.status-accepted');
  await ops.waitForSelector('.drawer ol.timeline li[data-kind=referral_updated]:has-text("Team of two")');

  await desk.selectOption(`${card} select[name=step]`, 'en_route');
  await desk.fill(`${card} form.progress input[name=text]`, 'Ambulance left Omdurman');
  await desk.click(`${card} button[name=progress]`);
  await desk.waitForSelector(`${card} .referral.status-en_route .history li:has-text("Ambulance left Omdurman")`);
  assert.equal(await (await ops.waitForSelector('.drawer li.referral.status-en_route .status')).textContent(), 'On the way');

  // "Unable" needs a reason too.
  await desk.selectOption(`${card} select[name=step]`, 'unable');
  await desk.click(`${card} button[name=progress]`);
  assert.equal(await (await desk.waitForSelector(`${card} .referral .error`)).textContent(), 'Say why it cannot be done.');

  // The exports come with the page's cookie.
  const csv = await desk.evaluate(async () => (await fetch(document.querySelector('a[name=csv]').href)).text());
  assert.match(csv, new RegExp(accepted.reference));
  const geojson = await desk.evaluate(async () => (await fetch(document.querySelector('a[name=geojson]').href)).json());
  assert.equal(geojson.features.length, 1);

  // A second request, declined with a reason: the ops room's card says someone else is needed.
  const transport = await env.admin('POST', `/api/v1/cases/${accepted.case_id}/referrals`, { partner_id: partner.partner_id, request_type: 'transport' });
  assert.equal(transport.status, 201);
  const second = `${card} .referral[data-referral-id="${transport.body.referral_id}"]`;
  await desk.fill(`${second} input[name=reason]`, 'No vehicle free until tomorrow');
  await desk.click(`${second} button[name=decline]`);
  await desk.waitForSelector(second, { state: 'detached' }); // a declined referral is no longer the partner's
  await ops.waitForSelector(`.drawer li.referral.status-declined[data-referral-id="${transport.body.referral_id}"]`);
  await ops.waitForSelector(`.card[data-reference="${accepted.reference}"] .referral-attention.declined`);

  // Withdrawn, the case leaves the partner's page (its feed item carries no case any more).
  await ops.click('.drawer li.referral.status-en_route button[name=withdraw-referral]');
  await ops.waitForSelector('.drawer li.referral.status-withdrawn');
  await desk.waitForSelector(card, { state: 'detached' });
  await desk.waitForSelector('.cases .empty');
  await ops.context().close();
  await desk.context().close();
});

test("the partner page in Arabic is right to left; a wrong token is refused in the page's language", async () => {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  await page.goto(`${env.server.url}/partner/`);
  assert.equal(await page.getAttribute('html', 'dir'), 'rtl', 'Arabic first');
  await page.fill('input[name=token]', 'not-a-token');
  await page.click('button[name=sign-in]');
  assert.equal(await (await page.waitForSelector('.sign-in .error')).textContent(), 'رمز الدخول غير صحيح أو انتهت صلاحيته أو أُبطل.');

  await page.click('.sign-in button.lang');
  await page.waitForFunction(() => document.documentElement.dir === 'ltr');
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  await page.fill('input[name=token]', 'still-not-a-token');
  await page.click('button[name=sign-in]');
  await page.waitForSelector('.sign-in .error:has-text("This token is wrong, expired or revoked.")');

  // Signed in, the toggle turns the desk itself right to left, partner name and all.
  const { token } = await partnerWithToken('Egyptian Red Crescent', 'الهلال الأحمر المصري');
  await page.fill('input[name=token]', token);
  await page.click('button[name=sign-in]');
  await page.waitForSelector('header .partner-name:has-text("Egyptian Red Crescent")');
  await page.click('header button.lang');
  await page.waitForFunction(() => document.documentElement.dir === 'rtl');
  assert.equal(await page.evaluate(() => getComputedStyle(document.body).direction), 'rtl');
  assert.equal(await page.textContent('header .partner-name'), 'الهلال الأحمر المصري');
  assert.equal(await page.textContent('header h1'), 'بوابة الشركاء');
  // Signing out drops the cookie: a reload asks for the token again.
  await page.click('button[name=sign-out]');
  await page.waitForSelector('input[name=token]');
  await page.reload();
  await page.waitForSelector('input[name=token]');
  await context.close();
});

test('after a dropped connection the partner page resumes and misses nothing', async () => {
  const { partner, token } = await partnerWithToken('UNHCR Port Sudan', null);
  const refer = async (name) => {
    const accepted = await report(env.server.url, { people: [{ name }], location: KHARTOUM, needs: ['shelter'] });
    const referred = await env.admin('POST', `/api/v1/cases/${accepted.case_id}/referrals`, { partner_id: partner.partner_id, request_type: 'shelter' });
    assert.equal(referred.status, 201);
    return accepted;
  };
  const before = await refer('Before restart');
  const desk = await partnerPage(env.browser, env.server.url, token);
  await desk.waitForSelector(`article.case[data-reference="${before.reference}"]`);
  const restarting = env.server.restart();
  await desk.waitForSelector('.connection[data-state=reconnecting]', { timeout: 10_000 });
  await restarting;
  env.admin = await apiClient(env.server.url, 'admin', ADMIN_PASSWORD);
  const during = await refer('After restart');
  await desk.waitForSelector('.connection[data-state=live]', { timeout: 15_000 });
  await desk.waitForSelector(`article.case[data-reference="${during.reference}"]`, { timeout: 10_000 });
  assert.equal(await desk.locator(`article.case[data-reference="${before.reference}"]`).count(), 1, 'nothing twice');
  await desk.context().close();
});

test('a revoked token ends the partner page\'s session with a message', async () => {
  const { partner, token, tokenId } = await partnerWithToken('Embassy desk', null);
  const desk = await partnerPage(env.browser, env.server.url, token);
  const revoked = await env.admin('DELETE', `/api/v1/partners/${partner.partner_id}/tokens/${tokenId}`);
  assert.equal(revoked.status, 204);
  await desk.waitForSelector('.sign-in .error:has-text("The session ended or the token was revoked.")', { timeout: 10_000 });
  await desk.context().close();
});

test('the Partners panel: admins register a partner and see its token once; operators have no panel', async () => {
  const operator = await signedInPage(env.browser, env.server.url, 'amira', 'amira password 2023');
  assert.equal(await operator.locator('details.partners-panel').count(), 0);
  await operator.context().close();

  const page = await signedInPage(env.browser, env.server.url, 'admin', ADMIN_PASSWORD);
  page.on('dialog', (dialog) => dialog.accept());
  await page.click('details.partners-panel > summary');
  // A refusal is shown with its field.
  await page.click('.partners-panel button[name=register]');
  await page.waitForSelector('.partners-panel .notice.error:has-text("name")');
  await page.fill('.partners-panel input[name=name]', 'Qatar Charity');
  await page.fill('.partners-panel input[name=name_ar]', 'قطر الخيرية');
  await page.selectOption('.partners-panel select[name=kind]', 'ngo');
  await page.click('.partners-panel button[name=register]');
  const item = '.partner-list li.partner:has-text("Qatar Charity")';
  await page.waitForSelector(item);
  assert.match(await page.textContent(`${item} .profile`), /ages.*sex.*needs/);

  await page.click(`${item} button[name=issue-token]`);
  const token = await (await page.waitForSelector(`${item} .token-once input.token`)).inputValue();
  assert.ok(token.length >= 40, 'a 256-bit token');
  const signIn = await fetch(`${env.server.url}/api/v1/partner/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token }),
  });
  assert.equal(signIn.status, 200, 'the token shown works');
  await page.waitForSelector(`${item} .tokens li:not(.revoked)`);

  // Once hidden (or after a reload) it is gone for good: the list shows only the token's id.
  await page.reload();
  await page.waitForSelector('.connection[data-state=live]');
  await page.click('details.partners-panel > summary');
  await page.click(`${item} details.more > summary`);
  await page.waitForSelector(`${item} .tokens li`);
  assert.equal(await page.locator('.token-once').count(), 0);
  assert.ok(!(await page.textContent('.partners-panel')).includes(token));
  await page.click(`${item} button[name=revoke-token]`);
  await page.waitForSelector(`${item} .tokens li.revoked`);
  assert.equal(await page.locator(`${item} .dead-letters li`).count(), 0);
  await page.context().close();
});

test('the Partners panel lists undelivered webhooks and replays one', async () => {
  // A dead letter takes minutes of failed retries to appear (the retry schedule has no command-line
  // flag), so the server's answers are stood in for here, in the documented shape.
  const { partner } = await partnerWithToken('Webhook partner', null);
  const page = await signedInPage(env.browser, env.server.url, 'admin', ADMIN_PASSWORD);
  let replayed = null;
  await page.route(`**/api/v1/partners/${partner.partner_id}/dead-letters`, (route) =>
    route.fulfill({
      json: [{ dead_id: 'd1', seq: 42, attempts: 8, last_error: 'connection refused', dead_at: '2026-11-29T04:00:00Z', replayed_at: replayed, body: {} }],
    }),
  );
  await page.route(`**/api/v1/partners/${partner.partner_id}/dead-letters/d1/replay`, (route) => {
    replayed = '2026-11-29T04:05:00Z';
    return route.fulfill({ status: 204 });
  });
  const item = '.partner-list li.partner:has-text("Webhook partner")';
  await page.click('details.partners-panel > summary');
  await page.click(`${item} details.more > summary`);
  await page.waitForSelector(`${item} .dead-letters li[data-dead-id=d1]:has-text("connection refused")`);
  await page.click(`${item} .dead-letters button[name=replay]`);
  await page.waitForSelector(`${item} .dead-letters li[data-dead-id=d1]:has-text("Sent again")`);
  assert.equal(await page.locator(`${item} .dead-letters button[name=replay]`).count(), 0);
  await page.context().close();
});
