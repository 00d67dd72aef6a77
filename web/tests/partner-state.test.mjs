// The partner page's state, without a browser: feed items replace cases or remove them, the
// desk's order (priority, then referral time) does not move after the partner's answers, the
// filters, and the answers offered follow the referral's status and request as the server's
// rules do. Movement items replace their movement and leave the cases
// alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  actionsFor,
  apply,
  createState,
  load,
  loadMovements,
  matches,
  needsCare,
  ordered,
  orderedMovements,
  orderedPassengers,
  passengerCounts,
  seatsTaken,
} from '../partner/src/state.js';

const partnerCase = (id, priority, statuses, referred = 1_700_000_000_000, request = 'transport') => ({
  case_id: id,
  reference: `REF-${id}`,
  status: 'new',
  priority,
  referrals: statuses.map((status, i) => ({ referral_id: `${id}-${i}`, request_type: request, status, note: null, referred_at: referred + i, updated_at: referred + i, history: [] })),
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

test('the desk lists by priority, then the longest referred, and answering moves nothing', () => {
  const state = createState();
  load(state, [
    partnerCase('done', 'critical', ['completed'], 1_700_000_000_000),
    partnerCase('working', 'critical', ['en_route'], 1_700_000_050_000),
    partnerCase('waiting-normal', 'normal', ['pending'], 1_600_000_000_000),
    partnerCase('waiting-critical', 'critical', ['pending'], 1_700_000_100_000),
  ]);
  const order = () => ordered(state).map((c) => c.case_id);
  assert.deepEqual(order(), ['done', 'working', 'waiting-critical', 'waiting-normal']);
  // Accepting, stepping and finishing come back as the case with a new status and a later
  // updated_at: the order stays.
  const later = (c, status) => ({ ...c, referrals: c.referrals.map((r) => ({ ...r, status, updated_at: 1_800_000_000_000 })) });
  apply(state, { kind: 'referral_updated', case_id: 'waiting-critical', case: later(state.cases.get('waiting-critical'), 'accepted') });
  apply(state, { kind: 'referral_updated', case_id: 'working', case: later(state.cases.get('working'), 'completed') });
  assert.deepEqual(order(), ['done', 'working', 'waiting-critical', 'waiting-normal']);
});

test('filters by the status of a referral and its request', () => {
  const tracing = partnerCase('t', 'high', ['pending'], 1, 'family_tracing');
  const mixed = partnerCase('m', 'high', ['completed', 'reached'], 1, 'transport');
  assert.ok(matches(tracing, {}) && matches(tracing, { status: 'pending', request: 'family_tracing' }));
  assert.ok(!matches(tracing, { status: 'under_way' }) && !matches(tracing, { request: 'transport' }));
  assert.ok(matches(mixed, { status: 'finished' }) && matches(mixed, { status: 'under_way', request: 'transport' }));
  assert.ok(!matches(mixed, { status: 'pending' }));
});

const place = (kind, en, ar) => ({ kind, name: { en, ar }, lat: 15.6, lon: 32.53 });

const movement = (id, status, passengers = [], departure = '2030-05-01T04:30:00Z') => ({
  movement_id: id,
  mode: 'bus',
  label: `Bus ${id}`,
  origin: place('assembly_point', 'Consulate, Khartoum', 'القنصلية في الخرطوم'),
  destination: place('border_crossing', 'Wadi Halfa', 'وادي حلفا'),
  departure_at: departure,
  seats: 10,
  status,
  passengers,
});

const passenger = (id, status, fields = {}) => ({ person_id: id, reference: 'K7QM-2XPD', status, ...fields });

test('a movement item updates its movement, merging the passengers it names, and leaves the cases alone', () => {
  const state = createState();
  load(state, [partnerCase('a', 'normal', ['accepted'])]);
  const mona = passenger('p1', 'assigned', { name: 'Mona', age: 9, needs: ['medical'] });
  const sami = passenger('p2', 'assigned', { name: 'Sami', age: 40 });
  loadMovements(state, [movement('m1', 'planned', [mona, sami])]);
  const cases = state.cases;
  const caseA = state.cases.get('a');
  state.selected = 'a';

  // A passenger's change carries the movement now and that one passenger; `case` and
  // `case_id` are null: that is no end of access to any case.
  const boarded = passenger('p1', 'boarded', { name: 'Mona', age: 9, needs: ['medical'] });
  assert.equal(apply(state, { type: 'event', seq: 8, kind: 'passenger_changed', case_id: null, at: '2030-05-01T04:00:00Z', case: null, movement: movement('m1', 'boarding', [boarded]) }), 'm1');
  const m1 = state.movements.get('m1');
  assert.equal(m1.status, 'boarding');
  assert.deepEqual(m1.passengers.map((p) => [p.person_id, p.status]), [['p1', 'boarded'], ['p2', 'assigned']], 'merged, not replaced');
  assert.equal(state.cases, cases);
  assert.equal(state.cases.get('a'), caseA);
  assert.equal(state.selected, 'a');

  // Someone who gives the seat back leaves the list (the item shows only their id and status).
  apply(state, { type: 'event', seq: 9, kind: 'passenger_changed', case_id: null, case: null, movement: movement('m1', 'boarding', [{ person_id: 'p2', reference: '', status: 'waiting' }]) });
  assert.deepEqual(state.movements.get('m1').passengers.map((p) => p.person_id), ['p1']);

  // The movement's own events carry no passenger and keep the known ones.
  apply(state, { type: 'event', seq: 10, kind: 'movement_planned', case_id: null, case: null, movement: movement('m2', 'planned') });
  apply(state, { type: 'event', seq: 11, kind: 'movement_changed', case_id: null, case: null, movement: movement('m1', 'departed') });
  assert.deepEqual([...state.movements.keys()].sort(), ['m1', 'm2']);
  assert.equal(state.movements.get('m1').status, 'departed');
  assert.deepEqual(state.movements.get('m1').passengers.map((p) => p.person_id), ['p1']);
  assert.deepEqual([...state.cases.keys()], ['a']);
  assert.equal(state.cases.has(null) || state.cases.has(undefined), false);

  // A movement kind without a movement (never sent) changes nothing.
  assert.equal(apply(state, { type: 'event', seq: 12, kind: 'movement_changed', case_id: null, case: null }), null);
  assert.equal(state.movements.size, 2);
});

test('a case item still replaces or removes its case, and leaves the movements alone', () => {
  const state = createState();
  loadMovements(state, [movement('m1', 'boarding')]);
  const movements = state.movements;
  const referred = partnerCase('b', 'high', ['pending']);
  assert.equal(apply(state, { type: 'event', seq: 3, kind: 'referral_made', case_id: 'b', referral: { referral_id: 'b-0', status: 'pending' }, case: referred }), 'b');
  assert.equal(state.cases.get('b'), referred);
  apply(state, { type: 'event', seq: 4, kind: 'referral_updated', case_id: 'b', referral: { referral_id: 'b-0', status: 'declined' }, case: null });
  assert.equal(state.cases.size, 0);
  assert.equal(state.movements, movements);
  assert.deepEqual([...state.movements.keys()], ['m1']);
});

test('movements in the order the page shows them; passengers counted by status, care first', () => {
  const state = createState();
  loadMovements(state, [
    movement('arrived-old', 'arrived', [], '2030-04-01T04:00:00Z'),
    movement('planned-late', 'planned', [], '2030-05-03T04:00:00Z'),
    movement('arrived-new', 'arrived', [], '2030-04-20T04:00:00Z'),
    movement('planned-early', 'planned', [], '2030-05-02T04:00:00Z'),
    movement('boarding', 'boarding', [], '2030-05-01T04:00:00Z'),
    movement('cancelled', 'cancelled', [], '2030-04-10T04:00:00Z'),
    movement('on-the-way', 'departed', [], '2030-04-30T04:00:00Z'),
  ]);
  assert.deepEqual(
    orderedMovements(state).map((m) => m.movement_id),
    ['on-the-way', 'boarding', 'planned-early', 'planned-late', 'arrived-new', 'cancelled', 'arrived-old'],
    'to come or on the way by departure, then those over, most recent first',
  );

  const m = movement('m', 'boarding', [
    passenger('1', 'boarded', { name: 'Amal' }),
    passenger('2', 'assigned', { name: 'Hassan' }),
    passenger('3', 'boarded', { name: 'Mona', needs: ['evacuation', 'medical'] }),
    passenger('4', 'no_show', { name: 'Nour' }),
    passenger('5', 'assigned', { name: 'Salma', flags: ['injured'] }),
    passenger('6', 'waiting', { name: 'Omar' }),
  ]);
  assert.deepEqual(passengerCounts(m), [['assigned', 2], ['boarded', 2], ['no_show', 1], ['waiting', 1]]);
  assert.equal(seatsTaken(m), 4, 'no-shows and those waiting again hold no seat');
  assert.deepEqual(orderedPassengers(m).map((p) => p.name), ['Salma', 'Hassan', 'Mona', 'Amal', 'Nour', 'Omar']);
  assert.equal(needsCare({ needs: ['medical'] }), true);
  assert.equal(needsCare({ needs: ['evacuation'], flags: ['injured'] }), true);
  assert.equal(needsCare({ needs: ['evacuation'], flags: ['elderly'] }), false);
  assert.equal(needsCare({ name: 'a profile without needs or flags' }), false);
});
