// Delay classes shared by the map, legend and table. Colour is never the only cue: every class also has its own
// line pattern and width on the map, and the delay is printed as text next to it.
export const CLASSES = ['free', 'slow', 'congested', 'heavy', 'nodata'];

/**
 * The class /api/impact sends for a section or direction (congestionClass: the constants file's thresholds, applied
 * by the API); the page draws "none" and a missing answer as its nodata style.
 */
export function delayClass(item) {
  const cls = item?.congestionClass;
  return CLASSES.includes(cls) ? cls : 'nodata';
}
