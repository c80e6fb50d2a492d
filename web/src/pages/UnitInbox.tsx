// The unit's inbox: orders dispatched to it or being handled, each with its running deadline
// (working-time countdown, yellow/red), and sign, reply (and its approval), return and extension;
// transfer down, co-units' parts, the named handler (「只看指定给我的」) and suspension (#24).
import { Typography } from 'antd';
import { useI18n } from '../i18n';
import { OrderTable } from '../components/OrderTable';
import { OrderActions } from '../components/OrderActions';
import { DeadlineCell } from '../components/Deadline';

export function UnitInbox() {
  const { t } = useI18n();
  return (
    <>
      <Typography.Title level={3} className="page-title">
        {t('inbox.title')}
      </Typography.Title>
      <OrderTable
        caption={t('inbox.title')}
        fixedStatus={['dispatched', 'accepted']}
        showMine
        pendingOptions={['transfer-sign', 'transfer-review', 'co-reply', 'suspension', 'suspended', 'return-review']}
        extraColumns={[
          { title: t('field.deadline'), key: 'deadline', width: 170, fixed: 'right', render: (o) => <DeadlineCell orderId={o.id} version={o.version} /> },
          {
            title: t('field.actions'),
            key: 'actions',
            width: 260,
            fixed: 'right',
            render: (o, reload) => (
              <OrderActions
                size="small"
                order={o}
                only={[
                  'sign',
                  'reply',
                  'approve-reply',
                  'reject-reply',
                  'return',
                  'request-extension',
                  'endorse-extension',
                  'decline-extension',
                  'transfer-down',
                  'assign',
                  'co-reply',
                  'request-suspension',
                  'resume',
                  'appeal',
                ]}
                onDone={reload}
              />
            ),
          },
        ]}
      />
    </>
  );
}
