// Place names for the ops room and the partner page: the world's towns (GeoNames, and districts
// of capitals; built from web/data by build.mjs), shared by the map's labels and `placeName`,
// which names a point or an H3 cell by its nearest town in one language. The index
// (/ops/places.json) says where each country's towns lie and holds its few biggest; a
// country's own file is loaded only when a view or a point needs it, so the ops room never
// downloads the world to show one crisis. It owns no drawing and no page state; a cell is named
// only once its centre is known (the map tells it the centres of the hexagons it draws, the
// only cells a person can pick).

/** A view wider than this (degrees of longitude) shows each country's biggest towns only: a
 * continent's every town would be unreadable, and would mean downloading all of them. */
const WIDE_VIEW_DEGREES = 60;
/** A point is named from the countries whose towns lie within this many degrees of it. */
const NEAR_DEGREES = 1;

let index = null; // the promise of the index's countries
let countries = null; // {LY: {url, box: [west, south, east, north], top}} once the index is in
const byCountry = new Map(); // LY → its places, biggest first: its `top` until its file is loaded
const loading = new Map(); // LY → the promise of its file
const loaded = new Set(); // the countries whose files are in
const listeners = new Set();
let version = 0; // bumped whenever places arrive
let inView = { key: '', places: [] }; // the last `placesInView` answer
const cellCentres = new Map(); // H3 index in hex → [lon, lat]
const MAX_CELLS = 20_000; // centres kept (oldest forgotten first): a long session's picks

/** [latin, "ar1|ar2", lat, lon, population] → {n: Latin name, a: Arabic name or null, x: lon, y: lat, p: population} */
const toPlace = ([n, a, y, x, p]) => ({ n, a: a.split('|')[0] || null, x, y, p });

function arrived() {
  version += 1;
  for (const listener of listeners) listener();
}

/** Call `listener` whenever places arrive (a country's file, the index); returns the unsubscribe. */
export function onPlaces(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function loadIndex() {
  index ??= fetch('/ops/places.json')
    .then((r) => r.json())
    .then((data) => {
      countries = data.countries;
      for (const [code, country] of Object.entries(countries)) {
        if (!byCountry.has(code)) byCountry.set(code, country.top.map(toPlace));
      }
      arrived();
      return countries;
    });
  return index;
}

function loadCountry(code) {
  if (!loading.has(code)) {
    const load = fetch(countries[code].url)
      .then((r) => r.json())
      .then((data) => {
        byCountry.set(code, data.places.map(toPlace));
        loaded.add(code);
        arrived();
      });
    // A failed load (offline) is tried again by the next view that needs it.
    loading.set(code, load.catch(() => loading.delete(code)));
  }
  return loading.get(code);
}

const meets = (box, [west, south, east, north]) => box[0] <= east && box[2] >= west && box[1] <= north && box[3] >= south;
const countriesMeeting = (bbox) => Object.keys(countries).filter((code) => meets(countries[code].box, bbox));
const around = ([lon, lat]) => [lon - NEAR_DEGREES, lat - NEAR_DEGREES, lon + NEAR_DEGREES, lat + NEAR_DEGREES];

/** Load the towns of every country with towns inside `bbox` ([west, south, east, north]);
 * resolves once they are all in. */
export async function loadPlaces(bbox) {
  await loadIndex();
  await Promise.all(countriesMeeting(bbox).map(loadCountry));
}

/**
 * The places to label a view `bbox` ([west, south, east, north]) with, biggest population first:
 * the towns of the countries in it, or only their biggest in a wide view. Starts loading what is
 * missing and answers with what is here now (`onPlaces` says when more arrives).
 */
export function placesInView(bbox) {
  if (!countries) {
    loadIndex();
    return [];
  }
  const codes = countriesMeeting(bbox);
  if (bbox[2] - bbox[0] <= WIDE_VIEW_DEGREES) codes.forEach(loadCountry);
  const key = `${version}|${codes.join()}`;
  if (key !== inView.key) {
    const places = codes.flatMap((code) => byCountry.get(code) ?? []).sort((a, b) => b.p - a.p);
    inView = { key, places };
  }
  return inView.places;
}

/** A place's name in `lang` ('ar' or 'en'), or null when it has none in that script. */
export function nameIn(place, lang) {
  return lang === 'ar' ? place.a || null : place.n;
}

/** Remember where a cell's centre is, so `placeName` can name it. */
export function rememberCell(cell, lon, lat) {
  if (cellCentres.has(cell)) return;
  if (cellCentres.size >= MAX_CELLS) cellCentres.delete(cellCentres.keys().next().value);
  cellCentres.set(cell, [lon, lat]);
}

/**
 * The name, in `lang`, of the town nearest to `where`: an H3 cell in hex (one the map has drawn)
 * or `[lon, lat]`, anywhere on earth. Null while the towns around it are loading (it starts
 * loading them), for a cell whose centre is not known, or when no town has a name in that
 * language: never a guess from a country whose towns are not here yet.
 */
export function placeName(where, lang) {
  const point = typeof where === 'string' ? cellCentres.get(where) : where;
  if (!point) return null;
  if (!countries) {
    loadIndex();
    return null;
  }
  const near = countriesMeeting(around(point));
  const missing = near.filter((code) => !loaded.has(code));
  if (missing.length) {
    missing.forEach(loadCountry);
    return null;
  }
  const [lon, lat] = point;
  // Equirectangular distance: exact enough to rank towns a few hundred kilometres apart.
  const shrink = Math.cos((lat * Math.PI) / 180);
  let best = null;
  let bestDistance = Infinity;
  // Out at sea, far from any country's towns: the nearest of every country's biggest.
  for (const code of near.length ? near : byCountry.keys()) {
    for (const place of byCountry.get(code)) {
      const name = nameIn(place, lang);
      if (!name) continue;
      const distance = ((place.x - lon) * shrink) ** 2 + (place.y - lat) ** 2;
      if (distance < bestDistance) {
        bestDistance = distance;
        best = name;
      }
    }
  }
  return best;
}
