// The citizens' pages in a real browser: the report form in Arabic and English, without
// JavaScript, offline with the queue, right-to-left layout, the page weight, and tracking.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { browserTests, casesNamed as casesNamedBy, declareCrisis, eventually, square } from './harness.mjs';

const env = browserTests();

const casesNamed = (name) => casesNamedBy(env.admin, name);

/** Open "add more detail" (everything after the first screen's Send). */
async function openMore(page) {
  await page.click('details.more > summary');
}

async function newPage(options = {}) {
  const context = await env.browser.newContext({ viewport: { width: 390, height: 844 }, ...options });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.errors = errors;
  return page;
}

test('a report in Arabic: RTL form, Arabic-Indic digits, place picker, confirmation with a working tracking link', async () => {
  const page = await newPage();
  await page.goto(`${env.server.url}/`);
  assert.equal(await page.getAttribute('html', 'lang'), 'ar');
  assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
  // Right to left for real: the first legend starts at the right edge of its fieldset.
  const layout = await page.evaluate(() => {
    const fieldset = document.querySelector('fieldset').getBoundingClientRect();
    const legend = document.querySelector('legend').getBoundingClientRect();
    return { fieldsetRight: fieldset.right, legendRight: legend.right, legendLeft: legend.left, fieldsetLeft: fieldset.left };
  });
  assert.ok(
    layout.fieldsetRight - layout.legendRight < layout.legendLeft - layout.fieldsetLeft,
    `legend hugs the right edge: ${JSON.stringify(layout)}`,
  );

  await openMore(page);
  await page.check('input[name=relation][value=parent]');
  await page.fill('input[name="location.place"]', 'الرياض');
  await page.fill('input[name="people[0].name"]', 'سارة أحمد');
  await page.fill('input[name="people[0].age"]', '٩');
  // Sara is in Sudan: her number is Sudanese, picked by hand. The page offers only home (Egypt,
  // no crisis named another); every country joins the pickers once the form is in use.
  await page.waitForFunction(() => document.querySelector('select[name="people[0].phone_cc"]').options.length > 240);
  assert.equal(await page.$eval('select[name="people[0].phone_cc"] option', (o) => o.value), 'EG');
  await page.selectOption('select[name="people[0].phone_cc"]', 'SD');
  await page.fill('input[name="people[0].phone"]', '٠٩١٢٣٤٥٦٧٨');
  // A second person through "add another person".
  await page.click('#people button.add');
  await page.fill('input[name="people[1].name"]', 'عمر أحمد');
  await page.check('input[name=needs][value=water]');
  await page.check('input[name=flags][value=unaccompanied_minors]');
  await page.fill('input[name="reporter.name"]', 'منى');
  // Her mother's Egyptian number, with the picker as it came.
  assert.equal(await page.inputValue('select[name="reporter.phone_cc"]'), 'EG');
  await page.fill('input[name="reporter.phone"]', '01001234567');
  // The picker fills the position from the gazetteer when a listed place is chosen.
  await page.fill('input[name="location.place"]', 'الرياض — Riyadh');
  await page.dispatchEvent('input[name="location.place"]', 'change');
  await page.waitForFunction(() => document.querySelector('input[name="location.position"]').value !== '');
  await page.click('button.send');
  await page.waitForSelector('section.done .reference', { timeout: 10_000 });
  const heading = await page.textContent('section.done h2');
  assert.equal(heading, 'استلمنا بلاغك.');
  const reference = await page.textContent('section.done .reference');
  const [detail] = await casesNamed('سارة أحمد');
  assert.ok(detail, 'the case exists');
  assert.equal(detail.case.reference, reference);
  const sara = detail.persons.find((p) => p.name === 'سارة أحمد');
  assert.equal(sara.age, 9);
  assert.equal(sara.phone, '+249912345678');
  const reporter = detail.persons.find((p) => p.role === 'reporter');
  assert.equal(reporter.phone, '+201001234567');

  // The tracking link opens the case's page, in Arabic.
  await page.click('section.done a.track');
  await page.waitForSelector('section.status .reference');
  assert.equal(await page.textContent('section.status .reference'), reference);
  assert.match(await page.textContent('section.status .state'), /استلمنا بلاغك/);
  assert.deepEqual(page.errors, []);
});

test('a report in English, with an error shown next to its field and nothing typed lost', async () => {
  const page = await newPage();
  await page.goto(`${env.server.url}/`);
  await page.click('a.lang');
  await page.waitForURL(/lang=en/);
  assert.equal(await page.getAttribute('html', 'dir'), 'ltr');
  await openMore(page);
  await page.fill('input[name="people[0].name"]', 'John Wani');
  await page.fill('input[name="people[0].age"]', '240');
  await page.fill('textarea[name=message]', 'Trapped near the university');
  await page.click('button.send');
  const error = await page.waitForSelector('fieldset.person .error', { timeout: 10_000 });
  assert.match(await error.textContent(), /out of range/i);
  assert.equal(await page.inputValue('textarea[name=message]'), 'Trapped near the university');
  await page.fill('input[name="people[0].age"]', '24');
  await page.click('button.send');
  await page.waitForSelector('section.done .reference', { timeout: 10_000 });
  assert.equal(await page.textContent('section.done h2'), 'We received your report.');
  assert.equal((await casesNamed('John Wani')).length, 1);
  assert.deepEqual(page.errors, []);
});

test('without JavaScript: a plain form post gets a server-rendered confirmation', async () => {
  const page = await newPage({ javaScriptEnabled: false });
  await page.goto(`${env.server.url}/?lang=en`);
  await openMore(page);
  await page.fill('input[name="people[0].name"]', 'No Script Person');
  await page.fill('input[name="location.position"]', '15.6, 32.5');
  await page.check('input[name=needs][value=food]');
  await page.click('button.send');
  await page.waitForSelector('section.done .reference');
  const href = await page.getAttribute('section.done a.track', 'href');
  assert.match(href, /^\/track\/[A-Za-z0-9_-]{43}\?lang=en$/);
  assert.equal((await casesNamed('No Script Person')).length, 1);

  // A refused post comes back with what was typed and the message next to the field.
  await page.goto(`${env.server.url}/?lang=en`);
  await openMore(page);
  await page.fill('input[name="people[1].name"]', 'Second Row');
  await page.fill('input[name="people[1].phone"]', '12');
  await page.click('button.send');
  await page.waitForSelector('span.error[data-for="people[1].phone"]');
  assert.equal(await page.inputValue('input[name="people[1].name"]'), 'Second Row');
});

test('offline: the report is queued, says so, and is sent once when the network returns', async () => {
  const page = await newPage();
  const context = page.context();
  await page.goto(`${env.server.url}/?lang=en`);
  await openMore(page);
  await page.fill('input[name="people[0].name"]', 'Offline Ahmed');
  await page.fill('textarea[name=message]', 'Network is down in Bahri');
  await context.setOffline(true);
  await page.click('button.send');
  await page.waitForSelector('#status.queued', { timeout: 5000 });
  assert.match(await page.textContent('#status'), /Queued — not sent yet/);
  // Tapping send again while offline queues nothing new (the same key).
  await page.click('button.send');
  assert.equal(await page.evaluate(() => JSON.parse(localStorage.getItem('opsroom-queue')).length), 1);
  assert.equal((await casesNamed('Offline Ahmed')).length, 0, 'nothing reached the server');

  // Editing after sending starts another report with its own key: the first one stays queued.
  await page.fill('input[name="people[0].name"]', 'Offline Fatima');
  await page.click('button.send');
  assert.equal(await page.evaluate(() => JSON.parse(localStorage.getItem('opsroom-queue')).length), 2);

  await context.setOffline(false);
  await page.waitForFunction(() => document.querySelectorAll('section.done .reference').length === 2, null, { timeout: 20_000 });
  assert.equal(await page.evaluate(() => localStorage.getItem('opsroom-queue')), null);
  assert.equal((await casesNamed('Offline Ahmed')).length, 1, 'exactly one case');
  assert.equal((await casesNamed('Offline Fatima')).length, 1, 'and the second report too');
});

test('a lost answer: the retry with the same key creates no second case', async () => {
  const page = await newPage();
  await page.goto(`${env.server.url}/?lang=en`);
  await page.fill('input[name="people[0].name"]', 'Twice Sent');
  // The first answer is lost on the way back (the server did store the case).
  let dropped = false;
  await page.route('**/', async (route) => {
    if (route.request().method() === 'POST' && !dropped) {
      dropped = true;
      await route.fetch();
      await route.abort('connectionreset');
    } else {
      await route.continue();
    }
  });
  await page.click('button.send');
  await page.waitForSelector('#status.queued', { timeout: 5000 });
  // The page retries by itself (every 15 s) or on "online"; nudge it with the event.
  await page.evaluate(() => window.dispatchEvent(new Event('online')));
  await page.waitForSelector('section.done .reference', { timeout: 20_000 });
  assert.equal((await casesNamed('Twice Sent')).length, 1);
});

test('a report sent while another is on its way goes out when that one is answered, not at the next retry', async () => {
  const page = await newPage();
  await page.goto(`${env.server.url}/?lang=en`);
  // The first report's request is held on its way until the second one is sent.
  let arrived;
  const onItsWay = new Promise((resolve) => (arrived = resolve));
  let release;
  const held = new Promise((resolve) => (release = resolve));
  await page.route('**/', async (route) => {
    if (route.request().method() === 'POST' && route.request().postData().includes('First+On+Its+Way')) {
      arrived();
      await held;
    }
    await route.continue();
  });
  await page.fill('input[name="people[0].name"]', 'First On Its Way');
  await page.click('button.send');
  await onItsWay;
  await page.fill('input[name="people[0].name"]', 'Second While The First Travels');
  await page.click('button.send');
  release();
  // The queue retries by itself every 15 s: the second report must not wait for that.
  await eventually(async () => (await casesNamed('Second While The First Travels')).length === 1, {
    what: 'the second report reached the server',
    timeout: 5000,
  });
  assert.equal((await casesNamed('First On Its Way')).length, 1);
  assert.equal((await casesNamed('Second While The First Travels')).length, 1);
  assert.deepEqual(page.errors, []);
});

test('the draft survives closing the page', async () => {
  const page = await newPage();
  await page.goto(`${env.server.url}/?lang=en`);
  await openMore(page);
  await page.fill('input[name="people[0].name"]', 'Draft Person');
  await page.check('input[name=needs][value=shelter]');
  await page.waitForFunction(() => (localStorage.getItem('opsroom-draft') ?? '').includes('Draft Person'));
  await page.reload();
  assert.equal(await page.inputValue('input[name="people[0].name"]'), 'Draft Person');
  assert.ok(await page.isChecked('input[name=needs][value=shelter]'));
  // "Clear the form" forgets it, for a phone passed to the next person.
  await page.click('button.clear');
  assert.equal(await page.inputValue('input[name="people[0].name"]'), '');
  assert.equal(await page.evaluate(() => localStorage.getItem('opsroom-draft')), null);
});

test('a draft older than a day is not shown to whoever opens the form next', async () => {
  const page = await newPage();
  await page.goto(`${env.server.url}/?lang=en`);
  await page.evaluate(() =>
    localStorage.setItem('opsroom-draft', JSON.stringify({ at: Date.now() - 25 * 3600 * 1000, pairs: [['people[0].name', 'Old Draft']] })),
  );
  await page.reload();
  assert.equal(await page.inputValue('input[name="people[0].name"]'), '');
  assert.equal(await page.evaluate(() => localStorage.getItem('opsroom-draft')), null);
});

test("the place picker offers the towns of the open crises' countries and the home country, loaded on first use", async () => {
  const declare = (slug, en, ar, countries, area) => declareCrisis(env.admin, { slug, en, ar, countries, area });
  const phase = async (slug, to) => assert.equal((await env.admin('POST', `/api/v1/crises/${slug}/phase`, { phase: to })).status, 200);
  await declare('picker-sudan', 'Sudan (picker)', 'السودان (القائمة)', ['SD'], square(30, 12, 37, 19));
  const page = await newPage();
  const requested = [];
  page.on('request', (r) => requested.push(new URL(r.url()).pathname));
  await page.goto(`${env.server.url}/?lang=en`);
  // The server names the open crises' countries, then the home country (Egypt).
  assert.equal(await page.getAttribute('form#report', 'data-countries'), 'SD,EG');
  assert.match(await page.textContent('section.crises'), /Sudan \(picker\) — Monitoring/);
  assert.ok(!requested.some((p) => p.startsWith('/static/places')), 'no places before the field is used');
  await page.focus('input[name="location.place"]');
  await page.waitForFunction(() => document.querySelectorAll('#places option').length > 100);
  const files = requested.filter((p) => p.startsWith('/static/places/')).map((p) => p.split('/').pop().slice(0, 2));
  assert.deepEqual(files.sort(), ['EG', 'SD'], 'only the two countries');
  const options = await page.evaluate(() => [...document.querySelectorAll('#places option')].map((o) => o.value));
  assert.ok(options.includes('Khartoum North — الخرطوم بحري'), 'Sudanese towns');
  assert.ok(!options.some((o) => o.startsWith('Misratah')), 'no Libyan town');

  // The Sudan crisis closes and a Libya crisis opens: the page offers Libya's towns and
  // Tripoli's districts, and a picked one fills the position.
  await phase('picker-sudan', 'closed');
  await declare('picker-libya', 'Libya (picker)', 'ليبيا (القائمة)', ['LY'], square(11.5, 30, 16, 33.5));
  const libya = await newPage();
  const asked = [];
  libya.on('request', (r) => asked.push(new URL(r.url()).pathname));
  await libya.goto(`${env.server.url}/?lang=ar`);
  assert.equal(await libya.getAttribute('form#report', 'data-countries'), 'LY,EG');
  assert.match(await libya.textContent('section.crises'), /ليبيا \(القائمة\)/);
  await libya.focus('input[name="location.place"]');
  await libya.waitForFunction(() => document.querySelectorAll('#places option').length > 50);
  assert.deepEqual(asked.filter((p) => p.startsWith('/static/places/')).map((p) => p.split('/').pop().slice(0, 2)).sort(), ['EG', 'LY']);
  const arabic = await libya.evaluate(() => [...document.querySelectorAll('#places option')].map((o) => o.value));
  assert.ok(arabic.includes('طرابلس — Tripoli'), 'Tripoli, in Arabic first');
  assert.ok(arabic.includes('أبو سليم — Abū Salīm'), "a district of Tripoli");
  assert.ok(!arabic.some((o) => o.endsWith('— Khartoum')), 'no Sudanese town');
  await libya.fill('input[name="location.place"]', 'طرابلس — Tripoli');
  await libya.dispatchEvent('input[name="location.place"]', 'change');
  await libya.waitForFunction(() => document.querySelector('input[name="location.position"]').value !== '');
  assert.equal(await libya.inputValue('input[name="location.position"]'), '32.88743, 13.18733');
  // A local Libyan number, typed as people there write it: the picker starts at the crisis's
  // country, and the case is placed in the Libya crisis.
  assert.equal(await libya.$eval('select[name="people[0].phone_cc"] option', (o) => o.value), 'LY');
  await openMore(libya);
  await libya.fill('input[name="people[0].name"]', 'سالم الليبي');
  await libya.fill('input[name="people[0].phone"]', '091 234 5678');
  await libya.click('button.send');
  await libya.waitForSelector('section.done .reference', { timeout: 10_000 });
  const [salem] = await casesNamed('سالم الليبي');
  assert.equal(salem.persons.find((p) => p.name === 'سالم الليبي').phone, '+218912345678');
  const { body: crisis } = await env.admin('GET', '/api/v1/crises/picker-libya');
  assert.equal(salem.case.crisis_id, crisis.crisis_id);
  assert.deepEqual([...page.errors, ...libya.errors], []);
  // The other tests of this file see the room without crises, as it began.
  await phase('picker-libya', 'closed');
});

/** Size of a response body as sent with gzip (what a phone downloads). */
function transferSize(url) {
  return new Promise((resolve, reject) => {
    request(url, { headers: { 'accept-encoding': 'gzip' } }, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () => {
        const body = Buffer.concat(chunks);
        const encoding = response.headers['content-encoding'];
        resolve({ bytes: body.length, encoding, text: encoding === 'gzip' ? gunzipSync(body).toString() : body.toString() });
      });
    })
      .on('error', reject)
      .end();
  });
}

test('the first load (the page, what it loads, what its service worker keeps; compressed) is at most 20 KB and from here only', async () => {
  const page = await newPage();
  // The context sees the service worker's requests too (it keeps the form for offline use).
  const requested = [];
  page.context().on('request', (r) => requested.push(r.url()));
  await page.goto(`${env.server.url}/`);
  await page.waitForLoadState('load');
  assert.ok(await page.evaluate(() => navigator.serviceWorker.ready.then(() => true)));
  const firstLoad = requested.filter((u) => !u.endsWith('/favicon.ico'));
  assert.ok(firstLoad.every((u) => u.startsWith(env.server.url)), `only this server: ${firstLoad}`);
  // A URL asked twice (the worker keeping the page's own hashed script) comes from the HTTP
  // cache the second time: each is counted once.
  const paths = [...new Set(firstLoad.map((u) => new URL(u).pathname + new URL(u).search))].sort();
  assert.deepEqual(
    paths.map((p) => p.replace(/\.[0-9a-f]{10}\./, '.<hash>.')).sort(),
    ['/', '/?lang=ar', '/?lang=en', '/offline?lang=ar', '/offline?lang=en', '/static/form.<hash>.css', '/static/form.<hash>.js', '/sw.js'],
    'the page, its style and script, and the worker with the pages it keeps (the gazetteer waits for the place field)',
  );
  let total = 0;
  for (const path of paths) {
    const { bytes } = await transferSize(`${env.server.url}${path}`);
    total += bytes;
  }
  console.log(`first load: ${total} bytes compressed`);
  assert.ok(total <= 20 * 1024, `first load is ${total} bytes`);
});

test('tracking: an update from the page reaches the case; a wrong link says so without telling anything', async () => {
  const accepted = await fetch(`${env.server.url}/api/v1/reports`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ language: 'en', people: [{ name: 'Tracked Person' }] }),
  }).then((r) => r.json());
  const page = await newPage();
  await page.goto(`${env.server.url}/track/${accepted.tracking_token}`);
  assert.equal(await page.getAttribute('html', 'lang'), 'en', "the page speaks the report's language");
  await page.check('input[name=kind][value=safe]');
  await page.fill('textarea[name=message]', 'We reached the bus station');
  await page.click('button.send');
  await page.waitForSelector('p.ok');
  assert.match(await page.textContent('ol.timeline'), /You told us you are safe now/);

  const wrong = await newPage();
  const response = await wrong.goto(`${env.server.url}/track/not-a-real-token`);
  assert.equal(response.status(), 404);
  assert.equal(await wrong.textContent('h2'), 'هذا الرابط لا يعمل.', 'in Arabic, the default, since no case tells the language');
});
