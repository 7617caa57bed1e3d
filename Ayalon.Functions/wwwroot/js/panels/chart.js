// The delay chart panel: the chosen window's history (../trend.js draws it with Chart.js) and the CSV link.
import { t } from '../i18n.js';
import { $, state } from '../state.js';
import { historyUrl, rangeFor, renderTrend } from '../trend.js';

export function renderChart() {
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
