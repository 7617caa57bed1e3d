// The corridor map panel: the SVG of both carriageways (../map.js draws it), its legend and the OSM credit.
import { renderLegend, renderMap } from '../map.js';
import { $, state } from '../state.js';
import { unavailable } from './panel.js';

export function renderMapPanel() {
  const host = $('map');
  if (!state.corridor) return unavailable(host);
  renderMap(host, state.corridor, state.impact);
  renderLegend($('map-legend'));
  const attribution = state.corridor.attribution || '© OpenStreetMap contributors';
  $('map-attribution').textContent = attribution.includes('OpenStreetMap') ? attribution : `${attribution} · © OpenStreetMap contributors`;
}
