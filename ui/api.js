// Calls to the public API (/v1) with the API key of this browser tab. The key lives in sessionStorage: it goes
// when the tab closes and is never sent anywhere but this API.
const KEY = 'sluice.apiKey';

export const apiKey = () => sessionStorage.getItem(KEY);
export const signIn = (key) => sessionStorage.setItem(KEY, key);
export const signOut = () => sessionStorage.removeItem(KEY);

/** A refused call: the status and the API's problem (RFC 9457: title, detail, allowedActions…). */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail ?? problem?.title ?? `the API answered ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

export async function api(method, path, body, key = apiKey()) {
  const headers = { authorization: `Bearer ${key}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = res.status === 204 ? '' : await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = { detail: text.slice(0, 200) };
  }
  if (!res.ok) {
    // The key this tab signed in with, revoked while the page is open: back to the sign-in form.
    if (res.status === 401 && key === apiKey()) window.dispatchEvent(new Event('sluice:unauthorized'));
    throw new ApiError(res.status, json);
  }
  return json;
}

export const get = (path) => api('GET', path);
