// The citizen's pages or the staff application, each loaded only when its path is opened: the
// portal's first visit downloads neither the staff workspaces nor the chart library.
import { lazy, Suspense } from 'react';
import { Spin } from 'antd';
import { useLocation } from './router';
import { PUBLIC_PAGES, PublicShell } from './pages/public/PublicShell';

const StaffShell = lazy(() => import('./StaffShell'));

export function Shell() {
  const { path } = useLocation();
  // The citizen portal and open data are public: no login, no staff menu.
  const pub = PUBLIC_PAGES.find((p) => path === p.path || path.startsWith(p.path + '/'));
  return <Suspense fallback={<Spin fullscreen />}>{pub ? <PublicShell page={pub} /> : <StaffShell />}</Suspense>;
}
