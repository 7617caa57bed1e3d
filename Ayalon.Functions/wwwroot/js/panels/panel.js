// What every panel shares: drawing one panel so that its failure stays its own, and small DOM helpers.
// A renderer that throws (an unexpected field in an answer, a bug) leaves a translated error in its own section;
// the other panels still draw and auto-refresh goes on, and the next successful draw removes the error.
import * as f from '../format.js';
import { t } from '../i18n.js';
import { $ } from '../state.js';

/** Runs `render`; on an exception shows `name`'s error in the section around element `hostId`. True if it drew. */
export function draw(name, hostId, render) {
  const section = $(hostId)?.closest('section') ?? document.body;
  let error = section.querySelector(`[data-panel-error="${name}"]`);
  try {
    render();
    error?.remove();
    return true;
  } catch (e) {
    console.error(`panel ${name}:`, e);
    if (!error) {
      error = document.createElement('p');
      error.className = 'note unavailable panel-error';
      error.setAttribute('role', 'alert');
      error.dataset.panelError = name;
      section.append(error);
    }
    error.textContent = t('panelError');
    return false;
  }
}

export function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

export function unavailable(node, what) {
  node.textContent = '';
  const p = document.createElement('p');
  p.className = 'note unavailable';
  p.textContent = `${t('unavailable')}${what ? ` — ${what}` : ''}`;
  node.append(p);
}

/** A <dl> from [label, text, rawValue?, key?] rows; the raw value goes into data-value for checks and tools. */
export function facts(rows, dl = document.createElement('dl')) {
  dl.textContent = '';
  for (const [label, text, raw, key] of rows) {
    const dt = document.createElement('dt');
    dt.textContent = label;
    const dd = document.createElement('dd');
    dd.textContent = text;
    if (key) dd.dataset.key = key;
    if (raw !== undefined && raw !== null) dd.dataset.value = String(raw);
    dl.append(dt, dd);
  }
  return dl;
}

/** "1 min 40 s worse than usual", or why there is no usual yet. */
export function vsUsual(usual) {
  if (!usual || usual.status !== 'available') return t('usual.unavailable', { weeks: f.number(usual?.weeks ?? 0) });
  const diff = usual.differenceSeconds;
  if (typeof diff !== 'number') return usualBasis(usual);
  if (Math.round(diff) === 0) return t('usual.same');
  return t(diff > 0 ? 'usual.worse' : 'usual.better', { diff: f.duration(Math.abs(diff)) });
}

export function usualBasis(usual) {
  return t('usual.basis', {
    usual: f.duration(usual.delaySeconds), low: f.duration(usual.lowDelaySeconds), high: f.duration(usual.highDelaySeconds),
    weeks: f.number(usual.weeks),
  });
}
