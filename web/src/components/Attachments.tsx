// Files on an order: thumbnails of photos, PDFs to open, and an upload button while the order is open.
import { useCallback, useEffect, useState } from 'react';
import { App, Button, Card, Image, List, Typography, Upload } from 'antd';
import { FilePdfOutlined, PaperClipOutlined } from '@ant-design/icons';
import { getBlob, get, upload } from '../api';
import { useI18n } from '../i18n';
import { useActionError } from './OrderActions';
import { fmtTime } from '../time';
import type { WorkOrder } from '../types';

interface Attachment {
  id: number;
  name: string;
  contentType: string;
  size: number;
  uploadedBy: number | null;
  createdAt: string;
}

const ACCEPT = '.jpg,.jpeg,.png,.webp,.pdf,image/jpeg,image/png,image/webp,application/pdf';
const kib = (n: number) => (n < 1024 * 1024 ? `${Math.max(1, Math.round(n / 1024))} KB` : `${(n / 1024 / 1024).toFixed(1)} MB`);

export function Attachments({ order }: { order: WorkOrder }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const showError = useActionError();
  const [items, setItems] = useState<Attachment[]>([]);
  const [urls, setUrls] = useState<Record<number, string>>({});
  const [busy, setBusy] = useState(false);
  const base = `/workorders/${order.id}/attachments`;

  const reload = useCallback(
    () =>
      get<{ items: Attachment[] }>(base)
        .then((r) => setItems(r.items))
        .catch(() => setItems([])),
    [base],
  );
  useEffect(() => void reload(), [reload]);

  // Photos are fetched with the token and shown from object URLs, released when the list changes.
  useEffect(() => {
    let live = true;
    const made: string[] = [];
    void Promise.all(
      items
        .filter((a) => a.contentType.startsWith('image/'))
        .map(async (a) => {
          const url = URL.createObjectURL(await getBlob(`${base}/${a.id}`));
          made.push(url);
          return [a.id, url] as const;
        }),
    )
      .then((pairs) => live && setUrls(Object.fromEntries(pairs)))
      .catch(() => undefined);
    return () => {
      live = false;
      made.forEach((u) => URL.revokeObjectURL(u));
    };
  }, [items, base]);

  const open = async (a: Attachment) => {
    try {
      const url = URL.createObjectURL(await getBlob(`${base}/${a.id}`));
      window.open(url, '_blank', 'noopener');
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (e) {
      showError(e);
    }
  };

  const add = async (file: File) => {
    setBusy(true);
    try {
      await upload(base, file, { name: file.name });
      message.success(t('attachment.added', { name: file.name }));
      await reload();
    } catch (e) {
      showError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card
      size="small"
      title={`${t('order.attachments')} (${items.length})`}
      style={{ marginBottom: 16 }}
      data-testid="attachments"
      extra={
        order.status !== 'closed' && (
          <Upload accept={ACCEPT} showUploadList={false} multiple={false} beforeUpload={(f) => (void add(f), false)}>
            <Button size="small" icon={<PaperClipOutlined />} loading={busy}>
              {t('attachment.add')}
            </Button>
          </Upload>
        )
      }
    >
      {items.length === 0 ? (
        <Typography.Text type="secondary">{t('attachment.none')}</Typography.Text>
      ) : (
        <List
          size="small"
          dataSource={items}
          renderItem={(a) => (
            <List.Item
              actions={[
                <Button key="o" size="small" type="link" onClick={() => void open(a)}>
                  {t('attachment.open')}
                </Button>,
              ]}
            >
              <List.Item.Meta
                avatar={
                  a.contentType.startsWith('image/') ? (
                    <Image width={56} height={56} style={{ objectFit: 'cover' }} src={urls[a.id]} alt={a.name} preview={{ src: urls[a.id] }} />
                  ) : (
                    <FilePdfOutlined style={{ fontSize: 40, color: '#cf1322' }} />
                  )
                }
                title={a.name}
                description={`${kib(a.size)} · ${fmtTime(a.createdAt)}`}
              />
            </List.Item>
          )}
        />
      )}
      <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 0, fontSize: 12 }}>
        {t('attachment.hint')}
      </Typography.Paragraph>
    </Card>
  );
}
