// Collector and quota over the last 24 hours, from /api/analytics (quotas from /api/health when analytics fails).
import * as f from '../format.js';
import { t } from '../i18n.js';
import { $, state } from '../state.js';
import { facts } from './panel.js';

export function renderCollector() {
  const dl = $('collector');
  const a = state.analytics;
  const quotas = a?.quotas ?? state.health?.quotas ?? [];
  if (!a && quotas.length === 0) {
    dl.textContent = '';
    const p = document.createElement('p');
    p.className = 'note unavailable';
    p.textContent = t('collector.unavailable');
    dl.append(p);
    return;
  }
  const rows = [];
  if (a?.cycles) {
    const by = a.cycles.byStatus ?? {};
    rows.push([t('collector.cycles'), t('collector.cyclesValue', {
      total: f.number(a.cycles.total), ok: f.number(by.ok ?? 0), partial: f.number(by.partial ?? 0),
      failed: f.number(by.failed ?? 0), skipped: f.number(by.skipped ?? 0),
    }), a.cycles.total, 'cycles']);
    rows.push([t('collector.successRate'), f.percent(a.cycles.successRate, 1), a.cycles.successRate, 'successRate']);
  }
  // One row per provider: used / limit, the pace when paced, and where the current rate ends the period.
  for (const quota of quotas) {
    const text = [t('collector.quotaValue', {
      used: f.number(quota.used), limit: f.number(quota.limit), period: t('period.' + quota.periodUnit),
      percent: f.percent(typeof quota.usedPercent === 'number' ? quota.usedPercent / 100 : null, 1),
    })];
    if (quota.pacing) text.push(t('collector.quotaPace', { allowed: f.number(quota.allowedByNow) }));
    text.push(t('collector.quotaProjected', { projected: f.number(quota.projectedAtPeriodEnd) }));
    rows.push([t('collector.quota', { provider: quota.provider }),
      text.join(' · ') + (quota.alert ? ` — ${t('collector.quotaAlert')}` : ''), quota.used, `quota-${quota.provider}`]);
  }
  if (a?.latencyMs) {
    const ms = (v) => (typeof v === 'number' ? `${f.number(v / 1000, 1)} ${t('unit').s}` : '—');
    rows.push([t('collector.latency'), `${ms(a.latencyMs.cycleP50)} / ${ms(a.latencyMs.cycleP95)}`, a.latencyMs.cycleP50, 'latency']);
  }
  if (a?.coverage) rows.push([t('collector.coverage'), f.percent(a.coverage.meanSectionCoverage), a.coverage.meanSectionCoverage, 'coverage']);
  if (a?.uptime) rows.push([t('collector.uptime'), `${f.percent(typeof a.uptime.uptimePercent === 'number' ? a.uptime.uptimePercent / 100 : null, 1)} (${f.age(a.uptime.sinceFirstCycleSeconds)})`, a.uptime.uptimePercent, 'uptime']);
  facts(rows, dl);
}
