// The ops room's state and how live events change it: pure data, no DOM, tested in node.
//
// `apply(state, event)` mutates `state` in place (a board of tens of thousands of cases cannot
// be copied a hundred times a second) and returns the id of the case it changed, if any. Every
// workflow event bumps the case's version by one, exactly as the server does, so the drawer's
// next change is based on the right version without a reload.

import { DONE_STATUSES, FINAL_REFERRAL, LEVELS, OPEN_STATUSES } from '../../shared/statuses.js';

/** The board's filters, all run on the server (`caseQuery`); '' means any. */
export const NO_FILTERS = { crisis: '', q: '', priority: '', need: '', flag: '', channel: '', sla: '', assignee: '', partner: '', cell: '' };

/** The orders the server can list cases in; urgency ("worst first") is the board's. */
export const SORTS = ['urgency', 'waiting', 'sla_due', 'score', 'updated', 'newest'];

export function createState() {
  return {
    user: null,
    cases: new Map(), // case_id → summary, as the API's CaseSummaryBody (every one loaded or reported live)
    seq: 0,
    filters: { ...NO_FILTERS },
    sort: 'urgency',
    selected: null,
    map: { resolution: 7, seq: 0, cells: new Map(), question: null }, // cells: hex → {total, worst}; question: {bbox, resolution, filters} they answer
  };
}

/** The query string parameters of `GET /api/v1/cases` (and `/counts`, `/export.csv`) for
 * `filters`, `sort` and `extra` (status, cursor, limit): only the ones set, text trimmed. */
export function caseQuery(filters, sort, extra = {}) {
  const query = {};
  for (const [name, value] of Object.entries({ ...filters, ...extra })) {
    const text = typeof value === 'string' ? value.trim() : value;
    if (text !== '' && text != null) query[name] = String(text);
  }
  if (sort) query.sort = sort;
  return query;
}

/** A summary fresh from the server in place of the one the board held: what only the live
 * stream told this board (referrals, open suggestions, a citizen's update) is kept, and the
 * time it arrived stamped, so the minutes it carries can be moved on by the client's clock. */
export function mergeSummary(previous, fresh, now) {
  fresh.loaded_at = now;
  if (previous) {
    fresh.referrals ??= previous.referrals;
    fresh.open_matches ??= previous.open_matches;
    fresh.citizen_update ??= previous.citizen_update;
  }
  return fresh;
}

/** Whole minutes a case has waited at `now`: the server's figure moved on by the time since it
 * arrived (the client's clock may be off; the elapsed time on it is not). Null once finished. */
export function minutesWaiting(summary, now) {
  if (summary.minutes_waiting == null || DONE_STATUSES.includes(summary.status)) return null;
  return summary.minutes_waiting + elapsed(summary, now);
}

/** Whole minutes past its first-contact deadline at `now`, or null when it is not overdue. */
export function minutesOverdue(summary, now) {
  if (summary.first_contact_at || DONE_STATUSES.includes(summary.status)) return null;
  if (summary.minutes_overdue != null) return summary.minutes_overdue + elapsed(summary, now);
  // Not yet overdue when it was loaded: by the client's clock against the due time.
  if (summary.sla_due_at != null && now > summary.sla_due_at) return Math.floor((now - summary.sla_due_at) / 60_000);
  return null;
}

function elapsed(summary, now) {
  return summary.loaded_at == null ? 0 : Math.max(0, Math.floor((now - summary.loaded_at) / 60_000));
}

/** The summary the board shows for a case reported just now (from its `case_reported` event). */
export function summaryFromReport(data) {
  const coordinates = data.location?.coordinates;
  return {
    case_id: data.case_id,
    reference: data.reference,
    status: data.status,
    priority: { level: data.priority.level, score: data.priority.score, reasons: data.priority.reasons },
    needs: data.needs,
    flags: data.flags,
    channel: data.channel,
    language: data.language,
    lat: coordinates?.lat ?? null,
    lon: coordinates?.lon ?? null,
    place: data.location?.place ?? null,
    cell: data.cell ?? null,
    people_count: data.people.length,
    reported_at: new Date(data.reported_at).toISOString(),
    version: 1,
    assigned_to: null,
    first_contact_at: null,
    sla: { state: 'green', escalated: false },
    priority_override_reason: null,
    danger_zone: data.danger_zone ?? null,
    lead_name: data.people[0]?.name ?? null,
    assignee_name: null,
    minutes_waiting: 0,
    minutes_overdue: null,
  };
}

const WORKFLOW = new Set(['status_changed', 'case_assigned', 'note_added', 'contact_recorded', 'priority_overridden']);

/** Apply one live event; returns the changed case id (or null). */
export function apply(state, event) {
  state.seq = event.seq;
  const data = event.data;
  if (event.kind === 'case_reported') {
    state.cases.set(data.case_id, summaryFromReport(data));
    countOnMap(state.map, data.cell, data.priority.level, 1);
    return data.case_id;
  }
  if (event.kind === 'match_suggested' || event.kind === 'match_decided') return countMatch(state, event);
  if (event.kind === 'zone_lifted' || event.kind === 'zone_changed') return clearDangerZone(state, event);
  const summary = state.cases.get(event.case_id);
  if (!summary) return null; // a case this board has not loaded (another column or page)
  if (WORKFLOW.has(event.kind)) summary.version += 1;
  switch (event.kind) {
    case 'status_changed':
      summary.status = data.to;
      break;
    case 'case_assigned':
      summary.assigned_to = data.to;
      // The event names nobody; the board's next page from the server does.
      summary.assignee_name = data.to && data.to === state.user?.user_id ? state.user.name : null;
      break;
    case 'contact_recorded':
      if (data.first_contact_after_ms != null) {
        summary.first_contact_at = data.at;
        summary.minutes_overdue = null;
        summary.sla_due_at = null;
        summary.sla = { ...summary.sla, state: 'met' };
      }
      break;
    case 'priority_overridden':
      summary.priority = { ...summary.priority, level: data.to };
      summary.priority_override_reason = data.reason;
      break;
    case 'citizen_updated':
      // The server moves the version only when a field operators work from changed.
      if (data.location || data.needs || data.status !== data.status_from) summary.version += 1;
      summary.status = data.status;
      if (data.location) {
        summary.lat = data.location.coordinates?.lat ?? null;
        summary.lon = data.location.coordinates?.lon ?? null;
        summary.place = data.location.place ?? null;
        summary.cell = data.cell ?? null;
      }
      if (data.needs) {
        summary.needs = data.needs;
        summary.flags = data.flags;
      }
      if (data.raised) summary.priority = { level: data.raised.level, score: data.raised.score, reasons: data.raised.reasons };
      if (data.from_cell !== data.cell || data.priority_from !== data.priority || data.status_from !== data.status) {
        countOnMap(state.map, data.from_cell, data.priority_from, -1);
        countOnMap(state.map, data.cell, data.priority, 1);
      }
      summary.citizen_update = data.update;
      break;
    case 'referral_made':
    case 'referral_updated':
    case 'referral_escalated':
      // A referral is not an edit of the case: the server leaves its version alone.
      trackReferral(summary, event.kind, data);
      break;
    case 'sla_breached':
      summary.sla = { ...summary.sla, state: 'red', escalated: true };
      raise(state, summary, data);
      break;
    case 'danger_zone_flagged':
      // Like an escalation, a zone declared over a case is not an edit of it.
      summary.danger_zone = data.zone_id;
      raise(state, summary, data);
      break;
  }
  return event.case_id;
}

/** Cases that lost a zone's flag: every case of a lifted zone, and those a redrawn zone no
 * longer covers (its `cleared`); those another active danger zone still covers keep a flag
 * under it (its `moved`). Their priority stays as it was raised. */
function clearDangerZone(state, event) {
  const { zone_id: zone, cleared = [], moved = [] } = event.data;
  const cases =
    event.kind === 'zone_lifted'
      ? [...state.cases.values()].filter((summary) => summary.danger_zone === zone)
      : cleared.map((id) => state.cases.get(id)).filter(Boolean);
  for (const summary of cases) summary.danger_zone = null;
  const kept = moved.map(({ case_id, zone_id }) => [state.cases.get(case_id), zone_id]).filter(([summary]) => summary);
  for (const [summary, other] of kept) summary.danger_zone = other;
  return kept.at(-1)?.[0].case_id ?? cases.at(-1)?.case_id ?? null;
}

/** A priority raised by the server on its own (a breached SLA, a danger zone): the event
 * carries the level it was raised to (`raised_to`, or null when unchanged) and the case's cell,
 * so the map's worst level moves without a lookup. */
function raise(state, summary, data) {
  if (!data.raised_to) return;
  summary.priority = { ...summary.priority, level: data.raised_to };
  countOnMap(state.map, data.cell, data.raised_to, 0);
}

/** What the board knows of a case's referrals from the live stream: referral id → {status,
 * request_type, escalated}. (A case's summary does not list its referrals, so this covers those
 * made or moved since the board was loaded.) */
function trackReferral(summary, kind, data) {
  const referrals = (summary.referrals ??= {});
  const entry = (referrals[data.referral_id] ??= { status: 'pending', request_type: null, escalated: false });
  if (kind === 'referral_made') entry.request_type = data.request_type;
  if (kind === 'referral_updated') entry.status = data.to;
  if (kind === 'referral_escalated') entry.escalated = true;
}

/** Referral statuses after which nothing more happens. */

/** Why a case's referrals need the ops room, if they do: 'escalated' (a partner has not answered
 * in time), or 'declined' / 'unable' while no other referral for the same kind of help is open
 * or done (someone else must be found). */
export function referralAttention(summary) {
  const entries = Object.values(summary.referrals ?? {});
  if (entries.some((r) => r.escalated && r.status === 'pending')) return 'escalated';
  const covered = new Set(entries.filter((r) => r.status === 'completed' || !FINAL_REFERRAL.includes(r.status)).map((r) => r.request_type));
  const unmet = entries.filter((r) => !covered.has(r.request_type)).map((r) => r.status);
  if (unmet.includes('declined')) return 'declined';
  if (unmet.includes('unable')) return 'unable';
  return null;
}

/** A suggestion opened (or a decision closed or reopened one) on both of its cases: the cards
 * show how many open suggestions each has. */
function countMatch(state, event) {
  const data = event.data;
  const delta = event.kind === 'match_suggested' ? 1 : data.decision ? -1 : 1;
  let changed = null;
  for (const id of [data.case_id, data.other_case_id]) {
    const summary = state.cases.get(id);
    if (!summary) continue;
    summary.open_matches = Math.max(0, (summary.open_matches ?? 0) + delta);
    changed = id;
  }
  return changed;
}

/** The board's columns: one per open status, then one for every finished case. */
export const COLUMNS = [...OPEN_STATUSES.map((s) => [s, [s]]), ['finished', DONE_STATUSES]];

/** The resolution of an H3 index given in hex. */
export function resolutionOf(hex) {
  return Number((BigInt(`0x${hex}`) >> 52n) & 0xfn);
}

/**
 * The H3 cell containing `hex` at the coarser `resolution`, in hex: the resolution field is set
 * and every digit finer than it becomes 7 ("unused"), as the H3 index layout defines.
 */
export function parentCell(hex, resolution) {
  let index = BigInt(`0x${hex}`);
  if (resolution > resolutionOf(hex)) return null;
  index = (index & ~(0xfn << 52n)) | (BigInt(resolution) << 52n);
  for (let digit = resolution + 1; digit <= 15; digit++) index |= 7n << BigInt((15 - digit) * 3);
  return index.toString(16);
}

/** Count a case into the map's cells at the map's resolution. */
export function countOnMap(map, cell, level, delta) {
  if (!cell) return;
  const key = parentCell(cell, map.resolution);
  const entry = map.cells.get(key) ?? { total: 0, worst: level, geometry: null };
  entry.total += delta;
  if (LEVELS.indexOf(level) < LEVELS.indexOf(entry.worst)) entry.worst = level;
  map.cells.set(key, entry);
}
