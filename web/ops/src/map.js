// The map, behind one small interface: a canvas with a basemap that ships with the binary
// (Natural Earth country outlines, GeoNames place names), H3 hexagons coloured by their worst
// priority, individual cases when zoomed in, markers (the partner page's cases: a dot at a
// coarse cell's centre inside a circle as wide as the cell), areas (polygons with a fill and an
// outline), labelled points, and a shape being drawn, whose vertices a caller collects by
// taking the map's clicks (`takeClicks`). Works offline: nothing is fetched but our own /ops/
// assets (the partner page uses the same ones) and what the caller asks for. It knows no page's
// words or state: the label language comes in as `lang()`, other labels come written.
import { feature } from 'topojson-client';

/** Individual cases are drawn from this zoom on (pixels per unit of the Mercator square). */
const CASES_FROM_SCALE = 60_000;

const COLOURS = { critical: '#c0392b', high: '#e67e22', normal: '#f1c40f', low: '#7f8c8d' };

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
 * Mount the map in `element`. `onView(bbox, resolution)` fires (debounced) when the view
 * changes; `onPickCell(hex)` when a hexagon is clicked, `onPickMarker(id)` when a marker is;
 * `lang()` says which language place labels are written in ('ar' or 'en').
 */
export function mountMap(element, { onView = () => {}, onPickCell = () => {}, onPickMarker = () => {}, lang = () => 'en' }) {
  const canvas = document.createElement('canvas');
  canvas.className = 'map-canvas';
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', 'map');
  element.append(canvas);
  const credit = document.createElement('div');
  credit.className = 'map-credit';
  credit.textContent = 'Natural Earth · GeoNames (CC BY 4.0)';
  element.append(credit);
  const onScreen = canvas.getContext('2d');
  let context = onScreen; // what `ring` and the drawing below draw on

  // View: centre in unit coordinates and scale (pixels per unit). Sudan and Egypt at start.
  let centre = project(31.5, 20);
  let scale = 9000;
  let countries = [];
  let places = [];
  let cells = []; // [{cell, total, worst, ring: [[lon,lat]...]}]
  let cases = []; // [{lat, lon, level}]
  let markers = []; // [{id, lat, lon, level, resolution, selected}]
  let areas = []; // [{polygons: [[ring…]…], fill, stroke, dashed, label}]
  let points = []; // [{lon, lat, shape, colour, label, sublabel}]
  let draft = null; // [[lon, lat]…]: the outline being drawn
  let clickTaker = null; // while set, a click gives it [lon, lat] and picks nothing
  let dirty = true;

  fetch('/ops/countries.json')
    .then((r) => r.json())
    .then((topology) => {
      countries = feature(topology, topology.objects.countries).features;
      dirty = true;
    });
  fetch('/ops/places.json')
    .then((r) => r.json())
    .then((data) => {
      places = data.places.sort((a, b) => b.p - a.p);
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
    viewTimer = setTimeout(() => onView(bbox(), resolution()), 250);
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
    for (const country of countries) {
      context.beginPath();
      const g = country.geometry;
      const polygons = g?.type === 'Polygon' ? [g.coordinates] : g?.type === 'MultiPolygon' ? g.coordinates : [];
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
      const [x, y] = toScreen(...cell.centre);
      context.fillStyle = '#111';
      context.font = 'bold 12px system-ui, sans-serif';
      context.textAlign = 'center';
      context.fillText(String(cell.total), x, y + 4);
    }
    if (scale > CASES_FROM_SCALE) {
      for (const c of cases) {
        const [x, y] = toScreen(c.lon, c.lat);
        context.beginPath();
        context.arc(x, y, 4, 0, 2 * Math.PI);
        context.fillStyle = COLOURS[c.level];
        context.fill();
      }
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
    drawAreas();
    drawPoints();
    drawDraft();
    // Labels: more towns as one zooms in.
    const minPopulation = scale > 200_000 ? 0 : scale > 60_000 ? 20_000 : scale > 20_000 ? 100_000 : 400_000;
    context.font = '11px system-ui, sans-serif';
    context.fillStyle = '#2c3e50';
    context.textAlign = 'center';
    for (const place of places) {
      if (place.p < minPopulation) break;
      const [x, y] = toScreen(place.x, place.y);
      if (x < 0 || y < 0 || x > w || y > h) continue;
      context.fillRect(x - 1.5, y - 1.5, 3, 3);
      context.fillText(lang() === 'ar' ? place.a : place.n, x, y - 5);
    }
    dirty = false;
  }

  function drawAreas() {
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
        outlinedText(area.label, x, y - 6, 'bold 12px system-ui, sans-serif', area.stroke);
      }
    }
  }

  // Points: a shape per kind (circle, diamond, triangle, square) with a label and a sublabel.
  function drawPoints() {
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
      if (p.label) outlinedText(p.label, x, y - 12, 'bold 12px system-ui, sans-serif', '#111');
      if (p.sublabel) outlinedText(p.sublabel, x, y + 20, '11px system-ui, sans-serif', '#333');
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

  function outlinedText(text, x, y, font, colour) {
    context.font = font;
    context.textAlign = 'center';
    context.lineWidth = 3;
    context.strokeStyle = '#fff';
    context.strokeText(text, x, y);
    context.fillStyle = colour;
    context.fillText(text, x, y);
    context.lineWidth = 0.7;
  }

  let mounted = false;
  function frame() {
    // A map whose page was redrawn without it (a language switch, signing out) stops for good.
    if (canvas.isConnected) mounted = true;
    else if (mounted) return;
    if (dirty) {
      const started = performance.now();
      draw();
      const metrics = window.opsroom?.metrics;
      if (metrics) metrics.pending += performance.now() - started;
    }
    requestAnimationFrame(frame);
  }
  requestAnimationFrame(frame);

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
  new ResizeObserver(viewChanged).observe(element);

  return {
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
        return { cell: f.properties.cell, total: f.properties.counts.total, worst: f.properties.worst_priority, ring: r, centre };
      });
      dirty = true;
    },
    /** Individual cases, drawn when zoomed in; `list()` is only called then. */
    setCases(list) {
      if (scale <= CASES_FROM_SCALE) return;
      cases = list();
      dirty = true;
    },
    /** Markers drawn at every zoom: [{id, lat, lon, level, resolution, selected}]. */
    setMarkers(list) {
      markers = list;
      dirty = true;
    },
    /** Areas drawn over the hexagons: [{polygons: GeoJSON polygons' coordinates ([[ring…]…]),
     * fill (a colour, or null for an outline only), stroke, dashed, label}]. */
    setAreas(list) {
      areas = list;
      dirty = true;
    },
    /** Labelled points drawn at every zoom: [{lon, lat, shape: 'circle'|'diamond'|'triangle'|
     * 'square', colour, label, sublabel}]. */
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
  };
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
