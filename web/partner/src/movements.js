// One movement shared with the partner (a convoy, a flight, a ship, a train) as its feed carries
// it: where from and where to, when, its status and seats, how many passengers are at each step,
// and (opened) each passenger with whatever the partner's profile gives of them — those needing
// medical care marked, so a team at the crossing knows who is coming and who needs it.
import { h, isolated, isolatedLtr, joined } from '../../shared/dom.js';
import { lang, list, t } from './i18n.js';
import { needsCare, orderedPassengers, passengerCounts, seatsTaken } from './state.js';

// A departure is told with its time zone: the page may be read on either side of a border.
const when = (at) =>
  new Date(at).toLocaleString(lang() === 'ar' ? 'ar' : 'en-GB', {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
  });

/** A place's name in the page's language (the other one if that is empty), and its kind. */
function placeName(place) {
  const name = place.name[lang()] || place.name[lang() === 'ar' ? 'en' : 'ar'];
  return h('span', { class: 'place' }, isolated(name), ' ', h('span', { class: 'place-kind' }, `(${t(`placeKinds.${place.kind}`)})`));
}

/**
 * Render movement `m`. `open` says whether its passenger list is shown; `onToggle(open)` is told
 * when the partner opens or closes it, so a redraw keeps it as it was.
 */
export function movementCard(m, { open, onToggle }) {
  const counts = passengerCounts(m);
  const care = m.passengers.filter(needsCare).length;
  return h(
    'article',
    { class: `movement status-${m.status}`, dataset: { movementId: m.movement_id, status: m.status } },
    h(
      'header',
      {},
      h('h3', {}, h('span', { class: 'mode' }, t(`modes.${m.mode}`)), ' · ', isolated(lang() === 'ar' && m.label_ar ? m.label_ar : m.label, { class: 'label' })),
      h('span', { class: `movement-status status-${m.status}` }, t(`movementStatus.${m.status}`)),
    ),
    h('p', { class: 'route' }, placeName(m.origin), ` ${t('routeArrow')} `, placeName(m.destination)),
    h(
      'p',
      { class: 'schedule' },
      `${t('departure')}: `,
      h('bdi', { class: 'departure' }, when(m.departure_at)),
      ' · ',
      `${t('seats')}: `,
      h('span', { class: 'seats' }, `${seatsTaken(m)} / ${m.seats} ${t('seatsTaken')}`),
    ),
    counts.length || care
      ? h(
          'p',
          { class: 'counts' },
          counts.map(([status, n]) => h('span', { class: `count status-${status}`, dataset: { status } }, `${t(`passengerCount.${status}`)}: `, h('b', {}, n))),
          care ? h('span', { class: 'count care', dataset: { status: 'care' } }, `${t('needCareCount')}: `, h('b', {}, care)) : '',
        )
      : '',
    h(
      'details',
      {
        class: 'passengers',
        open: Boolean(open),
        ontoggle: (e) => onToggle(e.target.open),
      },
      h('summary', {}, `${t('passengers')} (${m.passengers.length})`),
      m.passengers.length
        ? h('ul', { class: 'passenger-list' }, orderedPassengers(m).map(passengerItem))
        : h('p', { class: 'empty' }, t('noPassengers')),
    ),
  );
}

/** One passenger: status, then only the fields the partner receives (each isolated with <bdi>,
 * phones and passports left to right, so a Latin name or a phone number reads the same in an
 * Arabic line and nothing typed can reorder its neighbours). */
function passengerItem(p) {
  const care = needsCare(p);
  const status = p.status ?? 'waiting';
  const parts = joined(
    [
      isolated(p.name),
      isolated(p.age != null ? `${t('age')} ${p.age}` : null),
      isolated(p.sex && p.sex !== 'unknown' ? t(`sex.${p.sex}`) : null),
      isolatedLtr(p.phone),
      isolatedLtr(p.passport),
    ],
    ' · ',
  );
  return h(
    'li',
    { class: `passenger status-${status}${care ? ' needs-care' : ''}`, dataset: { personId: p.person_id, status } },
    h('span', { class: 'passenger-status' }, t(`passengerStatus.${status}`)),
    ' ',
    care ? [h('span', { class: 'care-badge' }, t('needsCare')), ' '] : '',
    h('span', { class: 'who' }, parts.length ? parts : '•'),
    ' · ',
    h('span', { class: 'ref', dir: 'ltr', title: t('reference') }, p.reference),
    p.needs?.length ? h('span', { class: 'needs' }, `${t('needs')}: ${list(p.needs.map((n) => t(`need.${n}`)))}`) : '',
    p.flags?.length ? h('span', { class: 'flags' }, `${t('flags')}: ${list(p.flags.map((f) => t(`flag.${f}`)))}`) : '',
  );
}
