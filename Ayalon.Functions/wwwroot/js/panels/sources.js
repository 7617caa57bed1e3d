// Input data sources: the traffic provider and its last fetch, the fuel price, the volume profile, the geometry.
import * as f from '../format.js';
import { t } from '../i18n.js';
import { $, state } from '../state.js';
import { facts, unavailable } from './panel.js';

export function renderSources() {
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
