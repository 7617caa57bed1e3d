// The dashboard: reads /api/corridor, /api/impact, /api/health, /api/analytics and /api/impact/history (same origin
// only), renders them, and re-reads them every 60 s. It never triggers a collection. A missing or failing endpoint
// makes its own panel say "unavailable"; the rest of the page still renders.
import { getJson, settle } from './api.js';
import { delayClass } from './delayclass.js';
import * as f from './format.js';
import { applyStaticLabels, chooseLanguage, language, loadLanguage, place, remember, supported, t } from './i18n.js';
import { renderLegend, renderMap } from './map.js';
import { WINDOWS, historyUrl, rangeFor, renderTrend } from './trend.js';

const REFRESH_SECONDS = 60;
const WINDOW_KEY = 'ayalon.window';
const STATUSES = ['healthy', 'degraded', 'closed', 'stale', 'collector_down', 'empty', 'error'];

const $ = (id) => document.getElementById(id);
const state = {
  corridor: null, impact: null, health: null, analytics: null, history: null,
  errors: {}, fetchedAt: 0, window: '24h', range: null,
  paused: false, countdown: REFRESH_SECONDS, loading: false, rendered: false, refreshes: 0,
};

function readStored(key) {
  try { return localStorage.getItem(key); } catch { return null; }
}
function store(key, value) {
  try { localStorage.setItem(key, value); } catch { /* private mode: not remembered, still works */ }
}

// ---------------------------------------------------------------- loading

/** The current state (the numbers people came for): read before the chart and collector panels. */
function readCore() {
  const core = {
    impact: () => getJson('api/impact'),
    // /api/health answers 503 when the data is stale or missing; its body still says why.
    health: () => getJson('api/health', { acceptStatus: [503] }),
  };
  if (!state.corridor) core.corridor = () => getJson('api/corridor');
  return settle(core);
}

/** `pending`: core reads already started (the first load starts them while the dictionary is still on its way). */
async function loadAll(pending = null) {
  if (state.loading) return;
  state.loading = true;
  $('refresh-countdown').textContent = t('refreshing');
  state.range = rangeFor(state.window);
  // The chart and collector reads start only after the current state, so they do not compete with it.
  accept(await (pending ?? readCore()));
  state.fetchedAt = Date.now();
  renderCurrent();
  const rest = settle({
    analytics: () => getJson('api/analytics?window=24h'),
    history: () => getJson(historyUrl(state.range)),
  });
  const [results] = await Promise.all([rest, loadChartLibrary().catch(() => null)]);
  accept(results);
  renderChart();
  renderCollector();
  state.loading = false;
  state.refreshes++;
  document.body.dataset.refreshes = String(state.refreshes);
  state.countdown = REFRESH_SECONDS;
  tick(false);
}

let chartLibrary = null;

/** Loads Chart.js (same origin, lib/) once; the chart panel says so if it cannot. */
function loadChartLibrary() {
  if (typeof window.Chart === 'function') return Promise.resolve();
  chartLibrary ??= new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = 'lib/chart.umd.min.js';
    script.onload = resolve;
    script.onerror = () => { chartLibrary = null; reject(new Error('chart library')); };
    document.head.append(script);
  });
  return chartLibrary;
}

/** A failed read shows as "unavailable", never as the previous answer dressed up as current. */
function accept(results) {
  for (const [name, r] of Object.entries(results)) {
    state.errors[name] = r.error ?? null;
    state[name] = r.error ? null : r.data;
  }
}

async function loadHistory() {
  state.range = rangeFor(state.window);
  const r = await settle({ history: () => getJson(historyUrl(state.range)) });
  state.history = r.history.data ?? null;
  state.errors.history = r.history.error ?? null;
  renderChart();
}

// ---------------------------------------------------------------- rendering

function renderCurrent() {
  renderBanner();
  renderDirections();
  renderMapPanel();
  renderTable();
  renderCounters();
  renderSources();
  renderProvenance();
  document.body.dataset.lang = language();
  if (!state.rendered && state.impact) {
    state.rendered = true;
    // Read by the browser test (Performance API): first render with data.
    performance.mark('ayalon:first-data-render');
  }
}

function renderAll() {
  renderCurrent();
  renderChart();
  renderCollector();
}

function bannerStatus() {
  const { impact, health } = state;
  if (!impact && !health) return 'unreachable';
  const provider = health?.lastCycle?.providerStatus ?? impact?.sources?.traffic?.status;
  if (provider === 'no_coverage') return 'no_coverage';
  const status = health?.status ?? impact?.dataStatus;
  return STATUSES.includes(status) ? status : 'error';
}

function newestObservation() {
  return state.impact?.provenance?.newestObservationUtc ?? state.health?.newestObservationUtc ?? null;
}

/** Data age now: the server's own figure (its clock) plus the time since we fetched it. */
function dataAgeSeconds() {
  const since = (Date.now() - state.fetchedAt) / 1000;
  if (typeof state.health?.dataAgeSeconds === 'number') return state.health.dataAgeSeconds + since;
  const newest = newestObservation();
  const generated = state.impact?.generatedAtUtc;
  if (newest && generated) return (Date.parse(generated) - Date.parse(newest)) / 1000 + since;
  return null;
}

function renderBanner() {
  const status = bannerStatus();
  const banner = $('status');
  banner.className = `banner banner-${status}`;
  banner.dataset.status = status;
  setText($('status-title'), t('status.' + status));
  let detail = t('statusDetail.' + status);
  const message = state.health?.lastCycle?.message ?? state.impact?.sources?.traffic?.message;
  if (status === 'no_coverage' && message) detail += ` (${message})`;
  setText($('status-detail'), detail);
  renderAge();
}

function renderAge() {
  const newest = newestObservation();
  $('last-updated').textContent = newest ? f.dateTime(newest) : t('never');
  const age = newest ? dataAgeSeconds() : null;
  $('data-age').textContent = age === null ? '' : t('ago', { age: f.age(age) });
}

function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

function unavailable(node, what) {
  node.textContent = '';
  const p = document.createElement('p');
  p.className = 'note unavailable';
  p.textContent = `${t('unavailable')}${what ? ` — ${what}` : ''}`;
  node.append(p);
}

function renderDirections() {
  const host = $('directions');
  const directions = state.impact?.directions;
  if (!directions?.length) return unavailable(host);
  host.textContent = '';
  for (const d of directions) {
    const card = document.createElement('article');
    const cls = delayClass({ ...d, state: d.state === 'ok' ? 'current' : 'none' });
    card.className = `card card-${cls}`;
    card.dataset.direction = d.direction;
    const h = document.createElement('h3');
    h.textContent = `${t('dir.' + d.direction)}: ${place(d.from)} ${t('arrow')} ${place(d.to)}`;
    card.append(h);
    if (d.state === 'ok') {
      card.append(facts([
        [t('dir.travelNow'), f.duration(d.travelTimeSeconds), d.travelTimeSeconds, 'travel'],
        [t('dir.freeFlow'), f.duration(d.freeFlowTimeSeconds), d.freeFlowTimeSeconds, 'freeflow'],
        [t('dir.delay'), `${f.delay(d.delaySeconds)} · ${t('class.' + cls)}`, d.delaySeconds, 'delay'],
        [t('dir.vsUsual'), `${vsUsual(d.usual)}${d.usual?.status === 'available' ? ` — ${usualBasis(d.usual)}` : ''}`, d.usual?.differenceSeconds, 'usual'],
        [t('dir.speed'), f.speed(d.speedKmh), d.speedKmh, 'speed'],
      ]));
    } else {
      const p = document.createElement('p');
      p.className = 'note';
      p.textContent = (d.state === 'incomplete' ? t('dir.incomplete') : t('dir.none')) + (d.reason ? ` (${d.reason})` : '');
      card.append(p);
    }
    if (d.observedAtUtc) {
      const p = document.createElement('p');
      p.className = 'muted';
      p.textContent = t('dir.observed', { t: f.dateTime(d.observedAtUtc) });
      card.append(p);
    }
    host.append(card);
  }
}

/** "1 min 40 s worse than usual", or why there is no usual yet. */
function vsUsual(usual) {
  if (!usual || usual.status !== 'available') return t('usual.unavailable', { weeks: f.number(usual?.weeks ?? 0) });
  const diff = usual.differenceSeconds;
  if (typeof diff !== 'number') return usualBasis(usual);
  if (Math.round(diff) === 0) return t('usual.same');
  return t(diff > 0 ? 'usual.worse' : 'usual.better', { diff: f.duration(Math.abs(diff)) });
}

function usualBasis(usual) {
  return t('usual.basis', {
    usual: f.duration(usual.delaySeconds), low: f.duration(usual.lowDelaySeconds), high: f.duration(usual.highDelaySeconds),
    weeks: f.number(usual.weeks),
  });
}

/** A <dl> from [label, text, rawValue?, key?] rows; the raw value goes into data-value for checks and tools. */
function facts(rows, dl = document.createElement('dl')) {
  dl.textContent = '';
  for (const [label, text, raw, key] of rows) {
    const dt = document.createElement('dt');
    dt.textContent = label;
    const dd = document.createElement('dd');
    dd.textContent = text;
    if (key) dd.dataset.key = key;
    if (raw !== undefined && raw !== null) dd.dataset.value = String(raw);
    dl.append(dt, dd);
  }
  return dl;
}

function renderMapPanel() {
  const host = $('map');
  if (!state.corridor) return unavailable(host);
  renderMap(host, state.corridor, state.impact);
  renderLegend($('map-legend'));
  const attribution = state.corridor.attribution || '© OpenStreetMap contributors';
  $('map-attribution').textContent = attribution.includes('OpenStreetMap') ? attribution : `${attribution} · © OpenStreetMap contributors`;
}

function renderTable() {
  const tbody = $('sections-table').tBodies[0];
  tbody.textContent = '';
  const sections = state.impact?.sections;
  if (!sections?.length) {
    const cell = tbody.insertRow().insertCell();
    cell.colSpan = 9;
    cell.textContent = t('unavailable');
    return;
  }
  for (const s of sections) {
    const row = tbody.insertRow();
    const cls = delayClass(s);
    row.dataset.section = s.sectionId;
    row.className = `row-${cls}`;
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = `${t('dir.' + s.direction)}: ${place(s.from)} ${t('arrow')} ${place(s.to)}`;
    row.append(th);
    const cells = [
      ['length', f.lengthKm(s.lengthMeters), s.lengthMeters],
      ['travel', f.duration(s.travelTimeSeconds), s.travelTimeSeconds],
      ['freeflow', f.duration(s.freeFlowTimeSeconds), s.freeFlowTimeSeconds],
      ['delay', f.delay(s.delaySeconds), s.delaySeconds],
      ['usual', s.state === 'current' ? vsUsual(s.usual) : '—', s.usual?.differenceSeconds],
      ['speed', f.speed(s.speedKmh), s.speedKmh],
      ['coverage', f.percent(s.coverage), s.coverage],
      ['state', t('state.' + s.state), s.state],
    ];
    for (const [key, text, raw] of cells) {
      const td = row.insertCell();
      td.dataset.key = key;
      if (raw !== null && raw !== undefined) td.dataset.value = String(raw);
      td.textContent = text;
      if (key === 'delay') {
        td.className = `delay delay-text-${cls}`;
        td.title = t('class.' + cls);
      }
      if (key === 'state') td.className = `state state-${s.state}`;
    }
  }
}

function renderCounters() {
  const host = $('counters');
  const note = $('counters-note');
  const today = state.impact?.today;
  note.textContent = '';
  $('counters-period').textContent = '';
  if (!today) return unavailable(host);
  const elapsed = (Date.parse(today.toUtc) - Date.parse(today.fromUtc)) / 1000;
  $('counters-period').textContent = t('counters.period', {
    date: today.localDate ?? '', zone: f.zoneName(new Date(today.fromUtc ?? Date.now())),
    observed: f.age(today.observedSeconds), elapsed: f.age(elapsed), coverage: f.percent(today.coverage),
  });
  const impact = today.impact ?? {};
  host.textContent = '';
  if (impact.available) {
    const items = [
      ['vehicleHours', impact.vehicleHours, 1, 'vh'],
      ['co2', impact.co2Kg, 0, 'kg'],
      ['fuel', impact.fuelLitres, 0, 'l'],
      ['fuelCost', impact.fuelCostIls, 0, null],
    ];
    for (const [key, value, digits, u] of items) {
      const box = document.createElement('div');
      box.className = 'counter';
      box.dataset.key = key;
      const label = document.createElement('span');
      label.className = 'counter-label';
      label.textContent = t('counters.' + key);
      const v = document.createElement('span');
      v.className = 'counter-value';
      if (typeof value === 'number') {
        v.dataset.value = String(value);
        v.textContent = key === 'fuelCost' ? `₪${f.number(value, digits)}` : `${f.number(value, digits)} ${t('unit')[u] ?? ''}`.trim();
      } else {
        v.textContent = key === 'fuelCost' && impact.fuelCostUnavailableReason ? t('unavailable') : '—';
      }
      box.append(label, v);
      host.append(box);
    }
    const notes = [];
    if (impact.label) notes.push(impact.label);
    else if (impact.volumeIsSynthetic) notes.push(t('sources.synthetic'));
    if (impact.fuelCostUnavailableReason) notes.push(t('counters.fuelCostUnavailable', { reason: impact.fuelCostUnavailableReason }));
    note.textContent = notes.join(' · ');
    note.classList.toggle('synthetic', Boolean(impact.volumeIsSynthetic));
  } else {
    const p = document.createElement('p');
    p.className = 'counter-unavailable';
    p.dataset.key = 'unavailable';
    p.textContent = t('counters.unavailable');
    host.append(p);
    if (impact.unavailableReason) note.textContent = t('counters.reason', { reason: impact.unavailableReason });
  }
  const list = document.createElement('ul');
  list.className = 'by-direction';
  for (const d of today.byDirection ?? []) {
    const li = document.createElement('li');
    li.textContent = t('counters.meanDelay', {
      dir: t('dir.' + d.direction), mean: f.delay(d.meanDelaySeconds), max: f.delay(d.maxDelaySeconds), congested: f.age(d.congestedSeconds),
    });
    list.append(li);
  }
  host.append(list);
}

function renderChart() {
  const parts = {
    canvas: $('chart'), table: $('chart-table'), message: $('chart-message'),
    rangeLabel: $('chart-range'), csvLink: $('csv-link'), figure: $('chart-figure'), bandNote: $('chart-band-note'),
  };
  if (!state.history) {
    parts.message.hidden = false;
    parts.message.textContent = t('unavailable');
    parts.csvLink.href = historyUrl(state.range ?? rangeFor(state.window), true);
    return;
  }
  renderTrend(parts, state.history, state.range, state.window);
}

function renderSources() {
  const dl = $('sources');
  const sources = state.impact?.sources;
  if (!sources) return unavailable(dl);
  const traffic = sources.traffic ?? {};
  const rows = [
    [t('sources.traffic'), traffic.provider ?? '—', traffic.provider, 'provider'],
    [t('sources.status'), [traffic.status, traffic.message].filter(Boolean).join(' — ') || '—', traffic.status, 'providerStatus'],
    [t('sources.lastFetch'), f.dateTime(traffic.lastFetchUtc), traffic.lastFetchUtc, 'lastFetch'],
    [t('sources.lastCycle'), [traffic.lastCycleStatus, traffic.lastCycleId].filter(Boolean).join(' · ') || '—', traffic.lastCycleId, 'lastCycle'],
  ];
  const fuel = sources.fuelPrice;
  // Another month's price (the table has no entry for today's month yet) says whose it is.
  const fuelMonth = fuel?.forMonth && fuel.month !== fuel.forMonth ? t('sources.fuelPriceOf', { month: fuel.month }) : fuel?.month;
  rows.push([t('sources.fuel'), fuel
    ? `${f.number(fuel.ilsPerLitre, 2)} ${t('unit').ilsPerL} — ${fuel.source ?? ''}${fuelMonth ? ` (${fuelMonth})` : ''}${fuel.secondary ? ` — ${t('sources.fuelSecondary')}` : ''}`
    : t('sources.fuelNone'), fuel?.ilsPerLitre, 'fuelPrice']);
  const volume = sources.volumeProfile;
  rows.push([t('sources.volume'), volume
    ? [volume.source, volume.citation, volume.synthetic ? t('sources.synthetic') : null].filter(Boolean).join(' — ')
    : t('sources.volumeNone'), volume?.source, 'volumeProfile']);
  const geometry = typeof sources.geometry === 'string' ? sources.geometry
    : [sources.geometry?.source, sources.geometry?.license, sources.geometry?.attribution].filter(Boolean).join(' — ');
  rows.push([t('sources.geometry'), geometry || state.corridor?.license || '© OpenStreetMap contributors', null, 'geometry']);
  facts(rows, dl);
}

function renderCollector() {
  const dl = $('collector');
  const a = state.analytics;
  const quotas = a?.quotas ?? state.health?.quotas ?? [];
  if (!a && quotas.length === 0) {
    dl.textContent = '';
    const p = document.createElement('p');
    p.className = 'note unavailable';
    p.textContent = t('collector.unavailable');
    dl.append(p);
    return;
  }
  const rows = [];
  if (a?.cycles) {
    const by = a.cycles.byStatus ?? {};
    rows.push([t('collector.cycles'), t('collector.cyclesValue', {
      total: f.number(a.cycles.total), ok: f.number(by.ok ?? 0), partial: f.number(by.partial ?? 0),
      failed: f.number(by.failed ?? 0), skipped: f.number(by.skipped ?? 0),
    }), a.cycles.total, 'cycles']);
    rows.push([t('collector.successRate'), f.percent(a.cycles.successRate, 1), a.cycles.successRate, 'successRate']);
  }
  // One row per provider: used / limit, the pace when paced, and where the current rate ends the period.
  for (const quota of quotas) {
    const text = [t('collector.quotaValue', {
      used: f.number(quota.used), limit: f.number(quota.limit), period: t('period.' + quota.periodUnit),
      percent: f.percent(typeof quota.usedPercent === 'number' ? quota.usedPercent / 100 : null, 1),
    })];
    if (quota.pacing) text.push(t('collector.quotaPace', { allowed: f.number(quota.allowedByNow) }));
    text.push(t('collector.quotaProjected', { projected: f.number(quota.projectedAtPeriodEnd) }));
    rows.push([t('collector.quota', { provider: quota.provider }),
      text.join(' · ') + (quota.alert ? ` — ${t('collector.quotaAlert')}` : ''), quota.used, `quota-${quota.provider}`]);
  }
  if (a?.latencyMs) {
    const ms = (v) => (typeof v === 'number' ? `${f.number(v / 1000, 1)} ${t('unit').s}` : '—');
    rows.push([t('collector.latency'), `${ms(a.latencyMs.cycleP50)} / ${ms(a.latencyMs.cycleP95)}`, a.latencyMs.cycleP50, 'latency']);
  }
  if (a?.coverage) rows.push([t('collector.coverage'), f.percent(a.coverage.meanSectionCoverage), a.coverage.meanSectionCoverage, 'coverage']);
  if (a?.uptime) rows.push([t('collector.uptime'), `${f.percent(typeof a.uptime.uptimePercent === 'number' ? a.uptime.uptimePercent / 100 : null, 1)} (${f.age(a.uptime.sinceFirstCycleSeconds)})`, a.uptime.uptimePercent, 'uptime']);
  facts(rows, dl);
}

function renderProvenance() {
  const notes = $('method-notes');
  notes.textContent = '';
  for (const line of t('method.notes')) {
    const li = document.createElement('li');
    li.textContent = line;
    notes.append(li);
  }
  const i = state.impact;
  const dl = $('provenance');
  if (!i) return unavailable(dl);
  const p = i.provenance ?? {};
  const tracking = Array.isArray(p.trackingIds) ? p.trackingIds.join(', ') : (p.trackingIds ?? '');
  facts([
    [t('prov.methodology'), i.methodologyVersion ?? '—', i.methodologyVersion, 'methodology'],
    [t('prov.constants'), i.constantsVersion ?? '—', i.constantsVersion, 'constants'],
    [t('prov.provider'), p.provider ?? '—', p.provider, 'provider'],
    [t('prov.cycle'), p.lastCycleId ?? '—', p.lastCycleId, 'cycle'],
    [t('prov.newest'), f.dateTime(p.newestObservationUtc), p.newestObservationUtc, 'newest'],
    [t('prov.tracking'), tracking || '—', null, 'tracking'],
    [t('prov.generated'), f.dateTime(i.generatedAtUtc), i.generatedAtUtc, 'generated'],
  ], dl);
  $('next-cycle').textContent = i.nextCycleUtc ? t('nextCycle', { t: f.dateTime(i.nextCycleUtc) }) : '';
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
  if (state.fetchedAt) renderAge();
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
