// The readable timeline, errors in the page's language, shift handover and the situation report
// in a real browser: the Arabic timeline of a case that went through assignment, contact, a
// note, a priority override and status changes has no raw event code and shows local Cairo
// times, day before month; a refusal from the API shows in Arabic; a duplicate is marked by the
// reference people see; a handover note is written and read back by a colleague; the situation
// report draws its two charts. Each view is screenshotted into target/screenshots/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { apiClient, browserTests, report, signedInPage } from './harness.mjs';

const SCREENSHOTS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'target', 'screenshots');
const AMAL_PASSWORD = 'Omdurman-ferry-night-shift-9';
const HODA_PASSWORD = 'Atbara-river-supervisor-desk-4';
const KHARTOUM = { lat: 15.5518, lon: 32.5324, place: 'الرياض، الخرطوم' };
// Every event kind the server writes: none may appear on the page as a code.
const KINDS = [
  'case_reported', 'user_created', 'status_changed', 'case_assigned', 'note_added', 'contact_recorded', 'priority_overridden',
  'sla_breached', 'citizen_updated', 'tracking_link_revoked', 'tracking_link_reissued', 'match_suggested', 'match_decided',
  'tracing_status_changed', 'referral_made', 'referral_updated', 'referral_escalated', 'danger_zone_flagged', 'passenger_changed',
  'handover_written', 'call_logged',
];

let amal;
let hoda;
const env = browserTests({
  users: [['amal', 'operator', AMAL_PASSWORD], ['hoda', 'supervisor', HODA_PASSWORD]],
  async prepare() {
    mkdirSync(SCREENSHOTS, { recursive: true });
    amal = await apiClient(env.server.url, 'amal', AMAL_PASSWORD);
    hoda = await apiClient(env.server.url, 'hoda', HODA_PASSWORD);
  },
});

const me = async (client) => (await client('GET', '/api/v1/session')).body.user_id;

/** A case that went through assignment, contact, a note, a priority override and two moves. */
async function workedCase() {
  const accepted = await report(env.server.url, { people: [{ name: 'هدى عثمان', phone: '+249912345678' }], location: KHARTOUM, needs: ['medical'] });
  const path = `/api/v1/cases/${accepted.case_id}`;
  const steps = [
    [hoda, 'assignment', { user_id: await me(amal) }],
    [amal, 'contacts', { channel: 'phone', outcome: 'reached', note: 'الأم ردّت' }],
    [amal, 'notes', { text: 'تحتاج إسعافًا — ambulance needed' }],
    [amal, 'status', { status: 'triaged' }],
    [hoda, 'priority', { level: 'critical', reason: 'طفل مصاب' }],
    [amal, 'status', { status: 'in_progress' }],
  ];
  for (const [version, [client, action, body]] of steps.entries()) {
    const answer = await client('POST', `${path}/${action}`, { ...body, version: version + 1 });
    assert.equal(answer.status, 200, `${action}: ${JSON.stringify(answer.body)}`);
  }
  return accepted;
}

async function openCase(page, reference) {
  await page.click(`.card[data-reference="${reference}"]`);
  await page.waitForSelector('.drawer ol.timeline li');
}

test('the Arabic timeline reads in words, in Cairo time, day before month', async () => {
  const accepted = await workedCase();
  const page = await signedInPage(env.browser, env.server.url, 'hoda', HODA_PASSWORD, 'ar');
  await openCase(page, accepted.reference);
  await page.waitForFunction(() => document.querySelectorAll('.drawer ol.timeline li').length >= 7);
  const entries = await page.$$eval('.drawer ol.timeline li', (items) => items.map((li) => ({ kind: li.dataset.kind, text: li.textContent, at: li.querySelector('time').getAttribute('datetime'), shown: li.querySelector('time').textContent })));
  assert.deepEqual(entries.map((e) => e.kind), ['case_reported', 'case_assigned', 'contact_recorded', 'note_added', 'status_changed', 'priority_overridden', 'status_changed']);
  const drawerText = await page.textContent('.drawer');
  for (const kind of KINDS) assert.ok(!drawerText.includes(kind), `the raw code ${kind} is on the page`);
  assert.doesNotMatch(drawerText, /\b[a-z]+_[a-z_]+\b/, 'no snake_case token anywhere in the drawer');
  // Words, with names: "hoda assigned the case to amal", statuses in Arabic.
  assert.match(entries[1].text, /أسند hoda الحالة إلى amal/);
  assert.match(entries[4].text, /جديدة ← مفروزة/);
  assert.match(entries[5].text, /طفل مصاب/);
  assert.match(entries[2].text, /أول تواصل بعد/);
  // Local time in Cairo: the day number before the Arabic month name, the 24-hour clock of
  // Cairo (computed here in another locale, en-GB, from the event's UTC time).
  for (const entry of entries) {
    const cairo = new Intl.DateTimeFormat('en-GB', { timeZone: 'Africa/Cairo', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(entry.at));
    const part = (type) => cairo.find((p) => p.type === type).value;
    const shown = entry.shown.replace(/[\u200e\u200f\u061c]/g, '');
    assert.match(shown, new RegExp(`^${part('day')} (يناير|فبراير|مارس|أبريل|مايو|يونيو|يوليو|أغسطس|سبتمبر|أكتوبر|نوفمبر|ديسمبر) \\d{4}`), shown);
    assert.ok(shown.includes(`${part('hour')}:${part('minute')}`), `${shown} shows Cairo's ${part('hour')}:${part('minute')}`);
  }
  await page.locator('.drawer ol.timeline').screenshot({ path: join(SCREENSHOTS, 'timeline-ar.png') });

  // The same in English, in words too.
  await page.click('.drawer button.close');
  await page.click('header button.lang');
  await openCase(page, accepted.reference);
  await page.waitForFunction(() => document.querySelectorAll('.drawer ol.timeline li').length >= 7);
  const english = await page.$$eval('.drawer ol.timeline li', (items) => items.map((li) => li.textContent));
  assert.match(english[1], /hoda assigned the case to amal/);
  assert.match(english[4], /hoda|amal/);
  assert.match(english[4], /New → Triaged/);
  assert.match(english[0], /^\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2}/, 'day before month in English too');
  await page.locator('.drawer ol.timeline').screenshot({ path: join(SCREENSHOTS, 'timeline-en.png') });
  await page.context().close();
});

test('a refusal shows in Arabic; a duplicate is marked by the reference people see', async () => {
  const original = await report(env.server.url, { people: [{ name: 'Original' }], location: KHARTOUM });
  const again = await report(env.server.url, { people: [{ name: 'Again' }], location: KHARTOUM });
  const page = await signedInPage(env.browser, env.server.url, 'amal', AMAL_PASSWORD, 'ar');
  await openCase(page, again.reference);
  await page.selectOption('.drawer select[name=status]', 'duplicate');
  await page.fill('.drawer input[name=duplicate_of]', 'ABC');
  await page.click('.drawer button[name=move]');
  const notice = await page.waitForSelector('.drawer .notice.error');
  const text = await notice.textContent();
  assert.match(text, /ليس رقمًا مرجعيًا صالحًا/);
  assert.match(text, /مكررة عن/, 'the field is named in Arabic');
  assert.doesNotMatch(text, /[A-Za-z]{4,}/, `no English from the server: ${text}`);
  await page.locator('.drawer').screenshot({ path: join(SCREENSHOTS, 'error-ar.png') });

  // As read out on the phone: lower case, no dash.
  await page.selectOption('.drawer select[name=status]', 'duplicate');
  await page.fill('.drawer input[name=duplicate_of]', original.reference.replace('-', '').toLowerCase());
  await page.click('.drawer button[name=move]');
  await page.waitForSelector('.drawer ol.timeline li[data-kind=status_changed]');
  const entry = await page.textContent('.drawer ol.timeline li[data-kind=status_changed]');
  assert.match(entry, new RegExp(`مكررة عن ${original.reference}`));
  await page.context().close();
});

test('a handover note is written and read back by a colleague', async () => {
  const page = await signedInPage(env.browser, env.server.url, 'amal', AMAL_PASSWORD, 'ar');
  await page.click('details.handover-panel > summary');
  await page.waitForSelector('.handover-figures.now [data-figure=open_cases] dd');
  const open = Number(await page.textContent('.handover-figures.now [data-figure=open_cases] dd'));
  const kpiOpen = (await (await amal('GET', '/api/v1/handovers')).body).now.open_cases;
  assert.equal(open, kpiOpen);
  // Nothing promised: refused, in Arabic.
  await page.click('.handover-form button[name=hand-over]');
  assert.match(await (await page.waitForSelector('.handover .notice.error')).textContent(), /هذا الحقل مطلوب. \(ما وُعد به\)/);
  await page.fill('.handover-form textarea[name=promised]', 'وعدنا أسرة هدى بالاتصال الساعة 18:00');
  await page.fill('.handover-form textarea[name=open_note]', 'طريق أم درمان مغلق');
  await page.click('.handover-form button[name=hand-over]');
  await page.waitForSelector('.handover-note');
  assert.doesNotMatch(await page.textContent('details.handover-panel'), /null|undefined/);
  await page.locator('details.handover-panel').screenshot({ path: join(SCREENSHOTS, 'handover-ar.png') });
  await page.context().close();

  const colleague = await signedInPage(env.browser, env.server.url, 'hoda', HODA_PASSWORD, 'en');
  await colleague.click('details.handover-panel > summary');
  const note = await colleague.waitForSelector('.handover-note');
  const text = await note.textContent();
  assert.match(text, /by amal, \d{1,2} [A-Z][a-z]{2} \d{4}/);
  assert.match(text, /وعدنا أسرة هدى بالاتصال الساعة 18:00/);
  assert.match(text, /طريق أم درمان مغلق/);
  assert.equal(await colleague.textContent('.handover-note [data-figure=open_cases] dd'), String(open));
  await colleague.context().close();
});

test('the situation report renders its figures and two charts', async () => {
  const page = await signedInPage(env.browser, env.server.url, 'hoda', HODA_PASSWORD, 'ar');
  await page.setViewportSize({ width: 1280, height: 1400 });
  await page.click('details.sitrep-panel > summary');
  await page.waitForSelector('.sitrep-totals [data-total=new_cases] dd');
  // The page asks for today in Cairo: its window is in the CSV link.
  const csv = await page.getAttribute('.sitrep a.csv', 'href');
  assert.match(csv, /^\/api\/v1\/sitrep\.csv\?from=/);
  const window = new URL(csv, env.server.url).searchParams;
  const cairoMidnight = new Intl.DateTimeFormat('en-GB', { timeZone: 'Africa/Cairo', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(window.get('from')));
  assert.equal(cairoMidnight, '00:00', 'the window starts at local midnight');
  const expected = await hoda('GET', `/api/v1/sitrep?${window}`);
  assert.equal(expected.status, 200);
  assert.ok(expected.body.totals.new_cases >= 1);
  const shown = Number(await page.textContent('.sitrep-totals [data-total=new_cases] dd'));
  assert.equal(shown, expected.body.totals.new_cases);
  assert.equal(await page.locator('.sitrep svg.chart').count(), 2);
  const bars = await page.$$eval('.sitrep-chart.over-time svg.chart rect', (rects) => rects.reduce((sum, r) => sum + Number(r.dataset.value), 0));
  assert.equal(bars, shown, 'the bars add up to the new cases');
  const waits = await page.$$eval('.sitrep-chart.first-contact svg.chart rect', (rects) => rects.reduce((sum, r) => sum + Number(r.dataset.value), 0));
  assert.equal(waits, expected.body.first_contact.count);
  assert.doesNotMatch(await page.textContent('.sitrep'), /\b[a-z]+_[a-z_]+\b/);
  await page.locator('details.sitrep-panel').screenshot({ path: join(SCREENSHOTS, 'sitrep-ar.png') });
  // Printing shows the report alone.
  await page.emulateMedia({ media: 'print' });
  await page.evaluate(() => document.body.classList.add('print-sitrep'));
  assert.equal(await page.locator('header').evaluate((e) => getComputedStyle(e).visibility), 'hidden');
  assert.equal(await page.locator('.sitrep-totals').evaluate((e) => getComputedStyle(e).visibility), 'visible');
  await page.screenshot({ path: join(SCREENSHOTS, 'sitrep-print.png'), fullPage: true });
  await page.context().close();
});
