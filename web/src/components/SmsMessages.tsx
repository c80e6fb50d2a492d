// Text messages in an order's history (src/sms): what was sent, to which (masked) number, and
// where it stands: waiting, sent, delivered or not, given up (dead letter) or not sent (opt-out).
import { Tag, Typography } from 'antd';
import { MessageOutlined } from '@ant-design/icons';
import { useI18n } from '../i18n';
import { fmtTime } from '../time';

export interface SmsMessage {
  id: number;
  kind: 'receipt' | 'reply' | 'followup' | 'liaison_urgent' | 'liaison_red';
  workorderId: number | null;
  orderNumber: string | null;
  to: string | null;
  recipient: 'citizen' | 'liaison';
  liaisonName: string | null;
  text: string | null;
  status: 'pending' | 'sent' | 'dead' | 'skipped';
  skipReason: string | null;
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  delivery: 'delivered' | 'undelivered' | null;
  deliveredAt: string | null;
  provider: string | null;
  resentAs: number | null;
  createdAt: string;
  sentAt: string | null;
}

const STATUS_COLOR = { pending: 'gold', sent: 'blue', dead: 'red', skipped: 'default' } as const;

/** Where the message stands, as one tag. */
export function SmsState({ m }: { m: SmsMessage }) {
  const { t } = useI18n();
  if (m.status === 'sent' && m.delivery) return <Tag color={m.delivery === 'delivered' ? 'green' : 'red'}>{t(`sms.delivery.${m.delivery}`)}</Tag>;
  return <Tag color={STATUS_COLOR[m.status]}>{m.status === 'skipped' && m.skipReason === 'opted_out' ? t('sms.optedOut') : t(`sms.status.${m.status}`)}</Tag>;
}

/** One message as an entry of the order's history. */
export function SmsEntry({ m }: { m: SmsMessage }) {
  const { t } = useI18n();
  return (
    <div data-testid="sms-entry">
      <Typography.Text strong>
        <MessageOutlined /> {t(`sms.kind.${m.kind}`)}
      </Typography.Text>{' '}
      <SmsState m={m} />
      <Typography.Text type="secondary">
        {fmtTime(m.sentAt ?? m.createdAt)} · {m.recipient === 'liaison' ? `${m.liaisonName ?? ''} ` : ''}
        {m.to ?? ''}
      </Typography.Text>
      {m.text && <div className="pre">{m.text}</div>}
      {m.status === 'pending' && m.nextAttemptAt && <div>{t('sms.waitingUntil', { time: fmtTime(m.nextAttemptAt) })}</div>}
      {m.lastError && m.status !== 'sent' && <Typography.Text type="danger">{m.lastError}</Typography.Text>}
    </div>
  );
}
