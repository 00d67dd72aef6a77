// Browser-test harness: the real opsroom binary on port 0 with a fresh SQLite database, and
// Debian's Chromium driven by playwright-core. Every wait has a timeout; no sleeps stand in for
// readiness.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
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
