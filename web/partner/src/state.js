// The partner page's state and how feed items change it: pure data, no DOM, tested in node.
//
// Every feed item carries the case as the partner may see it *now* (or `null` once its access
// ended: the referral was declined or withdrawn), so applying an item is a replacement, never a
// merge, and items need no knowledge of one another. Items about a movement shared with the
// partner (`movement_planned`, `movement_changed`, `passenger_changed`) carry the movement as it
// may see it now instead, with `case` and `case_id` null, and only the passengers the event
// changed: the movement's fields are replaced, its passengers merged; cases are never touched.

import { FINAL_REFERRAL, LEVELS, PASSENGER_STATUSES } from '../../shared/statuses.js';

/** The status filter's choices: a referral awaiting the partner's answer, one in hand, one over. */
export const STATUS_FILTERS = ['pending', 'under_way', 'finished'];

/** The kinds of feed item that are about a movement, not a case. */
export const MOVEMENT_KINDS = ['movement_planned', 'movement_changed', 'passenger_changed'];

/** A movement's statuses once it is over: listed after those still to come or on the way. */
export const FINISHED_MOVEMENT = ['arrived', 'cancelled'];

export function createState() {
  return { cases: new Map(), movements: new Map(), selected: null };
}

/** The cases as a first load (GET /api/v1/partner/cases) gave them. */
export function load(state, cases) {
  state.cases = new Map(cases.map((c) => [c.case_id, c]));
}

/** The movements shared with the partner as a first load (GET /api/v1/partner/movements) gave
 * them. */
export function loadMovements(state, movements) {
  state.movements = new Map(movements.map((m) => [m.movement_id, m]));
}

/** Whether a feed item is about a movement rather than a case. */
export function isMovementItem(item) {
  return item.movement != null || MOVEMENT_KINDS.includes(item.kind);
}

/** An item's movement brings the movement as it is now but only the passengers its event
 * changed: those replace their entries, and someone who no longer holds a seat (gave it back,
 * did not show up) leaves the list. */
function mergeMovement(known, changed) {
  const passengers = new Map((known?.passengers ?? []).map((p) => [p.person_id, p]));
  for (const p of changed.passengers) {
    if (HOLDS_SEAT.includes(p.status)) passengers.set(p.person_id, p);
    else passengers.delete(p.person_id);
  }
  return { ...changed, passengers: [...passengers.values()] };
}

/** The passenger statuses of someone holding (or having used) a seat. */
const HOLDS_SEAT = ['assigned', 'boarded', 'departed', 'crossed', 'arrived_home'];

/** Apply one feed item; returns the id of the case or the movement it changed (null if none). */
export function apply(state, item) {
  if (isMovementItem(item)) {
    // Its case_id (a passenger's case) is not a case the partner was referred, and its `case`
    // is always null: neither says anything about the partner's cases.
    if (!item.movement) return null;
    state.movements.set(item.movement.movement_id, mergeMovement(state.movements.get(item.movement.movement_id), item.movement));
    return item.movement.movement_id;
  }
  if (item.case) state.cases.set(item.case_id, item.case);
  else {
    state.cases.delete(item.case_id);
    if (state.selected === item.case_id) state.selected = null;
  }
  return item.case_id;
}

/** What the partner may do with a referral in `status`: answer it, report progress, or nothing. */
export function actionsFor(status) {
  if (status === 'pending') return ['accept', 'decline'];
  if (FINAL_REFERRAL.includes(status)) return [];
  return ['progress'];
}

/** Which of the status filter's groups a referral status is in. */
export function statusGroup(status) {
  if (status === 'pending') return 'pending';
  return FINAL_REFERRAL.includes(status) ? 'finished' : 'under_way';
}

/** Whether case `c` has a referral in the status group and of the request type chosen (an empty
 * choice matches any). */
export function matches(c, { status = '', request = '' } = {}) {
  return c.referrals.some((r) => (!status || statusGroup(r.status) === status) && (!request || r.request_type === request));
}

/** When the case was first referred to the partner (its earliest referral of those it sees). */
export const referredAt = (c) => Math.min(...c.referrals.map((r) => new Date(r.referred_at).getTime()));

/** The cases in the order the desk shows them: worst priority first, then the longest referred.
 * Nothing the partner does moves a card (answering or reporting a step changes neither key), so
 * the next tap lands where the partner aims; only the ops room's re-prioritising does. */
export function ordered(state) {
  return [...state.cases.values()].sort(
    (a, b) =>
      LEVELS.indexOf(a.priority) - LEVELS.indexOf(b.priority) ||
      referredAt(a) - referredAt(b) ||
      a.reference.localeCompare(b.reference),
  );
}

/** The movements in the order the page shows them: those still to come or on the way by
 * departure (on the way, boarding, then planned, as time goes), then those over, most recent
 * first. */
export function orderedMovements(state) {
  const over = (m) => FINISHED_MOVEMENT.includes(m.status);
  return [...state.movements.values()].sort((a, b) => {
    if (over(a) !== over(b)) return over(a) ? 1 : -1;
    const byTime = new Date(a.departure_at).getTime() - new Date(b.departure_at).getTime();
    return (over(a) ? -byTime : byTime) || a.label.localeCompare(b.label);
  });
}

/** Whether a passenger needs medical care on arrival, as far as the partner's profile shows it
 * (a partner that receives no needs or flags sees no one marked). */
export function needsCare(passenger) {
  return Boolean(passenger.needs?.includes('medical') || passenger.flags?.includes('injured'));
}

/** How many of a movement's passengers are in each status: `[status, n]` in the page's order,
 * statuses nobody is in left out. */
export function passengerCounts(movement) {
  const counts = new Map();
  for (const p of movement.passengers) counts.set(p.status ?? 'waiting', (counts.get(p.status ?? 'waiting') ?? 0) + 1);
  return [...PASSENGER_STATUSES, ...[...counts.keys()].filter((s) => !PASSENGER_STATUSES.includes(s))]
    .filter((status) => counts.has(status))
    .map((status) => [status, counts.get(status)]);
}

/** The seats given: passengers holding one (neither waiting again nor absent). */
export function seatsTaken(movement) {
  return movement.passengers.filter((p) => p.status && p.status !== 'waiting' && p.status !== 'no_show').length;
}

/** A movement's passengers as the page lists them: by status, those needing care first within
 * each, then by reference and name. */
export function orderedPassengers(movement) {
  const rank = (p) => {
    const at = PASSENGER_STATUSES.indexOf(p.status ?? 'waiting');
    return at < 0 ? PASSENGER_STATUSES.length : at;
  };
  return [...movement.passengers].sort(
    (a, b) =>
      rank(a) - rank(b) ||
      Number(needsCare(b)) - Number(needsCare(a)) ||
      a.reference.localeCompare(b.reference) ||
      (a.name ?? '').localeCompare(b.name ?? ''),
  );
}
