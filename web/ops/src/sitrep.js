// The situation report panel (supervisors and admins): a window of local days in the room's
// time zone, the day's figures a ministry publishes — new cases, contacted, resolved, evacuated,
// overdue — by area and by channel, and two charts drawn here as inline SVG (cases over time;
// time to first contact), a CSV download (UTF-8 with BOM, from the server) and a print button
// (the print stylesheet shows the report alone). Names of places are isolates.
import { api } from './api.js';
import { h, isolated, isolatedLtr } from '../../shared/dom.js';
import { explain, lang, phrase, t } from './i18n.js';
import { clock, dateTime, dayMonth, duration, roomDay, roomMidnight } from './when.js';

const SVG = 'http://www.w3.org/2000/svg';
const TOTALS = ['new_cases', 'contacted', 'resolved', 'evacuated', 'overdue'];
const SERIES = [
  ['new_cases', '#1f3a4d'],
  ['contacted', '#27ae60'],
  ['resolved', '#8e44ad'],
];

/** An SVG element: s('rect', {x, y}, …children). */
function s(tag, attributes = {}, ...children) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) if (value != null) element.setAttribute(name, value);
  for (const child of children.flat(Infinity)) if (child != null) element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return element;
}

/**
 * Mount into `panel` (a <details> gets a summary). `ctx.user` carries the room's `time_zone`.
 * Shows today (local) at first. Returns `{show(fromDay, toDay), onEvent(event), unmount()}`,
 * days as `YYYY-MM-DD`, both included.
 */
export function mountSitrep(panel, ctx) {
  const zone = ctx.user.time_zone;
  const today = roomDay(new Date(), zone);
  const from = h('input', { type: 'date', name: 'from', value: today, 'aria-label': t('sitrepFrom') });
  const to = h('input', { type: 'date', name: 'to', value: today, 'aria-label': t('sitrepTo') });
  const csv = h('a', { class: 'button csv', download: '' }, t('sitrepCsv'));
  const report = h('div', { class: 'sitrep-report' });
  panel.classList.add('sitrep');
  const title = panel.tagName === 'DETAILS' ? h('summary', {}, t('sitrep')) : h('h2', {}, t('sitrep'));
  panel.replaceChildren(
    title,
    h(
      'form',
      {
        class: 'sitrep-window',
        onsubmit: (e) => {
          e.preventDefault();
          show(from.value, to.value);
        },
      },
      h('label', {}, t('sitrepFrom'), ' ', from),
      h('label', {}, t('sitrepTo'), ' ', to),
      h('button', { type: 'submit', name: 'show' }, t('sitrepShow')),
      csv,
      h('button', { type: 'button', name: 'print', onclick: print }, t('sitrepPrint')),
    ),
    report,
  );

  async function show(fromDay, toDay) {
    if (!fromDay || !toDay) return;
    from.value = fromDay;
    to.value = toDay;
    const start = roomMidnight(fromDay, zone).toISOString();
    const end = roomMidnight(toDay, zone, 1).toISOString();
    csv.href = api.sitrepCsvUrl(start, end);
    const answer = await api.sitrep(start, end);
    if (!answer.ok) {
      report.replaceChildren(h('p', { class: 'notice error', role: 'alert' }, explain(answer)));
      return;
    }
    report.replaceChildren(...draw(answer.body, zone));
  }

  show(today, today);
  return {
    show,
    onEvent() {}, // a report is of the window asked for: the stream does not redraw it
    unmount() {},
  };
}

/** Print the report alone (the print stylesheet hides everything else while this class is on). */
function print() {
  document.body.classList.add('print-sitrep');
  window.addEventListener('afterprint', () => document.body.classList.remove('print-sitrep'), { once: true });
  window.print();
}

function draw(r, zone) {
  const firstContact = r.first_contact;
  return [
    h('h3', { class: 'sitrep-title' }, t('sitrep'), ' — ', phrase('sitrepWindow', {
      from: dateTime(r.from, zone),
      to: dateTime(r.to, zone),
      zone: isolatedLtr(r.time_zone),
    })),
    h('dl', { class: 'sitrep-totals' }, TOTALS.map((key) => h('div', { dataset: { total: key } }, h('dt', {}, t(`sitrepTotals.${key}`)), h('dd', {}, String(r.totals[key]))))),
    h(
      'section',
      { class: 'sitrep-chart over-time' },
      h('h4', {}, t('sitrepOverTime')),
      overTimeChart(r, zone),
      // Drawn in SVG: the page's Content-Security-Policy allows no inline style attribute.
      h('p', { class: 'legend' }, SERIES.map(([key, colour]) => h('span', {}, s('svg', { width: 12, height: 12, 'aria-hidden': 'true' }, s('rect', { width: 12, height: 12, fill: colour })), ` ${t(`sitrepLegend.${key}`)} `))),
    ),
    h(
      'section',
      { class: 'sitrep-chart first-contact' },
      h('h4', {}, t('sitrepFirstContact')),
      h('p', {}, `${t('sitrepMedian')}: ${duration(firstContact.p50_ms)} · ${t('sitrepP90')}: ${duration(firstContact.p90_ms)} · ${firstContact.count} ${t('sitrepCases')}`),
      waitChart(firstContact),
    ),
    h(
      'section',
      { class: 'sitrep-table by-area' },
      h('h4', {}, t('sitrepByArea')),
      h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, t('sitrepArea')), h('th', {}, t('sitrepTotals.new_cases')))), h('tbody', {}, r.by_area.map((a) => h('tr', {}, h('td', {}, areaName(a)), h('td', {}, String(a.new_cases)))))),
    ),
    h(
      'section',
      { class: 'sitrep-table by-channel' },
      h('h4', {}, t('sitrepByChannel')),
      h('table', {}, h('tbody', {}, r.by_channel.map((c) => h('tr', {}, h('td', {}, t(`sitrepChannels.${c.channel}`)), h('td', {}, String(c.new_cases)))))),
    ),
  ];
}

/** An area as people know it: the nearby town in the page's language, else the place named. */
function areaName(area) {
  const town = (lang() === 'ar' && area.name_ar) || area.name;
  if (town) return isolated(town);
  if (area.place) return isolated(area.place);
  return t('sitrepUnknownArea');
}

/** Bars of new cases per hour or day, with lines for contacted and resolved. */
function overTimeChart(r, zone) {
  const [width, height, left, bottom, top] = [640, 200, 34, 28, 8];
  const bars = r.over_time;
  const max = Math.max(1, ...bars.flatMap((b) => SERIES.map(([key]) => b[key])));
  const step = (width - left) / Math.max(1, bars.length);
  const y = (v) => top + (height - top - bottom) * (1 - v / max);
  const x = (i) => left + step * i;
  const label = (b) => (r.bucket === 'day' ? dayMonth(b.start, zone) : clock(b.start, zone));
  const every = Math.max(1, Math.ceil(bars.length / 12));
  return s(
    'svg',
    { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': t('sitrepOverTime'), direction: 'ltr', class: 'chart' },
    s('line', { x1: left, y1: y(0), x2: width, y2: y(0), stroke: '#90a4ae' }),
    [0, Math.round(max / 2), max].map((v) => s('text', { x: left - 4, y: y(v) + 4, 'text-anchor': 'end', 'font-size': 10 }, String(v))),
    bars.map((b, i) =>
      s('rect', { x: x(i) + step * 0.15, y: y(b.new_cases), width: step * 0.7, height: y(0) - y(b.new_cases), fill: SERIES[0][1], 'data-value': b.new_cases }, s('title', {}, `${label(b)}: ${b.new_cases}`)),
    ),
    SERIES.slice(1).map(([key, colour]) =>
      s('polyline', { points: bars.map((b, i) => `${x(i) + step / 2},${y(b[key])}`).join(' '), fill: 'none', stroke: colour, 'stroke-width': 2, class: key }),
    ),
    bars.map((b, i) => (i % every === 0 ? s('text', { x: x(i) + step / 2, y: height - 10, 'text-anchor': 'middle', 'font-size': 10 }, label(b)) : null)),
  );
}

/** The histogram of waits for a first contact (under 15 min … longer). */
function waitChart(firstContact) {
  const [width, height, bottom, top] = [640, 160, 28, 14];
  const bars = firstContact.bars;
  const max = Math.max(1, ...bars.map((b) => b.cases));
  const step = width / bars.length;
  const y = (v) => top + (height - top - bottom) * (1 - v / max);
  return s(
    'svg',
    { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': t('sitrepFirstContact'), direction: 'ltr', class: 'chart' },
    bars.map((b, i) => {
      const name = b.under_minutes == null ? t('sitrepLonger') : t('sitrepUnderMinutes').replace('{n}', b.under_minutes);
      return s(
        'g',
        {},
        s('rect', { x: step * i + step * 0.15, y: y(b.cases), width: step * 0.7, height: y(0) - y(b.cases), fill: '#2e5872', 'data-value': b.cases }),
        s('text', { x: step * i + step / 2, y: y(b.cases) - 3, 'text-anchor': 'middle', 'font-size': 10 }, String(b.cases)),
        s('text', { x: step * i + step / 2, y: height - 10, 'text-anchor': 'middle', 'font-size': 10 }, name),
      );
    }),
  );
}
