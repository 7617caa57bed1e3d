// The status banner: the data's status (or the provider's lack of coverage), when it was last updated and its age.
import * as f from '../format.js';
import { t } from '../i18n.js';
import { $, dataAgeSeconds, newestObservation, state } from '../state.js';
import { setText } from './panel.js';

const STATUSES = ['healthy', 'degraded', 'closed', 'stale', 'collector_down', 'empty', 'error'];

export function bannerStatus() {
  const { impact, health } = state;
  if (!impact && !health) return 'unreachable';
  const provider = health?.lastCycle?.providerStatus ?? impact?.sources?.traffic?.status;
  if (provider === 'no_coverage') return 'no_coverage';
  const status = health?.status ?? impact?.dataStatus;
  return STATUSES.includes(status) ? status : 'error';
}

export function renderBanner() {
  const status = bannerStatus();
  const banner = $('status');
  banner.className = `banner banner-${status}`;
  banner.dataset.status = status;
  setText($('status-title'), t('status.' + status));
  let detail = t('statusDetail.' + status);
  const message = state.health?.lastCycle?.message ?? state.impact?.sources?.traffic?.message;
  if (status === 'no_coverage' && message) detail += ` (${message})`;
  setText($('status-detail'), detail);
  renderAge();
}

/** Also called every second, so the age keeps moving between refreshes. */
export function renderAge() {
  const newest = newestObservation();
  $('last-updated').textContent = newest ? f.dateTime(newest) : t('never');
  const age = newest ? dataAgeSeconds() : null;
  $('data-age').textContent = age === null ? '' : t('ago', { age: f.age(age) });
}
