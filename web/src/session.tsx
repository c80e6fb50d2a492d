// The signed-in user and the org tree (every staff member may read units; pages name units by id).
// When the session expires the page stays as it is: a dialog asks for the password (and the
// verification code where the account has one), and the request that failed is sent again.
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { Alert, Button, Form, Input, Modal, Typography } from 'antd';
import { ApiError, get, getToken, post, setToken, setUnauthorizedHandler } from './api';
import { useI18n } from './i18n';
import type { Role, Unit, User } from './types';

interface Session {
  user: User | null;
  loading: boolean;
  units: Unit[];
  unitName: (id: number | null | undefined) => string;
  reloadUnits: () => Promise<void>;
  hasRole: (...roles: Role[]) => boolean;
  login: (username: string, password: string, totp?: string) => Promise<User>;
  logout: () => Promise<void>;
}
const Ctx = createContext<Session>(null as never);

export function SessionProvider({ children }: { children: ReactNode }) {
  const { t } = useI18n();
  const [user, setUser] = useState<User | null>(null);
  const [units, setUnits] = useState<Unit[]>([]);
  const [loading, setLoading] = useState(!!getToken());
  const userRef = useRef<User | null>(null);
  userRef.current = user;
  // The password dialog: open while `waiting` holds the requests that wait for it.
  const [reauth, setReauth] = useState<{ code: string } | null>(null);
  const [expired, setExpired] = useState(false);
  const waiting = useRef<{ promise: Promise<boolean>; resolve: (ok: boolean) => void } | null>(null);
  const expiredRef = useRef(false);
  expiredRef.current = expired;

  const reloadUnits = useCallback(async () => {
    setUnits((await get<{ items: Unit[] }>('/units')).items);
  }, []);

  const start = useCallback(async () => {
    const me = await get<User>('/auth/me');
    setUser(me);
    await reloadUnits();
    return me;
  }, [reloadUnits]);

  useEffect(() => {
    setUnauthorizedHandler((error, method) => {
      // Not signed in yet (a stored token that no longer works): the login page.
      if (!userRef.current) {
        setToken(null);
        return Promise.resolve(false);
      }
      if (waiting.current) return waiting.current.promise;
      // Put off once: background refreshes fail quietly until the person acts again.
      if (expiredRef.current && method === 'GET') return Promise.resolve(false);
      let resolve!: (ok: boolean) => void;
      const promise = new Promise<boolean>((r) => (resolve = r));
      waiting.current = { promise, resolve };
      setReauth({ code: error.code });
      return promise;
    });
    if (getToken())
      start()
        .catch(() => setToken(null))
        .finally(() => setLoading(false));
  }, [start]);

  const login = useCallback(
    async (username: string, password: string, totp?: string) => {
      const r = await post<{ token: string }>('/auth/login', { username, password, ...(totp ? { totp } : {}) });
      setToken(r.token);
      setExpired(false);
      return start();
    },
    [start],
  );
  const logout = useCallback(async () => {
    await post('/auth/logout').catch(() => undefined);
    setToken(null);
    setUser(null);
    setUnits([]);
    setExpired(false);
  }, []);

  const endReauth = useCallback((ok: boolean) => {
    setReauth(null);
    setExpired(!ok);
    const w = waiting.current;
    waiting.current = null;
    w?.resolve(ok);
  }, []);

  const value = useMemo<Session>(() => {
    const byId = new Map(units.map((u) => [u.id, u]));
    return {
      user,
      loading,
      units,
      // A unit not (yet) loaded reads as a dash, never as its internal id.
      unitName: (id) => (id == null ? '—' : (byId.get(id)?.name ?? '—')),
      reloadUnits,
      hasRole: (...roles) => !!user && user.roles.some((r) => roles.includes(r)),
      login,
      logout,
    };
  }, [user, loading, units, reloadUnits, login, logout]);
  return (
    <Ctx.Provider value={value}>
      {children}
      {user && expired && !reauth && (
        <Alert
          type="warning"
          showIcon
          role="alert"
          data-testid="session-expired"
          style={{
            position: 'fixed',
            bottom: 16,
            left: '50%',
            transform: 'translateX(-50%)',
            zIndex: 1100,
            maxWidth: 760,
            boxShadow: '0 2px 8px rgba(0,0,0,.15)',
          }}
          title={t('reauth.banner')}
          action={
            <Button size="small" type="primary" onClick={() => setReauth({ code: 'session_expired' })}>
              {t('reauth.again')}
            </Button>
          }
        />
      )}
      {user && reauth && <ReauthDialog username={user.username} code={reauth.code} onDone={endReauth} />}
    </Ctx.Provider>
  );
}

/** Asks the signed-in person for their password again, without leaving the page. */
function ReauthDialog({ username, code, onDone }: { username: string; code: string; onDone: (ok: boolean) => void }) {
  const { t } = useI18n();
  const [form] = Form.useForm<{ password: string; totp?: string }>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [needTotp, setNeedTotp] = useState(false);

  const submit = async (v: { password: string; totp?: string }) => {
    setBusy(true);
    setError(null);
    try {
      const r = await post<{ token: string }>('/auth/login', { username, password: v.password, ...(v.totp ? { totp: v.totp.trim() } : {}) });
      setToken(r.token);
      onDone(true);
    } catch (e) {
      if (e instanceof ApiError && e.code === 'totp_required') {
        setNeedTotp(true);
        setError(t('login.totpHint'));
      } else if (e instanceof ApiError && e.code === 'totp_invalid') {
        setNeedTotp(true);
        setError(t('login.totpFailed'));
      } else setError(e instanceof ApiError && e.status === 401 ? t('login.failed') : (e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open
      title={t(code === 'session_revoked' ? 'reauth.revoked' : 'reauth.title')}
      okText={t('reauth.submit')}
      cancelText={t('reauth.cancel')}
      confirmLoading={busy}
      onOk={() => form.submit()}
      onCancel={() => onDone(false)}
      maskClosable={false}
      destroyOnHidden
      data-testid="reauth"
    >
      <Typography.Paragraph type="secondary">{t('reauth.body')}</Typography.Paragraph>
      <Form form={form} name="reauth" layout="vertical" requiredMark={false} onFinish={(v) => void submit(v)}>
        <Form.Item label={t('login.username')} htmlFor="reauth-username">
          <Input id="reauth-username" value={username} disabled autoComplete="username" />
        </Form.Item>
        <Form.Item label={t('login.password')} name="password" rules={[{ required: true, message: t('err.required') }]}>
          <Input.Password autoFocus autoComplete="current-password" />
        </Form.Item>
        {needTotp && (
          <Form.Item label={t('login.totp')} name="totp" rules={[{ required: true, pattern: /^\s*\d{6}\s*$/, message: t('login.totpHint') }]}>
            <Input inputMode="numeric" autoComplete="one-time-code" maxLength={8} autoFocus />
          </Form.Item>
        )}
        {error && <Alert role="alert" type="error" title={error} />}
        <button type="submit" hidden />
      </Form>
    </Modal>
  );
}

export const useSession = () => useContext(Ctx);

/** Units as tree data for antd TreeSelect / Tree. */
export function unitTree(units: Unit[], opts: { activeOnly?: boolean } = {}) {
  type Node = { title: string; value: number; key: number; children: Node[]; disabled?: boolean };
  const nodes = new Map<number, Node>();
  for (const u of units) nodes.set(u.id, { title: u.name, value: u.id, key: u.id, children: [], disabled: opts.activeOnly ? !u.active : false });
  const roots: Node[] = [];
  for (const u of units) {
    const n = nodes.get(u.id)!;
    const parent = u.parentId != null ? nodes.get(u.parentId) : undefined;
    (parent ? parent.children : roots).push(n);
  }
  return roots;
}
