// Delay per vehicle by direction over the chosen window, from /api/impact/history. Chart.js (from npm, served
// from lib/) draws it; the same numbers are also in an accessible table, and the CSV link asks for the same range.
import { axisTime, dateTime, number } from './format.js';
import { isRtl, t } from './i18n.js';

export const WINDOWS = {
  '24h': { hours: 24, granularity: 'hour' },
  '7d': { hours: 7 * 24, granularity: 'hour' },
  '30d': { hours: 30 * 24, granularity: 'day' },
};

// Okabe–Ito colours (distinguishable with the common colour-vision deficiencies), plus a dash and a marker
// shape per direction, so the lines differ without colour too.
const STYLE = {
  northbound: { color: '#0072B2', dash: [], point: 'circle' },
  southbound: { color: '#D55E00', dash: [6, 4], point: 'triangle' },
};
const FALLBACK = { color: '#009E73', dash: [2, 3], point: 'rect' };

const HOUR = 3600 * 1000;

/** Ticks on whole hours/days (the range starts on a whole hour): 3 h for a day, 1 day for a week, 5 days for a month. */
const tickStep = (span) => (span <= 36 * HOUR ? 3 * HOUR : span <= 8 * 24 * HOUR ? 24 * HOUR : 5 * 24 * HOUR);

/** The request range: `to` is the next whole hour, so the URL (and its ETag) stays the same within the hour. */
export function rangeFor(windowKey, now = Date.now()) {
  const w = WINDOWS[windowKey] ?? WINDOWS['24h'];
  const to = Math.ceil(now / HOUR) * HOUR;
  const from = to - w.hours * HOUR;
  return { from: new Date(from).toISOString(), to: new Date(to).toISOString(), granularity: w.granularity };
}

export function historyUrl(range, csv = false) {
  const q = new URLSearchParams({ from: range.from, to: range.to, granularity: range.granularity });
  if (csv) q.set('format', 'csv');
  return `api/impact/history?${q}`;
}

/** Direction series of a history answer, as {direction: [{x, y}]} with x in ms. */
export function directionSeries(history) {
  const out = {};
  for (const s of history?.series ?? []) {
    if (s.kind !== 'direction') continue;
    out[s.key] = (s.points ?? [])
      .filter((p) => typeof p.meanDelaySeconds === 'number')
      .map((p) => ({ x: Date.parse(p.startUtc), y: p.meanDelaySeconds }));
  }
  return out;
}

/** The usual of each direction's points, as {direction: [{x, median, low, high}]} (available points only). */
export function usualSeries(history) {
  const out = {};
  for (const s of history?.series ?? []) {
    if (s.kind !== 'direction') continue;
    out[s.key] = (s.points ?? [])
      .filter((p) => p.usual?.status === 'available')
      .map((p) => ({ x: Date.parse(p.startUtc), median: p.usual.delaySeconds, low: p.usual.lowDelaySeconds, high: p.usual.highDelaySeconds }));
  }
  return out;
}

/** "#0072B2" → "rgba(0, 114, 178, a)". */
const translucent = (hex, a) => `rgba(${[1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)).join(', ')}, ${a})`;

let chart = null;

export function renderTrend({ canvas, table, message, rangeLabel, csvLink, figure, bandNote }, history, range, windowKey) {
  const series = directionSeries(history);
  const usual = usualSeries(history);
  const bands = Object.values(usual).reduce((a, s) => a + s.length, 0);
  figure.dataset.usualPoints = String(bands);
  bandNote.hidden = bands === 0;
  const from = Date.parse(history?.fromUtc ?? range.from);
  const to = Date.parse(history?.toUtc ?? range.to);
  figure.dataset.window = windowKey;
  figure.dataset.fromUtc = new Date(from).toISOString();
  figure.dataset.toUtc = new Date(to).toISOString();
  figure.dataset.points = String(Object.values(series).reduce((a, s) => a + s.length, 0));
  rangeLabel.textContent = t('chart.range', {
    from: dateTime(new Date(from).toISOString(), { withZone: false }),
    to: dateTime(new Date(to).toISOString()),
    granularity: t('chart.gran.' + (history?.granularity ?? range.granularity)),
  });
  csvLink.href = historyUrl(range, true);
  csvLink.setAttribute('download', `ayalon-delay-${windowKey}-${range.from.slice(0, 13)}.csv`);
  renderTable(table, series, usual);

  const empty = Object.values(series).every((s) => s.length === 0);
  message.hidden = !empty;
  if (empty) message.textContent = t('chart.empty');

  if (typeof window.Chart !== 'function') {
    message.hidden = false;
    message.textContent = t('chart.noLibrary');
    return;
  }
  // The usual band of each direction first (drawn beneath): its 25th and 75th percentile as two thin edges in the
  // direction's dash pattern, filled between, so the band reads without colour too (legend and table name it).
  const bandSets = Object.entries(usual).filter(([, points]) => points.length > 0).flatMap(([direction, points]) => {
    const style = STYLE[direction] ?? FALLBACK;
    const edge = { borderColor: translucent(style.color, 0.5), borderDash: style.dash, borderWidth: 1, pointRadius: 0, tension: 0, spanGaps: false };
    return [
      { ...edge, label: t('chart.band', { dir: t('dir.' + direction) }) + ' (25%)', data: points.map((p) => ({ x: p.x, y: p.low })), fill: false, band: 'low' },
      {
        ...edge, label: t('chart.band', { dir: t('dir.' + direction) }), data: points.map((p) => ({ x: p.x, y: p.high })),
        fill: '-1', backgroundColor: translucent(style.color, 0.15), band: 'high',
      },
    ];
  });
  const lineSets = Object.entries(series).map(([direction, points]) => {
    const style = STYLE[direction] ?? FALLBACK;
    return {
      label: t('dir.' + direction),
      data: points,
      borderColor: style.color,
      backgroundColor: style.color,
      borderDash: style.dash,
      pointStyle: style.point,
      pointRadius: points.length > 200 ? 0 : 3,
      borderWidth: 2,
      tension: 0,
      spanGaps: false,
    };
  });
  const datasets = [...bandSets, ...lineSets];
  const span = to - from;
  const rtl = isRtl();
  const options = {
    animation: false,
    responsive: true,
    maintainAspectRatio: false,
    parsing: false,
    normalized: true,
    interaction: { mode: 'nearest', intersect: false },
    plugins: {
      legend: { rtl, labels: { usePointStyle: true, filter: (item, data) => data.datasets[item.datasetIndex].band !== 'low' } },
      tooltip: {
        rtl,
        callbacks: {
          title: (items) => (items.length ? dateTime(new Date(items[0].parsed.x).toISOString()) : ''),
          label: (item) => `${item.dataset.label}: ${number(item.parsed.y, 1)}`,
        },
      },
    },
    scales: {
      x: { type: 'linear', min: from, max: to, ticks: { stepSize: tickStep(span), maxTicksLimit: 9, callback: (v) => axisTime(v, span) } },
      y: { beginAtZero: true, title: { display: true, text: t('chart.axis') }, ticks: { callback: (v) => number(v) } },
    },
  };
  if (chart) {
    chart.data.datasets = datasets;
    chart.options = options;
    chart.update('none');
  } else {
    chart = new window.Chart(canvas, { type: 'line', data: { datasets }, options });
  }
}

function renderTable(table, series, usual) {
  const directions = Object.keys(series);
  const thead = table.tHead;
  const tbody = table.tBodies[0];
  thead.textContent = '';
  tbody.textContent = '';
  const head = thead.insertRow();
  const labels = directions.flatMap((d) => [t('dir.' + d), t('chart.usual', { dir: t('dir.' + d) }), t('chart.band', { dir: t('dir.' + d) })]);
  for (const label of [t('chart.time'), ...labels]) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = label;
    head.append(th);
  }
  const times = [...new Set(directions.flatMap((d) => [...series[d], ...(usual[d] ?? [])].map((p) => p.x)))].sort((a, b) => a - b);
  const lookup = Object.fromEntries(directions.map((d) => [d, new Map(series[d].map((p) => [p.x, p.y]))]));
  const usualAt = Object.fromEntries(directions.map((d) => [d, new Map((usual[d] ?? []).map((p) => [p.x, p]))]));
  for (const x of times) {
    const row = tbody.insertRow();
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = dateTime(new Date(x).toISOString(), { withZone: false });
    row.append(th);
    for (const d of directions) {
      const u = usualAt[d].get(x);
      row.insertCell().textContent = number(lookup[d].get(x), 1);
      row.insertCell().textContent = number(u?.median, 1);
      row.insertCell().textContent = u ? `${number(u.low, 1)}–${number(u.high, 1)}` : '—';
    }
  }
}
