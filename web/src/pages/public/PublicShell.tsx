// Public pages (no login): the citizen portal and open data. A narrow, mobile-first layout.
import { lazy, Suspense, type ReactNode } from 'react';
import { Layout, Spin } from 'antd';
import { useI18n, type Key } from '../../i18n';
import { Link } from '../../router';
import { LangSwitch } from '../../components/LangSwitch';

const Portal = lazy(() => import('./Portal').then((m) => ({ default: m.Portal })));
const OpenData = lazy(() => import('./OpenData').then((m) => ({ default: m.OpenData })));
const Rate = lazy(() => import('./Rate').then((m) => ({ default: m.Rate })));

export interface PublicPage {
  path: string;
  label: Key;
  render: () => ReactNode;
  /** Reached by a link only (the rating link of a text message), not in the menu. */
  hidden?: boolean;
}
export const PUBLIC_PAGES: PublicPage[] = [
  { path: '/portal', label: 'menu.portal', render: () => <Portal /> },
  { path: '/open-data', label: 'menu.openData', render: () => <OpenData /> },
  { path: '/r', label: 'rate.title', render: () => <Rate />, hidden: true },
];

export function PublicShell({ page }: { page: PublicPage }) {
  const { t } = useI18n();
  return (
    <Layout style={{ minHeight: '100%', background: '#f5f7fa' }}>
      <Layout.Header style={{ display: 'flex', alignItems: 'center', gap: 12, padding: '0 12px', background: '#1659c4' }}>
        <div style={{ color: '#fff', fontWeight: 600, whiteSpace: 'nowrap' }}>{t('portal.brand')}</div>
        <nav aria-label="menu" style={{ flex: 1, display: 'flex', gap: 12, minWidth: 0, overflow: 'auto' }}>
          {PUBLIC_PAGES.filter((p) => !p.hidden).map((p) => (
            <Link
              key={p.path}
              to={p.path}
              aria-current={p.path === page.path ? 'page' : undefined}
              style={{
                color: '#fff',
                whiteSpace: 'nowrap',
                opacity: p.path === page.path ? 1 : 0.75,
                borderBottom: p.path === page.path ? '2px solid #fff' : undefined,
              }}
            >
              {t(p.label)}
            </Link>
          ))}
        </nav>
        <LangSwitch />
      </Layout.Header>
      <Layout.Content
        id="main"
        role="main"
        style={{ padding: 12, width: '100%', maxWidth: page.path === '/portal' || page.path === '/r' ? 720 : 1100, margin: '0 auto' }}
      >
        <Suspense fallback={<Spin style={{ display: 'block', margin: 48 }} />}>{page.render()}</Suspense>
      </Layout.Content>
    </Layout>
  );
}
