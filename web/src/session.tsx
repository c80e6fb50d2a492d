// The signed-in user and the org tree (every staff member may read units; pages name units by id).
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { get, getToken, post, setToken, setUnauthorizedHandler } from './api';
import type { Role, Unit, User } from './types';

interface Session {
  user: User | null;
  loading: boolean;
  units: Unit[];
  unitName: (id: number | null | undefined) => string;
  reloadUnits: () => Promise<void>;
  hasRole: (...roles: Role[]) => boolean;
  login: (username: string, password: string) => Promise<User>;
  logout: () => Promise<void>;
}
const Ctx = createContext<Session>(null as never);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<User | null>(null);
  const [units, setUnits] = useState<Unit[]>([]);
  const [loading, setLoading] = useState(!!getToken());

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
    setUnauthorizedHandler(() => {
      setToken(null);
      setUser(null);
    });
    if (getToken())
      start()
        .catch(() => setToken(null))
        .finally(() => setLoading(false));
  }, [start]);

  const login = useCallback(
    async (username: string, password: string) => {
      const r = await post<{ token: string }>('/auth/login', { username, password });
      setToken(r.token);
      return start();
    },
    [start],
  );
  const logout = useCallback(async () => {
    await post('/auth/logout').catch(() => undefined);
    setToken(null);
    setUser(null);
    setUnits([]);
  }, []);

  const value = useMemo<Session>(() => {
    const byId = new Map(units.map((u) => [u.id, u]));
    return {
      user,
      loading,
      units,
      unitName: (id) => (id == null ? '—' : (byId.get(id)?.name ?? `#${id}`)),
      reloadUnits,
      hasRole: (...roles) => !!user && user.roles.some((r) => roles.includes(r)),
      login,
      logout,
    };
  }, [user, loading, units, reloadUnits, login, logout]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
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
