// Every workspace of the application in one list. A new module adds its page here: a path,
// the roles that see it in the menu, a label key (i18n.tsx) and the component.
import { lazy, type ReactNode } from 'react';
import {
  AlertOutlined,
  AuditOutlined,
  ApartmentOutlined,
  BookOutlined,
  BranchesOutlined,
  ClockCircleOutlined,
  EnvironmentOutlined,
  NodeIndexOutlined,
  BarChartOutlined,
  InboxOutlined,
  MessageOutlined,
  PhoneOutlined,
  SendOutlined,
  TeamOutlined,
  UnorderedListOutlined,
} from '@ant-design/icons';
import type { Role } from './types';
import type { Key } from './i18n';

// Each page is its own chunk, fetched when its workspace is first opened.
const AgentConsole = lazy(() => import('./pages/AgentConsole').then((m) => ({ default: m.AgentConsole })));
const DispatchQueue = lazy(() => import('./pages/DispatchQueue').then((m) => ({ default: m.DispatchQueue })));
const UnitInbox = lazy(() => import('./pages/UnitInbox').then((m) => ({ default: m.UnitInbox })));
const FollowUp = lazy(() => import('./pages/FollowUp').then((m) => ({ default: m.FollowUp })));
const Rulings = lazy(() => import('./pages/Rulings').then((m) => ({ default: m.Rulings })));
const Dashboard = lazy(() => import('./pages/Dashboard').then((m) => ({ default: m.Dashboard })));
const OrderList = lazy(() => import('./pages/OrderList').then((m) => ({ default: m.OrderList })));
const AdminUnits = lazy(() => import('./pages/AdminUnits').then((m) => ({ default: m.AdminUnits })));
const AdminUsers = lazy(() => import('./pages/AdminUsers').then((m) => ({ default: m.AdminUsers })));
const AdminCategories = lazy(() => import('./pages/AdminCatalog').then((m) => ({ default: m.AdminCategories })));
const AdminKb = lazy(() => import('./pages/AdminCatalog').then((m) => ({ default: m.AdminKb })));
const AdminRules = lazy(() => import('./pages/AdminCatalog').then((m) => ({ default: m.AdminRules })));
const AdminSms = lazy(() => import('./pages/AdminSms').then((m) => ({ default: m.AdminSms })));
const AdminAreas = lazy(() => import('./pages/AdminAreas').then((m) => ({ default: m.AdminAreas })));
const AdminTimeLimits = lazy(() => import('./pages/AdminCatalog').then((m) => ({ default: m.AdminTimeLimits })));

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
  { path: '/rulings', label: 'menu.rulings', icon: <AuditOutlined />, roles: ['supervisor'], render: () => <Rulings /> },
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
  { path: '/admin/sms', label: 'menu.sms', icon: <MessageOutlined />, roles: ['admin'], render: () => <AdminSms /> },
  { path: '/admin/areas', label: 'menu.areas', icon: <EnvironmentOutlined />, roles: ['admin'], render: () => <AdminAreas /> },
];

export const workspacesFor = (roles: Role[]) => WORKSPACES.filter((w) => w.roles.some((r) => roles.includes(r)));
