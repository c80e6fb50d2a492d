// The unit's inbox: orders dispatched to it or being handled, with sign, reply, return and extension.
import { Typography } from 'antd';
import { useI18n } from '../i18n';
import { OrderTable } from '../components/OrderTable';
import { OrderActions } from '../components/OrderActions';

export function UnitInbox() {
  const { t } = useI18n();
  return (
    <>
      <Typography.Title level={3} className="page-title">{t('inbox.title')}</Typography.Title>
      <OrderTable
        caption={t('inbox.title')}
        fixedStatus={['dispatched', 'accepted']}
        extraColumns={[
          {
            title: t('field.actions'), key: 'actions', width: 330,
            render: (o, reload) => <OrderActions size="small" order={o} only={['sign', 'reply', 'return', 'request-extension']} onDone={reload} />,
          },
        ]}
      />
    </>
  );
}
