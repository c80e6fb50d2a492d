// Server text that carries a little HTML (knowledge answers, search snippets): shown as
// plain text, never as markup; <mark> highlights become React elements.
import { Fragment } from 'react';

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", nbsp: ' ' };
const decode = (s: string) => s.replace(/&(amp|lt|gt|quot|#39|nbsp);/g, (_, e: string) => ENTITIES[e] ?? _);

/** Tags dropped (block ends become line breaks), entities decoded. */
export function plain(html: string): string {
  return decode(html.replace(/<\/(p|div|li|h\d)>|<br\s*\/?>/gi, '\n').replace(/<[^>]*>/g, ''))
    .replace(/\n{2,}/g, '\n')
    .trim();
}

/** A snippet with <mark>…</mark> highlights, everything else as text. */
export function Marked({ html }: { html: string }) {
  const parts = html.split(/<mark>([\s\S]*?)<\/mark>/g);
  return <>{parts.map((p, i) => (i % 2 ? <mark key={i}>{plain(p)}</mark> : <Fragment key={i}>{plain(p)}</Fragment>))}</>;
}
