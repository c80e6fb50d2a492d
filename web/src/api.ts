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
/**
 * Asked when a request with a token answers 401: resolves true once the person has signed in
 * again (the request is then sent once more), false to let the request fail as it is.
 */
export type UnauthorizedHandler = (error: ApiError, method: string) => Promise<boolean>;
let onUnauthorized: UnauthorizedHandler = () => Promise.resolve(false);

export const getToken = () => token;
export function setToken(t: string | null) {
  token = t;
  if (t) localStorage.setItem(TOKEN_KEY, t);
  else localStorage.removeItem(TOKEN_KEY);
}
export function setUnauthorizedHandler(fn: UnauthorizedHandler) {
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

// Signing in and out answer 401 for their own reasons: never a reason to ask for the password.
const NO_REAUTH = new Set(['/auth/login', '/auth/logout']);

async function send(
  method: string,
  path: string,
  body: BodyInit | undefined,
  headers: Record<string, string>,
  retried = false,
  signal?: AbortSignal,
): Promise<Response> {
  const sentToken = token;
  if (sentToken) headers.authorization = `Bearer ${sentToken}`;
  else delete headers.authorization;
  // Server messages in the app's current language (web/src/i18n.tsx keeps it in localStorage).
  const english = localStorage.getItem('jiesu.lang') === 'en';
  headers['accept-language'] = english ? 'en' : 'zh-CN';
  let res: Response;
  try {
    res = await fetch('/api/v1' + path, { method, headers, body, signal });
  } catch (e) {
    if (signal?.aborted) throw e;
    throw new ApiError(0, 'network', english ? 'Network error: please check the connection' : '网络错误，请检查网络连接');
  }
  if (!res.ok) {
    const e = (await res.json().catch(() => ({})))?.error ?? {};
    const error = new ApiError(res.status, e.code ?? 'error', e.message ?? res.statusText, e.field);
    // An expired session: sign in again where we are and send the same request once more (the
    // server refused it before doing anything). A token renewed meanwhile needs no asking.
    if (res.status === 401 && sentToken && !retried && !NO_REAUTH.has(path.split('?')[0]!)) {
      if ((token && token !== sentToken) || (await onUnauthorized(error, method))) return send(method, path, body, headers, true, signal);
    }
    throw error;
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

export interface DownloadProgress {
  /** Rows the file holds (the server's X-Total-Count), when it says. */
  total: number | null;
  /** Rows received so far, where the format lets us count them (CSV), else null. */
  rows: number | null;
  bytes: number;
}

/**
 * A file from the API, read as it streams so the caller can show progress; saved under the
 * server's file name (Content-Disposition). The bearer token cannot ride on a plain link.
 */
export async function download(
  path: string,
  query: Query,
  onProgress: (p: DownloadProgress) => void,
  signal?: AbortSignal,
): Promise<{ fileName: string; total: number | null }> {
  const res = await send('GET', withQuery(path, query), undefined, {}, false, signal);
  const totalHeader = res.headers.get('x-total-count');
  const total = totalHeader === null ? null : Number(totalHeader);
  const csv = (res.headers.get('content-type') ?? '').includes('csv');
  const disposition = res.headers.get('content-disposition') ?? '';
  const star = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
  const plain = /filename="([^"]+)"/i.exec(disposition);
  const fileName = star ? decodeURIComponent(star[1]!) : (plain?.[1] ?? 'download');
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  let lines = 0;
  const reader = res.body!.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    bytes += value.length;
    if (csv) for (const b of value) if (b === 10) lines++;
    // The first line of a CSV is its header.
    onProgress({ total, rows: csv ? Math.max(0, lines - 1) : null, bytes });
  }
  const blob = new Blob(chunks as BlobPart[], { type: res.headers.get('content-type') ?? 'application/octet-stream' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return { fileName, total };
}

export const get = <T = any>(path: string, query?: Query) => api<T>('GET', path, undefined, query);
export const post = <T = any>(path: string, body: unknown = {}) => api<T>('POST', path, body);
export const patch = <T = any>(path: string, body: unknown) => api<T>('PATCH', path, body);
