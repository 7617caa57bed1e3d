// Every visible label comes from one dictionary per language (i18n/<lang>.json), fetched only for the language
// shown. Data (junction names, provider messages) comes from the API; known junction names are translated too,
// anything else is shown as the API sent it.

export const LANGUAGES = ['he', 'ar', 'ru', 'en'];
const RTL = new Set(['he', 'ar']);

// Numbers in Western digits for Arabic too: Israeli road signs, Arabic-language press in Israel and the other three
// languages on this page all use them. Hebrew and English as used in Israel (day-month order, 24-hour clock).
export const localeOf = { en: 'en-GB', he: 'he-IL', ar: 'ar-IL-u-nu-latn', ru: 'ru-RU' };

const STORED_KEY = 'ayalon.lang';

let current = 'en';
let dict = {};

function readStored() {
  try { return localStorage.getItem(STORED_KEY); } catch { return null; }
}

/** The visitor's own choice, kept for later visits (not kept in private mode: the page still works). */
export function remember(lang) {
  try { localStorage.setItem(STORED_KEY, lang); } catch { /* not remembered */ }
}

/** A language we have for a tag like "he-IL", "iw" (the old code for Hebrew) or "ru"; else null. */
export function supported(tag) {
  if (!tag) return null;
  const primary = String(tag).toLowerCase().split(/[-_]/)[0];
  const lang = primary === 'iw' ? 'he' : primary;
  return LANGUAGES.includes(lang) ? lang : null;
}

/**
 * ?lang= (a shared link) first, then the visitor's remembered choice, then the first of the browser's preferred
 * languages that we have, then Hebrew (the road's own language).
 */
export function chooseLanguage(search = location.search, navigatorLanguages = navigator.languages ?? [navigator.language]) {
  const fromLink = supported(new URLSearchParams(search).get('lang'));
  if (fromLink) return fromLink;
  const stored = supported(readStored());
  if (stored) return stored;
  for (const tag of navigatorLanguages ?? []) {
    const lang = supported(tag);
    if (lang) return lang;
  }
  return 'he';
}

async function fetchDictionary(lang) {
  const response = await fetch(`i18n/${lang}.json`, { cache: 'no-cache', credentials: 'same-origin' });
  if (!response.ok) throw new Error(`i18n/${lang}.json: ${response.status}`);
  return response.json();
}

/** Loads and switches to a language; if its dictionary cannot be read, Hebrew, then English. */
export async function loadLanguage(lang) {
  for (const candidate of [lang, 'he', 'en']) {
    try {
      dict = await fetchDictionary(candidate);
      current = candidate;
      return candidate;
    } catch { /* try the next */ }
  }
  throw new Error('no dictionary could be loaded');
}

export function language() { return current; }
export function isRtl(lang = current) { return RTL.has(lang); }

/** The label for a key in the current language, with {name} placeholders filled. */
export function t(key, values) {
  let text = dict[key] ?? key;
  if (values && typeof text === 'string') {
    text = text.replace(/\{(\w+)\}/g, (m, name) => (name in values ? String(values[name]) : m));
  }
  return text;
}

export function unit(name) { return dict.unit?.[name] ?? name; }

export function place(name) { return (name && dict.places?.[name]) || name || '—'; }

/** Applies the current language to every element marked with data-i18n, and to the html element. */
export function applyStaticLabels(root = document) {
  const html = document.documentElement;
  html.lang = current;
  html.dir = isRtl() ? 'rtl' : 'ltr';
  document.title = t('title');
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
}
