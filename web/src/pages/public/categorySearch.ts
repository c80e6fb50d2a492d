// Finding a category from the words citizens use: they write 噪音, the list says 社会生活噪声.
// A query matches a service by its name, group, keywords or description, directly or after
// the everyday words below are swapped for the ones the city's category list uses.
export interface Searchable {
  service_name: string;
  group: string;
  keywords?: string | null;
  description?: string | null;
}

const EVERYDAY_TO_LIST: [RegExp, string][] = [
  [/噪音|吵闹|太吵|扰民/g, '噪声'],
  [/停水|没水|水压/g, '供水'],
  [/停电|没电/g, '供电'],
  [/路灯/g, '照明'],
  [/垃圾|脏乱/g, '环卫'],
  [/狗|猫/g, '犬'],
  [/堵车|乱停/g, '交通'],
  [/漏水/g, '渗漏'],
  [/欠薪|拖欠工资/g, '劳动'],
  [/坑/g, '坑洼'],
];

export function queryVariants(query: string): string[] {
  const q = query.trim().toLowerCase();
  if (!q) return [];
  const out = new Set([q]);
  for (const [from, to] of EVERYDAY_TO_LIST) {
    if (from.test(q)) out.add(q.replace(from, to));
    from.lastIndex = 0;
  }
  return [...out];
}

export function matchesService(query: string, s: Searchable): boolean {
  const hay = [s.service_name, s.group, s.keywords ?? '', s.description ?? ''].join(' ').toLowerCase();
  return queryVariants(query).some((v) => hay.includes(v));
}
