// The corridor drawn as SVG from the sections' own geometry: no tile server, no external request.
// Both carriageways of the Ayalon run a few tens of metres apart, which is less than a pixel at this scale, so each
// is drawn offset a few pixels to the right of its direction of travel (traffic keeps right) — a schematic, labelled so.
import { CLASSES, delayClass } from './delayclass.js';
import { delay as fmtDelay } from './format.js';
import { place, t } from './i18n.js';

const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 360;
const HEIGHT = 520;
const PAD = 56;
const OFFSET_PX = 6;

function el(name, attrs = {}, text) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Equirectangular projection around the corridor's centre; good to well under a pixel over 10 km. */
function projector(sections) {
  const pts = sections.flatMap((s) => s.geometry);
  const lat0 = pts.reduce((a, p) => a + p[0], 0) / pts.length;
  const k = Math.cos((lat0 * Math.PI) / 180);
  const xs = pts.map((p) => p[1] * k);
  const ys = pts.map((p) => p[0]);
  const minX = Math.min(...xs), maxX = Math.max(...xs), minY = Math.min(...ys), maxY = Math.max(...ys);
  const scale = Math.min((WIDTH - 2 * PAD) / (maxX - minX || 1), (HEIGHT - 2 * PAD) / (maxY - minY || 1));
  const cx = (WIDTH - (maxX - minX) * scale) / 2;
  const cy = (HEIGHT - (maxY - minY) * scale) / 2;
  return ([lat, lon]) => [cx + (lon * k - minX) * scale, HEIGHT - (cy + (lat - minY) * scale)];
}

/** Shifts a screen polyline sideways, to the right of its direction of travel. */
function offsetRight(points, d) {
  return points.map((p, i) => {
    const a = points[Math.max(0, i - 1)];
    const b = points[Math.min(points.length - 1, i + 1)];
    const dx = b[0] - a[0], dy = b[1] - a[1];
    const len = Math.hypot(dx, dy) || 1;
    // Screen y grows downwards, so (−dy, dx) points to the right of travel.
    return [p[0] - (dy / len) * d, p[1] + (dx / len) * d];
  });
}

/** The point half-way along a polyline (its vertices are not evenly spaced). */
function halfway(points) {
  const steps = points.slice(1).map((p, i) => Math.hypot(p[0] - points[i][0], p[1] - points[i][1]));
  let left = steps.reduce((a, b) => a + b, 0) / 2;
  for (let i = 0; i < steps.length; i++) {
    if (left <= steps[i]) {
      const k = steps[i] ? left / steps[i] : 0;
      return [points[i][0] + (points[i + 1][0] - points[i][0]) * k, points[i][1] + (points[i + 1][1] - points[i][1]) * k];
    }
    left -= steps[i];
  }
  return points[points.length - 1];
}

const pathOf = (pts) => pts.map((p, i) => `${i ? 'L' : 'M'}${p[0].toFixed(1)} ${p[1].toFixed(1)}`).join(' ');

export function renderMap(container, corridor, impact) {
  container.textContent = '';
  if (!corridor?.sections?.length) {
    container.textContent = t('unavailable');
    return;
  }
  const project = projector(corridor.sections);
  const bySection = new Map((impact?.sections ?? []).map((s) => [s.sectionId, s]));
  const svg = el('svg', { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: 'img', 'aria-labelledby': 'map-svg-title', class: 'map-svg' });
  svg.append(el('title', { id: 'map-svg-title' }, t('map.label', { n: corridor.sections.length })));

  const labels = el('g', { class: 'map-labels' });
  const junctions = new Map();
  for (const section of corridor.sections) {
    const screen = section.geometry.map(project);
    const shifted = offsetRight(screen, OFFSET_PX);
    const state = bySection.get(section.sectionId);
    const cls = delayClass(state);
    const path = el('path', { d: pathOf(shifted), class: `section section-${cls}`, 'data-section': section.sectionId });
    path.append(el('title', {}, `${place(section.from)} ${t('arrow')} ${place(section.to)}: ${fmtDelay(state?.delaySeconds)} (${t('class.' + cls)})`));
    svg.append(path);

    // The delay as text beside the section's middle, outside its own carriageway.
    const mid = halfway(shifted);
    const northbound = section.direction === 'northbound';
    const text = el('text', {
      x: (mid[0] + (northbound ? 10 : -10)).toFixed(1), y: mid[1].toFixed(1),
      class: `map-delay delay-text-${cls}`, 'text-anchor': northbound ? 'start' : 'end', 'dominant-baseline': 'middle',
    }, fmtDelay(state?.delaySeconds));
    labels.append(text);
    for (const [name, pt] of [[section.from, screen[0]], [section.to, screen[screen.length - 1]]]) {
      if (!junctions.has(name)) junctions.set(name, pt);
    }
  }
  // Direction arrows: where each carriageway's first section starts.
  for (const [name, pt] of junctions) {
    labels.append(el('circle', { cx: pt[0].toFixed(1), cy: pt[1].toFixed(1), r: 3.5, class: 'junction' }));
    labels.append(el('text', { x: (pt[0] + 12).toFixed(1), y: (pt[1] - 10).toFixed(1), class: 'map-junction', 'text-anchor': 'start' }, place(name)));
  }
  svg.append(labels);
  svg.append(el('text', { x: WIDTH - 8, y: 16, class: 'map-north', 'text-anchor': 'end' }, 'N ↑'));
  container.append(svg);
}

export function renderLegend(list) {
  list.textContent = '';
  for (const cls of CLASSES) {
    const li = document.createElement('li');
    const svg = el('svg', { viewBox: '0 0 36 10', width: 36, height: 10, 'aria-hidden': 'true', class: 'legend-swatch' });
    svg.append(el('path', { d: 'M2 5 L34 5', class: `section section-${cls}` }));
    li.append(svg, document.createTextNode(' ' + t('class.' + cls)));
    list.append(li);
  }
  const note = document.createElement('li');
  note.className = 'muted';
  note.textContent = t('map.offset');
  list.append(note);
}
