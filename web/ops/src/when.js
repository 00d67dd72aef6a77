// Dates and times as the room reads them: in the room's time zone (the server's setting, given
// with the session), day before month, 24-hour clock, in the page's language. Digits stay Latin
// in Arabic too, like the references and phone numbers beside them.
import { lang } from './i18n.js';

const formats = new Map();

function format(zone, options) {
  const locale = lang() === 'ar' ? 'ar-EG-u-nu-latn' : 'en-GB';
  const key = `${locale}|${zone}|${JSON.stringify(options)}`;
  if (!formats.has(key)) {
    try {
      formats.set(key, new Intl.DateTimeFormat(locale, { ...options, timeZone: zone || 'Africa/Cairo', hourCycle: 'h23' }));
    } catch {
      // A zone this browser does not know: the server's default.
      formats.set(key, new Intl.DateTimeFormat(locale, { ...options, timeZone: 'Africa/Cairo', hourCycle: 'h23' }));
    }
  }
  return formats.get(key);
}

const asDate = (at) => (at instanceof Date ? at : new Date(at));

/** `7 Dec 2026, 09:05` / `7 ديسمبر 2026، 09:05` in `zone`; '' for nothing. */
export function dateTime(at, zone) {
  if (at == null || at === '') return '';
  return format(zone, { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' }).format(asDate(at));
}

/** `7 Dec` in `zone`. */
export function dayMonth(at, zone) {
  return format(zone, { day: 'numeric', month: 'short' }).format(asDate(at));
}

/** `09:05` in `zone`. */
export function clock(at, zone) {
  return format(zone, { hour: '2-digit', minute: '2-digit' }).format(asDate(at));
}

/** A wait in minutes or hours and minutes, in the page's language. */
export function duration(ms) {
  if (ms == null) return '–';
  const minutes = Math.round(ms / 60000);
  const [h, m] = [Math.floor(minutes / 60), minutes % 60];
  const unit = lang() === 'ar' ? { h: 'س', m: 'د' } : { h: 'h', m: 'min' };
  return h ? `${h} ${unit.h} ${m} ${unit.m}` : `${m} ${unit.m}`;
}

/** The calendar day (`YYYY-MM-DD`) `at` falls on in `zone`, for date inputs. */
export function roomDay(at, zone) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { timeZone: zone || 'Africa/Cairo', year: 'numeric', month: '2-digit', day: '2-digit' })
      .formatToParts(asDate(at))
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}`;
}

/** How far `zone`'s clocks are ahead of UTC at `ms`, in ms. */
function offsetAt(ms, zone) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone: zone || 'Africa/Cairo', hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' })
      .formatToParts(new Date(ms))
      .map((p) => [p.type, Number(p.value)]),
  );
  return Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second) - Math.floor(ms / 1000) * 1000;
}

/** The instant local midnight begins on `day` (`YYYY-MM-DD`) in `zone`, `days` later if given. */
export function roomMidnight(day, zone, days = 0) {
  const [y, m, d] = day.split('-').map(Number);
  const naive = Date.UTC(y, m - 1, d + days);
  // The offset at the guess, then again at the answer (a change of offset between them moves it).
  const first = naive - offsetAt(naive, zone);
  return new Date(naive - offsetAt(first, zone));
}
