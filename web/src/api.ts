// A small fetch client for /api/v1: bearer token, JSON, and errors as ApiError.
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
  /** Someone else changed the order since we loaded it. */
  get isConflict() {
    return this.status === 409 && this.code === 'version_conflict';
  }
}

const TOKEN_KEY = 'jiesu.token';
let token: string | null = localStorage.getItem(TOKEN_KEY);
let onUnauthorized: () => void = () => undefined;

export const getToken = () => token;
export function setToken(t: string | null) {
  token = t;
  if (t) localStorage.setItem(TOKEN_KEY, t);
  else localStorage.removeItem(TOKEN_KEY);
}
export function setUnauthorizedHandler(fn: () => void) {
  onUnauthorized = fn;
}

type Query = Record<string, string | number | boolean | string[] | undefined | null>;

function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v)) v.forEach((x) => p.append(k, x));
    else p.append(k, String(v));
  }
  const s = p.toString();
  return s ? `${path}?${s}` : path;
}

async function send(method: string, path: string, body: BodyInit | undefined, headers: Record<string, string>): Promise<Response> {
  if (token) headers.authorization = `Bearer ${token}`;
  // Server messages in the app's current language (web/src/i18n.tsx keeps it in localStorage).
  headers['accept-language'] = localStorage.getItem('jiesu.lang') === 'en' ? 'en' : 'zh-CN';
  let res: Response;
  try {
    res = await fetch('/api/v1' + path, { method, headers, body });
  } catch {
    throw new ApiError(0, 'network', '网络错误，请检查连接 (network error)');
  }
  if (!res.ok) {
    const e = (await res.json().catch(() => ({})))?.error ?? {};
    if (res.status === 401 && path !== '/auth/login') onUnauthorized();
    throw new ApiError(res.status, e.code ?? 'error', e.message ?? res.statusText, e.field);
  }
  return res;
}

export async function api<T = any>(method: string, path: string, body?: unknown, query?: Query): Promise<T> {
  const res = await send(
    method,
    withQuery(path, query),
    body === undefined ? undefined : JSON.stringify(body),
    body === undefined ? {} : { 'content-type': 'application/json' },
  );
  if (res.status === 204) return undefined as T;
  return (await res.json().catch(() => ({}))) as T;
}

/** Sends a file as the request body, typed by its own type (the server checks its bytes). */
export async function upload<T = any>(path: string, file: File, query?: Query): Promise<T> {
  const res = await send('POST', withQuery(path, query), file, { 'content-type': file.type || 'application/octet-stream' });
  return (await res.json()) as T;
}

/** A file from the API as a Blob (the bearer token cannot ride on a plain link). */
export async function getBlob(path: string): Promise<Blob> {
  return (await send('GET', path, undefined, {})).blob();
}

export const get = <T = any>(path: string, query?: Query) => api<T>('GET', path, undefined, query);
export const post = <T = any>(path: string, body: unknown = {}) => api<T>('POST', path, body);
export const patch = <T = any>(path: string, body: unknown) => api<T>('PATCH', path, body);
