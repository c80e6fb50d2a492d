// Placeholders of reply templates and how they are filled for one order. Pure: the service
// hands in what the reader may see of the order (the name as the masking rules show it).

/** Each placeholder by its Chinese and its English name: {{称呼}} and {{salutation}} are the same. */
export const PLACEHOLDERS = {
  salutation: ['称呼', 'salutation'],
  number: ['工单编号', 'number'],
  title: ['诉求标题', 'title'],
  unit: ['承办单位', 'unit'],
  date: ['受理日期', 'date'],
} as const;
export type Placeholder = keyof typeof PLACEHOLDERS;

const BY_NAME = new Map<string, Placeholder>(
  (Object.entries(PLACEHOLDERS) as [Placeholder, readonly string[]][]).flatMap(([key, names]) => names.map((n) => [n, key] as const)),
);
/** Every spelling people may write, for messages: 称呼、工单编号、… */
export const PLACEHOLDER_NAMES = [...BY_NAME.keys()];

const PATTERN = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** The placeholder names a template body uses that mean nothing (empty when all are known). */
export function unknownPlaceholders(body: string): string[] {
  const out = new Set<string>();
  for (const m of body.matchAll(PATTERN)) if (!BY_NAME.has(m[1]!)) out.add(m[1]!);
  return [...out];
}

export interface RenderValues {
  salutation: string;
  number: string;
  title: string;
  unit: string;
  date: string;
}

/** The body with every placeholder replaced by its value. */
export function fill(body: string, v: RenderValues): string {
  return body.replace(PATTERN, (whole, name: string) => {
    const key = BY_NAME.get(name);
    return key ? v[key] : whole;
  });
}

// Two-character surnames (复姓): the salutation of 欧阳明 is 欧阳先生/女士, not 欧先生/女士.
const COMPOUND_SURNAMES = new Set(
  (
    '欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 司空 夏侯 轩辕 令狐 钟离 端木 独孤 南宫 西门 百里 呼延 万俟 闻人 ' +
    '赫连 澹台 公冶 太史 申屠 濮阳 单于 亓官 拓跋 夹谷 宰父 谷梁 段干 闾丘 东郭 左丘 梁丘 乐正 微生 羊舌 公羊 公良 仲孙 漆雕 颛孙 巫马 ' +
    '壤驷 公西 淳于 第五'
  ).split(' '),
);
const TITLES = ['先生', '女士', '小姐'];
const HAN = /^\p{Script=Han}+$/u;

/** When the name gives no surname, or the reader may not see it all. */
export const FALLBACK_SALUTATION = '市民朋友';

/**
 * How a reply addresses the citizen: the surname and 先生/女士 (张先生/女士), never the given
 * name. A name recorded as 王女士 keeps its own title. `shown` is the name as this reader may see
 * it (masked as 张** for most roles): the salutation never shows more of the name than that, so a
 * two-character surname behind a one-character mask reads as the fallback.
 */
export function salutationOf(name: string | null | undefined, shown: string | null | undefined): string {
  const n = (name ?? '').trim();
  if (!n || !HAN.test(n)) return FALLBACK_SALUTATION;
  const title = TITLES.find((t) => n.length > t.length && n.endsWith(t));
  const bare = title ? n.slice(0, -title.length) : n;
  const surname = bare.length > 2 && COMPOUND_SURNAMES.has(bare.slice(0, 2)) ? bare.slice(0, 2) : bare.slice(0, 1);
  const s = (shown ?? '').trim();
  const visible = s === n ? n.length : s.split('*')[0]!.length;
  if (surname.length > visible || !n.startsWith(s.split('*')[0]!)) return FALLBACK_SALUTATION;
  return `${surname}${title ?? '先生/女士'}`;
}
