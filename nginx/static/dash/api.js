// The public API with the dashboard's JWT (SPEC §3, §6). The token lives in
// sessionStorage (gone with the tab); the chosen project in localStorage.
const TOKEN = 'tally.token';
const PROJECT = 'tally.project';

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message || code || `HTTP ${status}`);
    this.status = status;
    this.code = code;
  }
}

export const session = {
  get token() { return sessionStorage.getItem(TOKEN); },
  set token(v) { v ? sessionStorage.setItem(TOKEN, v) : sessionStorage.removeItem(TOKEN); },
  get project() { return localStorage.getItem(PROJECT); },
  set project(v) { v ? localStorage.setItem(PROJECT, v) : localStorage.removeItem(PROJECT); },
};

/** Query string from an object, leaving out empty values. */
export function qs(params) {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {}))
    if (v !== undefined && v !== null && v !== '') u.set(k, String(v));
  const s = u.toString();
  return s ? `?${s}` : '';
}

/**
 * Call the API: resolves to the parsed JSON body (null for 204), rejects
 * with ApiError. A 401 on a token drops the token and goes to the login page.
 */
export async function api(path, { method = 'GET', body, query, project = true, auth = true } = {}) {
  const headers = { Accept: 'application/json' };
  if (auth && session.token) headers.Authorization = `Bearer ${session.token}`;
  if (project && session.project) headers['X-Project-Id'] = session.project;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(`/api/v1${path}${qs(query)}`, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'omit', cache: 'no-store',
    });
  } catch (e) {
    throw new ApiError(0, 'network', 'The server cannot be reached.');
  }
  let json = null;
  if (res.status !== 204) {
    const text = await res.text();
    if (text) { try { json = JSON.parse(text); } catch { json = null; } }
  }
  if (!res.ok) {
    if (res.status === 401 && auth && session.token) {
      session.token = null;
      location.hash = '#/login';
    }
    throw new ApiError(res.status, json && json.error, json && json.message);
  }
  return json;
}
