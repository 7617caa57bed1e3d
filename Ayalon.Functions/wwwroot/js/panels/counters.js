// Today's physical impact: vehicle-hours, CO2, excess fuel and fuel cost since local midnight — or why not.
import * as f from '../format.js';
import { t } from '../i18n.js';
import { $, state } from '../state.js';
import { unavailable } from './panel.js';

export function renderCounters() {
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
