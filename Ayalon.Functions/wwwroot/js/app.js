// The dashboard: reads /api/corridor, /api/impact, /api/health, /api/analytics and /api/impact/history (same origin
// only, state.js), draws one panel per module (panels/), and re-reads every 60 s. It never triggers a collection.
// A missing or failing endpoint makes its own panel say "unavailable"; a panel whose renderer throws shows its own
// error (panels/panel.js) while the rest of the page still renders and auto-refresh goes on.
import * as f from './format.js';
import { applyStaticLabels, chooseLanguage, language, loadLanguage, remember, supported, t } from './i18n.js';
import { renderAge, renderBanner } from './panels/banner.js';
import { renderChart } from './panels/chart.js';
import { renderCollector } from './panels/collector.js';
import { renderCounters } from './panels/counters.js';
import { renderDirections } from './panels/directions.js';
import { renderMapPanel } from './panels/map.js';
import { draw } from './panels/panel.js';
import { renderProvenance } from './panels/provenance.js';
import { renderSections } from './panels/sections.js';
import { renderSources } from './panels/sources.js';
import { $, REFRESH_SECONDS, accept, loadChartLibrary, readCore, readHistory, readRest, readStored, state, store } from './state.js';
import { WINDOWS } from './trend.js';

const WINDOW_KEY = 'ayalon.window';

// [name, element inside the panel's section, renderer]. The current state's panels draw first, from
// /api/impact, /api/health and /api/corridor; the chart and collector panels after their own, later reads.
const CURRENT = [
  ['banner', 'status', renderBanner],
  ['directions', 'directions', renderDirections],
  ['map', 'map', renderMapPanel],
  ['sections', 'sections-table', renderSections],
  ['counters', 'counters', renderCounters],
  ['sources', 'sources', renderSources],
  ['provenance', 'provenance', renderProvenance],
];
const CHART = ['chart', 'chart', renderChart];
const COLLECTOR = ['collector', 'collector', renderCollector];
const AGE = ['age', 'status', renderAge];

// ---------------------------------------------------------------- loading

/** `pending`: core reads already started (the first load starts them while the dictionary is still on its way). */
async function loadAll(pending = null) {
  if (state.loading) return;
  state.loading = true;
  // Whatever fails below, the refresh is counted and the countdown restarts: one bad answer or renderer must not
  // stop auto-refresh for good.
  try {
    $('refresh-countdown').textContent = t('refreshing');
    accept(await (pending ?? readCore()));
    state.fetchedAt = Date.now();
    renderCurrent();
    const [results] = await Promise.all([readRest(), loadChartLibrary().catch(() => null)]);
    accept(results);
    draw(...CHART);
    draw(...COLLECTOR);
  } finally {
    state.loading = false;
    state.refreshes++;
    document.body.dataset.refreshes = String(state.refreshes);
    state.countdown = REFRESH_SECONDS;
    tick(false);
  }
}

async function loadHistory() {
  await readHistory();
  draw(...CHART);
}

// ---------------------------------------------------------------- rendering

function renderCurrent() {
  for (const panel of CURRENT) draw(...panel);
  document.body.dataset.lang = language();
  if (!state.rendered && state.impact) {
    state.rendered = true;
    // Read by the benchmark (Performance API): first render with data.
    performance.mark('ayalon:first-data-render');
  }
}

function renderAll() {
  renderCurrent();
  draw(...CHART);
  draw(...COLLECTOR);
}

// ---------------------------------------------------------------- refresh, language, window

function tick(countDown = true) {
  if (!state.paused && !state.loading && countDown) state.countdown--;
  if (!state.paused && state.countdown <= 0) {
    loadAll();
    return;
  }
  if (!state.loading) {
    $('refresh-countdown').textContent = state.paused ? t('paused') : t('countdown', { s: f.number(state.countdown) });
  }
  if (state.fetchedAt) draw(...AGE);
}

function renderControls() {
  const toggle = $('refresh-toggle');
  toggle.textContent = state.paused ? t('resume') : t('pause');
  toggle.setAttribute('aria-pressed', String(state.paused));
  for (const link of document.querySelectorAll('#languages a[hreflang]')) {
    if (link.hreflang === language()) link.setAttribute('aria-current', 'true');
    else link.removeAttribute('aria-current');
  }
  renderA11y();
}

function renderA11y() {
  const host = $('a11y-notes');
  host.textContent = '';
  for (const line of t('a11y.notes')) {
    const p = document.createElement('p');
    p.textContent = line;
    host.append(p);
  }
}

/** The visitor's own choice: shown at once, remembered, and put in the address so the link shares it. */
async function switchLanguage(lang) {
  await loadLanguage(lang);
  remember(language());
  const url = new URL(location.href);
  url.searchParams.set('lang', language());
  history.replaceState(null, '', url);
  applyStaticLabels();
  renderControls();
  if (state.fetchedAt) renderAll();
  tick(false);
}

async function start() {
  // The dictionary and the current state are read in parallel; nothing is drawn before both are here.
  const core = readCore();
  await loadLanguage(chooseLanguage());
  const savedWindow = readStored(WINDOW_KEY);
  if (savedWindow && WINDOWS[savedWindow]) state.window = savedWindow;
  for (const input of document.querySelectorAll('input[name="window"]')) {
    input.checked = input.value === state.window;
    input.addEventListener('change', () => {
      if (!input.checked) return;
      state.window = input.value;
      store(WINDOW_KEY, state.window);
      loadHistory();
    });
  }
  applyStaticLabels();
  renderControls();
  for (const link of document.querySelectorAll('#languages a[hreflang]')) {
    link.addEventListener('click', (event) => {
      event.preventDefault();
      const lang = supported(link.hreflang);
      if (lang) switchLanguage(lang);
    });
  }
  $('refresh-toggle').addEventListener('click', () => {
    state.paused = !state.paused;
    renderControls();
    tick(false);
  });
  loadAll(core);
  setInterval(tick, 1000);
}

start();
