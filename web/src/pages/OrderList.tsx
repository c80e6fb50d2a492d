import { Typography } from 'antd';
import { useI18n } from '../i18n';
import { navigate, useLocation } from '../router';
import { OrderTable, type Filters } from '../components/OrderTable';
import { STATUSES, type Status } from '../types';

/** Every order the user may see; the filters live in the URL so a dashboard number can open its list. */
export function OrderList() {
  const { t } = useI18n();
  const { search } = useLocation();
  const initial: Filters = {
    status: search.getAll('status').filter((s): s is Status => (STATUSES as readonly string[]).includes(s)),
    type: search.get('type') ?? undefined,
    q: search.get('q') ?? undefined,
  };
  const toUrl = (f: Filters) => {
    const p = new URLSearchParams();
    f.status?.forEach((s) => p.append('status', s));
    if (f.type) p.set('type', f.type);
    if (f.q) p.set('q', f.q);
    navigate('/orders' + (p.size ? `?${p.toString()}` : ''), true);
  };
  return (
    <>
      <Typography.Title level={3} className="page-title">
        {t('list.title')}
      </Typography.Title>
      <OrderTable initial={initial} onFilters={toUrl} caption={t('list.title')} />
    </>
  );
}
