// Place names for the ops room: the gazetteer the map labels with (GeoNames towns of Sudan and
// Egypt, /ops/places.json, built from web/data by build.mjs), loaded once and shared by the map's
// labels and `placeName`, which names a point or an H3 cell by its nearest town in one language.
// It owns no drawing and no page state; a cell is named only once its centre is known (the map
// tells it the centres of the hexagons it draws, the only cells a person can pick).

let loaded = null; // the promise of the places, biggest first
let places = []; // [{n: Latin name, a: Arabic name or null, x: lon, y: lat, p: population}]
const cellCentres = new Map(); // H3 index in hex → [lon, lat]
const MAX_CELLS = 20_000; // centres kept (oldest forgotten first): a long session's picks

/** Load the gazetteer (once); resolves to the places, biggest population first. */
export function loadPlaces() {
  loaded ??= fetch('/ops/places.json')
    .then((r) => r.json())
    .then((data) => {
      places = data.places.sort((a, b) => b.p - a.p);
      return places;
    });
  return loaded;
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
 * The name, in `lang`, of the gazetteer place nearest to `where`: an H3 cell in hex (one the map
 * has drawn) or `[lon, lat]`. Null while the gazetteer is loading, for a cell whose centre is not
 * known, or when no place has a name in that language.
 */
export function placeName(where, lang) {
  const point = typeof where === 'string' ? cellCentres.get(where) : where;
  if (!point) return null;
  const [lon, lat] = point;
  // Equirectangular distance: exact enough to rank towns a few hundred kilometres apart.
  const shrink = Math.cos((lat * Math.PI) / 180);
  let best = null;
  let bestDistance = Infinity;
  for (const place of places) {
    const name = nameIn(place, lang);
    if (!name) continue;
    const distance = ((place.x - lon) * shrink) ** 2 + (place.y - lat) ** 2;
    if (distance < bestDistance) {
      bestDistance = distance;
      best = name;
    }
  }
  return best;
}
