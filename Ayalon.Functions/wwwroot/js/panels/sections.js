// The sections table: one row per corridor section with its latest observation.
import { delayClass } from '../delayclass.js';
import * as f from '../format.js';
import { place, t } from '../i18n.js';
import { $, state } from '../state.js';
import { vsUsual } from './panel.js';

export function renderSections() {
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
