// Content-hashed asset names (asset-names.mjs, used by build.mjs), in node: a name changes with
// its content and only then, and references are rewritten whole.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hashedName, rewriteReferences } from '../asset-names.mjs';

test('the hashed name changes when the content changes, and only then', () => {
  const first = hashedName('form.js', 'console.log(1)');
  assert.match(first, /^form\.[0-9a-f]{10}\.js$/);
  assert.equal(hashedName('form.js', 'console.log(1)'), first, 'the same bytes, the same name');
  assert.notEqual(hashedName('form.js', 'console.log(2)'), first, 'one byte more, another name');
});

test('a reference is rewritten only where the whole URL stands, delimited', () => {
  const manifest = { '/ops/places.json': '/ops/places.0123456789.json' };
  assert.equal(rewriteReferences('fetch("/ops/places.json")', manifest), 'fetch("/ops/places.0123456789.json")');
  assert.equal(rewriteReferences("fetch('/static/places.json')", manifest), "fetch('/static/places.json')");
  assert.equal(rewriteReferences('"/ops/places.jsonx"', manifest), '"/ops/places.jsonx"');
});

test('the built pages and bundles name only hashed assets that were built', () => {
  const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
  const manifest = JSON.parse(readFileSync(join(dist, 'assets.json'), 'utf8'));
  const local = (url) => join(dist, url.replace(/^\/static\//, '/public/'));
  for (const page of ['ops/index.html', 'partner/index.html', ...Object.values(manifest).filter((u) => u.endsWith('.js')).map(local)]) {
    const text = readFileSync(page.startsWith('/') ? page : join(dist, page), 'utf8');
    for (const logical of Object.keys(manifest)) {
      const marked = rewriteReferences(text, { [logical]: '\u0000unhashed' });
      assert.ok(!marked.includes('\u0000unhashed'), `${page} names ${logical} unhashed`);
    }
  }
  for (const hashed of Object.values(manifest)) assert.ok(readFileSync(local(hashed)).length > 0, hashed);
});
