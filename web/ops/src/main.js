// The ops room: wires the panels to the state, the API and the live stream. Nothing else.
import { api } from './api.js';
import { mountAdvisories } from './advisories.js';
import { mountEvacuation } from './evacuation.js';
import { mountPartners } from './partners.js';
import { mountUsers } from './users.js';
import { openDrawer } from './drawer.js';
import { h } from './dom.js';
import { lang, setLang, t } from './i18n.js';
import { connectLive } from './live.js';
import { mountMap } from './map.js';
import { renderBoard, renderFilters } from './board.js';
import { DONE_STATUSES, OPEN_STATUSES, apply, createState, parentCell } from './state.js';

const root = document.getElementById('app');
// Events that move the map's counts or the KPIs.
const MAP_KINDS = new Set(['case_reported', 'status_changed', 'priority_overridden', 'citizen_updated', 'danger_zone_flagged']);
const state = createState();
let live = null;

async function start() {
  const session = await api.session();
  if (session.ok) room(session.body);
  else login();
}

function login(message) {
  root.replaceChildren(
    h(
      'form',
      {
        class: 'login',
        onsubmit: async (e) => {
          e.preventDefault();
          const data = new FormData(e.target);
          const answer = await api.signIn(data.get('name'), data.get('password'));
          if (answer.ok) room(answer.body);
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

function room(user) {
  state.user = user;
  const status = h('span', { class: 'connection', 'data-state': 'reconnecting' }, t('reconnecting'));
  const kpis = h('div', { class: 'kpis' });
  const filters = h('div', { class: 'filters' });
  const mapPanel = h('div', { class: 'map' });
  const board = h('div', { class: 'board' });
  const drawer = h('aside', { class: 'drawer', hidden: true });
  const advisoriesPanel = h('details', { class: 'advisories-panel' });
  const evacuationPanel = h('details', { class: 'evacuation-panel' });
  const counters = h('div', { class: 'evacuation-counters' });
  const mapTools = h('div', { class: 'map-tools' });
  // The partner registry is the admins' alone; the server refuses its writes to anyone else.
  const partnersPanel = user.role === 'admin' ? h('details', { class: 'partners-panel' }) : null;
  // So are staff accounts.
  const usersPanel = user.role === 'admin' ? h('details', { class: 'users-panel' }) : null;
  root.replaceChildren(
    h(
      'header',
      {},
      h('h1', {}, t('title')),
      status,
      kpis,
      h('span', { class: 'who' }, `${user.name} (${user.role})`),
      h('button', { type: 'button', class: 'lang', onclick: () => { setLang(lang() === 'ar' ? 'en' : 'ar'); live?.close(); room(user); } }, t('language')),
      h('button', { type: 'button', onclick: async () => { await api.signOut(); live?.close(); login(); } }, t('signOut')),
    ),
    filters,
    counters,
    advisoriesPanel,
    evacuationPanel,
    ...(partnersPanel ? [partnersPanel] : []),
    ...(usersPanel ? [usersPanel] : []),
    h('main', {}, mapPanel, board, drawer),
  );
  const advisories = mountAdvisories(advisoriesPanel, { user, selectedCell: () => state.filters.cell || null });
  const partners = partnersPanel ? mountPartners(partnersPanel) : null;
  const users = usersPanel ? mountUsers(usersPanel, user) : null;
  let openedDrawer = null; // the drawer's live hook, while a case is open

  let boardDirty = true;
  const redrawBoard = () => {
    boardDirty = true;
  };
  const openCase = (caseId) => {
    state.selected = caseId;
    drawer.hidden = false;
    openedDrawer = openDrawer(drawer, caseId, {
      user,
      onChanged: (summary) => {
        state.cases.set(summary.case_id, summary);
        redrawBoard();
      },
      onClose: () => {
        drawer.hidden = true;
        state.selected = null;
        openedDrawer = null;
      },
      onOpen: (other) => openCase(other),
    });
  };
  const setFilters = (next) => {
    state.filters = next;
    renderFilters(filters, state, setFilters);
    redrawBoard();
  };
  renderFilters(filters, state, setFilters);

  const map = mountMap(mapPanel, {
    onView: (bbox, resolution, filters) => loadMap(bbox, resolution, filters),
    onPickCell: (cell) => setFilters({ ...state.filters, cell }),
    lang,
  });
  // Supervisors' map tools (adding places, drawing zones) float over the map.
  mapPanel.append(mapTools);
  const evacuation = mountEvacuation({ panel: evacuationPanel, counters, tools: mapTools, map, user, onOpenCase: openCase });
  window.opsroom.map = map;
  api.mapConfig().then((answer) => {
    if (answer.ok && answer.body.tile_url) map.setTiles(answer.body.tile_url);
  });
  async function loadMap(bbox = map.bbox(), resolution = map.resolution(), filters = map.filters()) {
    const answer = await api.map(bbox, resolution, filters);
    if (!answer.ok) return;
    state.map.resolution = resolution;
    state.map.cells = new Map(answer.body.features.map((f) => [f.properties.cell, { total: f.properties.counts.total, worst: f.properties.worst_priority }]));
    map.setCells(answer.body.features);
  }

  let kpiTimer = null;
  let totals = null;
  async function loadKpis() {
    const answer = await api.kpis();
    if (!answer.ok) return;
    const k = answer.body;
    totals = k.cases.by_status;
    redrawBoard();
    const minutes = k.first_contact_p50_ms == null ? '–' : `${Math.round(k.first_contact_p50_ms / 60000)} min`;
    kpis.replaceChildren(
      h('span', { class: 'kpi', dataset: { kpi: 'open' } }, `${t('open')}: ${k.cases.open}`),
      h('span', { class: 'kpi red', dataset: { kpi: 'sla-red' } }, `${t('slaRed')}: ${k.sla_red}`),
      h('span', { class: 'kpi' }, `${t('contacted')}: ${k.contacted}`),
      h('span', { class: 'kpi' }, `${t('firstContact')}: ${minutes}`),
      h('span', { class: 'kpi' }, `${t('unlocated')}: ${k.unlocated}`),
    );
  }
  const refreshSoon = () => {
    clearTimeout(kpiTimer);
    kpiTimer = setTimeout(() => {
      loadKpis();
      loadMap();
    }, 1000);
  };

  // Load each open column, then follow the live stream from the position the load reflects.
  (async () => {
    const loads = [...OPEN_STATUSES.map((s) => [s, 200]), ...DONE_STATUSES.map((s) => [s, 25])];
    const pages = await Promise.all(loads.map(([status, limit]) => api.cases({ status, limit })));
    for (const page of pages) if (page.ok) for (const c of page.body.cases) state.cases.set(c.case_id, c);
    // Open suggestions as they stand; live events move the counts from here.
    const open = await api.openMatches();
    if (open.ok) {
      for (const [caseId, count] of Object.entries(open.body)) {
        const summary = state.cases.get(caseId);
        if (summary) summary.open_matches = count;
      }
    }
    redrawBoard();
    loadKpis();
    live = connectLive({
      onSnapshot: () => {},
      onEvent: (event) => {
        const started = performance.now();
        const changed = apply(state, event);
        metrics.pending += performance.now() - started;
        if (changed) redrawBoard();
        if (MAP_KINDS.has(event.kind)) refreshSoon();
        if (event.kind.startsWith('advisory_')) advisories.refresh();
        if (event.kind.startsWith('partner_')) partners?.refresh();
        if (event.kind.startsWith('user_')) users?.refresh();
        evacuation.onEvent(event);
        if (event.case_id && event.case_id === state.selected) openedDrawer?.onEvent(event);
      },
      onState: (s) => {
        status.dataset.state = s;
        status.textContent = t(s === 'live' ? 'live' : 'reconnecting');
        // A stream also ends when the session does (signed out elsewhere, disabled, idle):
        // then there is nothing to reconnect to, only the sign-in.
        if (s === 'reconnecting') {
          api.session().then((answer) => {
            if (answer.status !== 401 || live === null) return;
            live.close();
            live = null;
            login(t('sessionEnded'));
          });
        }
      },
    });
  })();

  // One render per animation frame, however many events arrived in it.
  const frame = () => {
    const started = performance.now();
    if (boardDirty) {
      boardDirty = false;
      renderBoard(board, state, openCase, totals);
      map.setCases(() =>
        [...state.cases.values()].filter((c) => c.lat != null).map((c) => ({ lat: c.lat, lon: c.lon, level: c.priority.level })),
      );
    }
    metrics.record(metrics.pending + performance.now() - started);
    metrics.pending = 0;
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
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
