// The map, behind one small interface: a canvas with a basemap that ships with the binary
// (Natural Earth country outlines, GeoNames place names), H3 hexagons coloured by their worst
// priority, individual cases when zoomed in, markers (the partner page's cases: a dot at a
// coarse cell's centre inside a circle as wide as the cell), areas (polygons with a fill and an
// outline), labelled points, and a shape being drawn, whose vertices a caller collects by
// taking the map's clicks (`takeClicks`). Works offline: nothing is fetched but our own /ops/
// assets (the partner page uses the same ones) and what the caller asks for. It knows no page's
// state: the label language comes in as `lang()`, other labels come written, and the board's
// filters come in through `setFilters` and go out with `onView` for the caller to ask for.
//
// Every text on the canvas (hexagons' counts, points' and areas' labels, town names) is placed
// by one greedy pass: most important first, and a label whose box would overlap one already
// placed is left out, so no two are ever drawn over each other. Town names are written in the
// page's language only (a town with no name in that script stays unnamed). Below the canvas,
// never over the data, a legend says what the colours, numbers and shapes drawn now mean; its
// few words are the map's own, in both languages, since two pages with different dictionaries
// share this module.
import { feature } from 'topojson-client';
import { everyFrame } from './frames.js';
import { nameIn, onPlaces, placesInView, rememberCell } from './places.js';

/** Individual cases are drawn from this zoom on (pixels per unit of the Mercator square). */
const CASES_FROM_SCALE = 60_000;

/** Live changes to the individual cases redraw the map at most this often (a redraw of 20,000
 * dots costs about one frame of a slow machine; at 200 events a second each frame has one). A
 * move of the view or any other change redraws at the next frame. */
const CASES_EVERY_MS = 250;

const COLOURS = { critical: '#c0392b', high: '#e67e22', normal: '#f1c40f', low: '#7f8c8d' };

/** The legend's words. */
const WORDS = {
  ar: {
    legend: 'مفتاح الخريطة',
    level: { critical: 'حرجة', high: 'عالية', normal: 'عادية', low: 'منخفضة' },
    hexagon: 'الرقم في الخلية: عدد حالاتها؛ لونها: أشد أولوية فيها',
    case: 'حالة (عن قرب)',
    marker: 'حالة؛ الدائرة: المنطقة المعروف أنها فيها',
  },
  en: {
    legend: 'Map key',
    level: { critical: 'Critical', high: 'High', normal: 'Normal', low: 'Low' },
    hexagon: 'Number in a hexagon: its cases; colour: the worst priority there',
    case: 'A case (close up)',
    marker: 'A case; circle: the area it is known to be in',
  },
};

/** The board's filters the map answers follow, as the API's query parameters name them. */
const FILTER_PARAMETERS = ['crisis', 'status', 'priority', 'need', 'flag', 'channel', 'assignee', 'sla', 'partner', 'q'];

/** Placement order of texts: data first, then what the operators put on the map, then towns. */
const RANK = { count: 0, point: 1, area: 1, place: 2 };

/** Points' shapes other than the circle, as corners around the point in pixels. */
const SHAPES = {
  diamond: [[0, -8], [8, 0], [0, 8], [-8, 0]],
  triangle: [[0, -8], [8, 6], [-8, 6]],
  square: [[-6, -6], [6, -6], [6, 6], [-6, 6]],
};

/** Web Mercator: degrees to unit-square coordinates (x east, y south). */
function project(lon, lat) {
  const s = Math.sin((Math.max(-85, Math.min(85, lat)) * Math.PI) / 180);
  return [(lon + 180) / 360, 0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)];
}

function unproject(x, y) {
  const lon = x * 360 - 180;
  const lat = (Math.atan(Math.sinh(Math.PI * (1 - 2 * y))) * 180) / Math.PI;
  return [lon, lat];
}

/** Average H3 edge length in km per resolution (from the H3 tables); a hexagon's circumradius. */
export const EDGE_KM = [1107.7, 418.7, 158.2, 59.8, 22.6, 8.5, 3.2, 1.2, 0.46, 0.17];

/**
 * Mount the map in `element`. `onView(bbox, resolution, filters)` fires (debounced) when the view
 * or the filters change (`filters`: the API's map query parameters, see `setFilters`);
 * `onPickCell(hex)` when a hexagon is clicked, `onPickMarker(id)` when a marker is; `lang()`
 * says which language place labels and the legend are written in ('ar' or 'en').
 */
export function mountMap(element, { onView = () => {}, onPickCell = () => {}, onPickMarker = () => {}, lang = () => 'en' }) {
  const canvas = document.createElement('canvas');
  canvas.className = 'map-canvas';
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', 'map');
  element.append(canvas);
  const credit = document.createElement('span');
  credit.className = 'map-credit';
  credit.textContent = 'Natural Earth · GeoNames (CC BY 4.0) · Wikipedia (CC BY-SA 4.0)';
  const legend = document.createElement('div');
  legend.className = 'map-legend';
  legend.append(credit);
  element.append(legend);
  const onScreen = canvas.getContext('2d');
  let context = onScreen; // what `ring` and the drawing below draw on

  // View: centre in unit coordinates and scale (pixels per unit). Sudan and Egypt at start.
  let centre = project(31.5, 20);
  let scale = 9000;
  let countries = [];
  let cells = []; // [{cell, total, worst, ring: [[lon,lat]...]}]
  let casesSource = () => []; // gives the cases: [{lat, lon, level}]
  let cases = []; // as drawn last
  let markers = []; // [{id, lat, lon, level, resolution, selected}]
  let areas = []; // [{polygons: [[ring…]…], fill, stroke, dashed, label}]
  let points = []; // [{lon, lat, shape, colour, label, sublabel}]
  let draft = null; // [[lon, lat]…]: the outline being drawn
  let clickTaker = null; // while set, a click gives it [lon, lat] and picks nothing
  let filters = {}; // API query parameters of the board's filters
  let placedLabels = []; // the boxes of the texts drawn last, for tests
  let legendKey = '';
  let dirty = true; // redraw at the next frame
  let casesMoved = false; // redraw within CASES_EVERY_MS: live cases changed, nothing else
  let drawnAt = 0;

  fetch('/ops/countries.json')
    .then((r) => r.json())
    .then((topology) => {
      // Each country with its box, so a view draws only the countries it shows.
      countries = feature(topology, topology.objects.countries).features.map((country) => {
        const g = country.geometry;
        const polygons = g?.type === 'Polygon' ? [g.coordinates] : g?.type === 'MultiPolygon' ? g.coordinates : [];
        const box = [Infinity, Infinity, -Infinity, -Infinity];
        for (const polygon of polygons) {
          for (const [lon, lat] of polygon[0]) {
            box[0] = Math.min(box[0], lon);
            box[1] = Math.min(box[1], lat);
            box[2] = Math.max(box[2], lon);
            box[3] = Math.max(box[3], lat);
          }
        }
        return { polygons, box };
      });
      dirty = true;
    });
  // Towns arrive country by country as views need them (see places.js).
  onPlaces(() => {
    dirty = true;
  });

  const size = () => [canvas.clientWidth, canvas.clientHeight];
  const toScreen = (lon, lat) => {
    const [x, y] = project(lon, lat);
    const [w, h] = size();
    return [(x - centre[0]) * scale + w / 2, (y - centre[1]) * scale + h / 2];
  };
  const fromScreen = (px, py) => {
    const [w, h] = size();
    return unproject(centre[0] + (px - w / 2) / scale, centre[1] + (py - h / 2) / scale);
  };
  // The finest H3 resolution whose hexagons are still at least ~24 px across on screen.
  const resolution = () => {
    let chosen = 0;
    EDGE_KM.forEach((edge, r) => {
      if ((2 * edge * scale) / 40075 >= 24) chosen = r;
    });
    return chosen;
  };
  const bbox = () => {
    const [w, h] = size();
    const [west, north] = fromScreen(0, 0);
    const [east, south] = fromScreen(w, h);
    const clamp = (v, lo, hi) => Math.max(lo, Math.min(hi, v));
    return [clamp(west, -180, 180), clamp(south, -90, 90), clamp(east, -180, 180), clamp(north, -90, 90)];
  };

  let viewTimer = null;
  const viewChanged = () => {
    dirty = true;
    clearTimeout(viewTimer);
    viewTimer = setTimeout(() => onView(bbox(), resolution(), { ...filters }), 250);
  };

  function ring(coordinates) {
    coordinates.forEach(([lon, lat], i) => {
      const [x, y] = toScreen(lon, lat);
      if (i === 0) context.moveTo(x, y);
      else context.lineTo(x, y);
    });
    context.closePath();
  }

  // The basemap (tens of thousands of outline vertices) is drawn into its own canvas only when
  // the view changes; live updates redraw just the hexagons, dots and labels over it.
  const base = document.createElement('canvas');
  let baseView = '';

  function drawBase(w, h, ratio) {
    const view = `${centre[0]},${centre[1]},${scale},${w},${h},${ratio},${countries.length}`;
    if (view === baseView) return;
    baseView = view;
    base.width = w * ratio;
    base.height = h * ratio;
    const target = context;
    context = base.getContext('2d');
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.fillStyle = '#dfe8ef';
    context.fillRect(0, 0, w, h);
    const tiled = tileTemplate !== null && drawTiles(w, h);
    context.fillStyle = '#f7f5ef';
    context.strokeStyle = '#9aa5ad';
    context.lineWidth = 0.7;
    const [west, south, east, north] = bbox();
    for (const { polygons, box } of countries) {
      if (box[0] > east || box[2] < west || box[1] > north || box[3] < south) continue;
      context.beginPath();
      for (const polygon of polygons) for (const r of polygon) ring(r);
      if (!tiled) context.fill('evenodd'); // over street tiles, outlines only
      context.stroke();
    }
    context = target;
  }

  // Optional street-level tiles from the operator's own tile server (XYZ, Web Mercator: the
  // same unit square as our projection, so tile (z, x, y) covers [x, x+1] / 2^z).
  let tileTemplate = null;
  const tiles = new Map(); // url → Image
  function drawTiles(w, h) {
    const z = Math.max(0, Math.min(19, Math.round(Math.log2(scale / 256))));
    const n = 2 ** z;
    const tilePixels = scale / n;
    const left = centre[0] - w / 2 / scale;
    const top = centre[1] - h / 2 / scale;
    let drawn = 0;
    for (let x = Math.floor(left * n); x <= Math.floor((left + w / scale) * n); x++) {
      for (let y = Math.max(0, Math.floor(top * n)); y <= Math.min(n - 1, Math.floor((top + h / scale) * n)); y++) {
        const url = tileTemplate.replace('{z}', z).replace('{x}', ((x % n) + n) % n).replace('{y}', y);
        let image = tiles.get(url);
        if (!image) {
          image = new Image();
          image.onload = () => {
            baseView = '';
            dirty = true;
          };
          image.src = url;
          tiles.set(url, image);
        }
        if (image.complete && image.naturalWidth > 0) {
          context.drawImage(image, (x / n - left) * scale, (y / n - top) * scale, tilePixels + 0.5, tilePixels + 0.5);
          drawn += 1;
        }
      }
    }
    return drawn > 0;
  }

  function draw() {
    const ratio = window.devicePixelRatio || 1;
    const [w, h] = size();
    if (!w || !h) return; // not laid out (yet): the resize observer asks again
    if (canvas.width !== w * ratio || canvas.height !== h * ratio) {
      canvas.width = w * ratio;
      canvas.height = h * ratio;
    }
    drawBase(w, h, ratio);
    cases = scale > CASES_FROM_SCALE ? casesSource() : [];
    context.setTransform(1, 0, 0, 1, 0, 0);
    context.drawImage(base, 0, 0);
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.lineWidth = 0.7;
    for (const cell of cells) {
      context.beginPath();
      ring(cell.ring);
      context.globalAlpha = 0.55;
      context.fillStyle = COLOURS[cell.worst] ?? COLOURS.low;
      context.fill();
      context.globalAlpha = 1;
      context.strokeStyle = '#333';
      context.stroke();
    }
    // One path per colour, of the dots on screen only: tens of thousands of cases cost four
    // fills, not one each.
    for (const [level, colour] of Object.entries(COLOURS)) {
      context.beginPath();
      for (const c of cases) {
        if (c.level !== level) continue;
        const [x, y] = toScreen(c.lon, c.lat);
        if (x < -4 || y < -4 || x > w + 4 || y > h + 4) continue;
        context.moveTo(x + 4, y);
        context.arc(x, y, 4, 0, 2 * Math.PI);
      }
      context.fillStyle = colour;
      context.fill();
    }
    for (const m of markers) {
      const [x, y] = toScreen(m.lon, m.lat);
      // A cell of the marker's resolution, as wide as it is on screen (a unit of the Mercator
      // square is 40,075 km times the cosine of the latitude).
      const radius = ((EDGE_KM[m.resolution] ?? 0) * scale) / (40075 * Math.cos((m.lat * Math.PI) / 180));
      if (radius > 6) {
        context.beginPath();
        context.arc(x, y, radius, 0, 2 * Math.PI);
        context.globalAlpha = 0.2;
        context.fillStyle = COLOURS[m.level] ?? COLOURS.low;
        context.fill();
        context.globalAlpha = 1;
      }
      context.beginPath();
      context.arc(x, y, m.selected ? 8 : 6, 0, 2 * Math.PI);
      context.fillStyle = COLOURS[m.level] ?? COLOURS.low;
      context.fill();
      context.strokeStyle = m.selected ? '#000' : '#fff';
      context.lineWidth = 2;
      context.stroke();
      context.lineWidth = 0.7;
    }
    const texts = [];
    for (const cell of cells) {
      const [x, y] = toScreen(...cell.centre);
      texts.push({ kind: 'count', weight: cell.total, text: String(cell.total), spots: [[x, y + 4, 'center']], font: BOLD, colour: '#111', halo: true });
    }
    drawAreas(texts);
    drawPoints(texts);
    drawDraft();
    // Towns, biggest first (the list is sorted so), in the page's language.
    const language = lang();
    for (const place of placesInView(bbox())) {
      const name = nameIn(place, language);
      if (!name) continue;
      const [x, y] = toScreen(place.x, place.y);
      if (x < 0 || y < 0 || x > w || y > h) continue;
      // Above its dot if there is room, else below, after or before it.
      const spots = [[x, y - 5, 'center'], [x, y + 14, 'center'], [x + 5, y + 4, 'left'], [x - 5, y + 4, 'right']];
      texts.push({ kind: 'place', weight: place.p, text: name, spots, font: PLAIN, colour: '#2c3e50', halo: true, dot: [x, y] });
    }
    placedLabels = placeTexts(texts, w, h);
    for (const label of placedLabels) drawText(label);
    renderLegend();
    dirty = false;
  }

  // Text boxes: measured once per font and text (the same towns are measured every frame).
  const widths = new Map();
  function textBox({ text, font, dot }, [x, y, align]) {
    const key = `${font}|${text}`;
    let width = widths.get(key);
    if (width === undefined) {
      context.font = font;
      width = context.measureText(text).width;
      if (widths.size > 5000) widths.clear();
      widths.set(key, width);
    }
    const size = font === BOLD ? 12 : 11;
    // From the top of the tallest letter to below the descenders, and to the town's dot, with
    // the halo's width around it.
    const left = align === 'center' ? x - width / 2 : align === 'right' ? x - width : x;
    const top = Math.min(y - size, dot ? dot[1] - 2 : Infinity) - 2;
    const bottom = Math.max(y + size * 0.35, dot ? dot[1] + 2 : -Infinity) + 2;
    const right = Math.max(left + width, dot ? dot[0] + 2 : -Infinity) + 2;
    const start = Math.min(left, dot ? dot[0] - 2 : Infinity) - 2;
    return { x: start, y: top, w: right - start, h: bottom - top };
  }

  // Greedy placement: by rank, then weight (cases, population) descending, each text at the
  // first of its spots where its box stays on the canvas and meets no placed one, or left out.
  function placeTexts(texts, w, h) {
    texts.sort((a, b) => RANK[a.kind] - RANK[b.kind] || b.weight - a.weight);
    const placed = [];
    for (const t of texts) {
      for (const spot of t.spots) {
        const box = textBox(t, spot);
        if (box.x < 0 || box.y < 0 || box.x + box.w > w || box.y + box.h > h) continue;
        if (placed.some((p) => overlaps(p.box, box))) continue;
        const [x, y, align] = spot;
        placed.push({ ...t, x, y, align, box });
        break;
      }
    }
    return placed;
  }

  function drawText({ text, x, y, align, font, colour, halo, dot }) {
    if (dot) {
      context.fillStyle = colour;
      context.fillRect(dot[0] - 1.5, dot[1] - 1.5, 3, 3);
    }
    context.font = font;
    context.textAlign = align;
    if (halo) {
      context.lineWidth = 3;
      context.strokeStyle = '#fff';
      context.strokeText(text, x, y);
      context.lineWidth = 0.7;
    }
    context.fillStyle = colour;
    context.fillText(text, x, y);
  }

  // The legend: the priorities' colours, then the kinds of things drawn now; rebuilt only when
  // those change. Its strip has a fixed height (style.css), so a new entry never resizes the map.
  function renderLegend() {
    const words = WORDS[lang()] ?? WORDS.en;
    const extras = [...new Map([...areas, ...points].filter((a) => a.legend).map((a) => [a.legend, a])).values()];
    const key = JSON.stringify([lang(), cells.length > 0, cases.length > 0, markers.length > 0, extras.map((a) => a.legend)]);
    if (key === legendKey) return;
    legendKey = key;
    const item = (swatch, text) => {
      const entry = document.createElement('span');
      entry.className = 'map-legend-item';
      entry.append(swatch, document.createTextNode(text));
      return entry;
    };
    const swatch = (kind, colour, dashed = false) => {
      const mark = document.createElement('span');
      mark.className = `map-legend-swatch ${kind}${dashed ? ' dashed' : ''}`;
      mark.style.setProperty('--swatch', colour);
      return mark;
    };
    const title = document.createElement('strong');
    title.textContent = words.legend;
    const entries = Object.entries(COLOURS).map(([level, colour]) => item(swatch('level', colour), words.level[level]));
    if (cells.length) entries.push(item(swatch('hexagon', '#fff'), words.hexagon));
    if (cases.length) entries.push(item(swatch('level', '#555'), words.case));
    if (markers.length) entries.push(item(swatch('marker', COLOURS.high), words.marker));
    for (const extra of extras) {
      const shape = extra.polygons ? 'area' : `shape-${extra.shape ?? 'circle'}`;
      entries.push(item(swatch(shape, extra.stroke ?? extra.colour, extra.dashed), extra.legend));
    }
    legend.replaceChildren(title, ...entries, credit);
  }

  function drawAreas(texts) {
    for (const area of areas) {
      context.beginPath();
      for (const polygon of area.polygons) for (const r of polygon) ring(r);
      if (area.fill) {
        context.globalAlpha = 0.25;
        context.fillStyle = area.fill;
        context.fill('evenodd');
        context.globalAlpha = 1;
      }
      context.setLineDash(area.dashed ? [8, 5] : []);
      context.strokeStyle = area.stroke;
      context.lineWidth = 2.5;
      context.stroke();
      context.setLineDash([]);
      context.lineWidth = 0.7;
      if (area.label) {
        const [x, y] = toScreen(...area.polygons[0][0][0]);
        texts.push({ kind: 'area', weight: 0, text: area.label, spots: [[x, y - 6, 'center']], font: BOLD, colour: area.stroke, halo: true });
      }
    }
  }

  // Points: a shape per kind (circle, diamond, triangle, square) with a label and a sublabel.
  function drawPoints(texts) {
    for (const p of points) {
      const [x, y] = toScreen(p.lon, p.lat);
      context.beginPath();
      const corners = SHAPES[p.shape];
      if (corners) corners.forEach(([dx, dy], i) => (i === 0 ? context.moveTo(x + dx, y + dy) : context.lineTo(x + dx, y + dy)));
      else context.arc(x, y, 7, 0, 2 * Math.PI);
      context.closePath();
      context.fillStyle = p.colour;
      context.fill();
      context.strokeStyle = '#fff';
      context.lineWidth = 2;
      context.stroke();
      context.lineWidth = 0.7;
      if (p.label) texts.push({ kind: 'point', weight: 1, text: p.label, spots: [[x, y - 12, 'center']], font: BOLD, colour: '#111', halo: true });
      if (p.sublabel) texts.push({ kind: 'point', weight: 0, text: p.sublabel, spots: [[x, y + 20, 'center']], font: PLAIN, colour: '#333', halo: true });
    }
  }

  function drawDraft() {
    if (!draft?.length) return;
    context.beginPath();
    draft.forEach(([lon, lat], i) => {
      const [x, y] = toScreen(lon, lat);
      if (i === 0) context.moveTo(x, y);
      else context.lineTo(x, y);
    });
    if (draft.length > 2) context.closePath();
    context.setLineDash([6, 4]);
    context.strokeStyle = '#111';
    context.lineWidth = 2;
    context.stroke();
    context.setLineDash([]);
    for (const [lon, lat] of draft) {
      const [x, y] = toScreen(lon, lat);
      context.beginPath();
      context.arc(x, y, 4, 0, 2 * Math.PI);
      context.fillStyle = '#fff';
      context.fill();
      context.stroke();
    }
    context.lineWidth = 0.7;
  }

  // Drawn from the page's one frame loop until the map is unmounted.
  const stopFrames = everyFrame(() => {
    const started = performance.now();
    if (dirty || (casesMoved && started - drawnAt >= CASES_EVERY_MS)) {
      casesMoved = false;
      drawnAt = started;
      draw();
      const metrics = window.opsroom?.metrics;
      if (metrics) metrics.pending += performance.now() - started;
    }
  });

  let drag = null;
  canvas.addEventListener('pointerdown', (e) => {
    drag = { x: e.clientX, y: e.clientY, moved: false };
    canvas.setPointerCapture(e.pointerId);
  });
  canvas.addEventListener('pointermove', (e) => {
    if (!drag) return;
    const dx = e.clientX - drag.x;
    const dy = e.clientY - drag.y;
    if (Math.abs(dx) + Math.abs(dy) > 2) drag.moved = true;
    centre = [centre[0] - dx / scale, centre[1] - dy / scale];
    drag.x = e.clientX;
    drag.y = e.clientY;
    viewChanged();
  });
  canvas.addEventListener('pointerup', (e) => {
    const wasDrag = drag?.moved;
    drag = null;
    if (wasDrag) return;
    const rect = canvas.getBoundingClientRect();
    const px = e.clientX - rect.left;
    const py = e.clientY - rect.top;
    if (clickTaker) return clickTaker(fromScreen(px, py));
    const marker = markers.find((m) => {
      const [x, y] = toScreen(m.lon, m.lat);
      return Math.hypot(x - px, y - py) <= 10;
    });
    if (marker) return onPickMarker(marker.id);
    const [lon, lat] = fromScreen(px, py);
    const hit = cells.find((cell) => inside([lon, lat], cell.ring));
    if (hit) onPickCell(hit.cell);
  });
  canvas.addEventListener(
    'wheel',
    (e) => {
      e.preventDefault();
      const factor = Math.exp(-e.deltaY / 400);
      scale = Math.max(300, Math.min(5_000_000, scale * factor));
      viewChanged();
    },
    { passive: false },
  );
  const resized = new ResizeObserver(viewChanged);
  resized.observe(element);

  return {
    /** Stop drawing and watching the element (the page is being redrawn without this map). */
    unmount() {
      stopFrames();
      resized.disconnect();
      clearTimeout(viewTimer);
    },
    bbox,
    resolution,
    /** Use an XYZ tile URL template under the outlines (or `null` for the built-in basemap only). */
    setTiles(template) {
      tileTemplate = template;
      baseView = '';
      dirty = true;
    },
    setCells(features) {
      cells = features.map((f) => {
        const r = f.geometry.coordinates[0];
        const centre = r.slice(0, -1).reduce((a, [x, y]) => [a[0] + x / (r.length - 1), a[1] + y / (r.length - 1)], [0, 0]);
        rememberCell(f.properties.cell, ...centre);
        return { cell: f.properties.cell, total: f.properties.counts.total, worst: f.properties.worst_priority, ring: r, centre };
      });
      dirty = true;
    },
    /** Individual cases, drawn when zoomed in: `list()` is called when the map draws them. */
    setCases(list) {
      casesSource = list;
      if (scale > CASES_FROM_SCALE) casesMoved = true;
    },
    /** Markers drawn at every zoom: [{id, lat, lon, level, resolution, selected}]. */
    setMarkers(list) {
      markers = list;
      dirty = true;
    },
    /** Areas drawn over the hexagons: [{polygons: GeoJSON polygons' coordinates ([[ring…]…]),
     * fill (a colour, or null for an outline only), stroke, dashed, label, legend (what this
     * kind of area is, for the legend; optional)}]. */
    setAreas(list) {
      areas = list;
      dirty = true;
    },
    /** Labelled points drawn at every zoom: [{lon, lat, shape: 'circle'|'diamond'|'triangle'|
     * 'square', colour, label, sublabel, legend (optional, as for areas)}]. */
    setPoints(list) {
      points = list;
      dirty = true;
    },
    /** The outline being drawn ([[lon, lat]…], closed on screen from three vertices), or null. */
    setDraft(vertices) {
      draft = vertices;
      dirty = true;
    },
    /** While `taker` is set, a click (not a drag) hands it [lon, lat] and picks no hexagon or
     * marker; `null` gives clicks back to picking. */
    takeClicks(taker) {
      clickTaker = taker;
      canvas.style.cursor = taker ? 'crosshair' : '';
    },
    /** Where [lon, lat] is on the canvas, in CSS pixels from its top-left corner. */
    screenPoint(lon, lat) {
      return toScreen(lon, lat);
    },
    /** Show all of `points` ([[lon, lat]…]), zoomed in no further than a town. */
    fit(points) {
      if (!points.length) return;
      const xy = points.map(([lon, lat]) => project(lon, lat));
      const xs = xy.map(([x]) => x);
      const ys = xy.map(([, y]) => y);
      const [w, h] = size();
      const span = Math.max(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys), 1e-9);
      centre = [(Math.max(...xs) + Math.min(...xs)) / 2, (Math.max(...ys) + Math.min(...ys)) / 2];
      scale = Math.max(300, Math.min(200_000, (0.7 * Math.min(w || 300, h || 300)) / span));
      viewChanged();
    },
    /** Move the view's centre to a point, zooming in to at least `minScale`. */
    centreOn(lon, lat, minScale = 0) {
      centre = project(lon, lat);
      scale = Math.max(scale, minScale);
      viewChanged();
    },
    zoomTo(lon, lat, newScale) {
      centre = project(lon, lat);
      scale = newScale;
      viewChanged();
    },
    /** Follow the board's filters (its `state.filters`: priority, need, … and `mine`); the
     * next `onView` carries them as the map query's parameters. The selected cell is not one:
     * the map shows where the cases are. */
    setFilters(board) {
      const next = {};
      for (const name of FILTER_PARAMETERS) if (board[name]) next[name] = String(board[name]);
      if (board.mine && !next.assignee) next.assignee = 'me';
      if (JSON.stringify(next) === JSON.stringify(filters)) return;
      filters = next;
      viewChanged();
    },
    /** The map query's filter parameters now (see `setFilters`). */
    filters: () => ({ ...filters }),
    /** The boxes of the texts drawn last ({text, kind, x, y, w, h} in CSS pixels), for tests. */
    labelBoxes: () => placedLabels.map((l) => ({ text: l.text, kind: l.kind, ...l.box })),
  };
}

const BOLD = 'bold 12px system-ui, sans-serif';
const PLAIN = '11px system-ui, sans-serif';

function overlaps(a, b) {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

function inside([x, y], ring) {
  let hit = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) hit = !hit;
  }
  return hit;
}
