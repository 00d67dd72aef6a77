// Browser-test harness: the real opsroom binary on port 0 with a fresh SQLite database, and
// Debian's Chromium driven by playwright-core; the set-up every browser test file shares
// (`browserTests`), the pages it signs in to, and `eventually`, the one way a test waits for
// something no page event announces. Every wait has a deadline; no sleeps stand in for
// readiness. Test files import helpers from here only, never from one another.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BINARY = process.env.OPSROOM_BINARY ?? join(repo, 'target', 'debug', 'opsroom');
export const ADMIN_PASSWORD = 'browser test admin 2023';
const CHROMIUM = '/usr/bin/chromium';

/** Start a server (with extra `serve` arguments); resolves once it printed its address.
 * `seedCases`: fill the database with that many generated cases first (`opsroom seed`). */
export async function startServer(extraArgs = [], { seedCases = 0 } = {}) {
  if (!existsSync(BINARY)) throw new Error(`${BINARY} is missing: run cargo build -p opsroom-cli first`);
  const dir = mkdtempSync(join(tmpdir(), 'opsroom-browser-'));
  const database = `sqlite://${join(dir, 'test.db')}`;
  if (seedCases) {
    const seeded = spawnSync(BINARY, ['seed', '--cases', String(seedCases), '--database-url', database], { env: { ...process.env, OPSROOM_LOG: 'warn' } });
    if (seeded.status !== 0) throw new Error(`opsroom seed failed: ${seeded.stderr}`);
    // The seed's own account means the server creates no first admin: add the tests' one.
    const added = spawnSync(BINARY, ['user', 'add', 'admin', '--role', 'admin', '--password-stdin', '--database-url', database], { input: `${ADMIN_PASSWORD}\n` });
    if (added.status !== 0) throw new Error(`user add admin failed: ${added.stderr}`);
  }
  const launch = async (bind) => {
    const child = spawn(BINARY, ['serve', '--bind', bind, '--database-url', database, ...extraArgs], {
      env: { ...process.env, OPSROOM_ADMIN_PASSWORD: ADMIN_PASSWORD, OPSROOM_LOG: 'warn', OPSROOM_PUBLIC_RATE_LIMIT: '0' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const url = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no "listening on" within 20 s')), 20_000);
      let buffered = '';
      child.stdout.on('data', (chunk) => {
        buffered += chunk;
        const match = buffered.match(/listening on (http:\/\/\S+)/);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
      child.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
    });
    return { child, url };
  };
  const stopChild = async (child) => {
    child.kill('SIGTERM');
    await new Promise((resolve) => (child.exitCode !== null ? resolve() : child.on('exit', resolve)));
  };
  let { child, url } = await launch('127.0.0.1:0');
  return {
    url,
    database,
    /** Create an account with the CLI, as an admin would. */
    addUser(name, role, password) {
      const result = spawnSync(BINARY, ['user', 'add', name, '--role', role, '--password-stdin', '--database-url', database], {
        input: `${password}\n`,
      });
      if (result.status !== 0) throw new Error(`user add failed: ${result.stderr}`);
    },
    /** Stop the server and start it again on the same address and database; `whileStopped`
     * may change the database file in between (as data stored by an older release would be). */
    async restart(whileStopped = () => {}) {
      await stopChild(child);
      await whileStopped();
      ({ child } = await launch(new URL(url).host));
    },
    async stop() {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser() {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** A JSON API client with its own cookie (as a second program would be). */
export async function apiClient(base, name, password) {
  const signIn = await fetch(`${base}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, password }),
  });
  if (signIn.status !== 201) throw new Error(`sign-in as ${name}: ${signIn.status}`);
  const cookie = signIn.headers.get('set-cookie').split(';')[0];
  return async (method, path, body) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { cookie, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: response.status, body: await response.json().catch(() => null) };
  };
}

/** Every case whose report names `name`, read through the API by a signed-in `admin` client. */
export async function casesNamed(admin, name) {
  const { body } = await admin('GET', '/api/v1/cases?limit=500');
  const found = [];
  for (const summary of body.cases ?? body) {
    const { body: detail } = await admin('GET', `/api/v1/cases/${summary.case_id}`);
    if (detail.persons.some((p) => p.name === name)) found.push(detail);
  }
  return found;
}

/** Submit a report as a citizen would (no session). */
export async function report(base, body) {
  const response = await fetch(`${base}/api/v1/reports`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (response.status !== 201) throw new Error(`report: ${response.status} ${await response.text()}`);
  return response.json();
}

/** Open /ops/ in a fresh context and sign in. */
export async function signedInPage(browser, base, name, password, language = 'en') {
  const context = await browser.newContext();
  await context.addInitScript((lang) => localStorage.setItem('opsroom.lang', lang), language);
  const page = await context.newPage();
  await page.goto(`${base}/ops/`);
  await page.fill('input[name=name]', name);
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit]');
  await page.waitForSelector('.connection[data-state=live]', { timeout: 10_000 });
  return page;
}

/** Open /partner/ in a fresh context (`contextOptions`: a phone's viewport…) in `language` and
 * sign in with the partner's `token`. */
export async function partnerPage(browser, base, token, language = 'en', contextOptions = {}) {
  const context = await browser.newContext(contextOptions);
  await context.addInitScript((lang) => localStorage.setItem('opsroom.partner.lang', lang), language);
  const page = await context.newPage();
  await page.goto(`${base}/partner/`);
  await page.fill('input[name=token]', token);
  await page.click('button[name=sign-in]');
  await page.waitForSelector('.connection[data-state=live]', { timeout: 10_000 });
  return page;
}

/**
 * The set-up of a browser test file, as node:test hooks of that file: before its tests, a server
 * of its own (`serverArgs` and `seedCases` as `startServer` takes them) with the staff accounts
 * in `users` ([name, role, password]…), the browser, and `admin`, an API client signed in as
 * the tests' admin, then the file's own `prepare()` (data its tests share); after them, the
 * browser closed and the server stopped. Answers the object `{server, browser, admin}` is set on
 * when the hook runs: read it inside `prepare` and tests. (A file's own top-level `before` would
 * not wait for this one: node runs a file's top-level `before` hooks at once, side by side.)
 */
export function browserTests({ serverArgs = [], seedCases = 0, users = [], prepare = async () => {} } = {}) {
  const env = { server: null, browser: null, admin: null };
  before(async () => {
    env.server = await startServer(serverArgs, { seedCases });
    for (const [name, role, password] of users) env.server.addUser(name, role, password);
    env.browser = await launchBrowser();
    env.admin = await apiClient(env.server.url, 'admin', ADMIN_PASSWORD);
    await prepare();
  });
  after(async () => {
    await env.browser?.close();
    await env.server?.stop();
  });
  return env;
}

/** A lon/lat box as a GeoJSON polygon (a crisis's or a zone's ground). */
export const square = (west, south, east, north) => ({
  type: 'Polygon',
  coordinates: [[[west, south], [east, south], [east, north], [west, north], [west, south]]],
});

/** Declare a crisis as `admin` (an `apiClient`), failing the test if it is refused. */
export async function declareCrisis(admin, { slug, en, ar, countries, area }) {
  const answer = await admin('POST', '/api/v1/crises', { slug, name: { ar, en }, countries, area });
  if (answer.status !== 201) throw new Error(`declaring ${slug}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

/**
 * Ask `check()` (it may be async) until it answers something truthy, and answer that; a throw
 * (an assertion) counts as "not yet". At the deadline (`timeout` ms) fail, naming `what` was
 * awaited and the last answer or error, instead of a bare timeout.
 */
export async function eventually(check, { what = 'the condition', timeout = 5000, interval = 50 } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    let last;
    try {
      last = await check();
      if (last) return last;
    } catch (error) {
      last = error;
    }
    if (Date.now() >= deadline) {
      const said = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(`${what}: not within ${timeout} ms (last: ${said})`);
    }
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}
