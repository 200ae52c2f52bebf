// The console's only way to Ferry: the public API at the version this console was written for, with the key the
// user signed in with. The key lives in sessionStorage (gone when the tab closes), never in localStorage, a URL or
// a log line.
export const apiVersion = '2025-09-18';

const keyItem = 'ferry.console.key';
const partnerKeyItem = 'ferry.console.partner-key';

export const session = {
  key: () => sessionStorage.getItem(keyItem),
  /** The partner key a partner signed in with, kept while the console acts in another organization. */
  partnerKey: () => sessionStorage.getItem(partnerKeyItem),
  signIn(key) {
    sessionStorage.setItem(keyItem, key);
    sessionStorage.removeItem(partnerKeyItem);
  },
  /** Act with an organization's key, remembering the partner key to come back to. */
  actAs(key) {
    if (!this.partnerKey()) sessionStorage.setItem(partnerKeyItem, this.key());
    sessionStorage.setItem(keyItem, key);
  },
  backToPartner() {
    const partner = this.partnerKey();
    if (partner) this.signIn(partner);
  },
  signOut() {
    sessionStorage.removeItem(keyItem);
    sessionStorage.removeItem(partnerKeyItem);
  },
};

/** An error answer of the API: its message, key, and the field it names (metadata.field), when it names one. */
export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message ?? `The API answered ${status}.`);
    this.status = status;
    this.key = body?.key;
    this.metadata = body?.metadata ?? {};
    this.field = this.metadata.field;
  }

  /** Whether this error is about `field` (or one of its issues is). */
  names(field) {
    if (this.field === field) return true;
    return (this.metadata.issues ?? []).some((issue) => issue.field === field);
  }

  /** The message for `field`: the issue's own when the error lists several. */
  messageFor(field) {
    const issue = (this.metadata.issues ?? []).find((candidate) => candidate.field === field);
    return issue?.message ?? this.message;
  }
}

function query(params) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params ?? {})) {
    if (value !== undefined && value !== null && value !== '') search.set(name, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

/**
 * One API call. Writes (every method but GET) send an Idempotency-Key, fresh per call, so a request the browser
 * repeats is answered once, as the API promises any client.
 */
export async function api(method, path, { body, params, key } = {}) {
  const headers = { accept: 'application/json', 'x-polytomic-version': apiVersion };
  const bearer = key ?? session.key();
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET') headers['idempotency-key'] = crypto.randomUUID();
  const response = await fetch(path + query(params), {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: 'no-store',
    credentials: 'omit',
  });
  const text = await response.text();
  let parsed;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!response.ok) {
    const error = new ApiError(response.status, parsed);
    if (response.status === 401 && !key) window.dispatchEvent(new CustomEvent('ferry:unauthorized'));
    throw error;
  }
  return parsed;
}

export const get = (path, params) => api('GET', path, { params });
export const post = (path, body, params) => api('POST', path, { body, params });
export const put = (path, body) => api('PUT', path, { body });
export const patch = (path, body) => api('PATCH', path, { body });
export const del = (path) => api('DELETE', path);

/** Every page of a paginated list (pagination.next_page_token), up to `most` items. */
export async function getAll(path, params = {}, most = 500) {
  const items = [];
  let token;
  do {
    const page = await get(path, { ...params, page_token: token });
    items.push(...(page.data ?? []));
    token = page.pagination?.next_page_token;
  } while (token && items.length < most);
  return items;
}
