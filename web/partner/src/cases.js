// One referred case as the partner sees it: what its profile lets it see, its requests with
// their history, and the answers it can give (accept; decline with a reason; report a step of
// the request's kind). Every value is in the page's language; numbers, phones and coordinates
// are left-to-right isolates; phones call when tapped and the area opens in the phone's maps.
import { h, isolated, isolatedLtr, joined, phoneLinks } from '../../shared/dom.js';
import { EDGE_KM } from '../../shared/map.js';
import { lang, list, t, tf, timeAgo } from './i18n.js';
import { actionsFor } from './state.js';

const when = (at) => new Date(at).toLocaleString(lang() === 'ar' ? 'ar' : 'en-GB');

/** How wide an H3 cell of `resolution` is, in km, as said to people: "about 3 km". */
export function acrossKm(resolution) {
  return (2 * EDGE_KM[resolution]).toFixed(resolution >= 8 ? 1 : 0);
}

/** Time since `at`, kept current by the page (`refreshTimes`) without drawing the card again. */
function since(at) {
  return h('time', { class: 'since', datetime: at }, timeAgo(new Date(at).getTime(), Date.now()));
}

/** Bring every "time since" on the page up to now. */
export function refreshTimes(root) {
  const now = Date.now();
  for (const time of root.querySelectorAll('time.since')) {
    const text = timeAgo(new Date(time.getAttribute('datetime')).getTime(), now);
    if (time.textContent !== text) time.textContent = text;
  }
}

/** The coarse area: its size in words, its centre (left to right) and a `geo:` link that the
 * field worker's phone opens in its own maps app (no map site is reachable from the room). */
function area(location) {
  const lat = location.lat.toFixed(5);
  const lon = location.lon.toFixed(5);
  return h(
    'p',
    { class: 'location' },
    `${t('area')} (${tf('areaAcross', acrossKm(location.resolution))}): `,
    isolatedLtr(`${lat}, ${lon}`, { class: 'coordinates' }),
    ' · ',
    h('a', { class: 'maps', href: `geo:${lat},${lon}?q=${lat},${lon}`, name: 'open-in-maps' }, t('openInMaps')),
  );
}

/** A word from the page's vocabulary for a value the server sends as a code (`sex.female`);
 * nothing for an absent or unknown value. */
const word = (group, value) => (value == null || value === 'unknown' ? null : t(`${group}.${value}`));

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
      [isolated(p.name), isolated(p.age != null ? `${t('age')} ${p.age}` : null), isolated(word('sex', p.sex)), phoneLinks(p.phone), isolatedLtr(p.passport)],
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
    c.location ? area(c.location) : h('p', { class: 'location' }, t('noLocation')),
    c.place ? h('p', {}, `${t('place')}: `, isolated(c.place)) : '',
    h('h4', {}, `${t('people')} (${c.people.length})`),
    h('ul', { class: 'people' }, people),
    c.needs?.length ? h('p', { class: 'needs' }, `${t('needs')}: ${list(c.needs.map((n) => t(`need.${n}`)))}`) : '',
    c.flags?.length ? h('p', { class: 'flags' }, `${t('flags')}: ${list(c.flags.map((f) => t(`flag.${f}`)))}`) : '',
    c.message ? h('blockquote', {}, `${t('message')}: `, isolated(c.message)) : '',
    c.reporter
      ? h('p', { class: 'reporter' }, `${t('reporter')}: `, joined([isolated(c.reporter.name), phoneLinks(c.reporter.phone), isolated(word('relation', c.reporter.relation))], ' · '))
      : '',
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
      h('select', { name: 'step', 'aria-label': t('step') }, r.next_steps.map((s) => h('option', { value: s }, t(`referralStatus.${s}`)))),
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
    ' · ',
    h('span', { class: 'referred' }, `${t('referred')} `, since(r.referred_at)),
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
