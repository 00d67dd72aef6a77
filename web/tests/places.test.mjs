// Place names for the cell chip (`placeName`), in node: the built gazetteer served to a stubbed
// fetch, the nearest town in the asked language, and nothing rather than a guess.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

// The built file under its content-hashed name (dist/assets.json maps the URL the code asks for).
const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const hashedUrl = JSON.parse(readFileSync(join(dist, 'assets.json'), 'utf8'))['/ops/places.json'];
const built = readFileSync(join(dist, hashedUrl.replace(/^\/ops\//, 'ops/')), 'utf8');
globalThis.fetch = async (url) => {
  assert.equal(url, '/ops/places.json');
  return { json: async () => JSON.parse(built) };
};
const { loadPlaces, placeName, rememberCell } = await import('../shared/places.js');

test('a point is named by its nearest town, in Arabic or English', async () => {
  assert.equal(placeName([37.2, 19.6], 'en'), null, 'nothing before the gazetteer is loaded');
  await loadPlaces();
  assert.equal(placeName([37.22, 19.6], 'en'), 'Port Sudan');
  assert.equal(placeName([37.22, 19.6], 'ar'), 'بور سودان');
  assert.equal(placeName([32.476, 15.646], 'en'), 'Omdurman');
  assert.equal(placeName([32.476, 15.646], 'ar'), 'أم درمان');
});

test('a cell is named once the map has told where its centre is', async () => {
  await loadPlaces();
  const cell = '8734a4c0cffffff';
  assert.equal(placeName(cell, 'en'), null, 'an unknown cell gets no made-up name');
  rememberCell(cell, 24.88, 12.05);
  assert.equal(placeName(cell, 'en'), 'Nyala');
});

test('an Arabic name is never a Latin fallback: towns without one are skipped', async () => {
  const places = await loadPlaces();
  const latinOnly = places.find((p) => !p.a);
  assert.ok(latinOnly, 'the gazetteer has towns with no Arabic name');
  const name = placeName([latinOnly.x, latinOnly.y], 'ar');
  assert.match(name, /\p{Script=Arabic}/u);
  assert.equal(placeName([latinOnly.x, latinOnly.y], 'en'), latinOnly.n);
});
