// Delay classes shared by the map, legend and table. Colour is never the only cue: every class also has its own
// line pattern and width on the map, and the delay is printed as text next to it.
export const CLASSES = ['free', 'slow', 'congested', 'heavy', 'nodata'];

/** Class of a section from its delay per vehicle relative to its free-flow time (congested above 25%, §3). */
export function delayClass(section) {
  const ok = section && ['current', 'stale', 'old'].includes(section.state);
  const d = section?.delaySeconds;
  const ff = section?.freeFlowTimeSeconds;
  if (!ok || typeof d !== 'number' || typeof ff !== 'number' || ff <= 0) return 'nodata';
  const ratio = d / ff;
  if (d <= 0.5) return 'free';
  if (ratio > 0.75) return 'heavy';
  if (ratio > 0.25 || section.congested) return 'congested';
  return 'slow';
}
