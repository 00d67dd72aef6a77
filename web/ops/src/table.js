// The table view and the overdue queue: the board's query (or the overdue one) as rows in the
// server's order, paged by cursor as the operator scrolls, only the rows in view drawn. A
// column's heading sorts by it on the server. Supervisors and admins export the same query as
// CSV (the server writes it; this page only links it).
import { REORDERING, duration, footer } from './board.js';
import { h, isolated, isolatedLtr, joined } from '../../shared/dom.js';
import { t } from './i18n.js';
import { pagedList } from './pages.js';
import { DONE_STATUSES, OPEN_STATUSES } from '../../shared/statuses.js';
import { caseQuery, minutesOverdue, minutesWaiting } from './state.js';
import { virtualList } from './virtual.js';

const ROW_HEIGHT = 36;

// Each column: its heading's key, the server sort its heading picks (null: not sortable), a cell.
const COLUMNS = [
  ['reference', 'newest', (c) => isolatedLtr(c.reference, { class: 'ref' })],
  ['people', null, (c) => people(c)],
  ['place', null, (c) => isolated(c.place)],
  ['statusLabel', null, (c) => t(`status.${c.status}`)],
  ['priority', 'score', (c) => h('span', { class: `level level-${c.priority.level}` }, `${t(`level.${c.priority.level}`)} · ${c.priority.score}`)],
  ['waiting', 'waiting', (c, now) => duration(minutesWaiting(c, now))],
  ['overdue', 'sla_due', (c, now) => {
    const minutes = minutesOverdue(c, now);
    return minutes == null ? t(`slaState.${c.sla.state}`) : h('span', { class: 'overdue-by' }, duration(minutes));
  }],
  ['assignee', null, (c, now, me) => (c.assigned_to ? (c.assigned_to === me?.user_id ? t('assigneeMe') : isolated(c.assignee_name) ?? t('assigned')) : t('unassigned'))],
  ['channel', null, (c) => t(`channels.${c.channel}`)],
];

/** The names and ages of the first people in a case, enough to tell two cases apart. */
export function people(summary) {
  const preview = summary.people_preview ?? (summary.lead_name ? [{ name: summary.lead_name, age: null }] : []);
  const shown = preview.map((p) => joined([isolated(p.name ?? t('noName')), p.age != null ? `(${p.age})` : null]));
  const more = summary.people_count > preview.length ? [` +${summary.people_count - preview.length}`] : [];
  // The list reads in the script of its first name (an Arabic list right to left, ages beside
  // their names, cut at its end).
  return h('span', { class: 'people', dir: 'auto' }, joined(shown, '، '), more);
}

/**
 * Mount a table in `element`. `ctx`: {state, load, merge, onOpen, changed(), now(), onSort(sort),
 * overdue (the overdue queue: sla=red by due time, whatever the board's filters say of either)}.
 * Answers {list, reset(), render(), onEvent(event), unmount()}.
 */
export function mountTable(element, ctx) {
  const { state, overdue = false } = ctx;
  let status = '';
  const query = () => {
    if (overdue) return caseQuery({ ...state.filters, sla: 'red' }, 'sla_due', status ? { status } : {});
    return caseQuery(state.filters, state.sort, status ? { status } : {});
  };
  const list = pagedList({ query, load: ctx.load, merge: ctx.merge, onChange: ctx.changed });
  const total = h('span', { class: 'count' });
  const exportLink = h('a', { class: 'export', download: '' }, t('exportCsv'));
  const canExport = state.user.role === 'supervisor' || state.user.role === 'admin';
  const statusSelect = h(
    'select',
    {
      name: 'table-status',
      'aria-label': t('statusLabel'),
      onchange: (e) => {
        status = e.target.value;
        list.reset();
      },
    },
    h('option', { value: '' }, t('all')),
    [...OPEN_STATUSES, ...DONE_STATUSES].map((s) => h('option', { value: s }, t(`status.${s}`))),
  );
  const headings = h('div', { class: 'table-row table-head', role: 'row' });
  const body = h('div', { class: 'table-body', role: 'rowgroup' });
  element.replaceChildren(
    h('div', { class: 'table-bar' }, h('h2', {}, t(overdue ? 'overdueQueue' : 'tableView'), ' ', total), statusSelect, canExport ? exportLink : ''),
    h('div', { class: `case-table${overdue ? ' overdue-queue' : ''}`, role: 'table', 'aria-label': t(overdue ? 'overdueQueue' : 'tableView') }, headings, body),
  );
  const view = virtualList(body, {
    rowHeight: ROW_HEIGHT,
    count: () => list.ids.length,
    draw: (i) => {
      const summary = state.cases.get(list.ids[i]);
      const now = ctx.now();
      const cells = COLUMNS.map(([, , cell]) => cell(summary, now, state.user));
      const signature = JSON.stringify([summary.version, summary.status, summary.priority, summary.assignee_name, summary.assigned_to, summary.sla.state, minutesWaiting(summary, now), minutesOverdue(summary, now)]);
      return {
        key: summary.case_id,
        signature,
        build: () =>
          h(
            'div',
            {
              class: `table-row level-${summary.priority.level}${minutesOverdue(summary, now) != null ? ' overdue' : ''}`,
              role: 'row',
              tabindex: 0,
              dataset: { caseId: summary.case_id, reference: summary.reference },
              onclick: () => ctx.onOpen(summary.case_id),
              onkeydown: (e) => e.key === 'Enter' && ctx.onOpen(summary.case_id),
            },
            cells.map((cell) => h('span', { role: 'cell' }, cell ?? '')),
          ),
      };
    },
    onNearEnd: () => list.more(),
    footer: () => footer(list),
  });
  list.lastInView = () => view.lastInView() + 10;

  function drawHeadings() {
    const current = overdue ? 'sla_due' : state.sort;
    headings.replaceChildren(
      ...COLUMNS.map(([key, sort]) =>
        h(
          'span',
          { role: 'columnheader', 'aria-sort': sort && sort === current ? 'descending' : null },
          sort && !overdue
            ? h('button', { type: 'button', class: 'sort', dataset: { sort }, 'aria-pressed': String(sort === current), onclick: () => ctx.onSort(sort) }, t(`columns.${key}`), sort === current ? ' ▾' : '')
            : t(`columns.${key}`),
        ),
      ),
    );
  }

  return {
    list,
    reset() {
      drawHeadings();
      view.scrollToTop();
      // Without cursor and limit: the export is the whole query (the server caps it).
      exportLink.href = `/api/v1/cases/export.csv?${new URLSearchParams(query())}`;
      return list.reset();
    },
    render() {
      total.textContent = list.total ?? '…';
      view.render();
      list.inView(view.lastInView() + 10);
    },
    onEvent(event) {
      if (!event.case_id) return;
      if (event.kind === 'case_reported' || event.kind === 'status_changed' || (REORDERING.has(event.kind) && list.has(event.case_id))) {
        list.refreshSoon(view.lastInView() + 10);
      }
    },
    unmount() {
      list.stop();
      view.unmount();
    },
  };
}
