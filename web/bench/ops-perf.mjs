// Browser benchmark of the ops room (a benchmark, not a test: it asserts nothing, it measures).
//
//   cargo build --release -p opsroom-cli && cd web && node bench/ops-perf.mjs [cases] [rate] [scale]
//
// Seeds a fresh server with N cases (default 50,000) through the public API, then in Chromium:
//   1. time from pressing "sign in" until the board shows cards, the map shows cells and the
//      KPI bar is filled;
//   2. `rate` reports per second (default 100) for 10 s while the page is open, the map at
//      `scale` (pixels per unit of the Mercator square; default the room's opening view, a
//      city at 400000, where the map draws each case): our main-thread work per animation
//      frame (event handling, board and map rendering), from the page's own performance.now()
//      bookkeeping, and the long tasks the browser reports.
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const cases = Number(process.argv[2] ?? 50_000);
const rate = Number(process.argv[3] ?? 100);
const scale = process.argv[4] ? Number(process.argv[4]) : null;
// The release binary unless told otherwise; set before the harness reads it.
process.env.OPSROOM_BINARY ??= join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'target', 'release', 'opsroom');
const { ADMIN_PASSWORD, launchBrowser, startServer } = await import('../tests/harness.mjs');
console.log(`binary: ${process.env.OPSROOM_BINARY}`);

const PLACES = [[15.5518, 32.5324], [15.6445, 32.4777], [15.6492, 32.5346], [19.6158, 37.2164], [21.8, 31.35], [13.18, 30.21], [12.05, 24.88], [14.4, 33.52]];
const body = (n) => {
  const [lat, lon] = PLACES[n % PLACES.length];
  return JSON.stringify({
    people: [{ name: `Person ${n}`, age: n % 90 }],
    location: { lat: lat + ((n * 7) % 100) / 500, lon: lon + ((n * 13) % 100) / 500 },
    needs: [['medical'], ['food', 'water'], ['evacuation'], ['shelter']][n % 4],
    flags: n % 9 === 0 ? ['unaccompanied_minors'] : [],
    message: `bench ${n}`,
  });
};
const post = (url, n) =>
  fetch(`${url}/api/v1/reports`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body(n) }).then((r) => {
    if (r.status !== 201) throw new Error(`report ${n}: ${r.status}`);
    return r.arrayBuffer();
  });

const percentile = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.round((sorted.length - 1) * q))] ?? NaN;
};

const server = await startServer();
let next = 0;
const seeding = Date.now();
await Promise.all(
  Array.from({ length: 64 }, async () => {
    while (next < cases) await post(server.url, next++);
  }),
);
console.log(`seeded ${cases} cases in ${((Date.now() - seeding) / 1000).toFixed(1)} s`);

const browser = await launchBrowser();
const page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
await page.addInitScript(() => {
  localStorage.setItem('opsroom.lang', 'en');
  window.longTasks = [];
  new PerformanceObserver((list) => window.longTasks.push(...list.getEntries().map((e) => e.duration))).observe({ type: 'longtask', buffered: true });
});
await page.goto(`${server.url}/ops/`);
await page.fill('input[name=name]', 'admin');
await page.fill('input[name=password]', ADMIN_PASSWORD);
const signIn = Date.now();
await page.click('button[type=submit]');
await page.waitForFunction(
  () =>
    document.querySelectorAll('.column[data-status=new] .card').length > 0 &&
    window.opsroom.state.map.cells.size > 0 &&
    document.querySelector('.kpi[data-kpi=open]') !== null,
  null,
  { timeout: 60_000, polling: 10 },
);
const usable = Date.now() - signIn;

if (scale) await page.evaluate((s) => window.opsroom.map.zoomTo(32.53, 15.6, s), scale);
await page.evaluate(() => {
  window.opsroom.metrics.frames.length = 0;
  window.longTasks.length = 0;
});
const live = Date.now();
let sent = 0;
for (let second = 0; second < 10; second++) {
  const tick = Date.now();
  await Promise.all(Array.from({ length: rate }, () => post(server.url, cases + sent++)));
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, 1000 - (Date.now() - tick))));
}
await page.waitForFunction((total) => window.opsroom.state.seq >= total, cases + sent + 1, { timeout: 30_000 });
const frames = await page.evaluate(() => window.opsroom.metrics.frames.slice());
const longTasks = await page.evaluate(() => window.longTasks.slice());
const liveSeconds = (Date.now() - live) / 1000;

console.log('| measurement | result |');
console.log('|---|---|');
console.log(`| cases stored | ${cases} |`);
console.log(`| map view | ${scale ? `scale ${scale}` : 'opening view'} |`);
console.log(`| sign-in to board, map and KPIs shown | ${usable} ms |`);
console.log(`| live load | ${sent} reports in ${liveSeconds.toFixed(1)} s |`);
console.log(
  `| our main-thread work per frame under live load (${frames.length} frames) | p50 ${percentile(frames, 0.5).toFixed(2)} ms, p99 ${percentile(frames, 0.99).toFixed(2)} ms, max ${Math.max(...frames).toFixed(2)} ms |`,
);
console.log(`| frames over 16 ms | ${frames.filter((f) => f > 16).length} |`);
console.log(`| long tasks (> 50 ms) reported by the browser | ${longTasks.length} |`);
await browser.close();
await server.stop();
