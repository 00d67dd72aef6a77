// Movements on the partner page, in a real browser: a bus shared with the Red Crescent appears
// on its page, and as the ops room seats people and boards them (through the API) the page shows
// each passenger's status live, without a reload — those needing medical care marked, passports
// never shown (the Red Crescent's profile has none). A case referred to the partner whose people
// are seated stays on the page: movement items name a passenger's case without carrying it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { browserTests, partnerPage, report } from './harness.mjs';

const env = browserTests();

/** Call the admin API and insist on `status`. */
async function ok(method, path, body, status = 200) {
  const answer = await env.admin(method, path, body);
  assert.equal(answer.status, status, `${method} ${path}: ${JSON.stringify(answer.body)}`);
  return answer.body;
}

/** The partner's page in `language`, marked so that a reload would show: every change below
 * must arrive live. */
async function livePartnerPage(token, language) {
  const page = await partnerPage(env.browser, env.server.url, token, language);
  await page.evaluate(() => (window.loadedOnce = true));
  return page;
}

/** The text of `selector` once it is `text`. */
async function waitForText(page, selector, text) {
  await page.waitForFunction(([s, x]) => document.querySelector(s)?.textContent === x, [selector, text], { timeout: 5000 });
}

test("a shared movement's passengers reach the partner's page live, medical needs marked, no passports", async () => {
  const partner = await ok('POST', '/api/v1/partners', { name: 'Egyptian Red Crescent', name_ar: 'الهلال الأحمر المصري', kind: 'red_crescent' }, 201);
  const { token } = await ok('POST', `/api/v1/partners/${partner.partner_id}/tokens`, {}, 201);

  const place = (kind, en, ar, lat, lon) => ok('POST', '/api/v1/places', { kind, name: { en, ar }, lat, lon }, 201);
  const consulate = await place('assembly_point', 'Consulate, Khartoum', 'القنصلية في الخرطوم', 15.6, 32.53);
  const argeen = await place('border_crossing', 'Argeen crossing', 'معبر أرقين', 21.9833, 31.3333);

  // Two families waiting for evacuation near the consulate; one needs medical care. Everyone
  // reported a passport, which the Red Crescent must never see.
  const injured = await report(env.server.url, {
    people: [
      { name: 'Mona Idris', age: 9, sex: 'female', passport: 'P4455667' },
      { name: 'Amal Idris', age: 36, sex: 'female', phone: '+249912000222', passport: 'P4455668' },
    ],
    location: { lat: 15.58, lon: 32.54 },
    needs: ['evacuation', 'medical'],
    flags: ['injured'],
  });
  const walking = await report(env.server.url, {
    people: [{ name: 'Hassan Ali', age: 64, sex: 'male', passport: 'P9988776' }],
    location: { lat: 15.61, lon: 32.52 },
    needs: ['evacuation'],
  });
  for (const accepted of [injured, walking]) {
    for (const [version, status] of [[1, 'triaged'], [2, 'awaiting_evacuation']]) {
      await ok('POST', `/api/v1/cases/${accepted.case_id}/status`, { status, version });
    }
  }
  // The injured family's case is also referred to the partner (an ambulance at the crossing).
  const referral = await ok('POST', `/api/v1/cases/${injured.case_id}/referrals`, { partner_id: partner.partner_id, request_type: 'medical_evacuation' }, 201);

  const planned = await ok(
    'POST',
    '/api/v1/movements',
    {
      mode: 'bus',
      label: 'Bus 7 Khartoum → Argeen',
      origin_place_id: consulate.place_id,
      destination_place_id: argeen.place_id,
      departure_at: '2030-05-01T06:30:00+02:00',
      seats: 10,
      shared_with: [partner.partner_id],
    },
    201,
  );
  const id = planned.movement_id;
  const movement = `article.movement[data-movement-id="${id}"]`;

  const desk = await livePartnerPage(token, 'en');
  await desk.waitForSelector(`${movement}[data-status=planned]`);
  assert.match(await desk.textContent(`${movement} h3`), /^Bus · Bus 7 Khartoum → Argeen$/);
  assert.equal(await desk.textContent(`${movement} .movement-status`), 'Planned');
  assert.match(await desk.textContent(`${movement} .route`), /^Consulate, Khartoum \(Assembly point\) → Argeen crossing \(Border crossing\)$/);
  assert.equal(await desk.textContent(`${movement} .seats`), '0 / 10 taken');
  assert.match(await desk.textContent(`${movement} .departure`), /2030/);
  await desk.click(`${movement} details.passengers > summary`);
  await desk.waitForSelector(`${movement} details.passengers[open] .empty:has-text("No one has a seat yet.")`);
  const referred = `article.case[data-reference="${injured.reference}"]`;
  await desk.waitForSelector(referred);

  // The ops room seats the suggested people: the page shows them as assigned.
  const suggestion = await ok('POST', `/api/v1/movements/${id}/suggestion`, { radius_km: 25 });
  assert.equal(suggestion.passengers.length, 3, JSON.stringify(suggestion));
  const person = Object.fromEntries(suggestion.passengers.map((p) => [p.name, p.person_id]));
  await ok('POST', `/api/v1/movements/${id}/passengers`, { person_ids: suggestion.passengers.map((p) => p.person_id) });
  const passenger = (name) => `${movement} li.passenger[data-person-id="${person[name]}"]`;
  await desk.waitForFunction((m) => document.querySelectorAll(`${m} li.passenger[data-status=assigned]`).length === 3, movement, { timeout: 5000 });
  await waitForText(desk, `${movement} .count[data-status=assigned] b`, '3');
  await waitForText(desk, `${movement} .seats`, '3 / 10 taken');
  assert.equal(await desk.textContent(`${movement} details.passengers > summary`), 'Passengers (3)');
  assert.ok(await desk.locator(`${movement} details.passengers[open]`).count(), 'the list stays open as it is drawn again');

  // What the Red Crescent receives of each: name, age, sex, phone, needs; the injured marked.
  const amal = passenger('Amal Idris');
  assert.equal(await desk.textContent(`${amal} .passenger-status`), 'Assigned');
  assert.equal(await desk.textContent(`${amal} .who`), 'Amal Idris · age 36 · female · +249912000222');
  assert.equal(await desk.textContent(`${amal} .ref`), injured.reference);
  assert.equal(await desk.textContent(`${amal} .needs`), 'Needs: Medical, Evacuation');
  assert.equal(await desk.textContent(`${amal} .flags`), 'Vulnerabilities: Injured');
  for (const name of ['Mona Idris', 'Amal Idris']) {
    assert.equal(await desk.getAttribute(passenger(name), 'class'), 'passenger status-assigned needs-care');
    assert.equal(await desk.textContent(`${passenger(name)} .care-badge`), 'Needs medical care');
  }
  assert.equal(await desk.getAttribute(passenger('Hassan Ali'), 'class'), 'passenger status-assigned');
  assert.equal(await desk.locator(`${passenger('Hassan Ali')} .care-badge`).count(), 0);
  await waitForText(desk, `${movement} .count[data-status=care] b`, '2');
  assert.deepEqual(
    await desk.$$eval(`${movement} li.passenger`, (items) => items.map((li) => li.querySelector('.who bdi').textContent)),
    ['Amal Idris', 'Mona Idris', 'Hassan Ali'],
    'those needing care first',
  );

  // Boarding, then one passenger on board: each change arrives live.
  await ok('POST', `/api/v1/movements/${id}/status`, { to: 'boarding' });
  await desk.waitForSelector(`${movement}[data-status=boarding]`, { timeout: 5000 });
  assert.equal(await desk.textContent(`${movement} .movement-status`), 'Boarding');
  await ok('POST', `/api/v1/movements/${id}/passengers/status`, { person_ids: [person['Mona Idris']], to: 'boarded' });
  await desk.waitForSelector(`${passenger('Mona Idris')}[data-status=boarded]`, { timeout: 5000 });
  assert.equal(await desk.textContent(`${passenger('Mona Idris')} .passenger-status`), 'Boarded');
  await waitForText(desk, `${movement} .count[data-status=boarded] b`, '1');
  await waitForText(desk, `${movement} .count[data-status=assigned] b`, '2');

  // Departed: those who did not board are no-shows, and no longer the partner's business: they
  // leave its list.
  await ok('POST', `/api/v1/movements/${id}/status`, { to: 'departed' });
  await desk.waitForSelector(`${movement}[data-status=departed]`, { timeout: 5000 });
  await desk.waitForSelector(`${passenger('Mona Idris')}[data-status=departed]`, { timeout: 5000 });
  await desk.waitForSelector(passenger('Hassan Ali'), { state: 'detached', timeout: 5000 });
  await waitForText(desk, `${movement} .seats`, '1 / 10 taken');

  assert.equal(await desk.evaluate(() => window.loadedOnce), true, 'no reload');
  // The referred case is still there: the passengers' items named it but did not carry it.
  assert.equal(await desk.locator(referred).count(), 1);
  assert.match(await desk.textContent(`${referred} .referral[data-referral-id="${referral.referral_id}"]`), /Medical evacuation/);
  // No passport anywhere: not on the page, not in what the page was sent.
  const text = await desk.textContent('body');
  for (const passport of ['P4455667', 'P4455668', 'P9988776']) assert.ok(!text.includes(passport), passport);
  const movements = await desk.evaluate(() => JSON.stringify([...window.opsroomPartner.state.movements.values()]));
  assert.ok(!/passport|P4455667/.test(movements), movements);

  // In Arabic, right to left, with the places' Arabic names and the arrow pointing the way read.
  const arabic = await livePartnerPage(token, 'ar');
  await arabic.waitForSelector(`${movement}[data-status=departed]`);
  assert.equal(await arabic.evaluate(() => getComputedStyle(document.querySelector('.movements')).direction), 'rtl');
  assert.equal(await arabic.textContent(`${movement} .movement-status`), 'انطلقت');
  assert.match(await arabic.textContent(`${movement} .route`), /^القنصلية في الخرطوم \(نقطة تجمع\) ← معبر أرقين \(معبر حدودي\)$/);
  assert.equal(await arabic.textContent(`${movement} .count[data-status=care]`), 'بحاجة إلى رعاية طبية: 1', 'Amal did not show up');
  await arabic.click(`${movement} details.passengers > summary`);
  assert.equal(await arabic.textContent(`${passenger('Mona Idris')} .care-badge`), 'يحتاج رعاية طبية');
  assert.equal(await arabic.locator(passenger('Hassan Ali')).count(), 0, 'a no-show is not listed');

  // At the crossing: both pages follow.
  await ok('POST', `/api/v1/movements/${id}/passengers/status`, { person_ids: [person['Mona Idris']], to: 'crossed' });
  await arabic.waitForSelector(`${passenger('Mona Idris')}[data-status=crossed]:has-text("عبر الحدود")`, { timeout: 5000 });
  await desk.waitForSelector(`${passenger('Mona Idris')}[data-status=crossed]:has-text("Crossed the border")`, { timeout: 5000 });
  await Promise.all([desk, arabic].map((page) => page.context().close()));
});

test('a movement not shared with the partner never reaches its page', async () => {
  const partner = await ok('POST', '/api/v1/partners', { name: 'IOM Port Sudan', kind: 'un_agency' }, 201);
  const { token } = await ok('POST', `/api/v1/partners/${partner.partner_id}/tokens`, {}, 201);
  const places = await ok('GET', '/api/v1/places');
  const origin = places.find((p) => p.kind === 'assembly_point');
  const destination = places.find((p) => p.kind === 'border_crossing');
  const desk = await livePartnerPage(token, 'en');
  await desk.waitForSelector('.movements .empty:has-text("No movements are shared with you now.")');
  const others = await ok(
    'POST',
    '/api/v1/movements',
    { mode: 'train', label: 'Train 2', origin_place_id: origin.place_id, destination_place_id: destination.place_id, departure_at: '2030-05-02T06:30:00+02:00', seats: 50 },
    201,
  );
  const shared = await ok(
    'POST',
    '/api/v1/movements',
    { mode: 'flight', label: 'Flight 3', origin_place_id: origin.place_id, destination_place_id: destination.place_id, departure_at: '2030-05-03T06:30:00+02:00', seats: 150, shared_with: [partner.partner_id] },
    201,
  );
  // The later one arrives; the earlier one, not shared, never does.
  await desk.waitForSelector(`article.movement[data-movement-id="${shared.movement_id}"]:has-text("Flight · Flight 3")`, { timeout: 5000 });
  assert.equal(await desk.locator(`article.movement[data-movement-id="${others.movement_id}"]`).count(), 0);
  assert.equal(await desk.locator('article.movement').count(), 1);
  await desk.context().close();
});
