// The State Council's notices of 2020–2026 (fixtures/, as published) parse into exactly the days
// `chinese-days` encodes (an independent source), and text the parser does not fully understand
// is refused with the line it stopped at.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { NoticeError, parseNotice, type ParsedNotice } from './notice.js';

const YEARS = [2020, 2021, 2022, 2023, 2024, 2025, 2026];
const fixture = (year: number) => readFileSync(new URL(`./fixtures/notice-${year}.txt`, import.meta.url), 'utf8');
const data = createRequire(import.meta.url)('chinese-days/dist/chinese-days.json') as { holidays: Record<string, string>; workdays: Record<string, string> };
/** chinese-days' short name of a day ("Spring Festival,春节,4" → 春节). */
const label = (v: string) => v.split(',')[1]!;

const parsed = new Map<number, ParsedNotice>(YEARS.map((y) => [y, parseNotice(fixture(y))]));

/**
 * The published days by date, from all the notices together. 2020's Spring Festival was extended
 * to 2 February by a later notice (国办发明电〔2020〕1号, not a yearly notice), which cancelled the
 * working Saturday 1 February; chinese-days has the extended holiday.
 */
function published() {
  const holidays = new Map<string, string>();
  const workdays = new Map<string, string>();
  for (const p of parsed.values()) {
    for (const d of p.holidays) holidays.set(d.date, d.name);
    for (const d of p.workdays) workdays.set(d.date, d.name);
  }
  for (const d of ['2020-01-31', '2020-02-01', '2020-02-02']) holidays.set(d, '春节');
  workdays.delete('2020-02-01');
  return { holidays, workdays };
}
const inRange = (o: Record<string, string>) =>
  Object.keys(o)
    .filter((d) => d >= '2020-01-01' && d <= '2026-12-31')
    .sort();

describe('the yearly notices', () => {
  it.each(YEARS)('%i reads its year and title from the text', (year) => {
    const p = parsed.get(year)!;
    expect(p.year).toBe(year);
    expect(p.title).toBe(`国务院办公厅关于${year}年部分节假日安排的通知`);
    expect(p.items.map((i) => i.names)).toContain('春节');
  });

  it('together give exactly the days off and swapped working days chinese-days has for 2020–2026', () => {
    const { holidays, workdays } = published();
    expect([...holidays.keys()].sort()).toEqual(inRange(data.holidays));
    expect([...workdays.keys()].sort()).toEqual(inRange(data.workdays));
    // Names agree too: chinese-days' 中秋 within 国庆节、中秋节, 清明 within 清明节, 春节 within 春节调休.
    for (const [d, name] of holidays) expect(name, d).toContain(label(data.holidays[d]!));
    for (const [d, name] of workdays) expect(name, d).toContain(label(data.workdays[d]!));
  });

  it.each(YEARS.filter((y) => y !== 2020))('%i alone gives exactly that year’s days (a day of another year only where the notice writes its year)', (year) => {
    const p = parsed.get(year)!;
    // 2023's 元旦 starts on 2022-12-31 ("2022年12月31日至2023年1月2日"): chinese-days files it under 2022.
    const elsewhere = new Set([...parsed.values()].filter((o) => o !== p).flatMap((o) => [...o.holidays, ...o.workdays].map((d) => d.date)));
    const own = (o: Record<string, string>) => Object.keys(o).filter((d) => d.startsWith(`${year}-`) && !elsewhere.has(d));
    const outside = (days: { date: string }[]) => days.map((d) => d.date).filter((d) => !d.startsWith(`${year}-`));
    expect(p.holidays.map((d) => d.date)).toEqual([...own(data.holidays), ...outside(p.holidays)].sort());
    expect(p.workdays.map((d) => d.date)).toEqual([...own(data.workdays), ...outside(p.workdays)].sort());
  });

  it('2020 as published (before the extension) and the cross-year New Year of 2023', () => {
    const p20 = parsed.get(2020)!;
    expect(p20.holidays.filter((d) => d.name === '春节').map((d) => d.date)).toEqual([
      '2020-01-24',
      '2020-01-25',
      '2020-01-26',
      '2020-01-27',
      '2020-01-28',
      '2020-01-29',
      '2020-01-30',
    ]);
    expect(p20.workdays.map((d) => d.date)).toContain('2020-02-01');
    expect(parsed.get(2023)!.holidays.slice(0, 3)).toEqual([
      { date: '2022-12-31', name: '元旦' },
      { date: '2023-01-01', name: '元旦' },
      { date: '2023-01-02', name: '元旦' },
    ]);
  });

  it('keeps an encouragement to rest (2024: 除夕) as a note, not a holiday', () => {
    const p = parsed.get(2024)!;
    expect(p.holidays.map((d) => d.date)).not.toContain('2024-02-09');
    expect(p.notes).toEqual(['春节：鼓励各单位结合带薪年休假等制度落实，安排职工在除夕（2月9日）休息。']);
  });

  it('reads the 2025 notice pasted as one line, as in the issue, and a 繁體 reprint', () => {
    const text = fixture(2025);
    const oneLine = text
      .split('\n')
      .filter((l) => /^[一二三四五六]、/.test(l))
      .join('');
    expect(oneLine).toMatch(/^一、元旦：1月1日（周三）放假1天，不调休。二、春节：/);
    const p = parseNotice(oneLine, 2025);
    expect(p.title).toBeNull();
    expect(p.holidays).toEqual(parsed.get(2025)!.holidays);
    expect(p.workdays).toEqual(parsed.get(2025)!.workdays);
    const trad = fixture(2024)
      .replace(/节/g, '節')
      .replace(/调/g, '調')
      .replace(/劳动/g, '勞動')
      .replace(/国庆/g, '國慶')
      .replace(/与/g, '與')
      .replace(/国务院办公厅/g, '國務院辦公廳');
    expect(parseNotice(trad).holidays.map((d) => d.date)).toEqual(parsed.get(2024)!.holidays.map((d) => d.date));
  });

  it('takes the year from the caller when the text names none, and refuses a notice of another year', () => {
    const items = fixture(2026)
      .split('\n')
      .filter((l) => /^[一二三四五六七]、/.test(l))
      .join('\n');
    expect(parseNotice(items, 2026).holidays).toEqual(parsed.get(2026)!.holidays);
    expect(() => parseNotice(items)).toThrow(/没有年份/);
    const err = refusal(fixture(2025), 2027);
    expect(err.line).toBe(1);
    expect(err.message).toMatch(/这是 2025 年的通知，不是 2027 年的/);
  });
});

function refusal(text: string, year?: number): NoticeError {
  try {
    parseNotice(text, year);
  } catch (e) {
    if (e instanceof NoticeError) return e;
    throw e;
  }
  throw new Error('the text was accepted');
}
/** The 2025 notice with one line changed; returns the error and the changed line's number. */
function refuse2025(from: string, to: string) {
  const lines = fixture(2025).split('\n');
  const i = lines.findIndex((l) => l.includes(from));
  expect(i, from).toBeGreaterThan(-1);
  lines[i] = lines[i]!.replace(from, to);
  return { err: refusal(lines.join('\n')), line: i + 1 };
}

describe('text it does not fully understand is refused, naming the line', () => {
  it('a weekday that does not match the date', () => {
    const { err, line } = refuse2025('1月26日（周日）', '1月26日（周六）');
    expect(err.line).toBe(line);
    expect(err.message).toContain(`第 ${line} 行`);
    expect(err.message).toContain('2025-01-26 是周日，不是周六');
    expect(err.text).toMatch(/^二、春节：/);
  });

  it('a total that does not match the dates', () => {
    const { err, line } = refuse2025('至2月4日（农历正月初七、周二）放假调休，共8天', '至2月4日（农历正月初七、周二）放假调休，共9天');
    expect(err.line).toBe(line);
    expect(err.message).toMatch(/共9天与日期（8 天）不符/);
  });

  it('a sentence that is neither days off nor working days', () => {
    const { err, line } = refuse2025('4月27日（周日）上班', '4月27日（周日）照常加班');
    expect(err).toMatchObject({ line, text: '4月27日（周日）照常加班' });
    expect(err.message).toMatch(/(^|\s)第 \d+ 行无法识别「4月27日（周日）照常加班」/);
    expect(err.message).toContain('(line ');
  });

  it('a date that does not exist, and a bracket it cannot read', () => {
    expect(refuse2025('5月31日（周六）至6月2日（周一）', '5月31日（周六）至6月31日（周一）').err.message).toContain('2025年6月31日不是有效日期');
    expect(refuse2025('1月28日（农历除夕、周二）', '1月28日（除夕前后）').err.message).toContain('括号中的「除夕前后」无法识别');
  });

  it('a missing or repeated item number, and a day listed twice', () => {
    const { err, line } = refuse2025('三、清明节', '四、清明节');
    expect(err.line).toBe(line);
    expect(err.message).toContain('序号应为「三、」');
    expect(refuse2025('4月27日（周日）上班', '4月6日（周日）上班').err.message).toMatch(/2025-04-06 已在第 \d+ 行出现/);
  });

  it('a schedule line without its number (a summary that may leave a festival out)', () => {
    const summary = '2025年放假安排：\n元旦：1月1日（周三）放假1天，不调休。\n春节：1月28日至2月4日放假调休，共8天。';
    const err = refusal(summary, 2025);
    expect(err.line).toBe(2);
    expect(err.message).toContain('放假安排缺少序号');
  });

  it('text with no schedule at all', () => {
    expect(refusal('各省、自治区、直辖市人民政府：\n节假日期间请妥善安排值班。', 2027).message).toMatch(/没有找到放假安排/);
  });
});
