// The ops room's state reducer, without a browser: events move cases, versions and map counts
// exactly as the server does, and H3 parents match the reference library.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apply, caseQuery, createState, mergeSummary, minutesOverdue, minutesWaiting, parentCell, referralAttention, resolutionOf } from '../ops/src/state.js';

// Khartoum (GeoNames 15.55177, 32.53241): its resolution-9 cell as the server (h3o) computes it,
// and its resolution-7 cell as the reference H3 library gives it (shared/data/sudan-2023.md).
const KHARTOUM_9 = '896b6e370a7ffff';
const KHARTOUM_7 = '876b6e370ffffff';

test('H3 parents are computed from the index bits', () => {
  assert.equal(resolutionOf(KHARTOUM_9), 9);
  assert.equal(parentCell(KHARTOUM_9, 7), KHARTOUM_7);
  assert.equal(parentCell(KHARTOUM_9, 9), KHARTOUM_9);
  assert.equal(resolutionOf(parentCell(KHARTOUM_9, 3)), 3);
  assert.equal(parentCell(KHARTOUM_7, 9), null, 'no finer parent');
});

const reported = (seq, caseId, level, cell = KHARTOUM_9) => ({
  type: 'event',
  seq,
  kind: 'case_reported',
  case_id: caseId,
  data: {
    case_id: caseId,
    reference: `REF${seq}`,
    status: 'new',
    channel: 'web',
    language: 'ar',
    people: [{ name: 'x' }],
    location: { coordinates: { lat: 15.5, lon: 32.5 }, place: null },
    cell,
    needs: [],
    flags: [],
    priority: { level, score: 0, reasons: [] },
    reported_at: 1_700_000_000_000 + seq,
  },
});

test('events move cases between columns and bump versions as the server does', () => {
  const state = createState();
  state.map.resolution = 7;
  apply(state, reported(1, 'a', 'normal'));
  apply(state, reported(2, 'b', 'critical'));
  assert.deepEqual([...state.cases.values()].map((c) => c.status), ['new', 'new']);
  apply(state, { seq: 3, kind: 'status_changed', case_id: 'a', data: { from: 'new', to: 'triaged' } });
  apply(state, { seq: 4, kind: 'sla_breached', case_id: 'b', data: {} });
  apply(state, { seq: 5, kind: 'sla_breached', case_id: 'a', data: { priority: 'normal', raised_to: 'high', cell: KHARTOUM_9 } });
  apply(state, { seq: 6, kind: 'case_assigned', case_id: 'b', data: { to: 'u1' } });
  assert.equal(state.cases.get('a').version, 2);
  assert.equal(state.cases.get('a').priority.level, 'high', 'waiting raised it');
  assert.equal(state.cases.get('b').version, 2, 'an escalation is not an edit');
  assert.equal(state.cases.get('b').sla.state, 'red');
  assert.equal(state.cases.get('a').status, 'triaged');
  assert.equal(state.seq, 6);
  assert.equal(state.map.cells.get(KHARTOUM_7).total, 2);
  assert.equal(state.map.cells.get(KHARTOUM_7).worst, 'critical');
  assert.equal(apply(state, { seq: 7, kind: 'note_added', case_id: 'unknown', data: {} }), null);
  apply(state, { seq: 8, kind: 'status_changed', case_id: 'a', data: { from: 'triaged', to: 'resolved' } });
  assert.equal(state.cases.get('a').status, 'resolved');
});

test('the board asks the server for the filters set, and only those', () => {
  const filters = { q: '  Ahmed ', priority: 'critical', need: '', flag: '', channel: '', sla: 'red', assignee: 'none', partner: '', cell: '' };
  assert.deepEqual(caseQuery(filters, 'urgency', { status: 'new', limit: 100 }), {
    q: 'Ahmed',
    priority: 'critical',
    sla: 'red',
    assignee: 'none',
    status: 'new',
    limit: '100',
    sort: 'urgency',
  });
  assert.deepEqual(caseQuery({ q: '   ' }), {}, 'blank text is no filter');
});

test('minutes waiting and overdue move on by the time since the server said them', () => {
  const loaded = 1_800_000_000_000;
  const summary = mergeSummary(undefined, { status: 'new', minutes_waiting: 30, minutes_overdue: 5, sla_due_at: loaded - 5 * 60_000, first_contact_at: null }, loaded);
  assert.equal(minutesWaiting(summary, loaded + 10 * 60_000 + 1), 40);
  assert.equal(minutesOverdue(summary, loaded + 10 * 60_000 + 1), 15);
  const due = mergeSummary(undefined, { status: 'new', minutes_waiting: 1, minutes_overdue: null, sla_due_at: loaded + 60_000, first_contact_at: null }, loaded);
  assert.equal(minutesOverdue(due, loaded), null, 'not yet due');
  assert.equal(minutesOverdue(due, loaded + 3 * 60_000), 2, 'overdue once its due time passed');
  const state = createState();
  state.cases.set('c', { ...due, case_id: 'c', version: 1, sla: { state: 'amber' } });
  apply(state, { seq: 1, kind: 'contact_recorded', case_id: 'c', data: { first_contact_after_ms: 1000, at: 'x' } });
  assert.equal(minutesOverdue(state.cases.get('c'), loaded + 3 * 60_000), null, 'contacted: no longer overdue');
  const kept = mergeSummary({ open_matches: 2, referrals: { r: {} } }, { status: 'new' }, loaded);
  assert.equal(kept.open_matches, 2, 'what the stream told is kept over a fresh page');
  assert.equal(minutesWaiting(mergeSummary(undefined, { status: 'closed', minutes_waiting: null }, loaded), loaded + 60_000), null, 'a finished case waits no more');
});

test("a citizen's update moves the case on the map, raises its priority and bumps the version only when fields changed", () => {
  const state = createState();
  apply(state, reported(1, 'c1', 'normal'));
  const elsewhere = '896b6e3708bffff';
  const update = (seq, data) => ({ type: 'event', seq, kind: 'citizen_updated', case_id: 'c1', data: { case_id: 'c1', ...data } });
  apply(state, update(2, { update: 'message', message: 'still here', from_cell: KHARTOUM_9, cell: KHARTOUM_9, status_from: 'new', status: 'new', priority_from: 'normal', priority: 'normal' }));
  assert.equal(state.cases.get('c1').version, 1, 'a message changes no field');
  apply(
    state,
    update(3, {
      update: 'moved',
      location: { coordinates: { lat: 15.6, lon: 32.5 }, place: 'Bahri' },
      from_cell: KHARTOUM_9,
      cell: elsewhere,
      status_from: 'new',
      status: 'new',
      priority_from: 'normal',
      priority: 'high',
      raised: { level: 'high', score: 40, reasons: [] },
    }),
  );
  const summary = state.cases.get('c1');
  assert.equal(summary.version, 2);
  assert.equal(summary.cell, elsewhere);
  assert.equal(summary.place, 'Bahri');
  assert.equal(summary.priority.level, 'high');
  assert.equal(summary.citizen_update, 'moved');
  assert.equal(state.map.cells.get(parentCell(KHARTOUM_9, 7)).total, parentCell(elsewhere, 7) === parentCell(KHARTOUM_9, 7) ? 1 : 0);
});

test("referral events mark a case's card when a partner has not answered or said no, and leave its version alone", () => {
  const state = createState();
  apply(state, reported(1, 'r1', 'high'));
  const referral = (seq, kind, data) => ({ type: 'event', seq, kind, case_id: 'r1', data: { case_id: 'r1', partner_id: 'p1', ...data } });
  apply(state, referral(2, 'referral_made', { referral_id: 'x', request_type: 'transport' }));
  assert.equal(referralAttention(state.cases.get('r1')), null, 'pending in time');
  assert.equal(apply(state, referral(3, 'referral_escalated', { referral_id: 'x' })), 'r1');
  assert.equal(referralAttention(state.cases.get('r1')), 'escalated');
  apply(state, referral(4, 'referral_updated', { referral_id: 'x', from: 'pending', to: 'declined' }));
  assert.equal(referralAttention(state.cases.get('r1')), 'declined', 'someone else must be found');
  apply(state, referral(5, 'referral_made', { referral_id: 'y', request_type: 'transport' }));
  assert.equal(referralAttention(state.cases.get('r1')), null, 'referred elsewhere');
  apply(state, referral(6, 'referral_updated', { referral_id: 'y', from: 'pending', to: 'accepted' }));
  apply(state, referral(7, 'referral_updated', { referral_id: 'y', from: 'accepted', to: 'completed' }));
  assert.equal(referralAttention(state.cases.get('r1')), null, 'done by the other partner');
  apply(state, referral(8, 'referral_made', { referral_id: 'z', request_type: 'shelter' }));
  apply(state, referral(9, 'referral_updated', { referral_id: 'z', from: 'pending', to: 'accepted' }));
  apply(state, referral(10, 'referral_updated', { referral_id: 'z', from: 'accepted', to: 'unable', text: 'full' }));
  assert.equal(referralAttention(state.cases.get('r1')), 'unable', 'shelter is still needed');
  assert.equal(state.cases.get('r1').version, 1, 'a referral is not an edit of the case');
});

test('a danger zone declared over a case flags it and raises its priority as an escalation does', () => {
  const state = createState();
  state.map.resolution = 7;
  apply(state, reported(1, 'd1', 'normal'));
  apply(state, reported(2, 'd2', 'high'));
  const flagged = (seq, caseId, data) => ({ type: 'event', seq, kind: 'danger_zone_flagged', case_id: caseId, data: { case_id: caseId, zone_id: 'z1', cell: KHARTOUM_9, status: 'new', ...data } });
  assert.equal(apply(state, flagged(3, 'd1', { priority: 'normal', raised_to: 'critical' })), 'd1');
  apply(state, flagged(4, 'd2', { priority: 'high', raised_to: null }));
  const [d1, d2] = ['d1', 'd2'].map((id) => state.cases.get(id));
  assert.equal(d1.danger_zone, 'z1');
  assert.equal(d1.priority.level, 'critical', 'raised');
  assert.equal(d2.danger_zone, 'z1');
  assert.equal(d2.priority.level, 'high', 'unchanged when nothing was raised');
  assert.deepEqual([d1.version, d2.version], [1, 1], 'a zone is not an edit of the case');
  assert.equal(state.map.cells.get(KHARTOUM_7).total, 2, 'a raise moves no case between cells');
  assert.equal(state.map.cells.get(KHARTOUM_7).worst, 'critical');
  assert.equal(apply(state, flagged(5, 'elsewhere', { raised_to: 'critical' })), null, 'a case not on this board');
});

test('a report inside an active danger zone arrives flagged; one outside does not', () => {
  const state = createState();
  const inside = reported(1, 'in', 'critical');
  inside.data.danger_zone = 'z1';
  inside.data.priority.reasons = ['danger_zone'];
  apply(state, inside);
  apply(state, reported(2, 'out', 'normal'));
  assert.equal(state.cases.get('in').danger_zone, 'z1');
  assert.equal(state.cases.get('out').danger_zone, null);
});

test("a lifted zone clears its cases' flag, a redrawn one the cases it no longer covers; priorities stay", () => {
  const state = createState();
  for (const [seq, id] of [[1, 'a'], [2, 'b'], [3, 'c']]) apply(state, reported(seq, id, 'normal'));
  const flag = (seq, caseId, zone) => ({ type: 'event', seq, kind: 'danger_zone_flagged', case_id: caseId, data: { case_id: caseId, zone_id: zone, cell: KHARTOUM_9, status: 'new', priority: 'normal', raised_to: 'high' } });
  apply(state, flag(4, 'a', 'z1'));
  apply(state, flag(5, 'b', 'z1'));
  apply(state, flag(6, 'c', 'z2'));
  const zoneEvent = (seq, kind, data) => ({ type: 'event', seq, kind, case_id: null, data: { kind: 'danger', active: kind !== 'zone_lifted', flagged: 0, ...data } });
  assert.equal(apply(state, zoneEvent(7, 'zone_changed', { zone_id: 'z1', cleared: ['b', 'not-loaded'] })), 'b');
  assert.deepEqual(['a', 'b', 'c'].map((id) => state.cases.get(id).danger_zone), ['z1', null, 'z2']);
  assert.equal(apply(state, zoneEvent(8, 'zone_changed', { zone_id: 'z1' })), null, 'nothing cleared');
  assert.equal(apply(state, zoneEvent(9, 'zone_lifted', { zone_id: 'z1' })), 'a');
  assert.deepEqual(['a', 'b', 'c'].map((id) => state.cases.get(id).danger_zone), [null, null, 'z2'], 'the other zone stays');
  assert.equal(state.cases.get('a').priority.level, 'high', 'lifting lowers no priority');
  // Lifting z2, whose case c another zone z3 also covers: c keeps a flag, under z3.
  assert.equal(apply(state, zoneEvent(10, 'zone_lifted', { zone_id: 'z2', moved: [{ case_id: 'c', zone_id: 'z3' }] })), 'c');
  assert.equal(state.cases.get('c').danger_zone, 'z3');
});
