// The ops room's map in a real browser: town names in the page's script only and never drawn
// over each other or over the hexagons' counts (at country, region and city zoom), a legend in
// the page's language beside the map rather than on it, and counts that follow the board's
// filters exactly as the case list counts them. Screenshots of each language at city and
// country zoom go to target/screenshots/ for review by eye.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ADMIN_PASSWORD, apiClient, browserTests, report, signedInPage } from './harness.mjs';

const SHOTS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'target', 'screenshots');
// Khartoum's three towns, Port Sudan, Wadi Halfa, El Obeid, Nyala, Wad Madani.
const PLACES = [[15.5518, 32.5324], [15.6445, 32.4777], [15.6492, 32.5346], [19.6158, 37.2164], [21.8, 31.35], [13.18, 30.21], [12.05, 24.88], [14.4, 33.52]];
const NEEDS = [['medical'], ['food', 'water'], ['evacuation'], ['shelter']];
const CASES = 240;
const ZOOMS = { country: 9_000, region: 60_000, city: 400_000 };

const env = browserTests({
  async prepare() {
    mkdirSync(SHOTS, { recursive: true });
    for (let n = 0; n < CASES; n++) {
      const [lat, lon] = PLACES[n % PLACES.length];
      await report(env.server.url, {
        people: [{ name: `Person ${n}`, age: n % 90 }],
        location: { lat: lat + ((n * 7) % 100) / 500, lon: lon + ((n * 13) % 100) / 500 },
        needs: NEEDS[n % NEEDS.length],
        flags: n % 9 === 0 ? ['unaccompanied_minors'] : [],
      });
    }
  },
});

/** Move the map and wait until it drew the cells it asked for at that view. */
async function zoom(page, lon, lat, scale) {
  await page.evaluate(([x, y, s]) => window.opsroom.map.zoomTo(x, y, s), [lon, lat, scale]);
  await answered(page);
  await drawn(page);
}

/** Until the page holds the cells that answer its map's view and filters as they are now: not
 * merely until an answer arrived (the page may not have read it yet, and an answer to an earlier
 * view or filters, the sign-in's or the live refresh's, may arrive too). */
const answered = (page) =>
  page.waitForFunction(
    () => {
      const { map, state } = window.opsroom;
      return JSON.stringify(state.map.question) === JSON.stringify({ bbox: map.bbox(), resolution: map.resolution(), filters: map.filters() });
    },
    null,
    { timeout: 10_000 },
  );

/** Two animation frames: the map draws (at most) once per frame. */
const drawn = (page) => page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));

function overlapping(boxes) {
  const pairs = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const [a, b] = [boxes[i], boxes[j]];
      if (a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h) pairs.push([a.text, b.text]);
    }
  }
  return pairs;
}

for (const language of ['ar', 'en']) {
  test(`${language}: labels in one script, never over each other, at three zooms; the legend beside the map`, async () => {
    const page = await signedInPage(env.browser, env.server.url, 'admin', ADMIN_PASSWORD, language);
    await page.setViewportSize({ width: 1400, height: 900 });
    await page.waitForFunction(() => window.opsroom.map?.labelBoxes().some((b) => b.kind === 'place'), null, { timeout: 10_000 });
    for (const [name, scale] of Object.entries(ZOOMS)) {
      await zoom(page, 32.53, 15.6, scale);
      if (name !== 'region') await page.locator('.map').screenshot({ path: join(SHOTS, `map-${language}-${name}.png`) });
      const boxes = await page.evaluate(() => window.opsroom.map.labelBoxes());
      const towns = boxes.filter((b) => b.kind === 'place');
      assert.ok(towns.length >= 3, `${name}: towns are named (${towns.length})`);
      assert.ok(boxes.some((b) => b.kind === 'count'), `${name}: hexagons' counts are drawn`);
      assert.deepEqual(overlapping(boxes), [], `${name}: no two texts overlap`);
      for (const town of towns) {
        // Digits belong to no script ("الخرطوم 2", a district of Khartoum).
        if (language === 'ar') assert.match(town.text, /^[\p{Script=Arabic}\p{Zs}\p{P}\p{Nd}]+$/u, `${name}: "${town.text}" is Arabic only`);
        else assert.doesNotMatch(town.text, /\p{Script=Arabic}/u, `${name}: "${town.text}" has no Arabic`);
      }
    }
    // The legend: in the page's language, and beside the canvas, not over it.
    const legend = page.locator('.map-legend');
    assert.ok(await legend.isVisible());
    const text = await legend.innerText();
    if (language === 'ar') assert.match(text, /حرجة/);
    else assert.match(text, /Critical/);
    const [canvas, key] = await Promise.all([page.locator('.map-canvas').boundingBox(), legend.boundingBox()]);
    assert.ok(key.y >= canvas.y + canvas.height - 0.5, 'the legend is below the map, covering none of it');
    await page.context().close();
  });
}

test('anywhere on earth: moved to Libya, the map names Tripoli and its districts, in each language', async () => {
  for (const [language, tripoli, district] of [['en', 'Tripoli', /^(Abū Salīm|Al Dahra|Bāb .+|Hayy al Andalus)$/], ['ar', 'طرابلس', /^(أبو سليم|الظهرة|باب .+|حي الأندلس)$/]]) {
    const page = await signedInPage(env.browser, env.server.url, 'admin', ADMIN_PASSWORD, language);
    await page.setViewportSize({ width: 1400, height: 900 });
    await page.waitForFunction(() => window.opsroom.map !== null);
    const towns = () => page.evaluate(() => window.opsroom.map.labelBoxes().filter((b) => b.kind === 'place').map((b) => b.text));
    await zoom(page, 13.19, 32.85, ZOOMS.region);
    // Libya's towns arrive when the view needs them (one file, on first sight of the country).
    await page.waitForFunction((name) => window.opsroom.map.labelBoxes().some((b) => b.text === name), tripoli, { timeout: 10_000 });
    await zoom(page, 13.19, 32.87, ZOOMS.city);
    await page.waitForFunction(() => window.opsroom.map.labelBoxes().filter((b) => b.kind === 'place').length >= 3, null, { timeout: 10_000 });
    assert.ok((await towns()).some((t) => district.test(t)), `a district of Tripoli is named: ${await towns()}`);
    await page.context().close();
  }
});

test('the map counts what the board\'s filters choose, as the case list does', async () => {
  const page = await signedInPage(env.browser, env.server.url, 'admin', ADMIN_PASSWORD);
  await page.setViewportSize({ width: 1400, height: 900 });
  await page.waitForFunction(() => window.opsroom.map !== null);
  // All of Sudan in view, so every case is on the map.
  await zoom(page, 30.5, 16.5, 6_000);
  const onMap = () => page.evaluate(() => [...window.opsroom.state.map.cells.values()].reduce((sum, c) => sum + c.total, 0));
  const call = await apiClient(env.server.url, 'admin', ADMIN_PASSWORD);
  const listed = async (query) => (await call('GET', `/api/v1/cases?limit=1&${query}`)).body.total;
  assert.equal(await onMap(), CASES);
  for (const filters of [{ need: 'medical' }, { need: 'water', flag: 'unaccompanied_minors' }, { priority: 'critical' }]) {
    // The first map question asked from now on (an answer arriving now may be to one asked
    // before: at sign-in, on resizing, or the refresh after going live).
    const asked = page.waitForRequest((r) => r.url().includes('/api/v1/map?'), { timeout: 10_000 });
    await page.evaluate((f) => window.opsroom.map.setFilters({ ...window.opsroom.state.filters, ...f }), filters);
    const url = new URL((await asked).url());
    for (const [name, value] of Object.entries(filters)) assert.equal(url.searchParams.get(name), value);
    await answered(page);
    await drawn(page);
    const expected = await listed(new URLSearchParams(filters).toString());
    assert.ok(expected < CASES);
    assert.equal(await onMap(), expected, `${JSON.stringify(filters)}: the map's total`);
    const drawnTotal = await page.evaluate(() => window.opsroom.map.labelBoxes().filter((b) => b.kind === 'count').reduce((sum, b) => sum + Number(b.text), 0));
    assert.ok(drawnTotal <= expected, 'the counts drawn are the filtered ones');
  }
  await page.context().close();
});
