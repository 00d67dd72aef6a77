// The case board: one column per open status and one for finished cases, each a server-ordered
// list (worst first by default) paged by cursor as the operator scrolls, only the cards in view
// drawn. Counts are the server's over every matching case. Also the filters bar the board, the
// table and the overdue queue share. Filtering, sorting and counting happen on the server only.
import { h, isolated, isolatedLtr, joined } from '../../shared/dom.js';
import { lang, t } from './i18n.js';
import { placeName } from '../../shared/places.js';
import { pagedList } from './pages.js';
import { DONE_STATUSES } from '../../shared/statuses.js';
import { COLUMNS, SORTS, caseQuery, minutesOverdue, minutesWaiting, referralAttention } from './state.js';
import { virtualList } from './virtual.js';

const NEEDS = ['medical', 'evacuation', 'food', 'water', 'shelter', 'power', 'documents', 'missing_person', 'other'];
const FLAGS = ['unaccompanied_minors', 'injured', 'elderly', 'pregnant', 'disabled', 'chronic_illness'];
const CHANNELS = ['web', 'hotline', 'whatsapp', 'facebook', 'email', 'walk_in', 'import'];
export const CARD_HEIGHT = 118; // px, the card's 112 and the gap below it

/** Events after which a case may sit elsewhere in its column's order (or leave a filter). */
// `case_placed` moves a case into or out of a crisis's board.
export const REORDERING = new Set(['priority_overridden', 'contact_recorded', 'sla_breached', 'danger_zone_flagged', 'case_assigned', 'citizen_updated', 'status_changed', 'case_placed']);

/** Render the filters bar; `onChange(filters)` when one changes. `partners` for the partner
 * filter ([{partner_id, name}]), `crises` for the crisis switch ([{slug, name: {ar, en}, phase}],
 * first in the bar: an operator works one crisis or all). Text is sent when typing pauses. */
export function renderFilters(element, state, { onChange, onSort, partners = [], crises = [] }) {
  const select = (name, options, label) =>
    h(
      'label',
      {},
      label,
      h(
        'select',
        { name, onchange: (e) => onChange({ ...state.filters, [name]: e.target.value }) },
        h('option', { value: '' }, t('all')),
        options.map(([value, text]) => h('option', { value, selected: state.filters[name] === value }, text)),
      ),
    );
  let typing = null;
  const text = h('input', {
    type: 'search',
    name: 'q',
    value: state.filters.q,
    placeholder: t('filterText'),
    'aria-label': t('filterText'),
    maxlength: 200,
    oninput: (e) => {
      clearTimeout(typing);
      typing = setTimeout(() => onChange({ ...state.filters, q: e.target.value }), 400);
    },
  });
  const clearCell = state.filters.cell
    ? h(
        'button',
        { type: 'button', class: 'chip', title: state.filters.cell, onclick: () => onChange({ ...state.filters, cell: '' }) },
        `${t('clearCell')} `,
        // The town nearest the cell, in the page's language; the raw H3 index only if none is known.
        isolated(placeName(state.filters.cell, lang())) ?? isolatedLtr(state.filters.cell),
      )
    : '';
  const filtered = Object.values(state.filters).some(Boolean);
  const crisisName = (c) => `${c.name[lang()] ?? c.name.en}${c.phase === 'closed' ? ` (${t('crisisClosed')})` : ''}`;
  element.replaceChildren(
    crises.length ? select('crisis', [...crises.map((c) => [c.slug, crisisName(c)]), ['unplaced', t('unplacedCases')]], t('crisis')) : '',
    text,
    select('priority', ['critical', 'high', 'normal', 'low'].map((l) => [l, t(`level.${l}`)]), t('priority')),
    select('need', NEEDS.map((n) => [n, t(`needs.${n}`)]), t('need')),
    select('flag', FLAGS.map((f) => [f, t(`flags.${f}`)]), t('flag')),
    select('channel', CHANNELS.map((c) => [c, t(`channels.${c}`)]), t('channel')),
    select('sla', ['red', 'amber', 'green', 'met'].map((s) => [s, t(`slaState.${s}`)]), t('sla')),
    select('assignee', [['me', t('assigneeMe')], ['none', t('unassigned')]], t('assignee')),
    partners.length ? select('partner', partners.map((p) => [p.partner_id, p.name]), t('partner')) : '',
    h(
      'label',
      {},
      t('sortBy'),
      h('select', { name: 'sort', onchange: (e) => onSort(e.target.value) }, SORTS.map((s) => h('option', { value: s, selected: state.sort === s }, t(`sorts.${s}`)))),
    ),
    clearCell,
    filtered ? h('button', { type: 'button', class: 'chip clear-filters', onclick: () => onChange(Object.fromEntries(Object.keys(state.filters).map((k) => [k, '']))) }, t('clearFilters')) : '',
  );
}

/** "12 min", "3 h 5 min", "2 d 4 h": a waiting time an operator reads at a glance. */
export function duration(minutes) {
  if (minutes == null) return '';
  if (minutes < 60) return `${minutes} ${t('min')}`;
  if (minutes < 24 * 60) return `${Math.floor(minutes / 60)} ${t('hours')} ${minutes % 60} ${t('min')}`;
  return `${Math.floor(minutes / 1440)} ${t('days')} ${Math.floor((minutes % 1440) / 60)} ${t('hours')}`;
}

/** What a card shows, as one string: the card is rebuilt only when it changes. */
function cardSignature(summary, now) {
  return JSON.stringify([
    summary.version, summary.status, summary.priority.level, summary.lead_name, summary.people_count, summary.place,
    summary.assignee_name, summary.assigned_to, summary.sla.state, summary.danger_zone, summary.citizen_update,
    summary.open_matches, referralAttention(summary), minutesWaiting(summary, now), minutesOverdue(summary, now),
    summary.needs, summary.flags,
  ]);
}

/** One case as a card: who, how many, where, how long waiting and overdue, whose. */
export function card(summary, onOpen, now, me) {
  const attention = referralAttention(summary);
  const waiting = minutesWaiting(summary, now);
  const overdue = minutesOverdue(summary, now);
  const assignee = summary.assigned_to
    ? h('span', { class: 'assignee' }, summary.assigned_to === me?.user_id ? t('assigneeMe') : isolated(summary.assignee_name) ?? t('assigned'))
    : h('span', { class: 'assignee none' }, t('unassigned'));
  const badges = [
    summary.danger_zone ? h('span', { class: 'danger-zone', dataset: { zoneId: summary.danger_zone } }, t('inDangerZone')) : '',
    summary.citizen_update ? h('span', { class: 'citizen' }, t(`citizenUpdate.${summary.citizen_update}`)) : '',
    summary.open_matches ? h('span', { class: 'possible-match' }, `${t('possibleMatch')} (${summary.open_matches})`) : '',
    attention ? h('span', { class: `referral-attention ${attention}` }, t(`referralAttention.${attention}`)) : '',
    h('span', { class: 'needs' }, [...summary.flags.map((f) => t(`flags.${f}`)), ...summary.needs.map((n) => t(`needs.${n}`))].join(' · ')),
  ];
  return h(
    'button',
    {
      type: 'button',
      class: `card level-${summary.priority.level} sla-${summary.sla.state}${overdue != null ? ' overdue' : ''}`,
      dataset: { caseId: summary.case_id, reference: summary.reference },
      onclick: () => onOpen(summary.case_id),
    },
    h('span', { class: 'who' }, isolated(summary.lead_name, { class: 'lead' }) ?? h('span', { class: 'lead unnamed' }, t('noName')), h('span', { class: 'people' }, `${summary.people_count} ${t('peopleCount')}`)),
    h('span', { class: 'where' }, joined([h('span', { class: 'level' }, t(`level.${summary.priority.level}`)), isolatedLtr(summary.reference, { class: 'ref' }), isolated(summary.place, { class: 'place' })], ' · ')),
    overdue != null
      ? h('span', { class: 'times' }, h('span', { class: 'overdue-by', title: t('slaState.red') }, `${t('overdueBy')} ${duration(overdue)}`))
      : h('span', { class: 'times' }, h('span', { class: 'sla' }, t(`slaState.${summary.sla.state}`))),
    h('span', { class: 'waiting-line' }, waiting != null ? h('span', { class: 'waiting' }, `${t('waiting')} ${duration(waiting)}`) : '', assignee),
    h('span', { class: 'badges' }, badges),
  );
}

/**
 * Mount the board in `element`. `ctx`: {state, load (api.cases), merge, onOpen, changed()}.
 * Answers {reset(), render(now), setCounts(counts), onEvent(event, previousStatus), unmount()}.
 */
export function mountBoard(element, ctx) {
  const { state } = ctx;
  let counts = null;
  let finishedStatus = 'resolved'; // the API lists one status at a time: the finished column picks one
  const columns = COLUMNS.map(([name, statuses]) => {
    const count = h('span', { class: 'count' });
    const title = h('h2', {}, t(`status.${name}`), ' ', count);
    const body = h('div', { class: 'cards' });
    const shown = () => (name === 'finished' ? [finishedStatus] : statuses);
    const list = pagedList({
      query: () => caseQuery(state.filters, state.sort, { status: shown()[0] }),
      load: ctx.load,
      merge: ctx.merge,
      onChange: ctx.changed,
    });
    const picker =
      name === 'finished'
        ? h(
            'select',
            {
              name: 'finished-status',
              'aria-label': t('finishedShown'),
              onchange: (e) => {
                finishedStatus = e.target.value;
                list.reset();
              },
            },
            DONE_STATUSES.map((s) => h('option', { value: s, selected: s === finishedStatus }, t(`status.${s}`))),
          )
        : null;
    const section = h('section', { class: 'column', dataset: { status: name } }, h('div', { class: 'column-head' }, title, picker), body);
    const column = { name, statuses, list, count, picker, section, shown };
    column.view = virtualList(body, {
      rowHeight: CARD_HEIGHT,
      count: () => list.ids.length,
      draw: (i) => {
        const summary = state.cases.get(list.ids[i]);
        const now = ctx.now();
        return { key: summary.case_id, signature: cardSignature(summary, now), build: () => card(summary, ctx.onOpen, now, state.user) };
      },
      onNearEnd: () => list.more(),
      footer: () => footer(list),
    });
    list.lastInView = () => column.view.lastInView() + 10;
    return column;
  });
  element.replaceChildren(...columns.map((c) => c.section));

  const columnOf = (status) => columns.find((c) => c.statuses.includes(status));
  return {
    columns,
    reset() {
      for (const c of columns) {
        c.view.scrollToTop();
        c.list.reset();
      }
    },
    setCounts(next) {
      counts = next;
      ctx.changed();
    },
    render() {
      for (const c of columns) {
        const total = counts ? c.statuses.reduce((sum, s) => sum + (counts.by_status[s] ?? 0), 0) : c.list.total;
        c.count.textContent = total ?? '…';
        if (c.picker && counts) {
          for (const option of c.picker.options) option.textContent = `${t(`status.${option.value}`)} (${counts.by_status[option.value] ?? 0})`;
        }
        c.view.render();
        c.list.inView(c.view.lastInView() + 10);
      }
    },
    /** A live event (`previous` the case's status before it): take a moved card out at once,
     * and have the columns it may now sit in reload the rows in view. */
    onEvent(event, previous) {
      if (event.kind === 'case_reported') {
        refreshColumn(columnOf('new'));
        return;
      }
      if (!REORDERING.has(event.kind) || !event.case_id) return;
      const summary = state.cases.get(event.case_id);
      if (event.kind === 'status_changed') {
        const from = columns.find((c) => c.list.has(event.case_id));
        if (from && !from.shown().includes(event.data.to)) from.list.remove(event.case_id);
        const to = columnOf(event.data.to);
        if (to && to.shown().includes(event.data.to)) refreshColumn(to);
        return;
      }
      const holder = columns.find((c) => c.list.has(event.case_id)) ?? (summary && columnOf(summary.status ?? previous));
      if (holder) refreshColumn(holder);
    },
    unmount() {
      for (const c of columns) {
        c.list.stop();
        c.view.unmount();
      }
    },
  };
}

/** Reload what the operator sees of a column (if they scrolled past what a refresh reaches,
 * the rows in view stay, patched by the stream, until they scroll back). */
function refreshColumn(column) {
  column?.list.refreshSoon(column.view.lastInView() + 10);
}

/** Below a list's rows: loading, the end, or why it failed (in the page's language). */
export function footer(list) {
  if (list.error) return h('p', { class: 'error', role: 'alert' }, t(`errors.${list.error}`) === `errors.${list.error}` ? t('loadFailed') : t(`errors.${list.error}`));
  if (list.loading || list.next === undefined) return h('p', { class: 'loading' }, t('loading'));
  if (list.next === null) return h('p', { class: list.ids.length ? 'end' : 'empty' }, t(list.ids.length ? 'noMoreCases' : 'noCases'));
  return null;
}
