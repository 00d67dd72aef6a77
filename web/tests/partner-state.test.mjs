// The partner page's state, without a browser: feed items replace cases or remove them, the
// desk's order puts what awaits an answer first, and the answers offered follow the referral's
// status as the server's rules do.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { actionsFor, apply, createState, load, nextSteps, ordered } from '../partner/src/state.js';

const partnerCase = (id, priority, statuses, updated = 1_700_000_000_000) => ({
  case_id: id,
  reference: `REF-${id}`,
  status: 'new',
  priority,
  referrals: statuses.map((status, i) => ({ referral_id: `${id}-${i}`, request_type: 'transport', status, note: null, referred_at: updated, updated_at: updated, history: [] })),
  location: null,
  people: [],
});

test('an item replaces its case; an item without a case removes it', () => {
  const state = createState();
  load(state, [partnerCase('a', 'normal', ['pending'])]);
  assert.equal(apply(state, { type: 'event', seq: 5, kind: 'referral_made', case_id: 'b', case: partnerCase('b', 'high', ['pending']) }), 'b');
  assert.equal(state.cases.size, 2);
  const accepted = partnerCase('a', 'normal', ['accepted']);
  apply(state, { type: 'event', seq: 6, kind: 'referral_updated', case_id: 'a', referral: { referral_id: 'a-0', status: 'accepted' }, case: accepted });
  assert.equal(state.cases.get('a'), accepted, 'the case as the item carries it, not a merge');
  state.selected = 'b';
  apply(state, { type: 'event', seq: 7, kind: 'referral_updated', case_id: 'b', referral: { referral_id: 'b-0', status: 'withdrawn' }, case: null });
  assert.deepEqual([...state.cases.keys()], ['a'], 'access ended');
  assert.equal(state.selected, null);
});

test('the desk shows what awaits an answer first, then work in hand, then finished cases', () => {
  const state = createState();
  load(state, [
    partnerCase('done', 'critical', ['completed']),
    partnerCase('working', 'critical', ['en_route']),
    partnerCase('waiting-normal', 'normal', ['pending']),
    partnerCase('waiting-critical', 'critical', ['completed', 'pending']),
    partnerCase('working-newer', 'critical', ['accepted'], 1_700_000_100_000),
  ]);
  assert.deepEqual(
    ordered(state).map((c) => c.case_id),
    ['waiting-critical', 'waiting-normal', 'working-newer', 'working', 'done'],
  );
});

test('answers follow the referral: accept or decline while pending, then forward steps or unable', () => {
  assert.deepEqual(actionsFor('pending'), ['accept', 'decline']);
  assert.deepEqual(actionsFor('picked_up'), ['progress']);
  for (const done of ['completed', 'unable', 'declined', 'withdrawn']) assert.deepEqual(actionsFor(done), []);
  assert.deepEqual(nextSteps('accepted'), ['en_route', 'reached', 'picked_up', 'handed_over', 'completed', 'unable']);
  assert.deepEqual(nextSteps('picked_up'), ['handed_over', 'completed', 'unable'], 'steps only move forward');
  assert.deepEqual(nextSteps('pending'), [], 'accept first');
  assert.deepEqual(nextSteps('completed'), []);
});
