// A name holding a direction control cannot turn the phone number drawn beside it around.
//
// Intake refuses direction controls now, so the case gets its control the way old data would
// have one: reported with a clean name, then the server is stopped and the name is rewritten in
// the database file (the person row and the logged report, as a release before the rule stored
// them), and the server is started again on that file. Debian's sqlite3 does the rewrite: the
// test fails (it does not skip) when it is missing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { ADMIN_PASSWORD, browserTests, report, signedInPage } from './harness.mjs';

const SQLITE = '/usr/bin/sqlite3';
const PHONE = '+249912345678';
const PASSPORT = 'P1234567';
const RLO = '\u202E';

let reference;
const env = browserTests({
  async prepare() {
    const accepted = await report(env.server.url, {
      people: [{ name: 'Mona Osman', age: 34, phone: PHONE, passport: PASSPORT }],
      location: { lat: 15.55, lon: 32.53 },
    });
    reference = accepted.reference;
    await env.server.restart(() => {
      const file = env.server.database.replace(/^sqlite:\/\//, '');
      // char(8238) is U+202E RIGHT-TO-LEFT OVERRIDE, left unclosed as an attacker would.
      const sql = `update person set name = 'Mona ' || char(8238) || 'Osman' where name = 'Mona Osman';
                   update event set data = replace(data, 'Mona Osman', 'Mona ' || char(8238) || 'Osman') where kind = 'case_reported';
                   select count(*) from person where name like '%' || char(8238) || '%';`;
      const result = spawnSync(SQLITE, [file], { input: sql, encoding: 'utf8' });
      if (result.error) throw new Error(`${SQLITE} is needed to write old data: apt-get install sqlite3 (${result.error.message})`);
      assert.equal(result.status, 0, result.stderr);
      assert.equal(result.stdout.trim(), '1', 'the stored name now holds the override');
    });
  },
});

/**
 * How `text` is drawn inside the drawer's person line: each character's left edge on screen, in
 * the order the characters are stored, and whether the text sits in a left-to-right isolate.
 */
async function drawn(page, text) {
  return page.evaluate((text) => {
    const line = document.querySelector('.drawer ul li.person') ?? [...document.querySelectorAll('.drawer ul li')].find((li) => li.textContent.includes(text));
    const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const node = walker.currentNode;
      const start = node.data.indexOf(text);
      if (start < 0) continue;
      const lefts = [...text].map((_, i) => {
        const range = document.createRange();
        range.setStart(node, start + i);
        range.setEnd(node, start + i + 1);
        return range.getBoundingClientRect().left;
      });
      const isolate = node.parentElement.closest('[dir]');
      return { lefts, ltrIsolate: isolate !== line && isolate?.getAttribute('dir') === 'ltr', line: line.textContent };
    }
    return null;
  }, text);
}

const increasing = (xs) => xs.every((x, i) => i === 0 || x > xs[i - 1]);

for (const language of ['en', 'ar']) {
  test(`a stored right-to-left override in a name leaves the phone and passport beside it reading left to right (${language})`, async () => {
    const page = await signedInPage(env.browser, env.server.url, 'admin', ADMIN_PASSWORD, language);
    await page.click(`.card[data-reference="${reference}"]`);
    await page.waitForSelector(`.drawer ul li:has-text("${PASSPORT}")`, { timeout: 5000 });

    for (const value of [PHONE, PASSPORT]) {
      const seen = await drawn(page, value);
      assert.ok(seen, `${value} is drawn in the drawer`);
      assert.ok(seen.line.includes(RLO), 'the name is drawn with its override (the fixture is in place)');
      // First character leftmost, each next one further right: `+249912345678`, not `876543219942+`.
      assert.ok(increasing(seen.lefts), `${value} reads left to right; left edges ${seen.lefts.join(', ')} in "${seen.line}"`);
      assert.ok(seen.ltrIsolate, `${value} sits in a left-to-right isolate of its own`);
    }
    await page.context().close();
  });
}
