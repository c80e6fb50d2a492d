// The staff application: login, a menu by role, language switch, sign-out, the current workspace.
// Loaded only for staff paths (Shell.tsx), so the citizen portal never downloads it.
import { lazy, Suspense, useEffect, useMemo, useState } from 'react';
import { Button, Layout, Menu, Space, Spin, Tag, Typography } from 'antd';
import { LogoutOutlined } from '@ant-design/icons';
import { useI18n } from './i18n';
import { navigate, useLocation } from './router';
import { useSession } from './session';
import { workspacesFor } from './workspaces';
import { Login } from './pages/Login';
import { NotificationBell } from './components/Notifications';
import { LangSwitch } from './components/LangSwitch';

const OrderPage = lazy(() => import('./pages/OrderPage').then((m) => ({ default: m.OrderPage })));

export default function StaffShell() {
  const { user, loading, logout, unitName } = useSession();
  const { t } = useI18n();
  const { path } = useLocation();
  const [collapsed, setCollapsed] = useState(false);
  const spaces = useMemo(() => (user ? workspacesFor(user.roles) : []), [user]);

  // Land on the first workspace of the role; unknown paths go there too.
  const orderMatch = /^\/orders\/(\d+)$/.exec(path);
  const current = spaces.find((w) => w.path === path);
  useEffect(() => {
    if (user && !current && !orderMatch && spaces[0]) navigate(spaces[0].path, true);
  }, [user, current, orderMatch, spaces]);
  useEffect(() => {
    document.title = `${current ? t(current.label) + ' · ' : ''}${t('app.name')}`;
  }, [current, t]);

  if (loading) return <Spin fullscreen />;
  if (!user) return <Login />;

  return (
    <Layout style={{ minHeight: '100%' }}>
      <a className="skip-link" href="#main">
        {t('skip')}
      </a>
      <Layout.Sider collapsible collapsed={collapsed} onCollapse={setCollapsed} width={196} breakpoint="lg">
        <div className="brand">{collapsed ? t('app.short') : t('app.name')}</div>
        <nav aria-label="menu">
          <Menu
            theme="dark"
            mode="inline"
            selectedKeys={[orderMatch ? '/orders' : path]}
            items={spaces.map((w) => ({
              key: w.path,
              icon: w.icon,
              label: (
                <a href={w.path} onClick={(e) => e.preventDefault()}>
                  {t(w.label)}
                </a>
              ),
            }))}
            onClick={(e) => navigate(e.key)}
          />
        </nav>
      </Layout.Sider>
      <Layout>
        <Layout.Header style={{ background: '#fff', padding: '0 16px', display: 'flex', justifyContent: 'flex-end', alignItems: 'center' }}>
          <Space size="middle" wrap={false}>
            <span data-testid="whoami">
              <Typography.Text strong>{user.displayName}</Typography.Text>{' '}
              <Typography.Text type="secondary">{user.unitId ? unitName(user.unitId) : ''}</Typography.Text>{' '}
              {user.roles.map((r) => (
                <Tag key={r}>{t(`role.${r}`)}</Tag>
              ))}
            </span>
            <NotificationBell />
            <LangSwitch />
            <Button icon={<LogoutOutlined />} onClick={() => void logout().then(() => navigate('/', true))}>
              {t('logout')}
            </Button>
          </Space>
        </Layout.Header>
        <Layout.Content id="main" tabIndex={-1} style={{ margin: 16, minWidth: 0 }} role="main">
          <Suspense fallback={<Spin style={{ display: 'block', margin: 48 }} />}>
            {orderMatch ? <OrderPage id={Number(orderMatch[1])} /> : current?.render()}
          </Suspense>
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
