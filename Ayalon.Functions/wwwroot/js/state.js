// The page's one state object and the reads that fill it (same origin only; the page never triggers a collection).
// A failed read leaves its part null with the error beside it, so a panel says "unavailable" instead of showing
// the previous answer as current.
import { getJson, settle } from './api.js';
import { setDisplayTimeZone } from './format.js';
import { historyUrl, rangeFor } from './trend.js';

export const REFRESH_SECONDS = 60;

export const $ = (id) => document.getElementById(id);

export const state = {
  corridor: null, impact: null, health: null, analytics: null, history: null,
  errors: {}, fetchedAt: 0, window: '24h', range: null,
  paused: false, countdown: REFRESH_SECONDS, loading: false, rendered: false, refreshes: 0,
};

export function readStored(key) {
  try { return localStorage.getItem(key); } catch { return null; }
}
export function store(key, value) {
  try { localStorage.setItem(key, value); } catch { /* private mode: not remembered, still works */ }
}

/** The current state (the numbers people came for): read before the chart and collector panels. */
export function readCore() {
  const core = {
    impact: () => getJson('api/impact'),
    // /api/health answers 503 when the data is stale or missing; its body still says why.
    health: () => getJson('api/health', { acceptStatus: [503] }),
  };
  if (!state.corridor) core.corridor = () => getJson('api/corridor');
  return settle(core);
}

/** The chart's history and the collector's analytics, read after the current state so they do not compete. */
export function readRest() {
  state.range = rangeFor(state.window);
  return settle({
    analytics: () => getJson('api/analytics?window=24h'),
    history: () => getJson(historyUrl(state.range)),
  });
}

export async function readHistory() {
  state.range = rangeFor(state.window);
  accept(await settle({ history: () => getJson(historyUrl(state.range)) }));
}

/** A failed read shows as "unavailable", never as the previous answer dressed up as current. */
export function accept(results) {
  for (const [name, r] of Object.entries(results)) {
    state.errors[name] = r.error ?? null;
    state[name] = r.error ? null : r.data;
    if (name === 'impact' && !r.error) setDisplayTimeZone(r.data?.displayTimeZone);
  }
}

let chartLibrary = null;

/** Loads Chart.js (same origin, lib/) once; the chart panel says so if it cannot. */
export function loadChartLibrary() {
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

export function newestObservation() {
  return state.impact?.provenance?.newestObservationUtc ?? state.health?.newestObservationUtc ?? null;
}

/** Data age now: the server's own figure (its clock) plus the time since we fetched it. */
export function dataAgeSeconds() {
  const since = (Date.now() - state.fetchedAt) / 1000;
  if (typeof state.health?.dataAgeSeconds === 'number') return state.health.dataAgeSeconds + since;
  const newest = newestObservation();
  const generated = state.impact?.generatedAtUtc;
  if (newest && generated) return (Date.parse(generated) - Date.parse(newest)) / 1000 + since;
  return null;
}
