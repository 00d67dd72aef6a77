// The partner page: sign in with a token, then the cases referred to the partner, live, on a
// list and a map, with the answers the partner gives, and the movements shared with it with
// their passengers. Wires the state, the API, the live feed and the panels; nothing else.
//
// The token goes to the server once, in the sign-in request, and comes back as an HttpOnly
// cookie: it is never written to localStorage or kept in a variable after that request.
//
// The desk, like every panel, answers `{onEvent, unmount}`: the feed's items go to `onEvent`,
// and leaving the desk (a language switch, signing out, a token revoked) unmounts it with its
// feed, its map, its timer and its job in the page's one frame loop (shared/frames.js).
import { h, isolated } from '../../shared/dom.js';
import { everyFrame } from '../../shared/frames.js';
import { connectLive } from '../../shared/live.js';
import { slot } from '../../shared/slot.js';
import { mountMap } from '../../shared/map.js';
import { EXPORTS, api } from './api.js';
import { acrossKm, caseCard, refreshTimes } from './cases.js';
import { errorText, lang, list, setLang, t, tf } from './i18n.js';
import { movementCard } from './movements.js';
import { REQUEST_TYPES } from '../../shared/statuses.js';
import { STATUS_FILTERS, apply, createState, load, loadMovements, matches, ordered, orderedMovements } from './state.js';

const root = document.getElementById('app');
const state = createState();
const onScreen = slot(); // the desk, while it is on the page

async function start() {
  const me = await api.me();
  if (me.ok) enter(me.body);
  else signIn();
}

/** Draw the desk for `partner`, in place of whatever the page showed. */
const enter = (partner) => onScreen.show(() => mountDesk(partner));

function languageButton(redraw) {
  return h('button', { type: 'button', class: 'lang', onclick: () => { setLang(lang() === 'ar' ? 'en' : 'ar'); redraw(); } }, t('language'));
}

function signIn(message) {
  onScreen.clear();
  root.replaceChildren(
    h(
      'form',
      {
        class: 'sign-in',
        onsubmit: async (e) => {
          e.preventDefault();
          const field = e.target.elements.token;
          const answer = await api.signIn(field.value.trim());
          field.value = '';
          if (answer.ok) enter(answer.body);
          else signIn(answer.status === 401 || answer.status === 422 ? t('errors.badToken') : errorText(answer));
        },
      },
      h('h1', {}, t('title')),
      message ? h('p', { class: 'error', role: 'alert' }, message) : '',
      h('label', {}, t('token'), h('input', { name: 'token', type: 'password', autocomplete: 'off', spellcheck: 'false', dir: 'ltr' })),
      h('p', { class: 'hint' }, t('tokenHint')),
      h('button', { type: 'submit', name: 'sign-in' }, t('signIn')),
      languageButton(() => signIn(message)),
    ),
  );
}

/** What the partner's data profile gives it, in words. */
function profileSummary(profile) {
  return h(
    'section',
    { class: 'profile' },
    h('p', {}, `${t('receives')}: `, h('span', { class: 'fields' }, list(profile.fields.map((f) => t(`profileField.${f}`))))),
    h(
      'p',
      {},
      `${t('precision')} ${acrossKm(profile.resolution)} ${t('km')}`,
      profile.evacuation_resolution > profile.resolution ? `${t('afterEvacuation')} ${acrossKm(profile.evacuation_resolution)} ${t('km')}` : '',
    ),
    profile.region ? h('p', {}, t('region')) : '',
    h(
      'p',
      { class: 'downloads' },
      `${t('download')}: `,
      h('a', { href: EXPORTS.csv, download: 'cases.csv', name: 'csv' }, t('csv')),
      ' · ',
      h('a', { href: EXPORTS.geojson, download: 'cases.geojson', name: 'geojson' }, t('geojson')),
    ),
  );
}

/** Mount the desk for `partner` in the page; answers `{onEvent(item), unmount()}`. */
function mountDesk(partner) {
  let left = false; // unmounted: answers still on their way change nothing
  let live = null;
  let stopFrames = () => {};
  const status = h('span', { class: 'connection', 'data-state': 'reconnecting' }, t('reconnecting'));
  const caseList = h('section', { class: 'cases', 'aria-label': t('cases') });
  // The filters: by the status of a referral and by its request. A case the partner has just
  // answered stays on the list until the filter changes, so an answer never pulls the next case
  // under the partner's finger.
  const filter = { status: '', request: '' };
  const kept = new Set();
  const shown = h('span', { class: 'shown' });
  const choose = (name, label, values, words) =>
    h(
      'label',
      {},
      `${t(label)} `,
      h(
        'select',
        {
          name,
          onchange: (e) => {
            filter[name] = e.target.value;
            kept.clear();
            fitted = false;
            dirty = true;
          },
        },
        h('option', { value: '' }, t('any')),
        values.map((v) => h('option', { value: v }, t(`${words}.${v}`))),
      ),
    );
  const filters = h(
    'form',
    { class: 'filters', 'aria-label': t('filters'), onsubmit: (e) => e.preventDefault() },
    choose('status', 'filterStatus', STATUS_FILTERS, 'statusFilter'),
    choose('request', 'filterRequest', REQUEST_TYPES, 'requestType'),
    shown,
  );
  const movementList = h('section', { class: 'movements', 'aria-label': t('movements') });
  const mapPanel = h('div', { class: 'map' });
  const name = (lang() === 'ar' && partner.name_ar) || partner.name;
  root.replaceChildren(
    h(
      'header',
      {},
      h('h1', {}, t('title')),
      h('span', { class: 'partner-name' }, isolated(name)),
      status,
      languageButton(() => enter(partner)),
      h('button', { type: 'button', name: 'sign-out', onclick: async () => { await api.signOut(); signIn(); } }, t('signOut')),
    ),
    profileSummary(partner.profile),
    h(
      'main',
      {},
      mapPanel,
      h('div', { class: 'list' }, h('h2', {}, t('movements')), movementList, h('h2', {}, t('cases')), filters, caseList),
    ),
  );

  const map = mountMap(mapPanel, { lang, onPickMarker: (id) => select(id, true) });
  const notices = new Map(); // referral id → the last refusal, in the page's language
  const cards = new Map(); // case id → {data, element}: only changed cases are drawn again
  const empty = h('p', { class: 'empty' }, t('noCases'));
  const noMatch = h('p', { class: 'empty' }, t('noMatch'));
  const movementCards = new Map(); // movement id → {data, element}, likewise
  const openMovements = new Set(); // movements whose passenger list the partner opened
  const noMovements = h('p', { class: 'empty' }, t('noMovements'));
  let movementsError = null;
  let fitted = false;
  let dirty = true;

  /** Pick a case: from the map (the list scrolls to it) or from the list (the map centres on it). */
  function select(caseId, fromMap) {
    state.selected = caseId;
    for (const entry of cards.values()) entry.data = null; // redraw the highlight
    dirty = true;
    const location = state.cases.get(caseId)?.location;
    if (fromMap) requestAnimationFrame(() => cards.get(caseId)?.element.scrollIntoView({ block: 'nearest' }));
    else if (location) map.centreOn(location.lon, location.lat, 60_000);
  }

  async function act(referralId, action, fields) {
    const c = [...state.cases.values()].find((x) => x.referrals.some((r) => r.referral_id === referralId));
    const answer =
      action === 'accept' ? await api.accept(referralId, fields.text)
      : action === 'decline' ? await api.decline(referralId, fields.reason)
      : await api.progress(referralId, fields.step, fields.text);
    if (answer.status === 401) return signIn(t('errors.sessionEnded'));
    if (c) kept.add(c.case_id);
    if (answer.ok) {
      notices.delete(referralId);
      // What was typed has been said: clear it from the card on screen now (a card drawn again
      // copies what its forms hold).
      for (const form of cards.get(c?.case_id)?.element.querySelectorAll(`[data-referral-id="${referralId}"] form`) ?? []) form.reset();
    } else notices.set(referralId, errorText(answer));
    // The live feed brings the change too; reading the case now shows it even while the feed
    // reconnects, and after a refusal shows the referral as it now stands.
    if (c) {
      const fresh = await api.case(c.case_id);
      if (fresh.ok || fresh.status === 404) apply(state, { case_id: c.case_id, case: fresh.ok ? fresh.body : null });
    }
    if (cards.has(c?.case_id)) cards.get(c.case_id).data = null;
    dirty = true;
  }

  function renderMovements() {
    const elements = orderedMovements(state).map((m) => {
      let entry = movementCards.get(m.movement_id);
      if (!entry || entry.data !== m) {
        // The card on screen knows best whether it is open (its toggle event comes a moment
        // after the click).
        const shown = entry?.element.querySelector('details.passengers');
        if (shown) shown.open ? openMovements.add(m.movement_id) : openMovements.delete(m.movement_id);
        const element = movementCard(m, {
          open: openMovements.has(m.movement_id),
          onToggle: (open) => (open ? openMovements.add(m.movement_id) : openMovements.delete(m.movement_id)),
        });
        entry = { data: m, element };
        movementCards.set(m.movement_id, entry);
      }
      return entry.element;
    });
    for (const id of [...movementCards.keys()]) if (!state.movements.has(id)) movementCards.delete(id);
    const wanted = movementsError ? [movementsError, ...elements] : elements.length ? elements : [noMovements];
    const current = [...movementList.children];
    if (current.length !== wanted.length || current.some((e, i) => e !== wanted[i])) movementList.replaceChildren(...wanted);
  }

  function render() {
    renderMovements();
    const all = ordered(state);
    const cases = all.filter((c) => kept.has(c.case_id) || matches(c, filter));
    shown.textContent = filter.status || filter.request ? tf('shown', cases.length, all.length) : '';
    const elements = cases.map((c) => {
      let entry = cards.get(c.case_id);
      if (!entry || entry.data !== c) {
        const element = caseCard(c, { act, notices, selected: state.selected === c.case_id, onSelect: () => select(c.case_id, false) });
        if (entry) keepTyping(entry.element, element);
        entry = { data: c, element };
        cards.set(c.case_id, entry);
      }
      return entry.element;
    });
    for (const id of [...cards.keys()]) if (!state.cases.has(id)) cards.delete(id);
    const wanted = elements.length ? elements : [all.length ? noMatch : empty];
    const current = [...caseList.children];
    // Moving a card that is already in place would take the focus from a field being typed in.
    if (current.length !== wanted.length || current.some((e, i) => e !== wanted[i])) caseList.replaceChildren(...wanted);
    const markers = cases
      .filter((c) => c.location)
      .map((c) => ({ id: c.case_id, lat: c.location.lat, lon: c.location.lon, level: c.priority, resolution: c.location.resolution, selected: state.selected === c.case_id }));
    map.setMarkers(markers);
    if (!fitted && markers.length) {
      fitted = true;
      map.fit(markers.map((m) => [m.lon, m.lat]));
    }
  }

  // One render per animation frame, however many items arrived in it; the times since referral
  // move on every half minute, in place.
  const ticking = setInterval(() => refreshTimes(caseList), 30_000);
  const frame = () => {
    if (dirty) {
      dirty = false;
      render();
    }
  };
  const onEvent = (item) => {
    apply(state, item);
    dirty = true;
  };

  (async () => {
    // Both first loads before following the feed: its items carry each case and movement as
    // it stands when the item is read, so one read a little after the other needs no fixing.
    const [first, movements] = await Promise.all([api.cases(), api.movements()]);
    if (left) return;
    if (first.status === 401 || movements.status === 401) return signIn(t('errors.sessionEnded'));
    if (!first.ok) {
      caseList.replaceChildren(h('p', { class: 'error', role: 'alert' }, errorText(first)));
      return;
    }
    load(state, first.body.cases);
    // Without the first list (said above the section), movements still come as the feed
    // mentions them.
    if (movements.ok) loadMovements(state, movements.body);
    else movementsError = h('p', { class: 'error', role: 'alert' }, errorText(movements));
    stopFrames = everyFrame(frame);
    // Follow the feed from the position the first load reflects; a reconnect resumes from the
    // last item applied.
    live = connectLive({
      path: '/api/v1/partner/live',
      since: first.body.next,
      onEvent,
      onState: async (s) => {
        status.dataset.state = s;
        status.textContent = t(s === 'live' ? 'live' : 'reconnecting');
        if (s !== 'reconnecting') return;
        // A revoked or expired token closes the feed: say so instead of retrying for ever.
        const me = await api.me();
        if (me.status === 401 && !left) signIn(t('errors.sessionEnded'));
      },
    });
  })();

  return {
    onEvent,
    unmount() {
      left = true;
      live?.close();
      stopFrames();
      clearInterval(ticking);
      map.unmount();
    },
  };
}

/** Keep what the partner was typing in a case's forms when the case is drawn again. */
function keepTyping(before, after) {
  for (const field of before.querySelectorAll('input[name], select[name]')) {
    const referral = field.closest('[data-referral-id]')?.dataset.referralId;
    const form = field.closest('form')?.className;
    const twin = after.querySelector(`[data-referral-id="${referral}"] form.${form} [name="${field.name}"]`);
    if (!twin) continue;
    if (field.value && [...(twin.options ?? [{ value: field.value }])].some((o) => o.value === field.value)) twin.value = field.value;
    if (field === document.activeElement) requestAnimationFrame(() => twin.focus());
  }
}

// Exposed for the browser tests only.
window.opsroomPartner = { state };
start();
