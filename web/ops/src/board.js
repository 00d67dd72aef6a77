// The case board: one column per open status, cards worst priority first, live.
import { h, isolated, isolatedLtr } from './dom.js';
import { t } from './i18n.js';
import { COLUMNS, column, referralAttention } from './state.js';

const NEEDS = ['medical', 'evacuation', 'food', 'water', 'shelter', 'power', 'documents', 'missing_person', 'other'];
const FLAGS = ['unaccompanied_minors', 'injured', 'elderly', 'pregnant', 'disabled', 'chronic_illness'];
const CHANNELS = ['web', 'hotline', 'whatsapp', 'facebook', 'email', 'walk_in', 'import'];

/** Render the filters bar; `onChange(filters)` when one changes. */
export function renderFilters(element, state, onChange) {
  const select = (name, options, label) =>
    h(
      'label',
      {},
      label,
      h(
        'select',
        {
          name,
          onchange: (e) => onChange({ ...state.filters, [name]: e.target.value }),
        },
        h('option', { value: '' }, t('all')),
        options.map(([value, text]) => h('option', { value, selected: state.filters[name] === value }, text)),
      ),
    );
  const clearCell = state.filters.cell
    ? h('button', { type: 'button', class: 'chip', onclick: () => onChange({ ...state.filters, cell: '' }) }, `${t('clearCell')} ${state.filters.cell}`)
    : '';
  element.replaceChildren(
    select('priority', ['critical', 'high', 'normal', 'low'].map((l) => [l, t(`level.${l}`)]), t('priority')),
    select('need', NEEDS.map((n) => [n, t(`needs.${n}`)]), t('need')),
    select('flag', FLAGS.map((f) => [f, t(`flags.${f}`)]), t('flag')),
    select('channel', CHANNELS.map((c) => [c, c]), t('channel')),
    select('sla', ['green', 'amber', 'red', 'met'].map((s) => [s, t(`slaState.${s}`)]), t('sla')),
    h(
      'label',
      {},
      h('input', {
        type: 'checkbox',
        name: 'mine',
        checked: state.filters.mine,
        onchange: (e) => onChange({ ...state.filters, mine: e.target.checked }),
      }),
      t('mine'),
    ),
    clearCell,
  );
}

function card(summary, onOpen) {
  const attention = referralAttention(summary);
  return h(
    'button',
    {
      type: 'button',
      class: `card level-${summary.priority.level} sla-${summary.sla.state}`,
      dataset: { caseId: summary.case_id, reference: summary.reference },
      onclick: () => onOpen(summary.case_id),
    },
    isolatedLtr(summary.reference, { class: 'ref' }),
    h('span', { class: 'level' }, t(`level.${summary.priority.level}`)),
    isolated(summary.place, { class: 'place' }),
    h('span', { class: 'needs' }, [...summary.flags.map((f) => t(`flags.${f}`)), ...summary.needs.map((n) => t(`needs.${n}`))].join(' · ')),
    h('span', { class: 'sla' }, t(`slaState.${summary.sla.state}`)),
    summary.danger_zone ? h('span', { class: 'danger-zone', dataset: { zoneId: summary.danger_zone } }, t('inDangerZone')) : '',
    summary.citizen_update ? h('span', { class: 'citizen' }, t(`citizenUpdate.${summary.citizen_update}`)) : '',
    summary.open_matches ? h('span', { class: 'possible-match' }, `${t('possibleMatch')} (${summary.open_matches})`) : '',
    attention ? h('span', { class: `referral-attention ${attention}` }, t(`referralAttention.${attention}`)) : '',
  );
}

/**
 * Render the columns from `state`; cheap enough to run once per animation frame. A column shows
 * the cases loaded on this board; its count is the server's total when no filter narrows it.
 */
export function renderBoard(element, state, onOpen, totals) {
  const filtered = Object.entries(state.filters).some(([, value]) => value);
  element.replaceChildren(
    ...COLUMNS.map(([name, statuses]) => {
      const { total, cards } = column(state, statuses);
      const serverTotal = totals ? statuses.reduce((sum, s) => sum + (totals[s] ?? 0), 0) : null;
      const count = !filtered && serverTotal != null ? Math.max(serverTotal, total) : total;
      return h(
        'section',
        { class: 'column', dataset: { status: name } },
        h('h2', {}, t(`status.${name}`), ' ', h('span', { class: 'count' }, count)),
        h('div', { class: 'cards' }, cards.map((summary) => card(summary, onOpen))),
      );
    }),
  );
}
