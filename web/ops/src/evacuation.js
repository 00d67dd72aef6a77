// Evacuation logistics in the ops room (issue 9). Owns: the places (assembly points, border
// crossings, airports, ports) and the active zones (danger zones, safe corridors) drawn on the
// map; the supervisors' map tools to add a place and to draw a zone; the Evacuation panel
// (places, zones and lifting them, movements with their passengers, seat suggestions, status
// buttons and manifests, planning a movement); and the counters strip. Everything follows the
// live stream (debounced reloads); the server decides every rule, this module only offers the
// steps its state machines allow and explains its refusals. Names and labels are drawn in
// isolates of their own, passports, references and coordinates left to right.
import { api } from './api.js';
import { h, isolated, isolatedLtr } from '../../shared/dom.js';
import { PASSENGER_STATUSES } from '../../shared/statuses.js';
import { explain, lang, t } from './i18n.js';

const PLACE_STYLE = {
  assembly_point: { shape: 'circle', colour: '#1f6fb2' },
  border_crossing: { shape: 'diamond', colour: '#7d3c98' },
  airport: { shape: 'triangle', colour: '#212f3d' },
  port: { shape: 'square', colour: '#117a65' },
};
const PLACE_KINDS = Object.keys(PLACE_STYLE);
const DESTINATION_KINDS = ['border_crossing', 'airport', 'port'];
const ZONE_STYLE = {
  danger: { fill: '#c0392b', stroke: '#a93226', dashed: false },
  safe_corridor: { fill: null, stroke: '#1e8449', dashed: true },
};
const MODES = ['bus', 'flight', 'ship', 'train'];
// Which step may follow which is the server's: each movement and passenger it sends carries
// `next`, the steps allowed now.
/** Movement statuses in which seats may still be given (and given back). */
const SEATING = ['planned', 'boarding'];
const COUNTERS = ['waiting', 'seats_planned', 'boarded', 'departed', 'crossed', 'arrived_home'];
/** Live events after which the counters are read again (with every zone_* and movement_*). */
const COUNTER_KINDS = new Set(['place_saved', 'passenger_changed', 'danger_zone_flagged', 'status_changed']);

/**
 * Mount into `panel` (a <details>), `counters` (the strip) and `tools` (an element over the
 * map); `map` is the room's map, `onOpenCase(id)` opens a case's drawer. Supervisors and admins
 * get the tools that change places, zones and movements. Returns `{onEvent(event), unmount()}`;
 * `onEvent` is to be given every live event.
 */
export function mountEvacuation({ panel, counters, tools, map, user, onOpenCase }) {
  const supervises = user.role !== 'operator';
  let places = [];
  let zones = [];
  let movements = [];
  const notices = { zones: null, movements: null }; // the last refusal of a list's action
  const opened = new Map(); // movement id → {detail, suggestion, chosen, radius, split, notice}
  let generation = 0; // a movements load overtaken by a later one does not draw

  const summary = h('summary', {}, t('evacuation'));
  const placesSection = h('section', { class: 'places' });
  const zonesSection = h('section', { class: 'zones' });
  const movementsSection = h('section', { class: 'movements' });
  const movementList = h('div', { class: 'movement-list' });
  const planForm = supervises ? planMovementForm() : null;
  movementsSection.append(h('h3', {}, t('movements')), movementList, planForm ?? '');
  panel.replaceChildren(summary, h('div', { class: 'evacuation-body' }, placesSection, zonesSection, movementsSection));

  // ---- places and zones: the lists and the map's layers ----

  async function loadPlaces() {
    const answer = await api.places();
    if (!answer.ok) return;
    places = answer.body;
    drawLayers();
    renderPlaces();
    if (planForm) fillPlaceChoices(planForm);
  }

  async function loadZones() {
    const answer = await api.zones();
    if (!answer.ok) return;
    zones = answer.body;
    drawLayers();
    renderZones();
    renderSummary();
  }

  function drawLayers() {
    map.setPoints(
      places.map((p) => ({ lon: p.lon, lat: p.lat, ...PLACE_STYLE[p.kind], label: p.name[lang()], sublabel: p.name[other()], legend: t(`placeKinds.${p.kind}`) })),
    );
    map.setAreas(
      zones.filter((z) => z.active).map((z) => ({ polygons: polygonsOf(z.area), ...ZONE_STYLE[z.kind], label: z.name[lang()], legend: t(`zoneKinds.${z.kind}`) })),
    );
  }

  function renderSummary() {
    const danger = zones.filter((z) => z.active && z.kind === 'danger').length;
    const active = movements.filter((m) => m.next.length).length;
    summary.replaceChildren(
      t('evacuation'),
      ' ',
      h('span', { class: 'count' }, `${t('zoneKinds.danger')}: ${danger}`),
      ' ',
      h('span', { class: 'count' }, `${t('movements')}: ${active}`),
    );
  }

  function renderPlaces() {
    placesSection.replaceChildren(
      h('h3', {}, t('places')),
      places.length
        ? h(
            'ul',
            { class: 'place-list' },
            places.map((p) =>
              h(
                'li',
                { dataset: { placeId: p.place_id, kind: p.kind } },
                h('span', { class: `swatch shape-${PLACE_STYLE[p.kind].shape}`, style: `background:${PLACE_STYLE[p.kind].colour}` }),
                h('button', { type: 'button', class: 'link', title: t('showOnMap'), onclick: () => map.centreOn(p.lon, p.lat, 60_000) }, isolated(p.name[lang()])),
                ' · ',
                isolated(p.name[other()], { class: 'other-name' }),
                ` · ${t(`placeKinds.${p.kind}`)}`,
              ),
            ),
          )
        : h('p', { class: 'empty' }, t('noPlaces')),
    );
  }

  function renderZones() {
    const item = (z) =>
      h(
        'li',
        { class: `zone kind-${z.kind}${z.active ? '' : ' lifted'}`, dataset: { zoneId: z.zone_id } },
        h('button', { type: 'button', class: 'link', title: t('showOnMap'), onclick: () => map.fit(polygonsOf(z.area).flat(2)) }, isolated(z.name[lang()])),
        ` · ${t(`zoneKinds.${z.kind}`)}`,
        z.kind === 'danger' ? ` · ${t('flaggedCases')}: ${z.flagged}` : '',
        z.active ? '' : ` · ${t('lifted')}`,
        z.active && supervises ? h('button', { type: 'button', name: 'lift', onclick: () => lift(z) }, t('lift')) : '',
      );
    zonesSection.replaceChildren(
      h('h3', {}, t('zones')),
      notice(notices.zones),
      zones.length ? h('ul', { class: 'zone-list' }, zones.map(item)) : h('p', { class: 'empty' }, t('noZones')),
    );
  }

  async function lift(zone) {
    if (!window.confirm(t('confirmLift'))) return;
    const answer = await api.liftZone(zone.zone_id);
    notices.zones = answer.ok ? null : answer;
    loadZones();
  }

  // ---- the supervisors' map tools: add a place, draw a zone ----

  function showTool(content) {
    tools.replaceChildren(content);
  }

  function idleTools() {
    map.takeClicks(null);
    map.setDraft(null);
    showTool(
      h(
        'div',
        { class: 'tool-buttons' },
        h('button', { type: 'button', name: 'add-place', onclick: addPlaceTool }, t('addPlace')),
        h('button', { type: 'button', name: 'draw-zone', onclick: drawZoneTool }, t('drawZone')),
      ),
    );
  }

  function addPlaceTool() {
    let point = null;
    const where = h('p', { class: 'hint' }, t('clickPlace'));
    const save = h('button', { type: 'submit', name: 'save-place', disabled: true }, t('save'));
    const refused = h('div', { class: 'refusal' });
    map.takeClicks(([lon, lat]) => {
      point = [round(lon), round(lat)];
      map.setDraft([point]);
      where.replaceChildren(`${t('coordinates')}: `, isolatedLtr(`${point[1]}, ${point[0]}`));
      save.disabled = false;
    });
    const onsubmit = async (event) => {
      event.preventDefault();
      const data = new FormData(event.target);
      const answer = await api.addPlace({ kind: data.get('kind'), name: names(data), lat: point[1], lon: point[0] });
      if (!answer.ok) return refused.replaceChildren(notice(answer));
      idleTools();
      loadPlaces();
    };
    showTool(
      h(
        'form',
        { class: 'tool place-tool', onsubmit },
        h('strong', {}, t('addPlace')),
        where,
        h('label', {}, t('placeKind'), choice('kind', PLACE_KINDS, 'placeKinds')),
        nameFields(),
        refused,
        h('div', { class: 'actions' }, save, cancelButton()),
      ),
    );
  }

  function drawZoneTool() {
    const vertices = [];
    const count = h('span', { class: 'vertex-count' });
    const finish = h('button', { type: 'button', name: 'finish-zone', onclick: () => describeZone(vertices) }, t('finishShape'));
    const undo = h('button', { type: 'button', name: 'undo-vertex', onclick: () => {
      vertices.pop();
      changed();
    } }, t('undoPoint'));
    const changed = () => {
      map.setDraft([...vertices]);
      count.textContent = `${t('vertices')}: ${vertices.length}`;
      finish.disabled = vertices.length < 3;
      undo.disabled = vertices.length === 0;
    };
    map.takeClicks(([lon, lat]) => {
      vertices.push([round(lon), round(lat)]);
      changed();
    });
    changed();
    showTool(
      h(
        'div',
        { class: 'tool zone-tool' },
        h('strong', {}, t('drawZone')),
        h('p', { class: 'hint' }, t('clickVertices')),
        count,
        h('div', { class: 'actions' }, undo, finish, cancelButton()),
      ),
    );
  }

  function describeZone(vertices) {
    map.takeClicks(null);
    const refused = h('div', { class: 'refusal' });
    const onsubmit = async (event) => {
      event.preventDefault();
      const data = new FormData(event.target);
      const area = { type: 'Polygon', coordinates: [exteriorRing(vertices)] };
      const answer = await api.declareZone({ kind: data.get('kind'), name: names(data), area });
      if (!answer.ok) return refused.replaceChildren(notice(answer));
      idleTools();
      loadZones();
    };
    showTool(
      h(
        'form',
        { class: 'tool zone-tool', onsubmit },
        h('strong', {}, t('drawZone')),
        h('label', {}, t('zoneKind'), choice('kind', Object.keys(ZONE_STYLE), 'zoneKinds')),
        nameFields(),
        refused,
        h('div', { class: 'actions' }, h('button', { type: 'submit', name: 'declare-zone' }, t('declare')), cancelButton()),
      ),
    );
  }

  const cancelButton = () => h('button', { type: 'button', name: 'cancel-tool', onclick: idleTools }, t('cancel'));

  // ---- movements ----

  async function loadMovements() {
    const mine = ++generation;
    const answer = await api.movements();
    if (!answer.ok) return;
    const details = await Promise.all([...opened.keys()].map((id) => api.movement(id)));
    if (mine !== generation) return;
    movements = answer.body;
    for (const detail of details) {
      const ui = detail.ok && opened.get(detail.body.movement_id);
      if (ui) ui.detail = detail.body;
    }
    renderMovements();
    renderSummary();
  }

  function renderMovements() {
    movementList.replaceChildren(
      notice(notices.movements),
      movements.length ? h('ul', {}, movements.map(movementItem)) : h('p', { class: 'empty' }, t('noMovements')),
    );
  }

  function movementItem(m) {
    const ui = opened.get(m.movement_id);
    const counts = Object.entries(m.counts)
      .filter(([, n]) => n)
      .map(([status, n]) => `${t(`passengerStatus.${status}`)} ${n}`);
    return h(
      'li',
      { class: `movement status-${m.status}`, dataset: { movementId: m.movement_id, status: m.status } },
      h('strong', { class: 'label' }, isolated(lang() === 'ar' && m.label_ar ? m.label_ar : m.label)),
      ` · ${t(`modes.${m.mode}`)} · `,
      h('span', { class: 'status' }, t(`movementStatus.${m.status}`)),
      h('p', { class: 'route' }, isolated(m.origin.name[lang()]), ` ${t('routeArrow')} `, isolated(m.destination.name[lang()]), ` · ${t('departure')}: ${when(m.departure_at)}`),
      h('p', { class: 'counts' }, `${t('seats')}: ${m.seats}`, counts.length ? ` · ${counts.join(' · ')}` : ''),
      h(
        'div',
        { class: 'actions' },
        m.next.map((to) =>
          h('button', { type: 'button', name: `movement-${to}`, onclick: () => moveMovement(m, to) }, t(`movementAction.${to}`)),
        ),
      ),
      ui?.notice ? notice(ui.notice) : '',
      h(
        'details',
        {
          class: 'passengers',
          open: Boolean(ui),
          ontoggle: (e) => {
            if (e.target.open === opened.has(m.movement_id)) return; // our own re-render
            if (e.target.open) opened.set(m.movement_id, { detail: null, suggestion: null, chosen: new Set(), radius: 25, split: false, notice: null });
            else opened.delete(m.movement_id);
            loadMovements();
          },
        },
        h('summary', {}, t('passengers')),
        ui?.detail ? passengers(m, ui) : '',
      ),
    );
  }

  async function moveMovement(m, to) {
    const question =
      to === 'cancelled' ? t('confirmCancelMovement') : to === 'departed' && m.counts.assigned ? t('confirmDepart').replace('{n}', m.counts.assigned) : null;
    if (question && !window.confirm(question)) return;
    const answer = await api.moveMovement(m.movement_id, to);
    notices.movements = answer.ok ? null : answer;
    loadMovements();
  }

  /** A movement's passengers by status, its manifests, and (while seats can still be given)
   * the seat suggestion. */
  function passengers(m, ui) {
    const list = ui.detail.passengers;
    const id = m.movement_id;
    const groups = PASSENGER_STATUSES.map((status) => [status, list.filter((p) => p.status === status)]).filter(([, people]) => people.length);
    return h(
      'div',
      { class: 'passenger-view' },
      h(
        'p',
        { class: 'manifests' },
        h('a', { href: `/ops/movements/${id}/manifest?lang=ar`, target: '_blank', name: 'manifest-ar' }, t('manifestAr')),
        ' · ',
        h('a', { href: `/ops/movements/${id}/manifest?lang=en`, target: '_blank', name: 'manifest-en' }, t('manifestEn')),
        ' · ',
        h('a', { href: `/api/v1/movements/${id}/manifest.csv`, download: '', name: 'manifest-csv' }, t('manifestCsv')),
      ),
      groups.map(([status, people]) =>
        h(
          'div',
          { class: 'passenger-group', dataset: { status } },
          h('h4', {}, `${t(`passengerStatus.${status}`)} (${people.length})`, ' ', people.length > 1 ? passengerButtons(ui, m, people, `${t('all')}: `) : ''),
          h(
            'ul',
            {},
            people.map((p) =>
              h(
                'li',
                { class: 'passenger', dataset: { personId: p.person_id, status: p.status } },
                h('strong', {}, isolated(p.name) ?? '–'),
                p.age != null ? ` (${p.age})` : '',
                ` · ${t(`classes.${p.class}`)}`,
                p.passport ? [` · ${t('passport')} `, isolatedLtr(p.passport)] : '',
                ' · ',
                h('button', { type: 'button', class: 'link', onclick: () => onOpenCase(p.case_id) }, isolatedLtr(p.reference)),
                ' ',
                passengerButtons(ui, m, [p], ''),
              ),
            ),
          ),
        ),
      ),
      SEATING.includes(m.status) ? suggestion(m, ui) : '',
    );
  }

  /** The steps the server allows `people` (one person, or a group in one status) now. */
  function passengerButtons(ui, m, people, prefix) {
    return (people[0]?.next ?? []).map((to) =>
      h(
        'button',
        {
          type: 'button',
          name: `passenger-${to}`,
          onclick: async () => {
            const answer = await api.movePassengers(m.movement_id, people.map((p) => p.person_id), to);
            ui.notice = answer.ok ? null : answer;
            loadMovements();
          },
        },
        `${prefix}${t(`passengerAction.${to}`)}`,
      ),
    );
  }

  function suggestion(m, ui) {
    const confirmButton = h('button', { type: 'button', name: 'confirm-passengers', onclick: () => assign(m, ui) });
    const label = () => {
      confirmButton.textContent = `${t('confirmPassengers')} (${ui.chosen.size})`;
      confirmButton.disabled = ui.chosen.size === 0;
    };
    label();
    const onsubmit = async (event) => {
      event.preventDefault();
      const answer = await api.suggestPassengers(m.movement_id, { radius_km: Number(ui.radius), split_families: ui.split });
      ui.notice = answer.ok ? null : answer;
      ui.suggestion = answer.ok ? answer.body : null;
      ui.chosen = new Set(answer.ok ? answer.body.passengers.map((p) => p.person_id) : []);
      renderMovements();
    };
    const s = ui.suggestion;
    return h(
      'div',
      { class: 'suggestion' },
      h(
        'form',
        { class: 'suggest', onsubmit },
        // Kept as typed: a live reload redraws the form.
        h('label', {}, t('radiusKm'), h('input', { type: 'number', name: 'radius_km', min: 1, max: 500, required: true, value: ui.radius, oninput: (e) => (ui.radius = e.target.value) })),
        h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'split_families', checked: ui.split, onchange: (e) => (ui.split = e.target.checked) }), t('splitFamilies')),
        h('button', { type: 'submit', name: 'suggest' }, t('suggest')),
      ),
      s
        ? h(
            'div',
            { class: 'suggested' },
            h('p', {}, `${t('seatsLeft')}: ${s.seats_left} · ${t('considered')}: ${s.considered}`),
            s.passengers.length
              ? h(
                  'table',
                  {},
                  h('thead', {}, h('tr', {}, ['', t('personName'), t('age'), t('class'), t('waitingSince'), t('distance')].map((c) => h('th', {}, c)))),
                  h(
                    'tbody',
                    {},
                    s.passengers.map((p) =>
                      h(
                        'tr',
                        { dataset: { personId: p.person_id } },
                        h(
                          'td',
                          {},
                          h('input', {
                            type: 'checkbox',
                            name: 'chosen',
                            checked: ui.chosen.has(p.person_id),
                            'aria-label': p.name ?? p.reference,
                            onchange: (e) => {
                              if (e.target.checked) ui.chosen.add(p.person_id);
                              else ui.chosen.delete(p.person_id);
                              label();
                            },
                          }),
                        ),
                        h('td', {}, isolated(p.name) ?? '–', ' ', isolatedLtr(p.reference, { class: 'reference' })),
                        h('td', {}, p.age ?? '–'),
                        h('td', { class: 'class' }, t(`classes.${p.class}`)),
                        h('td', {}, when(p.waiting_since)),
                        h('td', {}, `${p.distance_km.toFixed(1)} ${t('km')}`),
                      ),
                    ),
                  ),
                )
              : h('p', { class: 'empty' }, t('noneWaiting')),
            h('div', { class: 'actions' }, confirmButton, h('button', { type: 'button', name: 'discard-suggestion', onclick: () => {
              ui.suggestion = null;
              renderMovements();
            } }, t('discard'))),
          )
        : '',
    );
  }

  async function assign(m, ui) {
    const answer = await api.assignPassengers(m.movement_id, [...ui.chosen]);
    ui.notice = answer.ok ? null : answer;
    if (answer.ok) ui.suggestion = null;
    loadMovements();
  }

  function planMovementForm() {
    const refused = h('div', { class: 'refusal' });
    const onsubmit = async (event) => {
      event.preventDefault();
      const data = new FormData(event.target);
      const answer = await api.planMovement({
        mode: data.get('mode'),
        label: data.get('label'),
        label_ar: data.get('label_ar').trim() || null,
        origin_place_id: data.get('origin_place_id'),
        destination_place_id: data.get('destination_place_id'),
        departure_at: new Date(data.get('departure_at')).toISOString(),
        seats: Number(data.get('seats')),
        shared_with: data.getAll('shared_with'),
      });
      if (!answer.ok) return refused.replaceChildren(notice(answer));
      refused.replaceChildren();
      event.target.reset();
      loadMovements();
    };
    return h(
      'form',
      { class: 'plan', onsubmit },
      h('h4', {}, t('planMovement')),
      h('label', {}, t('mode'), choice('mode', MODES, 'modes')),
      h('label', {}, t('movementLabel'), h('input', { name: 'label', required: true, maxlength: 120 })),
      h('label', {}, t('movementLabelAr'), h('input', { name: 'label_ar', maxlength: 120, lang: 'ar', dir: 'rtl' })),
      h('label', {}, t('origin'), h('select', { name: 'origin_place_id', required: true })),
      h('label', {}, t('destination'), h('select', { name: 'destination_place_id', required: true })),
      h('label', {}, t('departure'), h('input', { type: 'datetime-local', name: 'departure_at', required: true })),
      h('label', {}, t('seats'), h('input', { type: 'number', name: 'seats', min: 1, max: 5000, required: true, value: 50 })),
      h('fieldset', { class: 'share' }, h('legend', {}, t('shareWith')), h('span', { class: 'partner-choices' })),
      refused,
      h('button', { type: 'submit', name: 'plan' }, t('plan')),
    );
  }

  /** The plan form's place choices (origins are assembly points), keeping what was chosen. */
  function fillPlaceChoices(form) {
    const fill = (select, kinds) => {
      const chosen = select.value;
      const options = places
        .filter((p) => kinds.includes(p.kind))
        .map((p) => h('option', { value: p.place_id, selected: p.place_id === chosen }, `${p.name[lang()]} (${t(`placeKinds.${p.kind}`)})`));
      select.replaceChildren(h('option', { value: '' }, '–'), ...options);
    };
    fill(form.elements.origin_place_id, ['assembly_point']);
    fill(form.elements.destination_place_id, DESTINATION_KINDS);
  }

  async function loadPartners() {
    const answer = await api.partners();
    const partners = answer.ok ? answer.body : [];
    const choices = partners.map((p) =>
      h('label', {}, h('input', { type: 'checkbox', name: 'shared_with', value: p.partner_id }), isolated(lang() === 'ar' && p.name_ar ? p.name_ar : p.name)),
    );
    planForm
      .querySelector('.partner-choices')
      .replaceChildren(...(choices.length ? choices : [h('span', { class: 'empty' }, t('noPartners'))]));
  }

  // ---- the counters strip ----

  async function loadCounters() {
    const answer = await api.evacuationSummary();
    if (!answer.ok) return;
    const s = answer.body;
    const atPlaces = s.places.map((p) =>
      h('span', { class: 'counter waiting-at', dataset: { counter: 'waiting-at', placeId: p.place_id } }, isolated(p.name[lang()]), ': ', h('b', {}, p.waiting), ` ${t('counterWaiting')} · `, h('b', {}, p.assigned), ` ${t('counterAssigned')}`),
    );
    const totals = COUNTERS.map((key) => h('span', { class: 'counter', dataset: { counter: key } }, `${t(`counters.${key}`)}: `, h('b', {}, s[key])));
    counters.replaceChildren(h('strong', {}, t('evacuation')), ...atPlaces, ...totals);
  }

  // ---- live ----

  const later = {
    places: debounce(loadPlaces, 300),
    zones: debounce(loadZones, 300),
    movements: debounce(loadMovements, 300),
    counters: debounce(loadCounters, 1000),
  };

  if (supervises) {
    idleTools();
    loadPartners();
  }
  loadPlaces();
  loadZones();
  loadMovements();
  loadCounters();

  return {
    onEvent(event) {
      const kind = event.kind;
      const zone = kind.startsWith('zone_');
      const movement = kind.startsWith('movement_') || kind === 'passenger_changed';
      if (kind === 'place_saved') later.places();
      if (zone) later.zones();
      if (movement) later.movements();
      if (zone || movement || COUNTER_KINDS.has(kind)) later.counters();
    },
    unmount() {
      for (const load of Object.values(later)) load.cancel();
    },
  };
}

/** The refusal of an answer, in the page's language (by its code). Nothing for an accepted one. */
function notice(answer) {
  if (!answer || answer.ok) return '';
  return h('p', { class: 'notice error', role: 'alert' }, `${t('refused')}: ${explain(answer)}`);
}

/** A select of `values`, each shown as its word under `words`. */
function choice(name, values, words) {
  return h('select', { name }, values.map((v) => h('option', { value: v }, t(`${words}.${v}`))));
}

/** The two name fields a place or a zone needs, each in its own direction. */
function nameFields() {
  return [
    h('label', {}, t('nameEn'), h('input', { name: 'name_en', dir: 'ltr', required: true, maxlength: 120 })),
    h('label', {}, t('nameAr'), h('input', { name: 'name_ar', dir: 'rtl', required: true, maxlength: 120 })),
  ];
}

const names = (data) => ({ en: data.get('name_en').trim(), ar: data.get('name_ar').trim() });

/** The language other than the page's: places show both names. */
const other = () => (lang() === 'ar' ? 'en' : 'ar');

/** A time in the page's language, with Latin digits like the rest of the room. */
const when = (iso) => new Date(iso).toLocaleString(lang() === 'ar' ? 'ar-EG-u-nu-latn' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short' });

/** Degrees to six decimals (about 10 cm): what a click on the map can mean. */
const round = (degrees) => Math.round(degrees * 1e6) / 1e6;

/** The polygons ([[ring…]…]) of a GeoJSON Polygon or MultiPolygon. */
const polygonsOf = (area) => (area.type === 'Polygon' ? [area.coordinates] : area.type === 'MultiPolygon' ? area.coordinates : []);

/** A GeoJSON exterior ring from drawn vertices: closed and counter-clockwise (RFC 7946). */
function exteriorRing(vertices) {
  const ring = [...vertices, vertices[0]];
  const twiceArea = ring.slice(1).reduce((sum, [x, y], i) => sum + ring[i][0] * y - x * ring[i][1], 0);
  return twiceArea < 0 ? ring.reverse() : ring;
}

/** `run` once `ms` after the last call; `.cancel()` forgets a run still waiting. */
function debounce(run, ms) {
  let timer = null;
  const later = () => {
    clearTimeout(timer);
    timer = setTimeout(run, ms);
  };
  later.cancel = () => clearTimeout(timer);
  return later;
}
