// Drafts of forms that take typing, kept in this browser until they are sent: a session that
// expires, a reload or a closed tab loses nothing. Keyed by user, form and order
// (`jiesu.draft:<user>:<form>:<order>`), written a moment after the last keystroke, removed on a
// successful submit, and pruned after a week.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { FormInstance } from 'antd';

const PREFIX = 'jiesu.draft:';
const MAX_AGE_MS = 7 * 24 * 3600 * 1000;
const SAVE_DELAY_MS = 300;

type Values = Record<string, unknown>;
interface Stored {
  at: number;
  values: Values;
}

export const draftKey = (user: string, form: string, scope?: string | number | null) => `${PREFIX}${user}:${form}:${scope ?? ''}`;

// Only what JSON keeps as it is: text, numbers, booleans and lists or plain objects of them
// (a date picker's value or a file list is not restored half-made).
function plainValue(v: unknown): unknown {
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (Array.isArray(v)) {
    const items = v.map(plainValue);
    return items.includes(undefined) ? undefined : items;
  }
  if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) return plainValues(v as Values);
  return undefined;
}
function plainValues(values: Values): Values {
  const out: Values = {};
  for (const [k, v] of Object.entries(values)) {
    const p = plainValue(v);
    if (p !== undefined) out[k] = p;
  }
  return out;
}
/** Whether a draft holds anything typed: some text that is not blank. */
const hasText = (v: unknown): boolean =>
  typeof v === 'string' ? v.trim() !== '' : Array.isArray(v) ? v.some(hasText) : v !== null && typeof v === 'object' ? Object.values(v).some(hasText) : false;

export function readDraft(key: string): Values | null {
  try {
    const raw = localStorage.getItem(key);
    if (!raw) return null;
    const d = JSON.parse(raw) as Stored;
    if (Date.now() - d.at > MAX_AGE_MS) {
      localStorage.removeItem(key);
      return null;
    }
    return d.values;
  } catch {
    return null;
  }
}

export function writeDraft(key: string, values: Values): void {
  const plain = plainValues(values);
  try {
    if (hasText(plain)) localStorage.setItem(key, JSON.stringify({ at: Date.now(), values: plain } satisfies Stored));
    else localStorage.removeItem(key);
  } catch {
    // storage full or blocked: the form still works, it only cannot keep a draft
  }
}

export const clearDraft = (key: string) => localStorage.removeItem(key);

/** Removes drafts older than a week (of any user). */
export function pruneDrafts(now = Date.now()): void {
  for (let i = localStorage.length - 1; i >= 0; i--) {
    const k = localStorage.key(i);
    if (!k?.startsWith(PREFIX)) continue;
    try {
      if (now - (JSON.parse(localStorage.getItem(k)!) as Stored).at <= MAX_AGE_MS) continue;
    } catch {
      // unreadable: drop it
    }
    localStorage.removeItem(k);
  }
}
pruneDrafts();

export interface FormDraft {
  /** A draft was put back into the form (show DraftNotice). */
  restored: boolean;
  /** Pass to the Form's onValuesChange. */
  onValuesChange: (changed: unknown, all: object) => void;
  /** After a successful submit: the draft is gone. */
  clear: () => void;
  /** The person threw the draft away: gone, and the form back to its start. */
  discard: () => void;
  /** Puts the stored draft into the form now (a form in a modal, on opening); whether there was one. */
  restore: () => boolean;
}

/**
 * Keeps the form's typing as a draft under `key` (null: not yet known, e.g. no user) and puts it
 * back when the form mounts. `reset` brings the form back to its start on discard; `omit` names
 * fields never kept (a one-time answer, a citizen's phone on a shared computer).
 */
export function useFormDraft(
  form: FormInstance,
  key: string | null,
  opts: { restoreOnMount?: boolean; reset?: () => void; omit?: readonly string[] } = {},
): FormDraft {
  const [restored, setRestored] = useState(false);
  const pending = useRef<{ timer: ReturnType<typeof setTimeout>; key: string; values: Values } | null>(null);
  const keyRef = useRef(key);
  keyRef.current = key;
  const resetRef = useRef(opts.reset);
  resetRef.current = opts.reset;
  const omit = useRef(opts.omit);
  omit.current = opts.omit;

  const flush = useCallback(() => {
    const p = pending.current;
    if (!p) return;
    clearTimeout(p.timer);
    pending.current = null;
    writeDraft(p.key, p.values);
  }, []);

  const restore = useCallback(() => {
    const k = keyRef.current;
    const values = k ? readDraft(k) : null;
    if (values) form.setFieldsValue(values);
    setRestored(!!values);
    return !!values;
  }, [form]);

  const restoreOnMount = opts.restoreOnMount ?? true;
  useEffect(() => {
    if (restoreOnMount && key) restore();
  }, [key, restoreOnMount, restore]);

  // A reload or a closed tab writes what is still waiting; so does leaving the page.
  useEffect(() => {
    window.addEventListener('pagehide', flush);
    return () => {
      window.removeEventListener('pagehide', flush);
      flush();
    };
  }, [flush]);

  const onValuesChange = useCallback(
    (_: unknown, all: object) => {
      const k = keyRef.current;
      if (!k) return;
      if (pending.current) clearTimeout(pending.current.timer);
      // the whole form (not only the changed fields), with what setFieldsValue put in before
      const values = { ...(form.getFieldsValue(true) as Values), ...all };
      for (const f of omit.current ?? []) delete values[f];
      pending.current = { key: k, values, timer: setTimeout(flush, SAVE_DELAY_MS) };
    },
    [form, flush],
  );

  const clear = useCallback(() => {
    if (pending.current) clearTimeout(pending.current.timer);
    pending.current = null;
    if (keyRef.current) clearDraft(keyRef.current);
    setRestored(false);
  }, []);

  const discard = useCallback(() => {
    clear();
    if (resetRef.current) resetRef.current();
    else form.resetFields();
  }, [clear, form]);

  return { restored, onValuesChange, clear, discard, restore };
}
