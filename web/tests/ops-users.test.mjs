// The admins' Users panel in a real browser: disabling an account sends its open ops room back
// to the sign-in at once, keeps it out and off the assignment list; enabling lets it back; a password reset (generated
// and shown once, or typed) and ending sessions do the same to its sessions; the active
// sessions are listed; roles change; operators have no panel; Arabic words.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_PASSWORD, browserTests, eventually, report, signedInPage } from './harness.mjs';

const AMIRA_PASSWORD = 'Kh4rtoum-night-desk-ledger';

const env = browserTests({ users: [['amira', 'operator', AMIRA_PASSWORD]] });

/** The status of a sign-in as `name` with `password` (201 or 401). */
async function signInStatus(name, password) {
  const response = await fetch(`${env.server.url}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, password }),
  });
  return response.status;
}

/** The admin's page with the Users panel open. */
async function usersPanel() {
  const page = await signedInPage(env.browser, env.server.url, 'admin', ADMIN_PASSWORD);
  page.on('dialog', (dialog) => dialog.accept());
  await page.click('details.users-panel > summary');
  await page.waitForSelector('.user-list li[data-user=amira]');
  return page;
}

/** Wait until `page` (an ops room whose session ended) shows the sign-in saying so. */
async function backAtSignIn(page) {
  await page.waitForSelector('form.login .error', { timeout: 5_000 });
  assert.equal(await page.textContent('form.login .error'), 'Your session has ended. Please sign in again.');
}

const AMIRA = '.user-list li[data-user=amira]';

test('operators have no Users panel; an admin cannot disable or demote themselves from it', async () => {
  const operator = await signedInPage(env.browser, env.server.url, 'amira', AMIRA_PASSWORD);
  assert.equal(await operator.locator('details.users-panel').count(), 0);
  await operator.context().close();

  const page = await usersPanel();
  const own = '.user-list li[data-user=admin]';
  assert.equal(await page.isDisabled(`${own} button[name=disable]`), true);
  assert.equal(await page.isDisabled(`${own} select[name=role]`), true);
  assert.equal(await page.inputValue(`${AMIRA} select[name=role]`), 'operator');
  await page.context().close();
});

test('disabling an account sends its open ops room to the sign-in at once; enabling lets it back', async () => {
  const amira = await signedInPage(env.browser, env.server.url, 'amira', AMIRA_PASSWORD);
  const page = await usersPanel();
  await page.click(`${AMIRA} button[name=disable]`);
  await page.waitForSelector(`${AMIRA}.disabled`);
  assert.equal(await page.textContent(`${AMIRA} .state`), 'disabled');
  await backAtSignIn(amira);
  assert.equal(await signInStatus('amira', AMIRA_PASSWORD), 401);
  // A disabled account is not offered for new cases.
  const accepted = await report(env.server.url, { people: [{ name: 'Huda' }], location: { lat: 15.5518, lon: 32.5324 } });
  await page.click(`.column[data-status=new] .card[data-reference="${accepted.reference}"]`);
  await page.waitForSelector('.drawer select[name=user_id]');
  const offered = await page.$$eval('.drawer select[name=user_id] option', (options) => options.map((o) => o.textContent));
  assert.deepEqual(offered, ['Unassigned', 'admin']);

  await page.click(`${AMIRA} button[name=enable]`);
  await page.waitForSelector(`${AMIRA}:not(.disabled) button[name=disable]`);
  assert.equal(await signInStatus('amira', AMIRA_PASSWORD), 201);
  await amira.context().close();
  await page.context().close();
});

test('a generated password is shown once and works; a typed one replaces it; sessions end with each', async () => {
  const amira = await signedInPage(env.browser, env.server.url, 'amira', AMIRA_PASSWORD);
  const page = await usersPanel();
  await page.click(`${AMIRA} button[name=reset-password]`);
  await page.click(`${AMIRA} button[name=set-password]`); // the field left empty: generate one
  const generated = await (await page.waitForSelector(`${AMIRA} .password-once input.password`)).inputValue();
  assert.ok(generated.length >= 40, 'a 256-bit password');
  await backAtSignIn(amira);
  assert.equal(await signInStatus('amira', AMIRA_PASSWORD), 401, 'the old password');
  assert.equal(await signInStatus('amira', generated), 201, 'the password shown works');
  await page.click(`${AMIRA} button[name=hide-password]`);
  await page.waitForSelector(`${AMIRA} .password-once`, { state: 'detached' });

  // A refused password is explained; a typed one is set and not shown.
  await page.click(`${AMIRA} button[name=reset-password]`);
  await page.fill(`${AMIRA} input[name=password]`, 'short');
  await page.click(`${AMIRA} button[name=set-password]`);
  await page.waitForSelector('.users-panel .notice.error');
  await page.fill(`${AMIRA} input[name=password]`, AMIRA_PASSWORD);
  await page.click(`${AMIRA} button[name=set-password]`);
  await page.waitForSelector(`${AMIRA} form.reset-password`, { state: 'detached' });
  assert.equal(await page.locator('.users-panel .notice.error').count(), 0);
  assert.equal(await page.locator(`${AMIRA} .password-once`).count(), 0);
  assert.equal(await signInStatus('amira', AMIRA_PASSWORD), 201);
  await amira.context().close();
  await page.context().close();
});

test('the active sessions are listed, and ending them sends the user to the sign-in', async () => {
  const amira = await signedInPage(env.browser, env.server.url, 'amira', AMIRA_PASSWORD);
  const page = await usersPanel();
  await page.click(`${AMIRA} details.more > summary`);
  await page.waitForSelector(`${AMIRA} ul.sessions li`);
  assert.ok((await page.locator(`${AMIRA} ul.sessions li`).count()) >= 1);
  assert.equal(await page.textContent(`${AMIRA} ul.sessions li .address`), '127.0.0.1');
  assert.match(await page.textContent(`${AMIRA} ul.sessions li .agent`), /Chrome/);
  const own = '.user-list li[data-user=admin]';
  await page.click(`${own} details.more > summary`);
  await page.waitForSelector(`${own} ul.sessions li.current`);
  assert.match(await page.textContent(`${own} ul.sessions li.current`), /this session/);

  await page.click(`${AMIRA} button[name=end-sessions]`);
  await backAtSignIn(amira);
  await page.waitForSelector(`${AMIRA} p.sessions`);
  assert.equal(await page.textContent(`${AMIRA} p.sessions`), 'No active sessions.');
  assert.equal(await signInStatus('amira', AMIRA_PASSWORD), 201, 'ending sessions is not disabling');
  await amira.context().close();
  await page.context().close();
});

test('an admin changes a role from the panel, in Arabic', async () => {
  const page = await signedInPage(env.browser, env.server.url, 'admin', ADMIN_PASSWORD, 'ar');
  await page.click('details.users-panel > summary');
  assert.match(await page.textContent('details.users-panel > summary'), /^المستخدمون/);
  await page.waitForSelector(AMIRA);
  await page.selectOption(`${AMIRA} select[name=role]`, 'supervisor');
  await page.waitForFunction(
    (row) => document.querySelector(`${row} select[name=role]`)?.value === 'supervisor',
    AMIRA,
  );
  // The select shows the choice at once; the server has it once the panel's request is answered.
  const users = await eventually(
    async () => {
      const answer = await env.admin('GET', '/api/v1/users');
      return answer.body.find((u) => u.name === 'amira').role === 'supervisor' && answer;
    },
    { what: "amira's new role, read through the API" },
  );
  assert.equal(users.body.find((u) => u.name === 'amira').role, 'supervisor');
  assert.equal(await page.textContent(`${AMIRA} select[name=role] option:checked`), 'مشرف');
  await page.context().close();
});

test('an admin opens accounts from the panel: a refused name is explained, a generated password is shown once and works', async () => {
  const page = await usersPanel();
  await page.fill('form.new-account input[name=name]', 'hassan');
  await page.selectOption('form.new-account select[name=role]', 'supervisor');
  await page.fill('form.new-account input[name=password]', 'short');
  await page.click('form.new-account button[name=create-account]');
  await page.waitForSelector('.users-panel .notice.error');
  assert.equal(await page.locator('.user-list li[data-user=hassan]').count(), 0, 'a refusal opens nothing');

  await page.fill('form.new-account input[name=name]', 'hassan');
  await page.selectOption('form.new-account select[name=role]', 'supervisor');
  await page.click('form.new-account button[name=create-account]'); // the password left empty
  const row = '.user-list li[data-user=hassan]';
  const generated = await (await page.waitForSelector(`${row} .password-once input.password`)).inputValue();
  assert.equal(await page.inputValue(`${row} select[name=role]`), 'supervisor');
  assert.equal(await page.locator('.users-panel .notice.error').count(), 0);
  assert.equal(await signInStatus('hassan', generated), 201, 'the password shown works');
  assert.equal(await page.inputValue('form.new-account input[name=name]'), '', 'the form is ready for the next account');
  await page.context().close();
});
