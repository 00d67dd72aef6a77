// Builds the web front ends into dist/, which the opsroom binary embeds.
//
//   node build.mjs          build into dist/
//   node build.mjs --check  build into a temporary directory and fail if dist/ differs
//                           (the test command runs this: committed assets must be current)
//
// Everything the pages need ships in dist/: no asset is fetched from the internet at run time.
import { build } from 'esbuild';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const check = process.argv.includes('--check');
const out = check ? mkdtempSync(join(tmpdir(), 'opsroom-web-')) : join(here, 'dist');

if (!check) rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'ops'), { recursive: true });

await build({
  entryPoints: [join(here, 'ops/src/main.js')],
  bundle: true,
  minify: true,
  format: 'esm',
  target: 'es2022',
  legalComments: 'none',
  outfile: join(out, 'ops/app.js'),
  logLevel: 'warning',
});
for (const file of ['index.html', 'style.css']) {
  writeFileSync(join(out, 'ops', file), readFileSync(join(here, 'ops', file)));
}

// The basemap: Natural Earth country outlines (public domain) as TopoJSON from world-atlas.
writeFileSync(
  join(out, 'ops/countries.json'),
  readFileSync(join(here, 'node_modules/world-atlas/countries-50m.json')),
);

// Place labels: the GeoNames gazetteer of Sudan's towns and Egypt's larger towns (CC BY 4.0).
const places = readFileSync(join(here, 'data/gazetteer-sd-eg.tsv'), 'utf8')
  .split('\n')
  .filter((line) => line && !line.startsWith('#') && !line.startsWith('country\t'))
  .map((line) => {
    const [country, , name, namesAr, lat, lon, population] = line.split('\t');
    return { c: country, n: name, a: (namesAr || '').split('|')[0] || name, y: +lat, x: +lon, p: +population };
  });
writeFileSync(
  join(out, 'ops/places.json'),
  JSON.stringify({ attribution: 'GeoNames (geonames.org), CC BY 4.0', places }),
);

if (check) {
  const differ = [];
  const walk = (dir) =>
    readdirSync(join(out, dir)).flatMap((name) =>
      statSync(join(out, dir, name)).isDirectory() ? walk(join(dir, name)) : [join(dir, name)],
    );
  for (const file of walk('.')) {
    let committed;
    try {
      committed = readFileSync(join(here, 'dist', file));
    } catch {
      differ.push(`${file} (missing)`);
      continue;
    }
    if (!committed.equals(readFileSync(join(out, file)))) differ.push(file);
  }
  rmSync(out, { recursive: true, force: true });
  if (differ.length) {
    console.error(`web/dist is stale; run "npm run build" in web/ and commit: ${differ.join(', ')}`);
    process.exit(1);
  }
  console.log('web/dist is current');
}
