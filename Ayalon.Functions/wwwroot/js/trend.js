// Delay per vehicle by direction over the chosen window, from /api/impact/history. Chart.js (from npm, served
// from lib/) draws it; the same numbers are also in an accessible table, and the CSV link asks for the same range.
import { axisTime, dateTime, number } from './format.js';
import { language, t } from './i18n.js';

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

let chart = null;

export function renderTrend({ canvas, table, message, rangeLabel, csvLink, figure }, history, range, windowKey) {
  const series = directionSeries(history);
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
  renderTable(table, series);

  const empty = Object.values(series).every((s) => s.length === 0);
  message.hidden = !empty;
  if (empty) message.textContent = t('chart.empty');

  if (typeof window.Chart !== 'function') {
    message.hidden = false;
    message.textContent = t('chart.noLibrary');
    return;
  }
  const datasets = Object.entries(series).map(([direction, points]) => {
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
  const span = to - from;
  const rtl = language() === 'he';
  const options = {
    animation: false,
    responsive: true,
    maintainAspectRatio: false,
    parsing: false,
    normalized: true,
    interaction: { mode: 'nearest', intersect: false },
    plugins: {
      legend: { rtl, labels: { usePointStyle: true } },
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

function renderTable(table, series) {
  const directions = Object.keys(series);
  const thead = table.tHead;
  const tbody = table.tBodies[0];
  thead.textContent = '';
  tbody.textContent = '';
  const head = thead.insertRow();
  for (const label of [t('chart.time'), ...directions.map((d) => t('dir.' + d))]) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = label;
    head.append(th);
  }
  const times = [...new Set(directions.flatMap((d) => series[d].map((p) => p.x)))].sort((a, b) => a - b);
  const lookup = Object.fromEntries(directions.map((d) => [d, new Map(series[d].map((p) => [p.x, p.y]))]));
  for (const x of times) {
    const row = tbody.insertRow();
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = dateTime(new Date(x).toISOString(), { withZone: false });
    row.append(th);
    for (const d of directions) row.insertCell().textContent = number(lookup[d].get(x), 1);
  }
}
