// One referred case as the partner sees it: what its profile lets it see, its requests with
// their history, and the answers it can give (accept; decline with a reason; report a step).
import { h, isolated, isolatedLtr, joined } from '../../ops/src/dom.js';
import { lang, list, t } from './i18n.js';
import { actionsFor, nextSteps } from './state.js';

const when = (at) => new Date(at).toLocaleString(lang() === 'ar' ? 'ar' : 'en-GB');

/**
 * Render case `c`. `act(referralId, action, fields)` carries out an answer and resolves to an
 * error text or null; `notices` holds the last error per referral; `onSelect()` picks the case.
 */
export function caseCard(c, { act, notices, selected, onSelect }) {
  // Each part isolated (<bdi>; phones and passports left to right), so a phone number reads the
  // same in an Arabic line and nothing typed can reorder its neighbours. A person whose fields
  // are all outside the profile is still counted.
  const people = c.people.map((p) => {
    const parts = joined(
      [isolated(p.name), isolated(p.age != null ? `${t('age')} ${p.age}` : null), isolated(p.sex), isolatedLtr(p.phone), isolatedLtr(p.passport)],
      ' · ',
    );
    return h('li', {}, parts.length ? parts : '•');
  });
  return h(
    'article',
    { class: `case level-${c.priority}${selected ? ' selected' : ''}`, dataset: { caseId: c.case_id, reference: c.reference } },
    h(
      'header',
      {},
      h('h3', {}, h('span', { class: 'ref', dir: 'ltr' }, c.reference)),
      h('span', { class: 'case-status' }, t(`status.${c.status}`)),
      h('span', { class: `level level-${c.priority}` }, t(`level.${c.priority}`)),
      c.location ? h('button', { type: 'button', class: 'link', name: 'show-on-map', onclick: onSelect }, t('showOnMap')) : '',
    ),
    h(
      'p',
      { class: 'location' },
      c.location
        ? [`${t('location')}: `, isolatedLtr(`${c.location.lat.toFixed(4)}, ${c.location.lon.toFixed(4)} (H3 ${c.location.resolution})`)]
        : t('noLocation'),
    ),
    c.place ? h('p', {}, `${t('place')}: `, isolated(c.place)) : '',
    h('h4', {}, `${t('people')} (${c.people.length})`),
    h('ul', { class: 'people' }, people),
    c.needs?.length ? h('p', { class: 'needs' }, `${t('needs')}: ${list(c.needs.map((n) => t(`need.${n}`)))}`) : '',
    c.flags?.length ? h('p', { class: 'flags' }, `${t('flags')}: ${list(c.flags.map((f) => t(`flag.${f}`)))}`) : '',
    c.message ? h('blockquote', {}, `${t('message')}: `, isolated(c.message)) : '',
    c.reporter ? h('p', {}, `${t('reporter')}: `, joined([isolated(c.reporter.name), isolatedLtr(c.reporter.phone), c.reporter.relation], ' · ')) : '',
    h('h4', {}, t('referrals')),
    h('ul', { class: 'referrals' }, c.referrals.map((r) => referralItem(r, act, notices.get(r.referral_id)))),
  );
}

function referralItem(r, act, notice) {
  const form = (action, onsubmit, ...fields) =>
    h(
      'form',
      {
        class: action,
        onsubmit: (e) => {
          e.preventDefault();
          onsubmit(new FormData(e.target));
        },
      },
      ...fields,
    );
  const actions = actionsFor(r.status).map((action) => {
    if (action === 'accept') {
      return form(
        'accept',
        (data) => act(r.referral_id, 'accept', { text: data.get('text').trim() }),
        h('input', { name: 'text', placeholder: t('acceptNote'), 'aria-label': t('acceptNote') }),
        h('button', { type: 'submit', name: 'accept' }, t('accept')),
      );
    }
    if (action === 'decline') {
      return form(
        'decline',
        (data) => act(r.referral_id, 'decline', { reason: data.get('reason') }),
        h('input', { name: 'reason', placeholder: t('reason'), 'aria-label': t('reason') }),
        h('button', { type: 'submit', name: 'decline' }, t('decline')),
      );
    }
    return form(
      'progress',
      (data) => act(r.referral_id, 'progress', { step: data.get('step'), text: data.get('text').trim() }),
      h('select', { name: 'step', 'aria-label': t('step') }, nextSteps(r.status).map((s) => h('option', { value: s }, t(`referralStatus.${s}`)))),
      h('input', { name: 'text', placeholder: t('stepText'), 'aria-label': t('stepText') }),
      h('button', { type: 'submit', name: 'progress' }, t('report')),
    );
  });
  return h(
    'li',
    { class: `referral status-${r.status}`, dataset: { referralId: r.referral_id } },
    h('strong', {}, t(`requestType.${r.request_type}`)),
    ' · ',
    h('span', { class: 'status' }, t(`referralStatus.${r.status}`)),
    r.note ? h('p', { class: 'note' }, `${t('opsNote')}: `, isolated(r.note)) : '',
    r.history.length
      ? h(
          'ol',
          { class: 'history', 'aria-label': t('history') },
          r.history.map((step) => h('li', {}, `${when(step.at)} — ${t(`referralStatus.${step.status}`)}`, step.text ? [': ', isolated(step.text)] : '')),
        )
      : '',
    notice ? h('p', { class: 'error', role: 'alert' }, notice) : '',
    actions.length ? h('div', { class: 'actions' }, actions) : '',
  );
}
