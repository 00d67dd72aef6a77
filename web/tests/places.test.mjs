// Place names for the map and the cell chip (`placeName`, `placesInView`), in node: the built
// index and per-country files served to a stubbed fetch, the nearest town in the asked language
// anywhere on earth, a country's towns loaded only when a view or a point needs them, and nothing
// rather than a guess.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

// The built files under their content-hashed names (dist/assets.json maps the index's URL).
const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const indexUrl = JSON.parse(readFileSync(join(dist, 'assets.json'), 'utf8'))['/ops/places.json'];
const served = (url) => readFileSync(join(dist, url.replace(/^\/ops\//, 'ops/').replace(/^\/static\//, 'public/')), 'utf8');
const fetched = [];
globalThis.fetch = async (url) => {
  fetched.push(url);
  return { json: async () => JSON.parse(served(url === '/ops/places.json' ? indexUrl : url)) };
};
const { loadPlaces, placeName, placesInView, rememberCell } = await import('../shared/places.js');
const around = ([lon, lat]) => [lon - 1, lat - 1, lon + 1, lat + 1];
const countryFiles = () => fetched.filter((u) => u.startsWith('/static/places/')).map((u) => u.split('/').pop().slice(0, 2));

test('a point is named by its nearest town, in Arabic or English', async () => {
  assert.equal(placeName([37.2, 19.6], 'en'), null, 'nothing before the gazetteer is loaded');
  await loadPlaces(around([37.22, 19.6]));
  assert.equal(placeName([37.22, 19.6], 'en'), 'Port Sudan');
  assert.equal(placeName([37.22, 19.6], 'ar'), 'بور سودان');
  assert.equal(placeName([32.476, 15.646], 'en'), 'Omdurman');
  assert.equal(placeName([32.476, 15.646], 'ar'), 'أم درمان');
});

test('a cell is named once the map has told where its centre is', async () => {
  const cell = '8734a4c0cffffff';
  assert.equal(placeName(cell, 'en'), null, 'an unknown cell gets no made-up name');
  rememberCell(cell, 24.88, 12.05);
  await loadPlaces(around([24.88, 12.05]));
  assert.equal(placeName(cell, 'en'), 'Nyala');
});

test('anywhere on earth: Libya and its capital districts, Lebanon, Nepal, each loaded when needed', async () => {
  assert.ok(!countryFiles().includes('NP'), 'Nepal is not loaded for a view of Sudan');
  assert.equal(placeName([85.32, 27.71], 'en'), null, "Nepal's towns are not here yet: no guess");
  await loadPlaces(around([85.32, 27.71]));
  assert.equal(placeName([85.32, 27.71], 'en'), 'Kathmandu');
  await loadPlaces(around([13.19, 32.89]));
  assert.equal(placeName([13.1874, 32.8874], 'en'), 'Tripoli');
  assert.equal(placeName([13.1874, 32.8874], 'ar'), 'طرابلس');
  assert.equal(placeName([13.1709, 32.8426], 'en'), 'Abū Salīm', 'a district of Tripoli');
  await loadPlaces(around([35.84, 34.43]));
  assert.equal(placeName([35.84, 34.43], 'en'), 'Tripoli', "Lebanon's Tripoli");
});

test('a view is labelled from the countries in it, biggest first; a wide view only with the biggest towns', async () => {
  const libya = [12, 31, 15, 34];
  await loadPlaces(libya);
  const places = placesInView(libya);
  assert.ok(places.some((p) => p.n === 'Misratah'), 'Libyan towns');
  assert.ok(places.every((p, i) => i === 0 || places[i - 1].p >= p.p), 'biggest first');
  const before = countryFiles().length;
  const world = placesInView([-180, -85, 180, 85]);
  assert.equal(countryFiles().length, before, 'a view of the world loads no country file');
  assert.ok(world.some((p) => p.n === 'Tokyo') && world.some((p) => p.n === 'Cairo'), "every country's biggest towns");
});

test('an Arabic name is never a Latin fallback: towns without one are skipped', async () => {
  const latinOnly = placesInView(around([32.5, 15.6])).find((p) => !p.a);
  assert.ok(latinOnly, 'the gazetteer has towns with no Arabic name');
  await loadPlaces(around([latinOnly.x, latinOnly.y]));
  const name = placeName([latinOnly.x, latinOnly.y], 'ar');
  assert.match(name, /\p{Script=Arabic}/u);
  assert.equal(placeName([latinOnly.x, latinOnly.y], 'en'), latinOnly.n);
});

test("the built places: one file per country with its attribution, the pickers' index naming them all", () => {
  const pickerIndex = JSON.parse(served(JSON.parse(readFileSync(join(dist, 'assets.json'), 'utf8'))['/static/places.json']));
  const mapIndex = JSON.parse(served(indexUrl));
  assert.deepEqual(Object.keys(pickerIndex.files).sort(), Object.keys(mapIndex.countries).sort());
  assert.ok(Object.keys(pickerIndex.files).length > 200, 'the whole world');
  for (const [code, url] of Object.entries(pickerIndex.files)) {
    assert.equal(mapIndex.countries[code].url, url);
    assert.match(JSON.parse(served(url)).attribution, /GeoNames \(geonames\.org\) CC BY 4\.0/, code);
  }
  const libya = JSON.parse(served(pickerIndex.files.LY));
  assert.deepEqual(libya.places[0].slice(0, 2), ['Tripoli', 'طرابلس|ترابلس'], 'the biggest first, with its Arabic spellings');
  assert.ok(libya.places.some(([name, ar]) => name === 'Abū Salīm' && ar === 'أبو سليم'), "Tripoli's districts");
  // Three of Khartoum's districts are placed from Wikipedia (CC BY-SA), and say so.
  assert.match(JSON.parse(served(pickerIndex.files.SD)).attribution, /Wikipedia CC BY-SA 4\.0/);
  assert.doesNotMatch(libya.attribution, /Wikipedia/);
});
