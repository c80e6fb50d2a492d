// Training and evaluation data: labelled texts, as JSONL files or from the order history.
import { readFileSync } from 'node:fs';

export interface Example {
  text: string;
  label: string;
  /** An optional reference answer (FAQ data): extra training text for the label. */
  answer?: string;
}

/** Reads a JSONL file of {text, label}; a bad line is an error naming its number. */
export function readJsonl(path: string): Example[] {
  const out: Example[] = [];
  const lines = readFileSync(path, 'utf8').split(/\r?\n/);
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    let o: any;
    try {
      o = JSON.parse(line);
    } catch {
      throw new Error(`${path}:${i + 1}: 不是合法的 JSON (invalid JSON)`);
    }
    if (typeof o?.text !== 'string' || (typeof o.label !== 'string' && typeof o.label !== 'number')) {
      throw new Error(`${path}:${i + 1}: 需要 {text, label} (expected {"text": string, "label": string})`);
    }
    out.push({ text: o.text, label: String(o.label), ...(typeof o.answer === 'string' && o.answer.trim() ? { answer: o.answer } : {}) });
  });
  return out;
}
