// Corridor now, by direction: travel time against free flow, delay and its class, compared with the usual.
import { delayClass } from '../delayclass.js';
import * as f from '../format.js';
import { place, t } from '../i18n.js';
import { $, state } from '../state.js';
import { facts, unavailable, usualBasis, vsUsual } from './panel.js';

export function renderDirections() {
  const host = $('directions');
  const directions = state.impact?.directions;
  if (!directions?.length) return unavailable(host);
  host.textContent = '';
  for (const d of directions) {
    const card = document.createElement('article');
    const cls = delayClass(d);
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
