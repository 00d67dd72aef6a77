// The report form for a frightened person on a small phone (360×640), in Arabic and English:
// Send on the first screen, every mistake named at once next to its field (the first focused and
// in view, with JavaScript and without), numbers that read left to right inside Arabic, who runs
// the page, the confirmation's next steps, and the update form showing only the chosen kind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { browserTests, report } from './harness.mjs';

const HOTLINE = '+20212345678';
const SCREEN = { width: 360, height: 640 };

const env = browserTests({ serverArgs: ['--hotline', HOTLINE, '--whatsapp', '+201001234567', '--ministry-name-en', 'Ministry of Emigration'] });

async function phonePage(options = {}) {
  const context = await env.browser.newContext({ viewport: SCREEN, ...options });
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (error) => page.errors.push(error.message));
  return page;
}

/** Whether the element's box lies wholly inside the viewport as it is scrolled now. */
function inView(page, selector) {
  return page.$eval(selector, (element) => {
    const box = element.getBoundingClientRect();
    return box.top >= 0 && box.left >= 0 && box.bottom <= innerHeight && box.right <= innerWidth;
  });
}

const focusedName = (page) => page.evaluate(() => document.activeElement?.getAttribute('name'));

for (const lang of ['ar', 'en']) {
  test(`Send is on the first screen at 360×640, after only the urgent questions (${lang})`, async () => {
    const page = await phonePage();
    await page.goto(`${env.server.url}/?lang=${lang}`);
    assert.equal(await page.evaluate(() => scrollY), 0);
    const send = await page.$eval('.urgent button.send', (b) => {
      const box = b.getBoundingClientRect();
      return { top: box.top, bottom: box.bottom, left: box.left, right: box.right };
    });
    assert.ok(send.top >= 0 && send.bottom <= SCREEN.height, `Send at ${JSON.stringify(send)}`);
    assert.ok(send.left >= 0 && send.right <= SCREEN.width, `Send within the width: ${JSON.stringify(send)}`);
    // What is asked before Send: who (or "me"), a phone, where, the need; the rest waits, closed.
    const asked = await page.$$eval('.urgent [name]:not([type=hidden])', (fields) => [...new Set(fields.map((f) => f.name))]);
    assert.deepEqual(asked, ['people[0].name', 'relation', 'reporter.phone_cc', 'reporter.phone', 'location.place', 'needs']);
    assert.equal(await page.$eval('details.more', (d) => d.open), false);
    assert.ok(
      await page.$eval('details.more', (d) => d.getBoundingClientRect().top >= document.querySelector('.urgent button.send').getBoundingClientRect().bottom),
      '"add more detail" comes after Send',
    );
    await page.context().close();
  });
}

test('an empty submit with JavaScript focuses the first refused field and shows it', async () => {
  const page = await phonePage();
  await page.goto(`${env.server.url}/?lang=en`);
  await page.click('.urgent button.send');
  await page.waitForSelector('div.summary li a');
  assert.equal(await focusedName(page), 'people[0].name', 'an input, not a fieldset, has the focus');
  assert.ok(await inView(page, 'input[name="people[0].name"]'));
  assert.match(await page.textContent('.urgent .error'), /at least one person's name/);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

/** A phone without its country code, an age that is not a number, a position off the globe. */
async function makeThreeMistakes(page) {
  await page.fill('input[name="people[0].name"]', 'Three Mistakes');
  await page.selectOption('select[name="reporter.phone_cc"]', 'EG');
  await page.fill('input[name="reporter.phone"]', '12');
  await page.click('details.more > summary');
  await page.fill('input[name="people[0].age"]', 'nine');
  await page.fill('input[name="location.position"]', '95, 32.5');
  // Sent from the end of the page: the first mistake is far above.
  await page.click('details.more button.send');
}

const REFUSED = ['reporter.phone', 'location.position', 'people[0].age'];

async function assertThreeShown(page) {
  for (const name of REFUSED) {
    const message = await page.$eval(`[name="${name}"]`, (field) => {
      const holder = field.closest('label:not(.check), .phone');
      return holder.querySelector('.error')?.textContent;
    });
    assert.ok(message, `a message next to ${name}`);
    assert.equal(await page.getAttribute(`[name="${name}"]`, 'aria-invalid'), 'true');
  }
  const links = await page.$$eval('div.summary li a', (as) => as.map((a) => a.getAttribute('href')));
  assert.deepEqual(links, ['#f-reporter-phone', '#f-location-position', '#f-people-0--age'], "the summary links to each, in the page's order");
  assert.equal(await focusedName(page), 'reporter.phone', 'the first in the page is focused');
  assert.ok(await inView(page, 'input[name="reporter.phone"]'), 'and scrolled into view');
  // The summary's last link leads to the age, which is inside "more detail".
  const ageLink = links.find((href) => href.includes('age'));
  await page.click(`div.summary a[href="${ageLink}"]`);
  assert.equal(await focusedName(page), 'people[0].age');
}

test('three mistakes are named at once, with JavaScript', async () => {
  const page = await phonePage();
  await page.goto(`${env.server.url}/?lang=en`);
  await makeThreeMistakes(page);
  await page.waitForSelector('div.summary li a');
  await assertThreeShown(page);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('three mistakes are named at once, without JavaScript', async () => {
  const page = await phonePage({ javaScriptEnabled: false });
  await page.goto(`${env.server.url}/?lang=ar`);
  await makeThreeMistakes(page);
  await page.waitForSelector('div.summary li a');
  assert.equal(await page.$eval('details.more', (d) => d.open), true, 'the refusals inside "more detail" are open to see');
  await assertThreeShown(page);
  await page.context().close();
});

/**
 * Each character's left edge on screen, in the order the characters are stored, for `text`
 * inside the element `selector`: a number reads left to right when the edges increase.
 */
function leftEdges(page, selector, text) {
  return page.$eval(
    selector,
    (root, text) => {
      const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
      while (walker.nextNode()) {
        const node = walker.currentNode;
        const start = node.data.indexOf(text);
        if (start < 0) continue;
        return [...text].map((_, i) => {
          const range = document.createRange();
          range.setStart(node, start + i);
          range.setEnd(node, start + i + 1);
          return range.getBoundingClientRect().left;
        });
      }
      return null;
    },
    text,
  );
}

const increasing = (xs) => xs.every((x, i) => i === 0 || x > xs[i - 1]);

test('inside Arabic, coordinates, phone numbers and codes, and references read left to right', async () => {
  const page = await phonePage({ geolocation: { latitude: 15.55, longitude: 32.53 }, permissions: ['geolocation'] });
  await page.goto(`${env.server.url}/?lang=ar`);
  // The hotline at the foot: `+20…`, not `…20+`.
  const hotline = await leftEdges(page, 'footer', HOTLINE);
  assert.ok(hotline && increasing(hotline), `the hotline reads left to right: ${hotline}`);
  // The example under the coordinates field: latitude first, on the left.
  await page.click('details.more > summary');
  const example = await leftEdges(page, '#position-hint', '15.55, 32.53');
  assert.ok(example && increasing(example), `the example reads "15.55, 32.53": ${example}`);
  // "Use my location": the position found is shown on the first screen, latitude on the left.
  await page.click('button.locate');
  await page.waitForSelector('#located:not([hidden])');
  const found = await page.textContent('#located bdi');
  assert.equal(found, '15.55000, 32.53000');
  const located = await leftEdges(page, '#located', found);
  assert.ok(increasing(located), `the position found reads left to right: ${located}`);
  // Country codes in the picker are isolated left to right inside the Arabic country names; the
  // home country (Egypt by default) comes first when no crisis names another.
  const option = await page.$eval('select[name="reporter.phone_cc"] option', (o) => o.textContent);
  assert.equal(option, '\u2066+20\u2069 مصر');

  // The confirmation: the reference and the numbers in its next steps.
  await page.fill('input[name="people[0].name"]', 'منى عثمان');
  await page.click('.urgent button.send');
  await page.waitForSelector('section.done .reference:not(:empty)', { timeout: 10_000 });
  const reference = await page.textContent('section.done .reference');
  const drawn = await leftEdges(page, 'section.done', reference);
  assert.ok(increasing(drawn), `the reference ${reference} reads left to right: ${drawn}`);
  const callBack = await leftEdges(page, 'section.done ul.next', HOTLINE);
  assert.ok(callBack && increasing(callBack), `"we will call you from" ${HOTLINE}: ${callBack}`);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('the confirmation says what happens next and copies the tracking link', async () => {
  const page = await phonePage({ permissions: ['clipboard-read', 'clipboard-write'] });
  await page.goto(`${env.server.url}/?lang=en`);
  assert.match(await page.textContent('header'), /Ministry of Emigration/);
  await page.fill('input[name="people[0].name"]', 'Copy Link');
  await page.click('.urgent button.send');
  await page.waitForSelector('section.done .reference:not(:empty)', { timeout: 10_000 });
  assert.match(await page.textContent('section.done ul.next'), new RegExp(`An operator will call you from \\${HOTLINE}`));
  assert.match(await page.textContent('section.done ul.next'), /If you are in immediate danger now/);
  await page.click('section.done button.copy');
  await page.waitForFunction(() => document.querySelector('section.done button.copy').textContent === 'Link copied.');
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  assert.equal(copied, await page.getAttribute('section.done a.track', 'href').then((href) => new URL(href, page.url()).href));
  assert.match(copied, /\/track\/[A-Za-z0-9_-]{43}\?lang=en$/);
  await page.context().close();
});

test('the update form shows only the part of the chosen kind', async () => {
  const accepted = await report(env.server.url, { language: 'en', people: [{ name: 'Update Kinds' }] });
  const page = await phonePage({ javaScriptEnabled: false });
  await page.goto(`${env.server.url}/track/${accepted.tracking_token}`);
  const shown = () =>
    page.$$eval('form.update fieldset', (sets) => sets.filter((f) => f.getBoundingClientRect().height > 0).map((f) => f.className));
  assert.deepEqual(await shown(), [], 'a message: no sub-form');
  await page.check('input[name=kind][value=moved]');
  assert.deepEqual(await shown(), ['for-moved']);
  await page.check('input[name=kind][value=needs]');
  assert.deepEqual(await shown(), ['for-needs']);
  assert.match(await page.textContent('footer'), /Ministry of Emigration/);
  await page.context().close();
});
