// Every workspace of the application in one list. A new module adds its page here: a path,
// the roles that see it in the menu, a label key (i18n.tsx) and the component.
import type { ReactNode } from 'react';
import {
  AlertOutlined,
  ApartmentOutlined,
  BookOutlined,
  BranchesOutlined,
  ClockCircleOutlined,
  NodeIndexOutlined,
  BarChartOutlined,
  InboxOutlined,
  PhoneOutlined,
  SendOutlined,
  TeamOutlined,
  UnorderedListOutlined,
} from '@ant-design/icons';
import type { Role } from './types';
import { AgentConsole } from './pages/AgentConsole';
import { DispatchQueue } from './pages/DispatchQueue';
import { UnitInbox } from './pages/UnitInbox';
import { FollowUp } from './pages/FollowUp';
import { Dashboard } from './pages/Dashboard';
import { OrderList } from './pages/OrderList';
import { AdminUnits } from './pages/AdminUnits';
import { AdminUsers } from './pages/AdminUsers';
import { AdminCategories, AdminKb, AdminRules, AdminTimeLimits } from './pages/AdminCatalog';
import type { Key } from './i18n';

export interface Workspace {
  path: string;
  label: Key;
  icon: ReactNode;
  roles: Role[];
  render: () => ReactNode;
}

export const WORKSPACES: Workspace[] = [
  { path: '/agent', label: 'menu.agent', icon: <PhoneOutlined />, roles: ['agent'], render: () => <AgentConsole /> },
  { path: '/dispatch', label: 'menu.dispatch', icon: <SendOutlined />, roles: ['dispatcher'], render: () => <DispatchQueue /> },
  { path: '/inbox', label: 'menu.inbox', icon: <InboxOutlined />, roles: ['handler', 'unit_manager'], render: () => <UnitInbox /> },
  { path: '/followup', label: 'menu.followup', icon: <AlertOutlined />, roles: ['followup'], render: () => <FollowUp /> },
  { path: '/dashboard', label: 'menu.dashboard', icon: <BarChartOutlined />, roles: ['supervisor', 'admin'], render: () => <Dashboard /> },
  {
    path: '/orders',
    label: 'menu.orders',
    icon: <UnorderedListOutlined />,
    roles: ['agent', 'dispatcher', 'handler', 'unit_manager', 'followup', 'supervisor', 'admin'],
    render: () => <OrderList />,
  },
  { path: '/admin/units', label: 'menu.units', icon: <ApartmentOutlined />, roles: ['admin'], render: () => <AdminUnits /> },
  { path: '/admin/users', label: 'menu.users', icon: <TeamOutlined />, roles: ['admin'], render: () => <AdminUsers /> },
  { path: '/admin/categories', label: 'menu.categories', icon: <NodeIndexOutlined />, roles: ['admin'], render: () => <AdminCategories /> },
  { path: '/admin/rules', label: 'menu.rules', icon: <BranchesOutlined />, roles: ['admin'], render: () => <AdminRules /> },
  { path: '/admin/time-limits', label: 'menu.timeLimits', icon: <ClockCircleOutlined />, roles: ['admin'], render: () => <AdminTimeLimits /> },
  { path: '/admin/kb', label: 'menu.kb', icon: <BookOutlined />, roles: ['admin'], render: () => <AdminKb /> },
];

export const workspacesFor = (roles: Role[]) => WORKSPACES.filter((w) => w.roles.some((r) => roles.includes(r)));
