// Reads the monitor's own API (same origin only). `cache: 'no-cache'` makes the browser revalidate every read
// with the ETag it holds (If-None-Match), so unchanged data costs a 304 with no body, and never shows a cached
// answer without asking. (Setting If-None-Match by hand with `no-store` also works, but Chromium then reports
// every 304 as an aborted request.)

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
  const response = await fetch(url, { headers: { Accept: 'application/json' }, cache: 'no-cache', credentials: 'same-origin' });
  const body = await readJson(response);
  if (response.ok || acceptStatus.includes(response.status)) return body;
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
