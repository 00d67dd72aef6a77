// The ops room: lays the page out (header with search and alerts; a toolbar of views and
// overlay panels; the filters; map, the chosen view and the case drawer side by side) and wires
// the panels to the state, the API and the live stream. Nothing else.
//
// Every panel it mounts answers `{onEvent, unmount}`: the room hands each live event to every
// panel (a panel keeps the events it cares for), and taking the room off the page (a language
// switch, signing out, a session ended elsewhere) unmounts them all with the room's live
// connection, its timers and its job in the page's one frame loop (shared/frames.js).
import { api } from './api.js';
import { mountAdvisories } from './advisories.js';
import { mountEvacuation } from './evacuation.js';
import { mountHotline } from './hotline.js';
import { mountPartners } from './partners.js';
import { mountUsers } from './users.js';
import { openDrawer } from './drawer.js';
import { mountHandover } from './handover.js';
import { mountSitrep } from './sitrep.js';
import { h } from '../../shared/dom.js';
import { everyFrame } from '../../shared/frames.js';
import { lang, setLang, t } from './i18n.js';
import { connectLive } from '../../shared/live.js';
import { slot } from '../../shared/slot.js';
import { mountMap } from '../../shared/map.js';
import { mountAlerts } from './alerts.js';
import { mountBoard, renderFilters } from './board.js';
import { mountSearch } from './search.js';
import { mountTable } from './table.js';
import { apply, caseQuery, createState, mergeSummary, parentCell } from './state.js';

const root = document.getElementById('app');
// Events that move the map's counts or the KPIs.
const MAP_KINDS = new Set(['case_reported', 'status_changed', 'priority_overridden', 'citizen_updated', 'danger_zone_flagged']);
const state = createState();
const onScreen = slot(); // the room, while it is on the page

async function start() {
  const session = await api.session();
  if (session.ok) enter(session.body);
  else login();
}

/** Draw the room for `user`, in place of whatever the page showed. */
const enter = (user) => onScreen.show(() => mountRoom(user));

function login(message) {
  onScreen.clear();
  root.replaceChildren(
    h(
      'form',
      {
        class: 'login',
        onsubmit: async (e) => {
          e.preventDefault();
          const data = new FormData(e.target);
          const answer = await api.signIn(data.get('name'), data.get('password'));
          if (answer.ok) enter(answer.body);
          else login(t('badLogin'));
        },
      },
      h('h1', {}, t('title')),
      message ? h('p', { class: 'error', role: 'alert' }, message) : null,
      h('label', {}, t('name'), h('input', { name: 'name', autocomplete: 'username', required: true })),
      h('label', {}, t('password'), h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true })),
      h('button', { type: 'submit' }, t('signIn')),
      h('button', { type: 'button', class: 'lang', onclick: () => { setLang(lang() === 'ar' ? 'en' : 'ar'); login(message); } }, t('language')),
    ),
  );
}

/** Mount the room for `user` in the page; answers `{onEvent(event), unmount()}`. */
function mountRoom(user) {
  state.user = user;
  let left = false; // unmounted: answers still on their way change nothing
  let live = null;
  const mounted = []; // every panel mounted, each {onEvent, unmount}
  const mount = (panel) => {
    mounted.push(panel);
    return panel;
  };
  const status = h('span', { class: 'connection', 'data-state': 'reconnecting' }, t('reconnecting'));
  const kpis = h('div', { class: 'kpis' });
  const alertBox = h('div', { class: 'alerts' });
  const searchBox = h('div', { class: 'search-box' });
  const filters = h('div', { class: 'filters' });
  const mapPanel = h('div', { class: 'map' });
  const views = { board: h('div', { class: 'board view' }), table: h('div', { class: 'table-view view', hidden: true }), overdue: h('div', { class: 'overdue-view view', hidden: true }) };
  const drawer = h('aside', { class: 'drawer', hidden: true });
  const counters = h('div', { class: 'evacuation-counters' });
  const mapTools = h('div', { class: 'map-tools' });
  const tabs = h('div', { class: 'view-tabs', role: 'tablist' });
  const panels = h('div', { class: 'panels' });
  const layout = h('main', {}, mapPanel, h('div', { class: 'views' }, views.board, views.table, views.overdue), drawer);
  // The hotline desk: the call-taker's screen, over the room, opened from the header.
  // It closes with its own button or the header's (Escape belongs to the desk's end-call step).
  const hotlineBody = h('div');
  const hotlinePanel = h(
    'div',
    { class: 'hotline-overlay', role: 'dialog', 'aria-label': t('hotline.title'), hidden: true },
    h('button', { type: 'button', class: 'close-overlay', name: 'close-hotline', onclick: () => showHotline(false) }, t('close')),
    hotlineBody,
  );
  let hotline = null;
  const showHotline = (shown) => {
    hotlinePanel.hidden = !shown;
    if (shown && !hotline) hotline = mount(mountHotline(hotlineBody, { user, openCase: (id) => { showHotline(false); openCase(id); } }));
    if (shown) hotline.focus();
  };
  root.replaceChildren(
    h(
      'header',
      {},
      h('h1', {}, t('title')),
      searchBox,
      status,
      kpis,
      alertBox,
      h('span', { class: 'who' }, `${user.name} (${user.role})`),
      h('button', { type: 'button', class: 'hotline-toggle', onclick: () => showHotline(hotlinePanel.hidden) }, t('hotline.title')),
      h('button', { type: 'button', class: 'lang', onclick: () => { setLang(lang() === 'ar' ? 'en' : 'ar'); enter(user); } }, t('language')),
      h('button', { type: 'button', name: 'sign-out', onclick: async () => { await api.signOut(); login(); } }, t('signOut')),
    ),
    h('nav', { class: 'toolbar' }, tabs, panels, counters),
    filters,
    layout,
    hotlinePanel,
  );

  // Panels open as overlays over the map and the board (which stay in place beneath them), one
  // at a time. `overlayPanel(name)` answers an empty <details> in the toolbar for a module's mount
  // function to fill with its <summary> and one body element.
  const overlayPanel = (name) => {
    const panel = h('details', { class: `${name}-panel overlay`, dataset: { panel: name } });
    panel.addEventListener('toggle', () => {
      if (!panel.open) return;
      for (const other of panels.querySelectorAll('details.overlay[open]')) if (other !== panel) other.open = false;
    });
    panels.append(panel);
    return panel;
  };
  const advisoriesPanel = overlayPanel('advisories');
  const evacuationPanel = overlayPanel('evacuation');
  // The partner registry is the admins' alone; the server refuses its writes to anyone else.
  const partnersPanel = user.role === 'admin' ? overlayPanel('partners') : null;
  // So are staff accounts.
  const usersPanel = user.role === 'admin' ? overlayPanel('users') : null;
  const handoverPanel = overlayPanel('handover');
  // The situation report is for supervisors and admins (the server refuses operators too).
  const sitrepPanel = user.role === 'operator' ? null : overlayPanel('sitrep');

  mount(mountAdvisories(advisoriesPanel, { user, selectedCell: () => state.filters.cell || null }));
  if (partnersPanel) mount(mountPartners(partnersPanel));
  if (usersPanel) mount(mountUsers(usersPanel, user));
  mount(mountHandover(handoverPanel, { user }));
  if (sitrepPanel) mount(mountSitrep(sitrepPanel, { user }));
  let openedDrawer = null; // the open case's drawer ({onEvent, unmount}), while one is open

  let openMatches = {}; // case id → open suggestions, as they stood when the room was drawn
  let dirty = true;
  const changed = () => {
    dirty = true;
  };
  const merge = (summaries) => {
    const now = Date.now();
    for (const fresh of summaries) {
      const merged = mergeSummary(state.cases.get(fresh.case_id), fresh, now);
      // The open suggestions as the room found them, for a case no live event has counted yet
      // (whichever answers first, the board's first page or the suggestions' count).
      if (merged.open_matches == null && openMatches[fresh.case_id]) merged.open_matches = openMatches[fresh.case_id];
      state.cases.set(fresh.case_id, merged);
    }
  };
  const openCase = (caseId) => {
    state.selected = caseId;
    drawer.hidden = false;
    layout.classList.add('with-drawer');
    openedDrawer?.unmount();
    openedDrawer = openDrawer(drawer, caseId, {
      user,
      onChanged: (summary) => {
        const held = state.cases.get(summary.case_id);
        // A full summary (with its minutes) replaces the one held; a partial one patches it.
        if (held && !('minutes_waiting' in summary)) Object.assign(held, summary);
        else merge([summary]);
        changed();
      },
      onClose: () => {
        drawer.hidden = true;
        layout.classList.remove('with-drawer');
        state.selected = null;
        openedDrawer?.unmount();
        openedDrawer = null;
      },
      onOpen: (other) => openCase(other),
    });
  };

  // The board, the table and the overdue queue: the same filters, each its own lists.
  const listContext = { state, load: api.cases, merge, onOpen: openCase, changed, now: () => Date.now(), onSort: (sort) => setSort(sort) };
  const shown = {
    board: mountBoard(views.board, listContext),
    table: mountTable(views.table, listContext),
    overdue: mountTable(views.overdue, { ...listContext, overdue: true }),
  };
  let current = 'board';
  const stale = new Set(Object.keys(shown)); // views whose lists predate the filters
  const show = (name) => {
    current = name;
    for (const [other, element] of Object.entries(views)) element.hidden = other !== name;
    for (const tab of tabs.children) tab.setAttribute('aria-selected', String(tab.dataset.view === name));
    if (stale.delete(name)) shown[name].reset();
    changed();
  };
  tabs.replaceChildren(
    ...['board', 'table', 'overdue'].map((name) =>
      h('button', { type: 'button', role: 'tab', dataset: { view: name }, onclick: () => show(name) }, t(`views.${name}`)),
    ),
  );
  const requery = () => {
    for (const name of Object.keys(shown)) stale.add(name);
    shown.board.setCounts(null); // the old filters' counts are not these filters'
    show(current);
    loadCounts();
  };
  const drawFilters = () => renderFilters(filters, state, { onChange: setFilters, onSort: setSort, partners: partnerList, crises: crisisList });
  let partnerList = [];
  let crisisList = [];
  // The crisis switch lists every crisis, and again whenever one is declared or changes.
  const loadCrises = () =>
    api.crises().then((answer) => {
      if (!answer.ok) return;
      crisisList = answer.body;
      drawFilters();
    });
  const setFilters = (next) => {
    const crisisChanged = next.crisis !== state.filters.crisis;
    state.filters = next;
    drawFilters();
    if (crisisChanged) loadKpis();
    requery();
    map.setFilters(next); // the map follows the board (and asks for its counts when they change)
  };
  const setSort = (sort) => {
    state.sort = sort;
    drawFilters();
    requery();
  };
  drawFilters();
  loadCrises();
  api.partners().then((answer) => {
    if (!answer.ok) return;
    partnerList = answer.body.map((p) => ({ partner_id: p.partner_id, name: p.name }));
    drawFilters();
  });

  mount(mountSearch(searchBox, { onOpen: openCase, merge }));
  const alerts = mount(mountAlerts(alertBox, {
    onShow: () => setFilters({ ...Object.fromEntries(Object.keys(state.filters).map((k) => [k, ''])), priority: 'critical', assignee: 'none' }),
  }));

  const map = mountMap(mapPanel, {
    onView: (bbox, resolution, filters) => loadMap(bbox, resolution, filters),
    onPickCell: (cell) => setFilters({ ...state.filters, cell }),
    lang,
  });
  // Supervisors' map tools (adding places, drawing zones) float over the map.
  mapPanel.append(mapTools);
  mount(mountEvacuation({ panel: evacuationPanel, counters, tools: mapTools, map, user, onOpenCase: openCase }));
  window.opsroom.map = map;
  api.mapConfig().then((answer) => {
    if (answer.ok && answer.body.tile_url) map.setTiles(answer.body.tile_url);
  });
  // Map questions overlap (a move of the view, the filters, the live refresh): an answer that
  // comes back after a later question's answer was shown is dropped, or it would show the
  // counts of a view or filters no longer chosen. Answers are never dropped for questions merely
  // asked since, which under a busy stream could leave the map unanswered.
  let mapAsked = 0;
  let mapShown = 0;
  async function loadMap(bbox = map.bbox(), resolution = map.resolution(), filters = map.filters()) {
    const asked = ++mapAsked;
    const answer = await api.map(bbox, resolution, filters);
    if (!answer.ok || left || asked < mapShown) return;
    mapShown = asked;
    state.map.resolution = resolution;
    state.map.question = { bbox, resolution, filters }; // what the cells answer (tests wait on it)
    state.map.cells = new Map(answer.body.features.map((f) => [f.properties.cell, { total: f.properties.counts.total, worst: f.properties.worst_priority }]));
    map.setCells(answer.body.features);
  }

  async function loadKpis() {
    const answer = await api.kpis(state.filters.crisis); // the figures follow the crisis switch
    if (!answer.ok || left) return;
    const k = answer.body;
    const minutes = k.first_contact_p50_ms == null ? '–' : `${Math.round(k.first_contact_p50_ms / 60000)} ${t('min')}`;
    kpis.replaceChildren(
      h('span', { class: 'kpi', dataset: { kpi: 'open' } }, `${t('open')}: ${k.cases.open}`),
      // The overdue queue is one click away.
      h('button', { type: 'button', class: 'kpi red', dataset: { kpi: 'sla-red' }, title: t('overdueQueue'), onclick: () => show('overdue') }, `${t('slaRed')}: ${k.sla_red}`),
      h('span', { class: 'kpi' }, `${t('contacted')}: ${k.contacted}`),
      h('span', { class: 'kpi' }, `${t('firstContact')}: ${minutes}`),
      h('span', { class: 'kpi' }, `${t('unlocated')}: ${k.unlocated}`),
    );
  }
  // True counts for the filters (every status, the overdue, the unassigned critical). One
  // question at a time: asked again while one is out, it asks once more when that one is back
  // (dropping slow answers for newer questions would starve the counts under a busy stream).
  let countsOut = false;
  let countsAgain = false;
  async function loadCounts() {
    if (countsOut) {
      countsAgain = true;
      return;
    }
    countsOut = true;
    const filters = state.filters;
    const answer = await api.counts(caseQuery(filters));
    countsOut = false;
    if (left) return;
    if (answer.ok && filters === state.filters) {
      shown.board.setCounts(answer.body);
      alerts.update(answer.body.unassigned_critical);
    }
    if (countsAgain || filters !== state.filters) {
      countsAgain = false;
      loadCounts();
    }
  }
  // At most once a second however many events arrive: the counts, and the map when an event
  // moved its figures.
  let refreshTimer = null;
  let mapMoved = false;
  const refreshSoon = (kind) => {
    if (MAP_KINDS.has(kind)) mapMoved = true;
    if (refreshTimer) return;
    refreshTimer = setTimeout(() => {
      refreshTimer = null;
      loadKpis();
      loadCounts();
      if (mapMoved) loadMap();
      mapMoved = false;
    }, 1000);
  };

  /** A live event: into the state, to the view shown (the others reload when shown), to every
   * panel and to the open case's drawer. */
  const onEvent = (event) => {
    const started = performance.now();
    const previous = event.case_id ? state.cases.get(event.case_id)?.status : undefined;
    if (apply(state, event)) changed();
    shown[current].onEvent(event, previous);
    for (const name of Object.keys(shown)) if (name !== current) stale.add(name);
    metrics.pending += performance.now() - started;
    if (event.case_id || MAP_KINDS.has(event.kind)) refreshSoon(event.kind);
    if (event.kind.startsWith('crisis_')) loadCrises();
    for (const panel of mounted) panel.onEvent(event);
    openedDrawer?.onEvent(event);
  };

  // Load the board, then follow the live stream from the position the load reflects.
  (async () => {
    // Open suggestions as they stand; live events move the counts from here.
    const open = await api.openMatches();
    if (left) return;
    if (open.ok) openMatches = open.body;
    // Cases a list filed before the count arrived get theirs now.
    for (const [caseId, count] of Object.entries(openMatches)) {
      const summary = state.cases.get(caseId);
      if (summary && summary.open_matches == null) summary.open_matches = count;
    }
    show('board');
    loadKpis();
    loadCounts();
    live = connectLive({
      onSnapshot: () => {},
      onEvent,
      onState: (s) => {
        status.dataset.state = s;
        status.textContent = t(s === 'live' ? 'live' : 'reconnecting');
        // A stream also ends when the session does (signed out elsewhere, disabled, idle):
        // then there is nothing to reconnect to, only the sign-in.
        if (s === 'reconnecting') {
          api.session().then((answer) => {
            if (answer.status === 401 && !left) login(t('sessionEnded'));
          });
        }
        // Back after a gap: counts and rows as they now stand.
        if (s === 'live') refreshSoon('case_reported');
      },
    });
  })();

  // One render per animation frame, however many events arrived in it; and once a minute, the
  // minutes waiting and overdue move on.
  let minute = Math.floor(Date.now() / 60_000);
  const stopFrames = everyFrame(() => {
    const started = performance.now();
    const now = Math.floor(Date.now() / 60_000);
    if (now !== minute) {
      minute = now;
      dirty = true;
    }
    if (dirty) {
      dirty = false;
      shown[current].render();
      map.setCases(() =>
        [...state.cases.values()].filter((c) => c.lat != null).map((c) => ({ lat: c.lat, lon: c.lon, level: c.priority.level })),
      );
    }
    metrics.record(metrics.pending + performance.now() - started);
    metrics.pending = 0;
  });

  return {
    onEvent,
    unmount() {
      left = true;
      stopFrames();
      live?.close();
      clearTimeout(refreshTimer);
      map.unmount();
      for (const view of Object.values(shown)) view.unmount();
      for (const panel of mounted) panel.unmount();
      openedDrawer?.unmount();
    },
  };
}

// Main-thread work of ours per animation frame (event handling and board rendering; the map
// adds its own draw time), kept for the last 2,000 frames. The browser benchmark reads it.
const metrics = {
  pending: 0,
  frames: [],
  record(ms) {
    if (this.frames.length >= 2000) this.frames.shift();
    this.frames.push(ms);
  },
};

// Exposed for the browser tests and the benchmark only (`map` once the room is shown).
window.opsroom = { state, parentCell, metrics, map: null };
start();
