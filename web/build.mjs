// Builds the web front ends into dist/, which the opsroom binary embeds.
//
//   node build.mjs          build into dist/ (static assets under content-hashed names, and
//                           dist/assets.json mapping each logical URL to its hashed one)
//   node build.mjs --check  build into a temporary directory and fail if dist/ differs
//                           (the test command runs this: committed assets must be current)
//
// Everything the pages need ships in dist/: no asset is fetched from the internet at run time.
import { build } from 'esbuild';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { contentHash, hashedName, rewriteReferences } from './asset-names.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const check = process.argv.includes('--check');
const out = check ? mkdtempSync(join(tmpdir(), 'opsroom-web-')) : join(here, 'dist');

if (!check) rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'ops'), { recursive: true });
mkdirSync(join(out, 'public'), { recursive: true });
mkdirSync(join(out, 'partner'), { recursive: true });

// The public form's script: small, and for old phones' browsers (no modules, ES2017 syntax).
await build({
  entryPoints: [join(here, 'public/src/form.js')],
  bundle: true,
  minify: true,
  format: 'iife',
  target: 'es2017',
  legalComments: 'none',
  outfile: join(out, 'public/form.js'),
  logLevel: 'warning',
});
writeFileSync(join(out, 'public/form.css'), readFileSync(join(here, 'public/form.css')));

/**
 * A staff page (`ops`, `partner`): its script bundled from `src/main.js` (ES modules, for the
 * browsers staff use), its style.css with the sheets it `@import`s from shared/ written into it
 * (one file, one request), both minified, and its index.html as it is.
 */
async function staffPage(page) {
  await build({
    entryPoints: [join(here, page, 'src/main.js')],
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2022',
    // Arabic words as UTF-8 rather than \u escapes (a third of the bytes): a module script is
    // always read as UTF-8, whatever the server's content type says.
    charset: 'utf8',
    legalComments: 'none',
    outfile: join(out, page, 'app.js'),
    logLevel: 'warning',
  });
  await build({ entryPoints: [join(here, page, 'style.css')], bundle: true, minify: true, outfile: join(out, page, 'style.css'), logLevel: 'warning' });
  writeFileSync(join(out, page, 'index.html'), readFileSync(join(here, page, 'index.html')));
}

await staffPage('ops');
writeFileSync(join(out, 'ops/manifest.css'), readFileSync(join(here, 'ops/manifest.css')));

// The partner agencies' page: its own bundle, sharing with the ops room what is in shared/ (the
// live connection, the element builder, the map, the language machinery, the status lists). Its
// map loads the basemap from /ops/ and the place labels from /static/ (one copy in the binary).
await staffPage('partner');

// The basemap: Natural Earth country outlines (public domain) as TopoJSON from world-atlas.
writeFileSync(
  join(out, 'ops/countries.json'),
  readFileSync(join(here, 'node_modules/world-atlas/countries-50m.json')),
);

// The world's places (GeoNames towns, CC BY 4.0, and districts of capitals: data/*.tsv), one
// file per country, `/static/places/LY.<hash>.json` = {attribution, places: [[latin,
// "ar1|ar2", lat, lon, population]…]}, biggest first, and two indexes of them. The public form's
// picker loads `/static/places.json` = {attribution, files: {LY: url}} and the files of the
// countries its page names, on first use. The ops and partner maps load `/ops/places.json` =
// {attribution, countries: {LY: {url, box: [west, south, east, north], top: [its biggest places]}}},
// then the files of the countries in view, and label the rest of the world with the `top` ones.
const PLACE_TABLES = ['gazetteer-world.tsv', 'khartoum-districts.tsv', 'tripoli-districts.tsv'];
const TOP_PLACES = 3;
const gazetteerRows = (file) =>
  readFileSync(join(here, 'data', file), 'utf8')
    .split('\n')
    .filter((line) => line && !line.startsWith('#') && !line.startsWith('country\t'))
    .map((line) => line.split('\t'));
const countries = new Map(); // LY → {places: [[latin, ar, lat, lon, population]…], sources: Set}
for (const file of PLACE_TABLES) {
  for (const [country, , name, namesAr, lat, lon, population, , source] of gazetteerRows(file)) {
    if (!countries.has(country)) countries.set(country, { places: [], sources: new Set() });
    const entry = countries.get(country);
    entry.places.push([name.trim(), namesAr || '', +lat, +lon, +population]);
    // A districts row without a GeoNames id names its source page (Wikipedia, CC BY-SA 4.0).
    entry.sources.add(source && !source.startsWith('geonames:') ? 'Wikipedia CC BY-SA 4.0' : 'GeoNames (geonames.org) CC BY 4.0');
  }
}
mkdirSync(join(out, 'public/places'), { recursive: true });
const placesAttribution = 'GeoNames (geonames.org) CC BY 4.0; Wikipedia CC BY-SA 4.0';
const pickerIndex = { attribution: placesAttribution, files: {} };
const mapIndex = { attribution: placesAttribution, countries: {} };
for (const code of [...countries.keys()].sort()) {
  const { places, sources } = countries.get(code);
  places.sort((a, b) => b[4] - a[4] || a[0].localeCompare(b[0]));
  const content = Buffer.from(JSON.stringify({ attribution: [...sources].sort().join('; '), places }));
  const hashed = hashedName(`${code}.json`, content);
  writeFileSync(join(out, 'public/places', hashed), content);
  const box = places.reduce(
    ([w, s, e, n], [, , lat, lon]) => [Math.min(w, lon), Math.min(s, lat), Math.max(e, lon), Math.max(n, lat)],
    [Infinity, Infinity, -Infinity, -Infinity],
  );
  pickerIndex.files[code] = `/static/places/${hashed}`;
  mapIndex.countries[code] = { url: `/static/places/${hashed}`, box, top: places.slice(0, TOP_PLACES) };
}
writeFileSync(join(out, 'public/places.json'), JSON.stringify(pickerIndex));
writeFileSync(join(out, 'ops/places.json'), JSON.stringify(mapIndex));

// Content-hashed names: every static asset (all but the pages, index.html) is renamed
// `name.<hash>.ext`, so the server serves it as immutable for a year. What an asset refers to is
// hashed before it (data and styles, then scripts, then the pages), and the reference rewritten,
// so a changed places index also changes the name of the script that loads it. dist/assets.json is
// the one map from logical URL to hashed URL: the server embeds it for the pages it renders.
const servedAt = { ops: '/ops/', partner: '/partner/', public: '/static/' };
const manifest = {};
const stage = (file) => (file === 'index.html' ? 2 : file.endsWith('.js') ? 1 : 0);
for (const round of [0, 1, 2]) {
  for (const [dir, prefix] of Object.entries(servedAt)) {
    // Subdirectories (public/places/) hold files already written under their hashed names.
    const files = readdirSync(join(out, dir)).filter((f) => statSync(join(out, dir, f)).isFile());
    for (const file of files.filter((f) => stage(f) === round).sort()) {
      const path = join(out, dir, file);
      const content = /\.(js|css|html)$/.test(file)
        ? Buffer.from(rewriteReferences(readFileSync(path, 'utf8'), manifest))
        : readFileSync(path);
      if (file === 'index.html') {
        writeFileSync(path, content);
        continue;
      }
      const hashed = hashedName(file, content);
      rmSync(path);
      writeFileSync(join(out, dir, hashed), content);
      manifest[prefix + file] = prefix + hashed;
    }
  }
}
writeFileSync(join(out, 'assets.json'), `${JSON.stringify(manifest, null, 1)}\n`);

// The public pages' service worker: at dist/'s top (served only at /sw.js, never hashed: the
// browser checks it at one URL), with the form's hashed script and style written in, so every
// new version of them is a new worker with a cache of its own.
const precache = [manifest['/static/form.js'], manifest['/static/form.css']];
await build({
  entryPoints: [join(here, 'public/src/sw.js')],
  bundle: true,
  minify: true,
  format: 'iife',
  target: 'es2017',
  legalComments: 'none',
  define: { PRECACHE: JSON.stringify(precache), VERSION: JSON.stringify(contentHash(precache.join(' '))) },
  outfile: join(out, 'sw.js'),
  logLevel: 'warning',
});

if (check) {
  const differ = [];
  const walk = (root, dir = '.') =>
    readdirSync(join(root, dir)).flatMap((name) =>
      statSync(join(root, dir, name)).isDirectory() ? walk(root, join(dir, name)) : [join(dir, name)],
    );
  for (const file of walk(out)) {
    let committed;
    try {
      committed = readFileSync(join(here, 'dist', file));
    } catch {
      differ.push(`${file} (missing)`);
      continue;
    }
    if (!committed.equals(readFileSync(join(out, file)))) differ.push(file);
  }
  // An old hashed name left in dist/ would be embedded in the binary for nothing.
  const built = new Set(walk(out));
  for (const file of walk(join(here, 'dist'))) if (!built.has(file)) differ.push(`${file} (no longer built)`);
  rmSync(out, { recursive: true, force: true });
  if (differ.length) {
    console.error(`web/dist is stale; run "npm run build" in web/ and commit: ${differ.join(', ')}`);
    process.exit(1);
  }
  console.log('web/dist is current');
}
