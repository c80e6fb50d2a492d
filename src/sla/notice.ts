// The State Council's yearly holiday notice (国务院办公厅关于YYYY年部分节假日安排的通知) read into
// the year's days off and swapped working days. Pure: text in, days out, or a NoticeError naming
// the first line it did not understand. Each numbered item (一、元旦：…) must be understood
// sentence by sentence; the stated weekdays (（周三）, （星期日）) and totals (共8天) are checked
// against the dates, so a typo or a notice of another year is refused rather than saved.

export interface NoticeDay {
  date: string; // YYYY-MM-DD
  name: string; // 春节; a swapped working day: 春节调休
}

export interface NoticeItem {
  /** 1-based line of the text the item is on. */
  line: number;
  /** The festival(s) of the item, as written: 国庆节、中秋节. */
  names: string;
  holidays: string[];
  workdays: string[];
}

export interface ParsedNotice {
  year: number;
  /** 国务院办公厅关于2025年部分节假日安排的通知, when the text names its year so. */
  title: string | null;
  holidays: NoticeDay[];
  workdays: NoticeDay[];
  items: NoticeItem[];
  /** Sentences understood but not days, e.g. 鼓励…安排职工在除夕（2月9日）休息 (an encouragement, not a holiday). */
  notes: string[];
}

export class NoticeError extends Error {
  constructor(
    /** 1-based line of the text; 0 when the problem is the text as a whole. */
    readonly line: number,
    /** The part of the line not understood (trimmed), or ''. */
    readonly text: string,
    readonly reasonZh: string,
    readonly reasonEn: string,
  ) {
    super(line > 0 ? `第 ${line} 行无法识别「${text}」：${reasonZh} (line ${line} not understood: ${reasonEn})` : `${reasonZh} (${reasonEn})`);
  }
}

// One character for one: full-width digits and punctuation to ASCII, the few traditional
// characters the notice's keywords use (pages in 繁體 reprint it), U+3000 to a space. Keeping
// lengths equal lets an error quote the original text of the part it did not understand.
const CHAR_MAP: Record<string, string> = {
  '（': '(',
  '）': ')',
  '：': ':',
  '，': ',',
  '；': ';',
  '　': ' ',
  '～': '至',
  '~': '至',
  調: '调',
  與: '与',
  週: '周',
  連: '连',
  勵: '励',
  補: '补',
  節: '节',
  勞: '劳',
  動: '动',
  國: '国',
  慶: '庆',
  曆: '历',
  農: '农',
  臘: '腊',
  務: '务',
  辦: '办',
  廳: '厅',
  關: '关',
  於: '于',
  將: '将',
  準: '准',
  請: '请',
  體: '体',
};
function normalize(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c >= 0xff10 && c <= 0xff19) out += String.fromCharCode(c - 0xff10 + 48);
    else out += CHAR_MAP[ch] ?? ch;
  }
  return out;
}

const NUMERALS = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十', '十一', '十二', '十三', '十四', '十五'];
const WEEKDAYS: Record<string, number> = { 日: 0, 天: 0, 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6 };
const WEEKDAY_ZH = ['周日', '周一', '周二', '周三', '周四', '周五', '周六'];
const WEEKDAY_EN = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const FESTIVALS = ['元旦', '春节', '清明节', '劳动节', '端午节', '中秋节', '国庆节'];

const DAY_MS = 86_400_000;
const DATE = String.raw`(?:(\d{4})年)?(?:(\d{1,2})月)?(\d{1,2})日(?:\(([^()]*)\))?`;
const DATE_LIST = `${DATE}(?:、${DATE})*`;
const reDate = new RegExp(DATE, 'g');
const reHoliday = new RegExp(String.raw`^(${DATE}(?:至${DATE})?)放假(调休)?(?:(\d{1,2})天)?(?:,(.*))?$`);
const reWorkdays = new RegExp(`^(${DATE_LIST})上班$`);
const reInLieu = new RegExp(`^(${DATE_LIST})补休$`);

interface Written {
  y?: number;
  m?: number;
  d: number;
  paren?: string;
}
interface Ctx {
  year: number;
  /** Month and year carried to a date written without them (至6日, 、8日). */
  m?: number;
  y?: number;
}

const key = (t: number) => new Date(t).toISOString().slice(0, 10);
/** A sentence as parsed (ASCII punctuation, no spaces) shown with the notice's own punctuation again. */
const zhText = (s: string) => s.replace(/,/g, '，').replace(/\(/g, '（').replace(/\)/g, '）').replace(/:/g, '：').replace(/;/g, '；');

/** Splits the text into numbered items and the prose around them; every line keeps its number. */
function segments(text: string): { line: number; norm: string; raw: string }[] {
  const out: { line: number; norm: string; raw: string }[] = [];
  text.split(/\r\n|\r|\n/).forEach((raw, i) => {
    const norm = normalize(raw);
    // A pasted notice may have lost its line breaks: an item also starts right after a 。.
    const starts = [0];
    const re = /。\s*(?=(?:十[一二三四五]?|[一二三四五六七八九])、)/g;
    for (let m; (m = re.exec(norm));) starts.push(m.index + m[0].length);
    starts.forEach((s, j) => {
      const e = starts[j + 1] ?? norm.length;
      const n = norm.slice(s, e);
      if (n.trim()) out.push({ line: i + 1, norm: n.replace(/\s+/g, ''), raw: raw.slice(s, e).trim() });
    });
  });
  return out;
}

function readDates(s: string): Written[] {
  const out: Written[] = [];
  for (const m of s.matchAll(reDate)) {
    out.push({ y: m[1] ? Number(m[1]) : undefined, m: m[2] ? Number(m[2]) : undefined, d: Number(m[3]), paren: m[4] });
  }
  return out;
}

/**
 * Parses a notice. `year` is the year it must be for (the page's or the command's year); the text's
 * own year (from its title or 现将YYYY年…) is used when it is not given, and must agree when both are.
 */
export function parseNotice(text: string, year?: number): ParsedNotice {
  const segs = segments(text);
  const flat = segs.map((s) => s.norm).join('');
  const titled = /关于(\d{4})年部分节假日安排的通知/.exec(flat);
  const stated = titled ?? /现将(\d{4})年/.exec(flat);
  const ownYear = stated ? Number(stated[1]) : undefined;
  if (year !== undefined && ownYear !== undefined && ownYear !== year) {
    const seg = segs.find((s) => s.norm.includes(`${ownYear}年`));
    throw new NoticeError(seg?.line ?? 0, seg?.raw ?? '', `这是 ${ownYear} 年的通知，不是 ${year} 年的`, `this is the notice for ${ownYear}, not ${year}`);
  }
  const Y = year ?? ownYear;
  if (Y === undefined) throw new NoticeError(0, '', '通知中没有年份，请指定年份', 'the text names no year; give the year');

  const fail = (seg: { line: number; raw: string }, zh: string, en: string): never => {
    throw new NoticeError(seg.line, seg.raw.length > 120 ? seg.raw.slice(0, 119) + '…' : seg.raw, zh, en);
  };

  const items: NoticeItem[] = [];
  const notes: string[] = [];
  const holidays = new Map<string, NoticeDay & { line: number }>();
  const workdays = new Map<string, NoticeDay & { line: number }>();

  for (const seg of segs) {
    const body = seg.norm.replace(/^[-•·*]+/, '');
    const item = /^(十[一二三四五]?|[一二三四五六七八九])、([^:]{1,30}):(.*)$/.exec(body);
    if (!item) {
      // Prose (the title, the addressees, the preamble, the closing words, the signature) is skipped,
      // but never a festival's schedule without its number: a summary may leave a festival out.
      if (new RegExp(`^(${FESTIVALS.join('|')})[^:]{0,12}:`).test(body) || /^(\d{4}年)?\d{1,2}月\d{1,2}日.*(放假|上班|补休)/.test(body)) {
        fail(seg, '放假安排缺少序号（一、二、三……），请粘贴通知全文', 'a schedule line without its number (一、二、…): paste the whole notice');
      }
      continue;
    }
    const [, numeral, names, rest] = item as unknown as [string, string, string, string];
    const expected = NUMERALS[items.length];
    if (numeral !== expected) fail(seg, `序号应为「${expected}、」`, `expected item ${expected}、 here`);
    const it: NoticeItem = { line: seg.line, names, holidays: [], workdays: [] };
    const ctx: Ctx = { year: Y };

    const resolve = (w: Written): number => {
      if (w.y !== undefined) ctx.y = w.y;
      if (w.m !== undefined) ctx.m = w.m;
      if (ctx.m === undefined) fail(seg, `${w.d}日缺少月份`, `day ${w.d} has no month`);
      const y = ctx.y ?? Y;
      const t = Date.UTC(y, ctx.m! - 1, w.d);
      if (new Date(t).getUTCDate() !== w.d || ctx.m! < 1 || ctx.m! > 12)
        fail(seg, `${y}年${ctx.m}月${w.d}日不是有效日期`, `${y}-${ctx.m}-${w.d} is not a date`);
      if (y !== Y && w.y === undefined && ctx.y === undefined)
        fail(seg, `${ctx.m}月${w.d}日不在 ${Y} 年，须写明年份`, `${ctx.m}/${w.d} is outside ${Y}: write its year`);
      if (Math.abs(y - Y) > 1) fail(seg, `${y} 年的日期不属于 ${Y} 年的安排`, `a date in ${y} does not belong to the schedule of ${Y}`);
      if (w.paren !== undefined) {
        for (const part of w.paren.split('、')) {
          const wd = /^(?:周|星期)([日天一二三四五六])$/.exec(part);
          if (wd) {
            const actual = new Date(t).getUTCDay();
            if (WEEKDAYS[wd[1]!] !== actual) {
              fail(seg, `${key(t)} 是${WEEKDAY_ZH[actual]}，不是${part}`, `${key(t)} is a ${WEEKDAY_EN[actual]}, not ${WEEKDAY_EN[WEEKDAYS[wd[1]!]!]}`);
            }
          } else if (!/^(农历[^、]{1,8}|除夕)$/.test(part)) {
            fail(seg, `括号中的「${part}」无法识别`, `"${part}" in brackets is neither a weekday nor a lunar date`);
          }
        }
      }
      return t;
    };
    const add = (map: typeof holidays, other: typeof holidays, t: number, name: string, otherZh: string) => {
      const k = key(t);
      const prev = map.get(k) ?? other.get(k);
      if (prev) fail(seg, `${k} 已在第 ${prev.line} 行出现${map.has(k) ? '' : `（${otherZh}）`}`, `${k} already appears on line ${prev.line}`);
      map.set(k, { date: k, name, line: seg.line });
      (map === holidays ? it.holidays : it.workdays).push(k);
    };

    const sentences = rest.split('。').filter(Boolean);
    for (const s of sentences) {
      const sentence = { line: seg.line, raw: zhText(s) };
      if (/^鼓励/.test(s)) {
        notes.push(`${names}：${zhText(s)}。`);
        continue;
      }
      let m: RegExpExecArray | null;
      if ((m = reHoliday.exec(s))) {
        const [from, to] = readDates(m[1]!);
        const a = resolve(from!);
        let b = a;
        if (to) {
          b = resolve(to);
          if (b <= a) fail(sentence, '放假的结束日期早于开始日期', 'the last day off is not after the first');
        }
        const days = Math.round((b - a) / DAY_MS) + 1;
        if (days > 15) fail(sentence, `连续放假 ${days} 天，不像节假日安排`, `${days} days in a row is no holiday schedule`);
        const counts: number[] = [];
        if (m[m.length - 2]) counts.push(Number(m[m.length - 2]));
        for (const clause of (m[m.length - 1] ?? '').split(',').filter(Boolean)) {
          const c = /^共(\d{1,2})天$/.exec(clause) ?? /^(\d{1,2})天$/.exec(clause);
          if (c) counts.push(Number(c[1]));
          else if (/^不调休$/.test(clause) || /^与.{1,6}连休$/.test(clause)) continue;
          else {
            const lieu = reInLieu.exec(clause);
            if (!lieu) fail(sentence, `「${clause}」无法识别`, `"${clause}" is not understood`);
            for (const w of readDates(lieu![1]!)) add(holidays, workdays, resolve(w), names, '上班');
          }
        }
        for (const n of counts) if (n !== days) fail(sentence, `共${n}天与日期（${days} 天）不符`, `${n} days stated, but the dates span ${days}`);
        for (let t = a; t <= b; t += DAY_MS) add(holidays, workdays, t, names, '上班');
        continue;
      }
      if ((m = reWorkdays.exec(s))) {
        for (const w of readDates(m[1]!)) add(workdays, holidays, resolve(w), `${names}调休`, '放假');
        continue;
      }
      if ((m = reInLieu.exec(s))) {
        for (const w of readDates(m[1]!)) add(holidays, workdays, resolve(w), names, '上班');
        continue;
      }
      fail(sentence, '这句话不是放假、上班或补休的安排', 'the sentence is neither days off, working days nor days in lieu');
    }
    if (!it.holidays.length) fail(seg, `「${names}」没有放假日期`, `no days off for ${names}`);
    items.push(it);
  }
  if (!items.length)
    throw new NoticeError(0, '', '没有找到放假安排（如「一、元旦：1月1日放假……」），请粘贴通知全文', 'no schedule found (一、元旦：…): paste the whole notice');
  if (![...holidays.keys()].some((d) => d.startsWith(`${Y}-`))) {
    throw new NoticeError(items[0]!.line, '', `没有 ${Y} 年的放假日期`, `no days off in ${Y}`);
  }
  const strip = ({ date, name }: NoticeDay) => ({ date, name });
  const sorted = (m: typeof holidays) => [...m.values()].sort((a, b) => a.date.localeCompare(b.date)).map(strip);
  return {
    year: Y,
    title: titled ? `国务院办公厅关于${titled[1]}年部分节假日安排的通知` : null,
    holidays: sorted(holidays),
    workdays: sorted(workdays),
    items,
    notes,
  };
}
