// Follow-up: replied orders waiting for the citizen's verdict.
import { Tag, Typography } from 'antd';
import { useI18n } from '../i18n';
import { OrderTable } from '../components/OrderTable';
import { OrderActions } from '../components/OrderActions';

export function FollowUp() {
  const { t } = useI18n();
  return (
    <>
      <Typography.Title level={3} className="page-title">
        {t('followup.title')}
      </Typography.Title>
      <OrderTable
        caption={t('followup.title')}
        fixedStatus={['replied']}
        extraColumns={[
          {
            title: t('field.reply'),
            key: 'reply',
            width: 260,
            fixed: 'right',
            render: (o) =>
              o.reply && (
                <span className="pre">
                  <Tag color={o.reply.resolved ? 'green' : 'orange'}>{o.reply.resolved ? t('field.resolved') : t('field.notResolved')}</Tag>
                  {o.reply.content.length > 80 ? o.reply.content.slice(0, 80) + '…' : o.reply.content}
                </span>
              ),
          },
          {
            title: t('field.actions'),
            key: 'actions',
            width: 100,
            fixed: 'right',
            render: (o, reload) => <OrderActions size="small" order={o} only={['survey']} onDone={reload} />,
          },
        ]}
      />
    </>
  );
}
