import { Typography } from 'antd';
import { useI18n } from '../i18n';
import { navigate, useLocation } from '../router';
import { OrderTable, filtersFromQuery, filtersToQuery, type Filters } from '../components/OrderTable';
import { PENDING } from '../types';

/** Every order the user may see; the filters live in the URL so a dashboard number can open its list. */
export function OrderList() {
  const { t } = useI18n();
  const { search } = useLocation();
  const toUrl = (f: Filters) => {
    const p = filtersToQuery(f);
    navigate('/orders' + (p.size ? `?${p.toString()}` : ''), true);
  };
  return (
    <>
      <Typography.Title level={3} className="page-title">
        {t('list.title')}
      </Typography.Title>
      <OrderTable initial={filtersFromQuery(search)} onFilters={toUrl} caption={t('list.title')} pendingOptions={[...PENDING]} showMine />
    </>
  );
}
