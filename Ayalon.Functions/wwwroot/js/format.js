// Numbers per language, times in the corridor's local time with the zone named. Missing values show as "—".
import { language, localeOf, t, unit } from './i18n.js';

// The zone /api/impact names (displayTimeZone, from the constants file): the page keeps no copy of it. Until the
// first answer arrives times show in UTC, with the zone named, never in a zone guessed here.
let timeZone = 'UTC';
const DASH = '—';

/** Called with each /api/impact answer's displayTimeZone. */
export function setDisplayTimeZone(zone) {
  if (typeof zone === 'string' && zone) timeZone = zone;
}

const cache = new Map();
function fmt(kind, options) {
  const key = language() + kind + (kind.startsWith('d:') ? '@' + timeZone : '');
  if (!cache.has(key)) {
    cache.set(key, kind.startsWith('d:')
      ? new Intl.DateTimeFormat(localeOf[language()], options)
      : new Intl.NumberFormat(localeOf[language()], options));
  }
  return cache.get(key);
}

const isNum = (v) => typeof v === 'number' && Number.isFinite(v);

export function number(value, digits = 0) {
  if (!isNum(value)) return DASH;
  return fmt('n' + digits, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value);
}

export function percent(fraction, digits = 0) {
  if (!isNum(fraction)) return DASH;
  return fmt('p' + digits, { style: 'percent', minimumFractionDigits: digits, maximumFractionDigits: digits }).format(fraction);
}

/** Seconds as "95 s" below two minutes, else "6 min 12 s" (travel times and delays). */
export function duration(seconds) {
  if (!isNum(seconds)) return DASH;
  const s = Math.round(seconds);
  if (Math.abs(s) < 120) return `${number(s)} ${unit('s')}`;
  const m = Math.floor(s / 60);
  const rest = s - m * 60;
  return rest ? `${number(m)} ${unit('min')} ${number(rest)} ${unit('s')}` : `${number(m)} ${unit('min')}`;
}

/**
 * Delay per vehicle with its sign, so it reads as a quantity added to the trip. The sign is the language's own
 * (Intl): in Hebrew and Arabic it carries a direction mark, so "+" stays before the number in right-to-left text.
 */
export function delay(seconds) {
  if (!isNum(seconds)) return DASH;
  if (Math.round(seconds) <= 0) return duration(seconds);
  const parts = fmt('sign', { signDisplay: 'always' }).formatToParts(1);
  const sign = parts.slice(0, parts.findIndex((p) => p.type === 'integer')).map((p) => p.value).join('');
  return sign + duration(seconds);
}

/** Ages and spans: "45 s", "12 min", "3 h 5 min", "2 d 4 h". */
export function age(seconds) {
  if (!isNum(seconds)) return DASH;
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${number(s)} ${unit('s')}`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${number(m)} ${unit('min')}`;
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 ? `${number(h)} ${unit('h')} ${number(m % 60)} ${unit('min')}` : `${number(h)} ${unit('h')}`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${number(d)} ${unit('d')} ${number(h % 24)} ${unit('h')}` : `${number(d)} ${unit('d')}`;
}

export function lengthKm(meters) {
  return isNum(meters) ? `${number(meters / 1000, 2)} ${unit('km')}` : DASH;
}

export function speed(kmh) {
  return isNum(kmh) ? `${number(kmh)} ${unit('kmh')}` : DASH;
}

function zoneOffset(date) {
  const parts = fmt('d:zone', { timeZone, timeZoneName: 'shortOffset' }).formatToParts(date);
  return parts.find((p) => p.type === 'timeZoneName')?.value ?? '';
}

/** "27 Nov 2026, 09:42 Israel time (GMT+2)". */
export function dateTime(iso, { withZone = true } = {}) {
  if (!iso) return DASH;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return DASH;
  const text = fmt('d:dt', { timeZone, day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(date);
  return withZone ? `${text} ${zoneName(date)}` : text;
}

export function zoneName(date = new Date()) {
  return `${t('israelTime')} (${zoneOffset(date)})`;
}

/** Short axis label: "09:00" within a day's range, "27 Nov" for longer ranges. */
export function axisTime(ms, spanMs) {
  const date = new Date(ms);
  if (spanMs <= 36 * 3600 * 1000) {
    return fmt('d:hm', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(date);
  }
  if (spanMs <= 8 * 86400 * 1000) {
    return fmt('d:dh', { timeZone, day: 'numeric', month: 'short', hour: '2-digit', hourCycle: 'h23' }).format(date);
  }
  return fmt('d:dm', { timeZone, day: 'numeric', month: 'short' }).format(date);
}
