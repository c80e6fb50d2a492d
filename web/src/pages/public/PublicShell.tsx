// Public pages (no login): the citizen portal and open data. A narrow, mobile-first layout.
import type { ReactNode } from 'react';
import { Layout, Menu, Segmented } from 'antd';
import { useI18n } from '../../i18n';
import { navigate } from '../../router';
import { Portal } from './Portal';
import { OpenData } from './OpenData';

export interface PublicPage { path: string; label: string; render: () => ReactNode }
export const PUBLIC_PAGES: PublicPage[] = [
  { path: '/portal', label: 'menu.portal', render: () => <Portal /> },
  { path: '/open-data', label: 'menu.openData', render: () => <OpenData /> },
];

export function PublicShell({ page }: { page: PublicPage }) {
  const { t, lang, setLang } = useI18n();
  return (
    <Layout style={{ minHeight: '100%', background: '#f5f7fa' }}>
      <Layout.Header style={{ display: 'flex', alignItems: 'center', gap: 12, padding: '0 12px', background: '#1659c4' }}>
        <div style={{ color: '#fff', fontWeight: 600, whiteSpace: 'nowrap' }}>{t('portal.brand')}</div>
        <Menu theme="dark" mode="horizontal" selectedKeys={[page.path]} style={{ flex: 1, minWidth: 0, background: 'transparent' }}
          items={PUBLIC_PAGES.map((p) => ({ key: p.path, label: <a href={p.path} onClick={(e) => e.preventDefault()}>{t(p.label)}</a> }))}
          onClick={(e) => navigate(e.key)} />
        <Segmented aria-label={t('lang.switch')} size="small" value={lang} onChange={(v) => setLang(v as 'zh' | 'en')}
          options={[{ label: '中文', value: 'zh' }, { label: 'EN', value: 'en' }]} />
      </Layout.Header>
      <Layout.Content id="main" role="main" style={{ padding: 12, width: '100%', maxWidth: page.path === '/portal' ? 720 : 1100, margin: '0 auto' }}>
        {page.render()}
      </Layout.Content>
    </Layout>
  );
}
