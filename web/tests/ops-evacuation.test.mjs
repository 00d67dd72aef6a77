// Evacuation logistics in the ops room: a supervisor draws a danger zone over a reported case and
// every board marks the case live; a refused zone is explained; a movement between two places is
// planned in the panel, filled from the seat suggestion, boarded and departed, and the counters
// follow each step.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { browserTests, report, signedInPage } from './harness.mjs';

const env = browserTests({ users: [['amira', 'operator', 'amira password 2023'], ['hoda', 'supervisor', 'hoda password 2023']] });

const KHARTOUM = { lat: 15.5518, lon: 32.5324 };

/** Centre the map on [lon, lat] at `scale` and click it at each offset (CSS pixels) from there. */
async function clickAround(page, [lon, lat], scale, offsets) {
  await page.evaluate(([x, y, s]) => window.opsroom.map.zoomTo(x, y, s), [lon, lat, scale]);
  const [cx, cy] = await page.evaluate(([x, y]) => window.opsroom.map.screenPoint(x, y), [lon, lat]);
  for (const [dx, dy] of offsets) await page.locator('.map-canvas').click({ position: { x: cx + dx, y: cy + dy } });
}

/** The counter `name` of the strip, as a number. */
async function counter(page, name) {
  return Number(await page.textContent(`.evacuation-counters [data-counter="${name}"] b`));
}

async function waitForCounter(page, name, value) {
  await page.waitForFunction(
    ([n, v]) => document.querySelector(`.evacuation-counters [data-counter="${n}"] b`)?.textContent === String(v),
    [name, value],
    { timeout: 5000 },
  );
}

test('a danger zone drawn over a case marks its card live on every board; a refused zone is explained', async () => {
  const accepted = await report(env.server.url, { people: [{ name: 'Amna', age: 40 }], location: KHARTOUM });
  const card = `.card[data-reference="${accepted.reference}"]`;
  const operator = await signedInPage(env.browser, env.server.url, 'amira', 'amira password 2023');
  await operator.waitForSelector(card);
  assert.equal(await operator.locator('.map-tools button').count(), 0, 'operators draw no zones');
  const supervisor = await signedInPage(env.browser, env.server.url, 'hoda', 'hoda password 2023');
  await supervisor.waitForSelector(card);
  assert.equal(await supervisor.locator(`${card} .danger-zone`).count(), 0);

  // Too large to be a zone: the server's reason is shown where the supervisor drew it.
  await supervisor.click('.map-tools button[name=draw-zone]');
  await clickAround(supervisor, [30, 18], 3000, [[-150, -100], [150, -100], [0, 150]]);
  await supervisor.waitForSelector('.map-tools .vertex-count:has-text("Corners: 3")');
  await supervisor.click('.map-tools button[name=finish-zone]');
  await supervisor.fill('.map-tools input[name=name_en]', 'Half of Sudan');
  await supervisor.fill('.map-tools input[name=name_ar]', 'نصف السودان');
  await supervisor.click('.map-tools button[name=declare-zone]');
  const refusal = await supervisor.waitForSelector('.map-tools .notice.error', { timeout: 5000 });
  assert.match(await refusal.textContent(), /^Refused: The area is too large: .*km²\. \(area\)$/);
  await supervisor.click('.map-tools button[name=cancel-tool]');

  // A square around the case, corner by corner, undoing a stray click.
  await supervisor.click('.map-tools button[name=draw-zone]');
  await clickAround(supervisor, [KHARTOUM.lon, KHARTOUM.lat], 400_000, [[-60, -60], [60, -60], [60, 60], [0, 100]]);
  await supervisor.click('.map-tools button[name=undo-vertex]');
  await clickAround(supervisor, [KHARTOUM.lon, KHARTOUM.lat], 400_000, [[-60, 60]]);
  await supervisor.waitForSelector('.map-tools .vertex-count:has-text("Corners: 4")');
  await supervisor.click('.map-tools button[name=finish-zone]');
  await supervisor.selectOption('.map-tools select[name=kind]', 'danger');
  await supervisor.fill('.map-tools input[name=name_en]', 'Riyadh shelling');
  await supervisor.fill('.map-tools input[name=name_ar]', 'قصف الرياض');
  await supervisor.click('.map-tools button[name=declare-zone]');

  for (const page of [supervisor, operator]) {
    await page.waitForSelector(`${card} .danger-zone:has-text("In a danger zone")`, { timeout: 5000 });
  }
  // Its priority was raised with it, on the card as on the server.
  const raised = (await env.admin('GET', `/api/v1/cases/${accepted.case_id}`)).body;
  assert.ok(raised.case.priority.reasons.some((r) => r.code === 'danger_zone'), JSON.stringify(raised.case.priority));
  await operator.waitForSelector(`${card}.level-${raised.case.priority.level}`);
  const zones = await env.admin('GET', '/api/v1/zones');
  assert.equal(zones.body.length, 1);
  const [zone] = zones.body;
  assert.equal(zone.kind, 'danger');
  assert.equal(zone.area.type, 'Polygon');
  assert.equal(zone.area.coordinates[0].length, 5, 'four corners, closed');

  // A board opened now, in Arabic, shows it too (from the case list).
  const arabic = await signedInPage(env.browser, env.server.url, 'hoda', 'hoda password 2023', 'ar');
  await arabic.waitForSelector(`${card} .danger-zone:has-text("في منطقة خطر")`);

  // The panel lists the zone; a supervisor lifts it there, and the cards lose the badge live.
  await supervisor.click('details.evacuation-panel > summary');
  supervisor.on('dialog', (dialog) => dialog.accept());
  await supervisor.click(`.zone-list li[data-zone-id="${zone.zone_id}"] button[name=lift]`);
  await operator.click('details.evacuation-panel > summary');
  await operator.waitForSelector(`.zone-list li.lifted[data-zone-id="${zone.zone_id}"]`, { timeout: 5000 });
  assert.equal(await operator.locator('.zone-list button[name=lift]').count(), 0, 'operators lift nothing');
  for (const page of [operator, arabic]) await page.waitForSelector(`${card} .danger-zone`, { state: 'detached', timeout: 5000 });
  await Promise.all([operator, supervisor, arabic].map((page) => page.context().close()));
});

test('a movement is planned, filled from the suggestion, boarded and departed; the counters follow', async () => {
  const place = async (kind, en, ar, lat, lon) => {
    const saved = await env.admin('POST', '/api/v1/places', { kind, name: { en, ar }, lat, lon });
    assert.equal(saved.status, 201, JSON.stringify(saved.body));
    return saved.body;
  };
  const consulate = await place('assembly_point', 'Consulate, Khartoum', 'القنصلية في الخرطوم', 15.6, 32.53);
  const halfa = await place('border_crossing', 'Wadi Halfa', 'وادي حلفا', 21.8, 31.35);
  // Two families waiting for evacuation near the consulate.
  const families = [
    { people: [{ name: 'Salma Osman', age: 8 }, { name: 'Nour Osman', age: 36 }], location: { lat: 15.58, lon: 32.54 } },
    { people: [{ name: 'Hassan Ali', age: 74 }], location: { lat: 15.61, lon: 32.52 } },
  ];
  for (const family of families) {
    const accepted = await report(env.server.url, family);
    for (const [version, status] of [[1, 'triaged'], [2, 'awaiting_evacuation']]) {
      const moved = await env.admin('POST', `/api/v1/cases/${accepted.case_id}/status`, { status, version });
      assert.equal(moved.status, 200, JSON.stringify(moved.body));
    }
  }

  const page = await signedInPage(env.browser, env.server.url, 'hoda', 'hoda password 2023');
  page.on('dialog', (dialog) => dialog.accept());
  const waiting = `.evacuation-counters [data-counter=waiting-at][data-place-id="${consulate.place_id}"]`;
  await page.waitForSelector(`${waiting}:has-text("Consulate, Khartoum: 3 waiting")`, { timeout: 5000 });
  const seatsBefore = await counter(page, 'seats_planned');

  await page.click('details.evacuation-panel > summary');
  await page.selectOption('form.plan select[name=mode]', 'bus');
  await page.fill('form.plan input[name=label]', 'Bus 7 to Wadi Halfa');
  await page.selectOption('form.plan select[name=origin_place_id]', consulate.place_id);
  await page.selectOption('form.plan select[name=destination_place_id]', halfa.place_id);
  await page.fill('form.plan input[name=departure_at]', '2030-05-01T06:30');
  await page.fill('form.plan input[name=seats]', '10');
  await page.click('form.plan button[name=plan]');
  const planned = await page.waitForSelector('li.movement:has-text("Bus 7 to Wadi Halfa")', { timeout: 5000 });
  const id = await planned.getAttribute('data-movement-id');
  const movement = `li.movement[data-movement-id="${id}"]`;
  assert.equal(await planned.getAttribute('data-status'), 'planned');
  assert.match(await page.textContent(`${movement} .route`), /Consulate, Khartoum → Wadi Halfa/);
  await waitForCounter(page, 'seats_planned', seatsBefore + 10);

  // The suggestion: who would get a seat, by class; nothing is written until confirmed.
  await page.click(`${movement} details.passengers > summary`);
  await page.fill(`${movement} input[name=radius_km]`, '25');
  await page.click(`${movement} button[name=suggest]`);
  await page.waitForFunction((m) => document.querySelectorAll(`${m} .suggested tbody tr`).length === 3, movement, { timeout: 5000 });
  const classes = await page.$$eval(`${movement} .suggested td.class`, (cells) => cells.map((c) => c.textContent));
  assert.deepEqual(classes.toSorted(), ['Elderly', 'Family with children', 'Family with children']);
  await page.click(`${movement} button[name=confirm-passengers]`);
  await page.waitForFunction((m) => document.querySelectorAll(`${m} .passenger-group[data-status=assigned] li.passenger`).length === 3, movement, { timeout: 5000 });
  await page.waitForSelector(`${waiting}:has-text("0 waiting · 3 assigned")`, { timeout: 5000 });

  // Boarding: two board, one does not come; departing leaves the absent one as a no-show.
  await page.click(`${movement} button[name=movement-boarding]`);
  await page.waitForSelector(`${movement}[data-status=boarding]`, { timeout: 5000 });
  await page.click(`${movement} li.passenger:has-text("Salma Osman") button[name=passenger-boarded]`);
  await page.waitForSelector(`${movement} .passenger-group[data-status=boarded] li:has-text("Salma Osman")`, { timeout: 5000 });
  await page.click(`${movement} li.passenger:has-text("Nour Osman") button[name=passenger-boarded]`);
  await page.waitForSelector(`${movement} .passenger-group[data-status=boarded] li:has-text("Nour Osman")`, { timeout: 5000 });
  await waitForCounter(page, 'boarded', 2);
  await page.click(`${movement} button[name=movement-departed]`);
  await page.waitForSelector(`${movement}[data-status=departed]`, { timeout: 5000 });
  await page.waitForSelector(`${movement} .passenger-group[data-status=no_show] li:has-text("Hassan Ali")`, { timeout: 5000 });
  await waitForCounter(page, 'departed', 2);
  assert.equal(await counter(page, 'crossed'), 0);

  // At the border, person by person.
  await page.click(`${movement} li.passenger:has-text("Salma Osman") button[name=passenger-crossed]`);
  await waitForCounter(page, 'crossed', 1);

  // The manifests, for the border authority and the Foreign Ministry.
  assert.equal(await page.getAttribute(`${movement} a[name=manifest-ar]`, 'href'), `/ops/movements/${id}/manifest?lang=ar`);
  const csv = await page.evaluate(async (href) => (await fetch(href)).text(), await page.getAttribute(`${movement} a[name=manifest-csv]`, 'href'));
  assert.match(csv, /Salma Osman/);
  await page.context().close();
});

test('a supervisor adds a place by clicking the map (in Arabic); an operator sees it listed live', async () => {
  const operator = await signedInPage(env.browser, env.server.url, 'amira', 'amira password 2023');
  await operator.click('details.evacuation-panel > summary');
  const supervisor = await signedInPage(env.browser, env.server.url, 'hoda', 'hoda password 2023', 'ar');
  await supervisor.click('.map-tools button[name=add-place]');
  assert.equal(await supervisor.getAttribute('.map-tools button[name=save-place]', 'disabled'), '', 'nothing to save before a click');
  const argeen = [31.3333, 21.9833];
  await clickAround(supervisor, argeen, 400_000, [[0, 0]]);
  const where = await supervisor.textContent('.map-tools .hint');
  const [lat, lon] = where.split(': ')[1].split(', ').map(Number);
  assert.ok(Math.abs(lat - argeen[1]) < 0.001 && Math.abs(lon - argeen[0]) < 0.001, where);
  await supervisor.selectOption('.map-tools select[name=kind]', 'border_crossing');
  await supervisor.fill('.map-tools input[name=name_en]', 'Argeen crossing');
  await supervisor.fill('.map-tools input[name=name_ar]', 'معبر أرقين');
  await supervisor.click('.map-tools button[name=save-place]');
  await supervisor.waitForSelector('.map-tools button[name=add-place]', { timeout: 5000 });

  const item = await operator.waitForSelector('.place-list li[data-kind=border_crossing]:has-text("Argeen crossing")', { timeout: 5000 });
  assert.match(await item.textContent(), /معبر أرقين · Border crossing/);
  assert.equal(await operator.locator('form.plan').count(), 0, 'operators plan no movements');
  await Promise.all([operator, supervisor].map((page) => page.context().close()));
});
