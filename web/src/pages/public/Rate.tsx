// The follow-up by text message: the citizen opens the one-time link from the message
// (/r/<token>), reads the unit's reply and answers the two follow-up questions. No login; the
// link is the credential, and the page shows no personal data.
import { useCallback, useEffect, useState } from 'react';
import { Alert, Button, Card, Form, Input, Radio, Result, Spin, Typography } from 'antd';
import { ApiError, get, post } from '../../api';
import { useI18n } from '../../i18n';
import { useLocation } from '../../router';
import { fmtTime } from '../../time';
import { SATISFACTIONS, type Satisfaction } from '../../types';

interface RatingPage {
  number: string;
  title: string;
  unitName: string | null;
  reply: string | null;
  repliedAt: string | null;
  expiresAt: string;
  state: 'open' | 'answered' | 'expired' | 'closed';
}

const errText = (e: unknown) => (e instanceof ApiError ? e.message : String(e));

export function Rate() {
  const { t } = useI18n();
  const { path } = useLocation();
  const token = path.split('/')[2] ?? '';
  const [page, setPage] = useState<RatingPage | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const load = useCallback(async () => {
    try {
      setPage(await get<RatingPage>(`/sms/rating/${encodeURIComponent(token)}`));
    } catch (e) {
      setError(errText(e));
    }
  }, [token]);
  useEffect(() => void load(), [load]);
  const submit = async (v: { satisfaction: Satisfaction; resolved: boolean; comment?: string }) => {
    setBusy(true);
    setError(null);
    try {
      await post(`/sms/rating/${encodeURIComponent(token)}`, { ...v, comment: v.comment?.trim() || undefined });
      setDone(true);
    } catch (e) {
      setError(errText(e));
    } finally {
      setBusy(false);
    }
  };
  if (done) return <Result status="success" title={t('rate.thanks')} subTitle={t('rate.thanksHint')} data-testid="rated" />;
  if (!page) return error ? <Alert type="error" role="alert" title={error} /> : <Spin style={{ display: 'block', margin: 48 }} />;
  return (
    <Card title={t('rate.title')} size="small" data-testid="rating">
      <Typography.Paragraph>
        {t('rate.order', { number: page.number })} · {page.title}
      </Typography.Paragraph>
      {page.state === 'open' ? (
        <>
          {page.reply && (
            <Alert
              type="info"
              style={{ marginBottom: 12 }}
              title={`${page.unitName ?? ''} ${t('field.reply')}${page.repliedAt ? ` · ${fmtTime(page.repliedAt)}` : ''}`}
              description={<div className="pre">{page.reply}</div>}
            />
          )}
          <Form layout="vertical" name="sms-rate" onFinish={(v) => void submit(v)} initialValues={{ satisfaction: 'satisfied', resolved: true }}>
            <Form.Item label={t('field.satisfaction')} name="satisfaction">
              <Radio.Group options={SATISFACTIONS.map((s) => ({ label: t(`sat.${s}`), value: s }))} />
            </Form.Item>
            <Form.Item label={t('portal.resolvedQ')} name="resolved">
              <Radio.Group
                options={[
                  { label: t('field.resolved'), value: true },
                  { label: t('field.notResolved'), value: false },
                ]}
              />
            </Form.Item>
            <Form.Item label={t('rate.comment')} name="comment">
              <Input.TextArea rows={3} maxLength={500} />
            </Form.Item>
            {error && <Alert type="error" role="alert" title={error} style={{ marginBottom: 12 }} />}
            <Button htmlType="submit" type="primary" block loading={busy}>
              {t('portal.rate')}
            </Button>
            <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>
              {t('rate.until', { time: fmtTime(page.expiresAt) })}
            </Typography.Paragraph>
          </Form>
        </>
      ) : (
        <Alert type={page.state === 'answered' ? 'success' : 'warning'} title={t(`rate.state.${page.state}`)} />
      )}
    </Card>
  );
}
