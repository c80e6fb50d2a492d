// The two message catalogues: the same keys, the same parameters, and every key the code
// names exists (a key that no code names is dead weight, reported too).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { zhCN } from './locales/zh-CN.js';
import { en } from './locales/en.js';
import { negotiateLanguage, translate } from './i18n.js';

const params = (s: string) => [...s.matchAll(/\{\{\s*([A-Za-z_]+)/g)].map((m) => m[1]).sort();

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return name === 'locales' ? [] : sources(p);
    return /\.ts$/.test(name) && !/\.test\.ts$/.test(name) ? [p] : [];
  });
}

describe('message catalogues', () => {
  it('zh-CN and en have the same keys and the same parameters', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(zhCN).sort());
    for (const [key, zh] of Object.entries(zhCN)) expect(params(en[key as keyof typeof en]), key).toEqual(params(zh));
  });

  it('no message is empty or bilingual', () => {
    for (const [key, zh] of Object.entries(zhCN)) {
      expect(zh.trim(), key).not.toBe('');
      expect(zh, key).not.toMatch(/\([A-Za-z][^()]*\)/);
      expect(zh, key).not.toMatch(/[A-Za-z]+ [A-Za-z]+ [A-Za-z]+/);
    }
    for (const [key, text] of Object.entries(en)) expect(text, key).not.toMatch(/[\u4e00-\u9fff]/);
  });

  it('every key the code names is in the catalogue', () => {
    const keys = new Set(Object.keys(zhCN));
    const areas = [...new Set([...keys].map((k) => k.split('.')[0]!))].join('|');
    // A key is named where a message is made: badRequest('kb.x'…), conflict(code, 'kb.x'…), translate(lang, 'kb.x'…).
    const literal = new RegExp(
      `(?:(?:badRequest|forbidden|unauthorized|conflict|translate|AppError)\\((?:[^()'\`]*?,\\s*)?)'((?:${areas})\\.[A-Za-z][\\w.-]*)'`,
      'g',
    );
    const missing: string[] = [];
    for (const file of sources(join(import.meta.dirname, '..'))) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(literal)) if (!keys.has(m[1]!) && !/\.(js|ts|json)$/.test(m[1]!)) missing.push(`${file}: ${m[1]}`);
      // notFound('workorder', …) names notFound.workorder
      for (const m of text.matchAll(/notFound\('([A-Za-z]+)'/g)) if (!keys.has(`notFound.${m[1]}`)) missing.push(`${file}: notFound.${m[1]}`);
    }
    expect(missing).toEqual([]);
  });

  it('renders parameters, worded codes and lists', () => {
    expect(translate('zh-CN', 'notFound.workorder', { id: 987654321 })).toBe('找不到工单 987654321');
    expect(translate('en', 'notFound.workorder', { id: 987654321 })).toBe('Work order 987654321 not found');
    expect(translate('zh-CN', 'auth.requiresRole', { roles: ['agent', 'dispatcher'] })).toBe('此操作需要以下角色之一：话务员、派单员');
    expect(translate('en', 'auth.requiresRole', { roles: ['agent', 'dispatcher'] })).toBe('This needs one of these roles: agent, dispatcher');
    expect(translate('en', 'validation.pattern', { field: 'citizen.phone' })).toBe("The caller's phone number is not in a valid format");
    expect(translate('zh-CN', 'validation.pattern', { field: 'workorder.citizen.phone' })).toBe('来电号码格式不正确');
    expect(translate('zh-CN', 'validation.required', { field: 'no.such.path' })).toBe('请填写该字段');
  });

  it('negotiates the language of Accept-Language', () => {
    expect(negotiateLanguage(undefined)).toBe('zh-CN');
    expect(negotiateLanguage('en')).toBe('en');
    expect(negotiateLanguage('en-GB,en;q=0.9')).toBe('en');
    expect(negotiateLanguage('zh-Hans')).toBe('zh-CN');
    expect(negotiateLanguage('zh')).toBe('zh-CN');
    expect(negotiateLanguage('fr-FR,fr;q=0.9')).toBe('zh-CN');
    expect(negotiateLanguage('fr;q=1, en;q=0.8, zh;q=0.5')).toBe('en');
    expect(negotiateLanguage('zh-CN;q=0.9, en;q=0.4')).toBe('zh-CN');
    expect(negotiateLanguage('en;q=0.3, zh-TW;q=0.8')).toBe('zh-CN');
  });
});
