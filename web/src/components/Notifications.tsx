// The bell in the header: unread count (polled each minute), the latest notifications,
// each opening its order; read one or all.
import { useCallback, useEffect, useState } from 'react';
import { Badge, Button, List, Popover, Typography } from 'antd';
import { BellOutlined } from '@ant-design/icons';
import { get, post } from '../api';
import { useI18n, type T } from '../i18n';
import { navigate } from '../router';
import { fmtTime } from '../time';

interface Note {
  id: number;
  kind: string;
  title: string;
  body: string;
  workorderId: number | null;
  data: Record<string, unknown>;
  createdAt: string;
  readAt: string | null;
}

// The server stores a Chinese text with each notification (for webhooks and API clients); the
// bell writes the kinds it knows in the reader's language from their data, times in the city clock.
const KINDS = ['sla.yellow', 'sla.red', 'sla.escalated', 'reply.review', 'extension.review', 'extension.declined', 'reply.rejected'] as const;
type Kind = (typeof KINDS)[number];
const isKnown = (k: string): k is Kind => (KINDS as readonly string[]).includes(k);

function noteText(n: Note, t: T): { title: string; body: string } {
  const d = n.data ?? {};
  if (!isKnown(n.kind) || typeof d.title !== 'string' || typeof d.number !== 'string') return { title: n.title, body: n.body };
  const str = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');
  const vars = {
    number: d.number,
    title: d.title,
    deadline: t('notify.deadline', str(d.deadline)),
    due: fmtTime(typeof d.dueAt === 'string' ? d.dueAt : null),
    days: str(d.days),
    reason: str(d.reason),
  };
  return { title: t(`notify.${n.kind}.title`, vars), body: t(`notify.${n.kind}.body`, vars) };
}

export function NotificationBell() {
  const { t } = useI18n();
  const [items, setItems] = useState<Note[]>([]);
  const [unread, setUnread] = useState(0);
  const [open, setOpen] = useState(false);
  const load = useCallback(async () => {
    const r = await get<{ items: Note[]; unreadCount: number }>('/notifications', { limit: 15 }).catch(() => null);
    if (r) {
      setItems(r.items);
      setUnread(r.unreadCount);
    }
  }, []);
  useEffect(() => {
    void load();
    const h = setInterval(() => void load(), 60_000);
    return () => clearInterval(h);
  }, [load]);
  const openNote = async (n: Note) => {
    if (!n.readAt) await post(`/notifications/${n.id}/read`).catch(() => undefined);
    setOpen(false);
    void load();
    if (n.workorderId) navigate(`/orders/${n.workorderId}`);
  };
  const content = (
    <div style={{ width: 360, maxHeight: 420, overflow: 'auto' }}>
      <List
        size="small"
        dataSource={items}
        locale={{ emptyText: t('notes.none') }}
        renderItem={(n) => {
          const text = noteText(n, t);
          return (
            <List.Item style={{ cursor: 'pointer', background: n.readAt ? undefined : '#f0f7ff' }} onClick={() => void openNote(n)}>
              <List.Item.Meta
                title={text.title}
                description={
                  <>
                    <div className="pre">{text.body}</div>
                    <Typography.Text type="secondary">{fmtTime(n.createdAt)}</Typography.Text>
                  </>
                }
              />
            </List.Item>
          );
        }}
      />
      {unread > 0 && (
        <Button block size="small" onClick={() => void post('/notifications/read-all').then(load)}>
          {t('notes.readAll')}
        </Button>
      )}
    </div>
  );
  return (
    <Popover
      trigger="click"
      open={open}
      onOpenChange={(o) => {
        setOpen(o);
        if (o) void load();
      }}
      title={t('notes.title')}
      content={content}
      placement="bottomRight"
    >
      <Badge count={unread} size="small" data-testid="notification-badge">
        <Button aria-label={`${t('notes.title')} (${unread})`} icon={<BellOutlined />} />
      </Badge>
    </Popover>
  );
}
