// Reads the monitor's own API (same origin only). Conditional GETs: the last ETag per URL goes out as
// If-None-Match, and a 304 reuses the body we already have, so unchanged data costs a few bytes.
// `cache: 'no-store'` keeps the browser cache out of the way, so the 304 reaches this code and is counted.

const known = new Map(); // url -> { etag, body }
export const stats = { requests: 0, notModified: 0 };

export class ApiError extends Error {
  constructor(url, status, body) {
    super(`${url}: ${status}`);
    this.status = status;
    this.body = body;
  }
}

/**
 * GET a JSON resource. Returns the parsed body for 2xx; some endpoints (health) answer 503 with a meaningful body,
 * so `acceptStatus` lists other statuses whose JSON body is still returned.
 */
export async function getJson(url, { acceptStatus = [] } = {}) {
  const previous = known.get(url);
  const headers = { Accept: 'application/json' };
  if (previous?.etag) headers['If-None-Match'] = previous.etag;
  stats.requests++;
  const response = await fetch(url, { headers, cache: 'no-store', credentials: 'same-origin' });
  if (response.status === 304 && previous) {
    stats.notModified++;
    return previous.body;
  }
  const body = await readJson(response);
  if (response.ok || acceptStatus.includes(response.status)) {
    const etag = response.headers.get('ETag');
    if (etag && response.ok) known.set(url, { etag, body });
    return body;
  }
  throw new ApiError(url, response.status, body);
}

async function readJson(response) {
  const type = response.headers.get('Content-Type') ?? '';
  if (!type.includes('json')) return null;
  try { return await response.json(); } catch { return null; }
}

/** Runs each loader; a failing one yields { error } instead of failing the others. */
export async function settle(loaders) {
  const names = Object.keys(loaders);
  const results = await Promise.allSettled(names.map((n) => loaders[n]()));
  const out = {};
  names.forEach((n, i) => {
    out[n] = results[i].status === 'fulfilled' ? { data: results[i].value } : { error: results[i].reason };
  });
  return out;
}
