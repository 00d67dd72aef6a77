// The partner page as a field worker uses it, on a 360×640 phone in Arabic and in English: the
// list keeps its order (priority, then referral time) across accept and progress, so the next
// tap lands on the case aimed at; every value is in the page's language; the area is said in
// kilometres with a `geo:` link; phones call when tapped; each request offers its own steps; the
// filters; and the CSV starts with a byte order mark. Screenshots go to target/screenshots/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { browserTests, partnerPage, report } from './harness.mjs';

const SCREENSHOTS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'target', 'screenshots');

const env = browserTests({
  async prepare() {
    mkdirSync(SCREENSHOTS, { recursive: true });
  },
});

const KHARTOUM = { lat: 15.5518, lon: 32.5324, place: 'الرياض، الخرطوم' };
const FIELDS = ['names', 'ages', 'sex', 'phones', 'needs', 'flags', 'place', 'reporter'];

/** A partner seeing the reporter too, with a token; three cases referred to it, oldest first:
 * a transport (critical), a family tracing and consular documents (both lower). */
async function deskWithCases(name) {
  const registered = await env.admin('POST', '/api/v1/partners', { name, kind: 'red_crescent', profile: { fields: FIELDS, resolution: 7 } });
  assert.equal(registered.status, 201, JSON.stringify(registered.body));
  const partnerId = registered.body.partner_id;
  const issued = await env.admin('POST', `/api/v1/partners/${partnerId}/tokens`, {});
  const referred = [];
  const refer = async (body, request) => {
    const filed = await report(env.server.url, body);
    const made = await env.admin('POST', `/api/v1/cases/${filed.case_id}/referrals`, { partner_id: partnerId, request_type: request });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    referred.push({ ...filed, request, referralId: made.body.referral_id });
  };
  await refer(
    {
      people: [{ name: 'منى عادل', age: 9, sex: 'female', phone: '+249912000111' }],
      location: KHARTOUM,
      needs: ['medical'],
      flags: ['injured'],
    },
    'transport',
  );
  await refer(
    {
      people: [{ name: 'سامي حسن', age: 34, sex: 'male' }],
      reporter: { name: 'أم سامي', phone: '+201001234567', relation: 'parent' },
      location: { place: 'بحري' },
      needs: ['missing_person'],
    },
    'family_tracing',
  );
  await refer({ people: [{ name: 'هدى علي', age: 40, sex: 'female' }], location: KHARTOUM, needs: ['documents'] }, 'consular_documents');
  return { token: issued.body.token, referred };
}

/** The partner's page on a 360×640 phone. */
const phonePage = (token, language) =>
  partnerPage(env.browser, env.server.url, token, language, { viewport: { width: 360, height: 640 }, deviceScaleFactor: 1 });

const order = (page) => page.$$eval('.cases article.case', (cards) => cards.map((c) => c.dataset.reference));
/** Wait until the list shows exactly these cases, in this order: the page renders on its next
 * frame, so a count alone can still be the previous filter's list. */
const showsOnly = (page, references) =>
  page.waitForFunction(
    (wanted) => JSON.stringify([...document.querySelectorAll('.cases article.case')].map((c) => c.dataset.reference)) === JSON.stringify(wanted),
    references,
  );
const card = (reference) => `article.case[data-reference="${reference}"]`;
/** Wait until the referral shows `status` (the page reads the case again after each answer). */
const showsStatus = (page, referralId, status) => page.waitForSelector(`.referral.status-${status}[data-referral-id="${referralId}"]`);

for (const language of ['ar', 'en']) {
  test(`the field desk in ${language}: stable order, its own words, area, phones, steps, filters, CSV`, async () => {
    const { token, referred } = await deskWithCases(`Field desk ${language}`);
    const [transport, tracing, documents] = referred;
    const page = await phonePage(token, language);
    for (const r of referred) await page.waitForSelector(card(r.reference));
    await page.screenshot({ path: join(SCREENSHOTS, `partner-field-${language}.png`) });

    // Priority first (the injured child is critical), then the longest referred.
    const before = await order(page);
    assert.equal(before[0], transport.reference);
    assert.deepEqual(before.slice(1), [tracing.reference, documents.reference]);
    // Accept and step through, case by case: the list never moves.
    // Where the card sits in the list (not in the viewport, which a click scrolls; nor on the
    // page, where the filters' and movements' sections above the list may still be settling
    // on a loaded machine — the answered card must not move within the list of cases).
    const top = (reference) =>
      page.$eval(card(reference), (element) => element.getBoundingClientRect().top - element.closest('.cases').getBoundingClientRect().top);
    const tracingTop = await top(tracing.reference);
    await page.click(`${card(tracing.reference)} button[name=accept]`);
    await showsStatus(page, tracing.referralId, 'accepted');
    assert.deepEqual(await order(page), before, 'accepting moved nothing');
    assert.equal(await top(tracing.reference), tracingTop, 'the card answered stays under the finger');

    // Family tracing offers its own steps, in the page's language, and no transport step.
    const steps = await page.$$eval(`${card(tracing.reference)} select[name=step] option`, (options) => options.map((o) => [o.value, o.textContent]));
    assert.deepEqual(steps.map(([value]) => value), ['contacted', 'located', 'reunited', 'completed', 'unable']);
    const words = Object.fromEntries(steps);
    assert.equal(words.contacted, language === 'ar' ? 'تم التواصل مع الأسرة' : 'Family contacted');
    await page.selectOption(`${card(tracing.reference)} select[name=step]`, 'located');
    await page.click(`${card(tracing.reference)} button[name=progress]`);
    await showsStatus(page, tracing.referralId, 'located');
    await page.click(`${card(transport.reference)} button[name=accept]`);
    await showsStatus(page, transport.referralId, 'accepted');
    await page.selectOption(`${card(transport.reference)} select[name=step]`, 'picked_up');
    await page.click(`${card(transport.reference)} button[name=progress]`);
    await showsStatus(page, transport.referralId, 'picked_up');
    await page.click(`${card(documents.reference)} button[name=accept]`);
    await showsStatus(page, documents.referralId, 'accepted');
    const documentSteps = await page.$$eval(`${card(documents.reference)} select[name=step] option`, (options) => options.map((o) => o.value));
    assert.deepEqual(documentSteps, ['appointment_set', 'issued', 'completed', 'unable']);
    await page.selectOption(`${card(documents.reference)} select[name=step]`, 'completed');
    await page.click(`${card(documents.reference)} button[name=progress]`);
    await showsStatus(page, documents.referralId, 'completed');
    assert.deepEqual(await order(page), before, 'progress and completion moved nothing');

    // Every value in the page's language: in Arabic no Latin word is left outside the
    // left-to-right isolates (references, phones, coordinates).
    const text = (reference) =>
      page.$eval(card(reference), (element) => {
        const copy = element.cloneNode(true);
        for (const ltr of copy.querySelectorAll('[dir=ltr], select, input')) ltr.remove();
        return copy.textContent;
      });
    const tracingText = await text(tracing.reference);
    const transportText = await text(transport.reference);
    if (language === 'ar') {
      for (const r of referred) assert.doesNotMatch(await text(r.reference), /[A-Za-z]/, `${r.request}: ${await text(r.reference)}`);
      assert.match(transportText, /أنثى/);
      assert.match(tracingText, /ذكر/);
      assert.match(tracingText, /أحد الوالدين/);
      assert.match(tracingText, /عُثر على الشخص/);
      assert.match(transportText, /منطقة تقريبية \(بعرض نحو 2 كم\)/);
    } else {
      assert.match(transportText, /female/);
      assert.match(tracingText, /parent/);
      assert.match(tracingText, /Person located/);
      assert.match(transportText, /Approximate area \(about 2 km across\)/);
    }
    assert.doesNotMatch(transportText, /H3/, 'no grid jargon');
    assert.match(await page.textContent(`${card(transport.reference)} .referral .referred`), language === 'ar' ? /منذ|الآن/ : /ago|just now/);

    // The area opens in the phone's maps app; phones call when tapped and read left to right.
    const maps = await page.getAttribute(`${card(transport.reference)} a[name=open-in-maps]`, 'href');
    assert.match(maps, /^geo:15\.\d+,32\.\d+\?q=15\.\d+,32\.\d+$/);
    const call = page.locator(`${card(transport.reference)} .people a.call`);
    assert.equal(await call.getAttribute('href'), 'tel:+249912000111');
    assert.equal(await call.evaluate((a) => a.closest('bdi').dir), 'ltr');
    assert.equal(await page.getAttribute(`${card(tracing.reference)} .reporter a.call`, 'href'), 'tel:+201001234567');
    await page.screenshot({ path: join(SCREENSHOTS, `partner-field-${language}-worked.png`), fullPage: true });

    // Filters: by request type, then by status; an answer under a filter keeps the card.
    await page.selectOption('.filters select[name=request]', 'family_tracing');
    await showsOnly(page, [tracing.reference]);
    await page.selectOption('.filters select[name=request]', '');
    await page.selectOption('.filters select[name=status]', 'finished');
    await showsOnly(page, [documents.reference]);
    await page.selectOption('.filters select[name=status]', 'under_way');
    await showsOnly(page, [transport.reference, tracing.reference]);
    await page.selectOption(`${card(tracing.reference)} select[name=step]`, 'completed');
    await page.click(`${card(tracing.reference)} button[name=progress]`);
    await showsStatus(page, tracing.referralId, 'completed');
    assert.deepEqual(await order(page), [transport.reference, tracing.reference], 'finished under "under way", it stays until the filter changes');
    await page.screenshot({ path: join(SCREENSHOTS, `partner-field-${language}-filtered.png`), fullPage: true });

    // The CSV opens in a spreadsheet with Arabic intact: a UTF-8 byte order mark first.
    const head = await page.evaluate(async () => [...new Uint8Array(await (await fetch(document.querySelector('a[name=csv]').href)).arrayBuffer()).slice(0, 3)]);
    assert.deepEqual(head, [0xef, 0xbb, 0xbf]);
    await page.context().close();
  });
}
