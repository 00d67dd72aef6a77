// The printable passenger manifest in a real browser, in Arabic and in English: departure and
// printing in the room's local time (Africa/Cairo by default), the movement's label in both
// languages, class and escort columns with a child alone marked, a tick box and a signature
// cell per passenger, the total per class, and page numbers in the paged-media margin that
// Chromium draws. Screenshots (screen and print media) go to target/screenshots/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ADMIN_PASSWORD, browserTests, report, signedInPage } from './harness.mjs';

const SCREENSHOTS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'target', 'screenshots');

let movementId;
const env = browserTests({
  async prepare() {
    mkdirSync(SCREENSHOTS, { recursive: true });
    const place = async (kind, en, ar, lat, lon) => {
      const made = await env.admin('POST', '/api/v1/places', { kind, name: { en, ar }, lat, lon });
      assert.equal(made.status, 201, JSON.stringify(made.body));
      return made.body.place_id;
    };
    const origin = await place('assembly_point', 'Consular office, Khartoum', 'المكتب القنصلي، الخرطوم', 15.58, 32.53);
    const argeen = await place('border_crossing', 'Argeen crossing', 'معبر أرقين', 21.98, 31.33);
    const location = { lat: 15.59, lon: 32.54 };
    const cases = [
      { people: [{ name: 'ريم عثمان', age: 6, sex: 'female' }, { name: 'Omar Osman', age: 16, sex: 'male', passport: 'P1234567' }], location, needs: ['evacuation'] },
      { people: [{ name: 'عادل حسن', age: 38, sex: 'male' }, { name: 'منى عادل', age: 9, sex: 'female' }], location, needs: ['evacuation'] },
      { people: [{ name: 'سعاد محمد', age: 72, sex: 'female' }], location, needs: ['evacuation'], flags: ['injured'] },
    ];
    const people = [];
    for (const body of cases) {
      const filed = await report(env.server.url, body);
      for (const [status, version] of [['triaged', 1], ['awaiting_evacuation', 2]]) {
        const moved = await env.admin('POST', `/api/v1/cases/${filed.case_id}/status`, { status, version });
        assert.equal(moved.status, 200, JSON.stringify(moved.body));
      }
      const read = await env.admin('GET', `/api/v1/cases/${filed.case_id}`);
      people.push(...read.body.persons.filter((p) => p.role === 'subject').map((p) => p.person_id));
    }
    // 06:00 UTC on 24 April 2023: 08:00 in Cairo.
    const planned = await env.admin('POST', '/api/v1/movements', {
      mode: 'bus', label: 'Bus 7 Khartoum → Argeen', label_ar: 'الحافلة 7 الخرطوم ← أرقين',
      origin_place_id: origin, destination_place_id: argeen, departure_at: '2023-04-24T06:00:00Z', seats: 30,
    });
    assert.equal(planned.status, 201, JSON.stringify(planned.body));
    movementId = planned.body.movement_id;
    const seated = await env.admin('POST', `/api/v1/movements/${movementId}/passengers`, { person_ids: people });
    assert.equal(seated.status, 200, JSON.stringify(seated.body));
  },
});

/** The manifest in `language`, opened by a signed-in admin on an A4-ish landscape window. */
async function sheet(language) {
  const page = await signedInPage(env.browser, env.server.url, 'admin', ADMIN_PASSWORD, language);
  await page.setViewportSize({ width: 1123, height: 794 });
  await page.goto(`${env.server.url}/ops/movements/${movementId}/manifest?lang=${language}`);
  return page;
}

const columnTexts = (page) => page.$$eval('table.passengers thead th', (cells) => cells.map((c) => c.textContent));
const totals = (page) =>
  page.$$eval('table.totals tr[data-class]', (rows) => Object.fromEntries(rows.map((r) => [r.dataset.class, Number(r.querySelector('td').textContent)])));

for (const language of ['ar', 'en']) {
  test(`the manifest in ${language}: local time, both labels, class and escort, tick, signature, totals, page numbers`, async () => {
    const page = await sheet(language);
    const ar = language === 'ar';
    assert.equal(await page.getAttribute('html', 'dir'), ar ? 'rtl' : 'ltr');
    assert.deepEqual(
      await columnTexts(page),
      ar
        ? ['#', 'المرجع', 'الاسم بالعربية', 'الاسم بالحروف اللاتينية', 'رقم الجواز', 'العمر', 'الجنس', 'الفئة', 'المرافق', 'الحالة', 'صعد', 'التوقيع']
        : ['#', 'Reference', 'Name (Arabic)', 'Name (Latin)', 'Passport', 'Age', 'Sex', 'Class', 'Escort', 'Status', 'Boarded', 'Signature'],
    );
    // The room's local time, never raw UTC; the time reads left to right inside Arabic.
    const departure = await page.textContent('dl.movement dd.departure');
    assert.match(departure, /2023-04-24 08:00 \(UTC\+02:00\).*Africa\/Cairo/);
    assert.equal(await page.$eval('dl.movement dd.departure bdi', (b) => getComputedStyle(b).direction), 'ltr');
    assert.match(await page.textContent('dl.movement dd.printed-at'), /^\d{4}-\d\d-\d\d \d\d:\d\d \(UTC[+-]\d\d:\d\d\)$/);
    // The label in the sheet's language first, the other after it.
    const label = await page.textContent('dl.movement dd.label');
    const [first, second] = ar ? ['الحافلة 7 الخرطوم ← أرقين', 'Bus 7 Khartoum → Argeen'] : ['Bus 7 Khartoum → Argeen', 'الحافلة 7 الخرطوم ← أرقين'];
    assert.ok(label.indexOf(first) >= 0 && label.indexOf(first) < label.indexOf(second), label);

    // Classes and escorts: the two children of the first case travel alone and are marked.
    const row = (name) => page.locator('table.passengers tbody tr', { hasText: name });
    assert.equal(await row('ريم عثمان').getAttribute('data-class'), 'unaccompanied_child');
    assert.equal(await row('Omar Osman').getAttribute('data-class'), 'unaccompanied_child');
    assert.match(await row('ريم عثمان').getAttribute('class'), /alert/);
    assert.equal(await row('ريم عثمان').locator('td.escort').textContent(), ar ? 'لا يرافقه بالغ من أسرته' : 'No adult of the family on board');
    assert.equal(await row('منى عادل').getAttribute('data-class'), 'child_with_family');
    const fatherLine = await row('عادل حسن').locator('td').first().textContent();
    assert.equal(await row('منى عادل').locator('td.escort').textContent(), `#${fatherLine} عادل حسن`);
    assert.equal(await row('سعاد محمد').locator('td.class').textContent(), ar ? 'حالة طبية' : 'Medical');
    assert.equal(await page.locator('table.passengers tbody td.boarded .tick').count(), 5);
    assert.equal(await page.locator('table.passengers tbody td.signature').count(), 5);
    assert.deepEqual(await totals(page), { unaccompanied_child: 2, medical: 1, elderly: 0, child_with_family: 1, adult: 1 });
    assert.equal(await page.locator('.sign-off .blank').count(), 4);

    // Page numbers: the paged-media margin box with the page counters, as Chromium parsed it (a
    // browser without margin boxes drops the rule, and this finds nothing).
    const margin = await page.evaluate(() =>
      [...document.styleSheets]
        .flatMap((sheet) => [...sheet.cssRules])
        .filter((rule) => rule instanceof CSSPageRule)
        .flatMap((rule) => [...rule.cssRules])
        .map((rule) => `${rule.name} ${rule.style.content}`),
    );
    assert.deepEqual(margin, ['bottom-center counter(page) " / " counter(pages)']);
    const pdf = await page.pdf({ format: 'A4', landscape: true });
    assert.ok(pdf.length > 1000, 'it prints');

    await page.screenshot({ path: join(SCREENSHOTS, `manifest-${language}.png`), fullPage: true });
    await page.emulateMedia({ media: 'print' });
    await page.screenshot({ path: join(SCREENSHOTS, `manifest-${language}-print.png`), fullPage: true });
    await page.context().close();
  });
}
