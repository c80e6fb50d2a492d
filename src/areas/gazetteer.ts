// Reading an address: the gazetteer's names (units, their aliases, and the roads, estates and
// landmarks an admin imports) are added to jieba's dictionary so an address segments into them;
// runs of up to four words are looked up whole, and what is left is looked up one edit away
// (a deletion index, as SymSpell does) among the areas' own names, for a mistyped character.
import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict.js';

export const PLACE_KINDS = ['alias', 'road', 'estate', 'landmark'] as const;
export type PlaceKind = (typeof PLACE_KINDS)[number];

export interface GazetteerEntry {
  name: string;
  unitId: number;
  /** `unit`: the area's own name or a shortened form of it; the others as imported. */
  kind: 'unit' | PlaceKind;
}

/** A gazetteer match: the unit a name points to and how sure the match is (exact 2, one edit away 1). */
export interface PlaceMatch {
  unitId: number;
  weight: number;
}

const SUFFIXES = ['街道办事处', '社区居委会', '居委会', '自治县', '街道', '社区', '新区', '区', '县', '镇', '乡', '村'];

/** The short forms people say for a unit's name: 望湖街道 → 望湖, 青山区 → 青山 (never a single character). */
export function shortNames(name: string): string[] {
  for (const s of SUFFIXES) if (name.endsWith(s) && name.length - s.length >= 2) return [name.slice(0, -s.length)];
  return [];
}

export function normalizeAddress(text: string): string {
  return text.normalize('NFKC').replace(/\s+/g, '');
}

/** Levenshtein distance at most one. */
function withinOneEdit(a: string, b: string): boolean {
  if (a === b) return true;
  const [s, t] = a.length <= b.length ? [a, b] : [b, a];
  if (t.length - s.length > 1) return false;
  let i = 0;
  while (i < s.length && s[i] === t[i]) i++;
  return s.length === t.length ? s.slice(i + 1) === t.slice(i + 1) : s.slice(i) === t.slice(i + 1);
}

function deletions(s: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < s.length; i++) out.push(s.slice(0, i) + s.slice(i + 1));
  return out;
}

const MAX_WINDOW = 4;
const MIN_FUZZY = 3;

export class Gazetteer {
  private readonly exact = new Map<string, number[]>();
  private readonly fuzzy = new Map<string, string[]>();
  private readonly jieba: Jieba;
  private readonly maxLen: number;

  /** `fuzzyKinds`: the kinds whose names are also matched one edit away (the areas' names by default). */
  constructor(entries: GazetteerEntry[], fuzzyKinds: ReadonlySet<GazetteerEntry['kind']> = new Set(['unit', 'alias'])) {
    let maxLen = 0;
    const words: string[] = [];
    for (const e of entries) {
      const name = normalizeAddress(e.name);
      if (name.length < 2) continue;
      let units = this.exact.get(name);
      if (!units) {
        this.exact.set(name, (units = []));
        words.push(`${name} 100000`);
        if (name.length > maxLen) maxLen = name.length;
        if (fuzzyKinds.has(e.kind) && name.length >= MIN_FUZZY) for (const d of [name, ...deletions(name)]) this.addFuzzy(d, name);
      }
      if (!units.includes(e.unitId)) units.push(e.unitId);
    }
    this.maxLen = maxLen;
    this.jieba = Jieba.withDict(dict);
    if (words.length) this.jieba.loadDict(Buffer.from(words.join('\n') + '\n'));
  }

  private addFuzzy(key: string, name: string) {
    const list = this.fuzzy.get(key);
    if (!list) this.fuzzy.set(key, [name]);
    else if (!list.includes(name)) list.push(name);
  }

  get size() {
    return this.exact.size;
  }

  /** The units the names found in an address point to, each with its best weight. */
  match(address: string): Map<number, number> {
    const text = normalizeAddress(address);
    const found = new Map<number, number>();
    const add = (units: number[], weight: number) => {
      for (const u of units) if ((found.get(u) ?? 0) < weight) found.set(u, weight);
    };
    const words = this.jieba.cut(text, false);
    const covered = new Array<boolean>(words.length).fill(false);
    for (let i = 0; i < words.length; i++) {
      let s = '';
      for (let j = i; j < Math.min(words.length, i + MAX_WINDOW); j++) {
        s += words[j];
        if (s.length > this.maxLen) break;
        const units = this.exact.get(s);
        if (units) {
          add(units, 2);
          for (let k = i; k <= j; k++) covered[k] = true;
        }
      }
    }
    for (let i = 0; i < words.length; i++) {
      if (covered[i]) continue;
      // A word jieba's own dictionary made longer than the place (王府井 + 大街 → 王府井大街).
      const w = words[i]!;
      for (let n = Math.min(w.length - 1, this.maxLen); n >= 2; n--) {
        const units = this.exact.get(w.slice(0, n));
        if (units) {
          add(units, 1);
          break;
        }
      }
      let s = '';
      for (let j = i; j < Math.min(words.length, i + MAX_WINDOW) && !covered[j]; j++) {
        s += words[j];
        if (s.length > this.maxLen + 1) break;
        if (s.length < MIN_FUZZY) continue;
        for (const key of [s, ...deletions(s)]) {
          for (const name of this.fuzzy.get(key) ?? []) {
            // The last character (街道, 区, 社区 …) must be kept: it says what kind of place it is.
            if (name.at(-1) === s.at(-1) && withinOneEdit(name, s)) add(this.exact.get(name)!, 1);
          }
        }
      }
    }
    return found;
  }
}
