// An operator's own tile server for street-level detail: the map asks it for tiles, and the
// page's Content-Security-Policy lets exactly that origin's images in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { ADMIN_PASSWORD, eventually, launchBrowser, signedInPage, startServer } from './harness.mjs';

// A 1×1 grey PNG stands in for a street tile.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNoAAAAggCBd81ytgAAAABJRU5ErkJggg==', 'base64');

test('a configured tile server is used under the outlines', async () => {
  const requested = [];
  const tiles = createServer((request, response) => {
    requested.push(request.url);
    response.writeHead(200, { 'content-type': 'image/png' });
    response.end(PNG);
  });
  await new Promise((resolve) => tiles.listen(0, '127.0.0.1', resolve));
  const tileOrigin = `http://127.0.0.1:${tiles.address().port}`;
  const server = await startServer(['--tile-url', `${tileOrigin}/{z}/{x}/{y}.png`]);
  const browser = await launchBrowser();
  try {
    const page = await signedInPage(browser, server.url, 'admin', ADMIN_PASSWORD);
    const violations = [];
    page.on('console', (message) => {
      if (/Content Security Policy/.test(message.text())) violations.push(message.text());
    });
    await eventually(() => requested.length > 0, { what: 'the map asked the tile server for tiles' });
    assert.ok(requested.length > 0, 'the map asked the tile server for tiles');
    assert.match(requested[0], /^\/\d+\/\d+\/\d+\.png$/);
    const csp = (await page.request.get(`${server.url}/ops/`)).headers()['content-security-policy'];
    assert.match(csp, new RegExp(`img-src 'self' data: ${tileOrigin};`));
    assert.deepEqual(violations, []);
  } finally {
    await browser.close();
    await server.stop();
    tiles.close();
  }
});
