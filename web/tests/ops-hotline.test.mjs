// The hotline desk in a real browser, in Arabic, keyboard first: a caller's number typed in
// national form finds the caller's case and its earlier call; the call is logged on it with an
// outcome picked by key. Then a new caller: a report taken while they speak, the server's
// refusals of their number and an age shown at once in Arabic beside their fields, fixed, saved,
// and the call logged on the new case — both in the case's timeline and detail. The room holds
// 20,000 other cases (`opsroom seed`), among which a seeded one is found by its number too.
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apiClient, BINARY, browserTests, report, signedInPage } from './harness.mjs';

const PASSWORD = 'Port-Sudan-hotline-desk-7';

let staff;
/** One of the seeded cases: its reference and its phone as dialled at home. */
let seeded;
const env = browserTests({
  users: [['nadia', 'operator', PASSWORD]],
  async prepare() {
    const seed = spawnSync(BINARY, ['seed', '--cases', '20000', '--database-url', env.server.database], { encoding: 'utf8' });
    if (seed.status !== 0) throw new Error(`seed failed: ${seed.stderr}`);
    seeded = JSON.parse(seed.stdout).sample;
    staff = await apiClient(env.server.url, 'nadia', PASSWORD);
  },
});

/** The case's detail as the API gives it. */
async function detail(caseId) {
  const answer = await staff('GET', `/api/v1/cases/${caseId}`);
  assert.equal(answer.status, 200);
  return answer.body;
}

const lastCall = (d) => d.events.filter((e) => e.kind === 'call_logged').at(-1)?.data;

test('a hotline call taken end to end', async () => {
  // A mother reported her son an hour ago and called once since.
  const known = await report(env.server.url, {
    reporter: { name: 'أم محمد', phone: '+249 912 000 111', relation: 'parent' },
    people: [{ name: 'محمد عثمان', age: 12 }],
    location: { lat: 15.5518, lon: 32.5324, place: 'الرياض، الخرطوم' },
  });
  const now = Date.now();
  const earlier = await staff('POST', `/api/v1/cases/${known.case_id}/calls`, {
    phone: '+249912000111', direction: 'incoming', outcome: 'information_only',
    started_at: new Date(now - 30 * 60_000).toISOString(), ended_at: new Date(now - 28 * 60_000).toISOString(),
  });
  assert.equal(earlier.status, 201, JSON.stringify(earlier.body));

  const page = await signedInPage(env.browser, env.server.url, 'nadia', PASSWORD, 'ar');
  await page.click('button.hotline-toggle');
  await page.waitForSelector('.hotline input[name=phone]');
  assert.equal(await page.evaluate(() => document.activeElement?.name), 'phone', 'the number field has the focus');

  // She calls again; the operator types her number as it is dialled at home.
  await page.keyboard.type('0912 000 111');
  const knownCase = `.hotline-cases li.case[data-reference="${known.reference}"]`;
  await page.waitForSelector(knownCase);
  const her = `${knownCase} ul.people li[data-role=reporter]`;
  assert.equal(await page.locator(`${her} a[href="tel:+249912000111"]`).count(), 1, 'her number, click to call');
  assert.equal(await page.locator(`${her} a[href="https://wa.me/249912000111"]`).count(), 1, 'and on WhatsApp');
  assert.equal(await page.locator(`${knownCase} ul.reports li`).count(), 1, 'her report');
  assert.equal(await page.locator(`${knownCase} ul.case-calls li.call[data-outcome=information_only]`).count(), 1, 'her call, on her case');
  await page.waitForSelector('.hotline-calls li.call[data-outcome=information_only]');
  assert.equal(await page.getAttribute('.hotline-calls li.call bdi.phone', 'dir'), 'ltr', 'numbers read left to right in Arabic');

  // The operator gives her news of her son and logs it: choose the case, end, outcome 2, Enter.
  await page.click(`${knownCase} button.choose`);
  await page.keyboard.press('Alt+E');
  await page.waitForSelector('.hotline-end form');
  assert.equal(await page.inputValue('.hotline-end input[name=phone]'), '+249912000111', "the case's own number");
  await page.keyboard.press('2');
  await page.keyboard.press('Enter');
  await page.waitForSelector('.hotline .logged bdi');
  assert.equal(await page.textContent('.hotline .logged bdi'), known.reference);
  const update = lastCall(await detail(known.case_id));
  assert.deepEqual([update.outcome, update.phone, update.direction], ['update_given', '+249912000111', 'incoming']);
  assert.ok(new Date(update.started_at) <= new Date(update.ended_at));
  assert.equal(await page.inputValue('.hotline input[name=phone]'), '', 'ready for the next caller');

  // A new caller: nothing known of the number.
  await page.keyboard.type('0912 000 222');
  await page.waitForFunction(() => document.querySelector('.hotline .lookup-state')?.textContent.includes(': 0'));
  assert.equal(await page.locator('.hotline-cases li.case').count(), 0);

  // The report is taken as she speaks; her number is there already, as typed.
  await page.keyboard.press('Alt+R');
  await page.waitForSelector('.hotline form.report-form');
  assert.equal(await page.inputValue('[name="reporter.phone"]'), '0912 000 222');
  await page.keyboard.type('هدى علي'); // the caller's name field has the focus
  // The line crackles as she repeats it: the operator keeps only the digits they are sure of,
  // too few for a number of the home country (Egypt), where a number without its code is read.
  await page.fill('[name="reporter.phone"]', '0912 0002');
  await page.fill('[name="people[0].name"]', 'سارة علي');
  await page.fill('[name="people[0].age"]', '170'); // misheard: a second mistake, shown at once
  await page.check('input[name=needs][value=medical]');
  await page.fill('[name=message]', 'ابنتها محاصرة قرب السوق العربي');
  await page.click('form.report-form button[type=submit]');
  const phoneError = '[data-field="reporter.phone"] .field-error';
  await page.waitForFunction((selector) => document.querySelector(selector)?.textContent, phoneError);
  assert.equal(await page.textContent(phoneError), 'عدد أرقام الهاتف لا يناسب رمز دولته. راجع الرقم ورمز الدولة.');
  assert.equal(await page.getAttribute('[name="reporter.phone"]', 'aria-invalid'), 'true');
  assert.equal(await page.evaluate(() => document.activeElement?.name), 'reporter.phone', 'the first refused field has the focus');
  // Every mistake of the report at once, each beside its field.
  assert.equal(await page.textContent('[data-field="people[0].age"] .field-error'), 'القيمة خارج النطاق المسموح.');
  assert.equal(await page.getAttribute('[name="people[0].age"]', 'aria-invalid'), 'true');

  await page.fill('[name="people[0].age"]', '7');
  await page.fill('[name="reporter.phone"]', '+249 912 000 222');
  // The line to the server drops as the report is saved: the case is filed, its answer lost.
  let dropped = false;
  await page.route('**/api/v1/cases', async (route) => {
    if (route.request().method() !== 'POST' || dropped) return route.fallback();
    dropped = true;
    await route.fetch();
    await route.abort('connectionreset');
  });
  await page.click('form.report-form button[type=submit]');
  await page.waitForSelector('.hotline form.report-form .notice.error:not([hidden])');
  assert.equal(await page.textContent('.hotline form.report-form .notice.error'), 'تعذّر الاتصال بالخادم. حاول مرة أخرى.');
  // Saved again, the same report (one Idempotency-Key) replays the case already filed.
  await page.click('form.report-form button[type=submit]');
  await page.waitForSelector('.hotline .report-saved bdi');
  const hers = await staff('GET', `/api/v1/cases?q=${encodeURIComponent('+249912000222')}`);
  assert.equal(hers.body.total, 1, 'one case, though the report reached the server twice');
  const reference = await page.textContent('.hotline .report-saved bdi');
  // The new case is found for the number at once, and the call will go on it.
  await page.waitForSelector(`.hotline-cases li.case.chosen[data-reference="${reference}"]`);
  const caseId = await page.getAttribute(`.hotline-cases li.case[data-reference="${reference}"]`, 'data-case-id');

  await page.keyboard.press('Alt+E');
  await page.waitForSelector('.hotline-end form');
  assert.equal(await page.isChecked('input[name=outcome][value=report_taken]'), true, 'a report was taken');
  assert.equal(await page.inputValue('.hotline-end input[name=phone]'), '+249 912 000 222');
  await page.fill('.hotline-end [name=note]', 'ستتصل مرة أخرى مساءً');
  assert.equal(await page.locator('.hotline .logged bdi').count(), 0, 'the last call is no longer confirmed');
  await page.click('.hotline-end button[type=submit]');
  await page.waitForSelector('.hotline .logged bdi');
  assert.equal(await page.textContent('.hotline .logged bdi'), reference);

  // The case holds the report (by hotline, taken by Nadia) and the call, in that order.
  const taken = await detail(caseId);
  assert.equal(taken.case.channel, 'hotline');
  assert.deepEqual(
    taken.persons.map((p) => [p.role, p.name, p.phone]),
    [['subject', 'سارة علي', null], ['reporter', 'هدى علي', '+249912000222']],
  );
  const kinds = taken.events.map((e) => e.kind);
  assert.deepEqual(kinds, ['case_reported', 'call_logged']);
  assert.deepEqual(
    [lastCall(taken).outcome, lastCall(taken).phone, lastCall(taken).note],
    ['report_taken', '+249912000222', 'ستتصل مرة أخرى مساءً'],
  );

  // And the drawer's timeline shows both.
  await page.click('.hotline .logged button.open');
  await page.waitForSelector('.drawer ol.timeline li[data-kind=call_logged]');
  assert.equal(await page.locator('.drawer ol.timeline li[data-kind=case_reported]').count(), 1);
  assert.equal(await page.isHidden('.hotline-overlay'), true, 'the desk steps aside for the case');
  await page.context().close();
});

test('a seeded case is found by its number among 20,000; no call is logged before a case is chosen', async () => {
  const page = await signedInPage(env.browser, env.server.url, 'nadia', PASSWORD, 'en');
  await page.click('button.hotline-toggle');
  await page.waitForSelector('.hotline input[name=phone]');
  await page.keyboard.type(seeded.phone_national);
  await page.waitForSelector(`.hotline-cases li.case[data-reference="${seeded.reference}"]`);
  assert.equal(await page.locator(`.hotline-cases li.case[data-reference="${seeded.reference}"] a[href="tel:${seeded.phone}"]`).count(), 1);

  // Another number: nothing chosen, so the call cannot be logged yet.
  await page.keyboard.press('Alt+N');
  await page.keyboard.type('+20 100 000 0333');
  await page.keyboard.press('Alt+E');
  await page.waitForSelector('.hotline-end form');
  await page.keyboard.press('5');
  await page.keyboard.press('Enter');
  await page.waitForSelector('.hotline-end .notice.error:not([hidden])');
  assert.equal(await page.textContent('.hotline-end .notice.error'), 'Choose a case from the results, or take a new report, first.');
  const calls = await staff('GET', `/api/v1/calls?phone=${encodeURIComponent('+201000000333')}`);
  assert.deepEqual(calls.body.calls, [], 'nothing was logged');
  // The desk closes with its own button, and the board is there beneath it.
  await page.click('.hotline-overlay button[name=close-hotline]');
  assert.equal(await page.isHidden('.hotline-overlay'), true, 'the desk closes');
  await page.click('.column[data-status=new] .card');
  await page.waitForSelector('.drawer:not([hidden])');
  await page.context().close();
});
