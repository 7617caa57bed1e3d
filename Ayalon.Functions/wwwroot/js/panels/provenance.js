// Methodology notes and the provenance of the current numbers (versions, provider, cycle, tracking ids).
import * as f from '../format.js';
import { t } from '../i18n.js';
import { $, state } from '../state.js';
import { facts, unavailable } from './panel.js';

export function renderProvenance() {
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
