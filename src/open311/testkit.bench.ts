// (Named *.bench.ts so that the production build, which leaves out tests and benchmarks, skips it;
// it exports no benchmark, so `npm run bench` ignores it.)
// Test helpers for the Open311 and portal suites: a seeded city with a service catalogue
// and an API key, and raw HTTP calls that keep the body text (for XML).
import { XMLParser } from 'fast-xml-parser';
import { Client, seedCity, testPlatform, type TestPlatform } from '../../test/helpers.js';

export interface Raw {
  status: number;
  type: string;
  text: string;
  json: any;
}

export async function raw(
  platform: TestPlatform,
  method: string,
  url: string,
  opts: { form?: Record<string, string | string[]>; json?: unknown; body?: string; headers?: Record<string, string>; ip?: string } = {},
): Promise<Raw> {
  let payload: string | undefined = opts.body;
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.form) {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(opts.form)) for (const x of Array.isArray(v) ? v : [v]) p.append(k, x);
    payload = p.toString();
    headers['content-type'] = 'application/x-www-form-urlencoded';
  } else if (opts.json !== undefined) {
    payload = JSON.stringify(opts.json);
    headers['content-type'] = 'application/json';
  }
  const res = await platform.app.inject({ method: method as 'GET', url, headers, payload, ...(opts.ip ? { remoteAddress: opts.ip } : {}) });
  const type = String(res.headers['content-type'] ?? '');
  let json: any;
  if (type.includes('json') && res.body) json = JSON.parse(res.body);
  return { status: res.statusCode, type, text: res.body, json };
}

/** Parses XML keeping every value as text, with the given elements always as arrays. */
export function parseXml(text: string, arrays: string[] = []): any {
  const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, isArray: (name) => arrays.includes(name) });
  return parser.parse(text);
}

export const SERVICES = [
  {
    serviceCode: 'road-pothole',
    serviceName: '道路坑洼',
    description: '市政道路破损、坑洼',
    group: '城市管理',
    keywords: ['道路', '坑洼'],
    orderType: 'request',
    attributes: [
      {
        code: 'size',
        datatype: 'singlevaluelist',
        required: true,
        description: '坑洼大小',
        order: 1,
        values: [
          { key: 'small', name: '小于30厘米' },
          { key: 'large', name: '大于30厘米' },
        ],
      },
      {
        code: 'lanes',
        datatype: 'multivaluelist',
        required: false,
        description: '受影响车道',
        order: 2,
        values: [
          { key: 'l1', name: '一车道' },
          { key: 'l2', name: '二车道' },
        ],
      },
      { code: 'depth', datatype: 'number', required: false, description: '深度(厘米)', order: 3 },
    ],
  },
  { serviceCode: 'noise-night', serviceName: '夜间施工噪音', description: '夜间施工扰民', group: '环境保护', keywords: ['噪音'], orderType: 'complaint' },
];

export async function open311City() {
  const platform = await testPlatform();
  const city = await seedCity(platform);
  for (const s of SERVICES) {
    const r = await city.users.admin.post('/api/v1/open311/services', s);
    if (r.status !== 201) throw new Error(JSON.stringify(r.body));
  }
  const key = await city.users.admin.post('/api/v1/open311/keys', { name: '第三方应用' });
  if (key.status !== 201) throw new Error(JSON.stringify(key.body));
  return { platform, ...city, apiKey: key.body.apiKey as string, anon: new Client(platform) };
}
