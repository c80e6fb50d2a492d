// The citizen portal: submit a request (category from the Open311 service list, address, text,
// photos, the arithmetic challenge) and get its number and query code; track it; rate the reply.
import { useCallback, useEffect, useState } from 'react';
import { Alert, Button, Card, Form, Input, Radio, Result, Select, Space, Tabs, Tag, Timeline, Typography, Upload, type UploadFile } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { ApiError, get, post } from '../../api';
import { useI18n } from '../../i18n';
import { navigate, useLocation } from '../../router';
import { isCallbackPhone } from '../../../../src/privacy/vocabulary';
import { fmtTime } from '../../time';
import { matchesService } from './categorySearch';
import { SATISFACTIONS, type Satisfaction } from '../../types';
import { draftKey, useFormDraft } from '../../drafts';
import { DraftNotice } from '../../components/DraftNotice';
import { CityMap } from '../../components/CityMap';

/** A number the center can call back: a mobile, or a landline with its area code (as the server checks). */

interface Service {
  service_code: string;
  service_name: string;
  description: string;
  group: string;
  keywords?: string | null;
}
interface Challenge {
  question: string;
  token: string;
}
interface Tracked {
  number: string;
  status: string;
  statusText: string;
  category: string | null;
  address: string | null;
  content: string;
  createdAt: string;
  timeline: { at: string; text: string }[];
  replies: { at: string; content: string; resolved: boolean }[];
  rating: { satisfaction: Satisfaction; resolved: boolean; note: string | null } | null;
  canRate: boolean;
}

const MAX_SIDE = 1280;
/** Reads an image and re-encodes it as a JPEG data URL no wider or taller than MAX_SIDE. */
async function toDataUrl(file: File): Promise<string> {
  const url = URL.createObjectURL(file);
  try {
    const img = await new Promise<HTMLImageElement>((ok, fail) => {
      const i = new Image();
      i.onload = () => ok(i);
      i.onerror = fail;
      i.src = url;
    });
    const scale = Math.min(1, MAX_SIDE / Math.max(img.width, img.height));
    const c = document.createElement('canvas');
    c.width = Math.round(img.width * scale);
    c.height = Math.round(img.height * scale);
    c.getContext('2d')!.drawImage(img, 0, 0, c.width, c.height);
    for (const q of [0.85, 0.7, 0.5]) {
      const d = c.toDataURL('image/jpeg', q);
      if (d.length * 0.75 < 500 * 1024) return d;
    }
    return c.toDataURL('image/jpeg', 0.35);
  } finally {
    URL.revokeObjectURL(url);
  }
}

function errText(e: unknown) {
  return e instanceof ApiError ? e.message : String(e);
}

// The citizen's text survives a reload; the phone, name and challenge answer are not kept.
const PORTAL_DRAFT = draftKey('citizen', 'portal.request');
const NOT_KEPT = ['phone', 'name', 'challengeAnswer'] as const;

function Submit({ onDone }: { onDone: (number: string, code: string) => void }) {
  const { t } = useI18n();
  const [form] = Form.useForm();
  const draft = useFormDraft(form, PORTAL_DRAFT, { omit: NOT_KEPT });
  const [services, setServices] = useState<Service[]>([]);
  const [challenge, setChallenge] = useState<Challenge | null>(null);
  const [files, setFiles] = useState<UploadFile[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const newChallenge = useCallback(() => {
    form.setFieldValue('challengeAnswer', '');
    get<Challenge>('/portal/challenge')
      .then(setChallenge)
      .catch((e) => setError(errText(e)));
  }, [form]);
  useEffect(() => {
    fetch('/open311/v2/services.json')
      .then((r) => r.json())
      .then((s: Service[]) => setServices(s))
      .catch(() => setServices([]));
    newChallenge();
  }, [newChallenge]);
  const groups = [...new Set(services.map((s) => s.group))];
  // A pin on the map (optional): the map library loads only when the citizen opens the map.
  const [mapOpen, setMapOpen] = useState(false);
  const [pin, setPin] = useState<{ lat: number; lng: number } | null>(null);
  const submit = async (v: { categoryCode: string; address: string; content: string; phone: string; name?: string; challengeAnswer: string }) => {
    setBusy(true);
    setError(null);
    try {
      const photos = await Promise.all(files.map((f) => toDataUrl(f.originFileObj as File)));
      const r = await post<{ number: string; queryCode: string }>('/portal/requests', {
        categoryCode: v.categoryCode,
        address: v.address.trim(),
        content: v.content.trim(),
        ...(pin ? { lat: pin.lat, lng: pin.lng } : {}),
        phone: v.phone.trim(),
        ...(v.name?.trim() ? { name: v.name.trim() } : {}),
        photos,
        challengeToken: challenge!.token,
        challengeAnswer: String(v.challengeAnswer).trim(),
      });
      draft.clear();
      onDone(r.number, r.queryCode);
    } catch (e) {
      setError(errText(e));
      newChallenge();
    } finally {
      setBusy(false);
    }
  };
  const req = [{ required: true, whitespace: true, message: t('err.required') }];
  return (
    <Form form={form} layout="vertical" name="portal" onFinish={(v) => void submit(v)} onValuesChange={(c, all: object) => draft.onValuesChange(c, all)}>
      <DraftNotice draft={draft} />
      <Form.Item label={t('portal.category')} name="categoryCode" rules={req}>
        <Select
          showSearch
          filterOption={(input, option) => {
            const code = (option as { value?: string } | undefined)?.value;
            const s = services.find((x) => x.service_code === code);
            return s ? matchesService(input, s) : false;
          }}
          placeholder={t('portal.categoryHint')}
          options={groups.map((g) => ({
            label: g,
            title: g,
            options: services.filter((s) => s.group === g).map((s) => ({ label: s.service_name, value: s.service_code, title: s.description })),
          }))}
        />
      </Form.Item>
      <Form.Item label={t('field.address')} name="address" rules={req}>
        <Input maxLength={500} />
      </Form.Item>
      <Form.Item>
        <Space>
          <Button size="small" onClick={() => setMapOpen((o) => !o)} aria-expanded={mapOpen}>
            {t('map.portalPin')}
          </Button>
          {pin && <Tag color="blue">{t('map.pinned')}</Tag>}
          {pin && (
            <Button size="small" type="link" onClick={() => setPin(null)}>
              {t('map.clearPoint')}
            </Button>
          )}
        </Space>
        {mapOpen && (
          <div style={{ marginTop: 8 }}>
            <CityMap label={t('map.portalPinLabel')} point={pin} onPick={(lat, lng) => setPin({ lat, lng })} height={260} />
          </div>
        )}
      </Form.Item>
      <Form.Item label={t('portal.content')} name="content" rules={req}>
        <Input.TextArea rows={4} maxLength={4000} showCount />
      </Form.Item>
      <Form.Item label={t('portal.photos')}>
        <Upload
          listType="picture-card"
          accept="image/jpeg,image/png,image/webp"
          fileList={files}
          beforeUpload={() => false}
          maxCount={3}
          onChange={({ fileList }) => setFiles(fileList.slice(0, 3))}
        >
          {files.length < 3 && (
            <button type="button" style={{ border: 0, background: 'none' }}>
              <PlusOutlined />
              <div>{t('portal.addPhoto')}</div>
            </button>
          )}
        </Upload>
      </Form.Item>
      <Form.Item
        label={t('portal.phone')}
        name="phone"
        rules={[
          ...req,
          { validator: (_, v: string | undefined) => (!v || isCallbackPhone(v) ? Promise.resolve() : Promise.reject(new Error(t('portal.badPhone')))) },
        ]}
      >
        <Input inputMode="tel" maxLength={32} />
      </Form.Item>
      <Form.Item label={t('portal.name')} name="name">
        <Input maxLength={50} />
      </Form.Item>
      <Form.Item
        label={`${t('portal.challenge')} ${challenge?.question ?? ''}`}
        name="challengeAnswer"
        rules={req}
        extra={
          <Button type="link" size="small" onClick={newChallenge}>
            {t('portal.newChallenge')}
          </Button>
        }
      >
        <Input inputMode="numeric" maxLength={10} style={{ width: 120 }} />
      </Form.Item>
      {error && <Alert type="error" role="alert" title={error} style={{ marginBottom: 12 }} />}
      <Button type="primary" htmlType="submit" block size="large" loading={busy} disabled={!challenge}>
        {t('portal.submit')}
      </Button>
    </Form>
  );
}

function Track({ number, code }: { number?: string; code?: string }) {
  const { t } = useI18n();
  const [form] = Form.useForm();
  const [data, setData] = useState<Tracked | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const look = useCallback(async (n: string, c: string) => {
    setBusy(true);
    setError(null);
    try {
      setData(await get<Tracked>(`/portal/requests/${encodeURIComponent(n.trim())}`, { code: c.trim().toUpperCase() }));
    } catch (e) {
      setData(null);
      setError(errText(e));
    } finally {
      setBusy(false);
    }
  }, []);
  useEffect(() => {
    if (number && code) {
      form.setFieldsValue({ number, code });
      void look(number, code);
    }
  }, [number, code, form, look]);
  const rate = async (v: { satisfaction: Satisfaction; resolved: boolean; note?: string }) => {
    try {
      await post(`/portal/requests/${data!.number}/rating`, {
        code: form.getFieldValue('code').trim().toUpperCase(),
        ...v,
        ...(v.note ? {} : { note: undefined }),
      });
      await look(data!.number, form.getFieldValue('code'));
    } catch (e) {
      setError(errText(e));
    }
  };
  return (
    <>
      <Form form={form} layout="vertical" name="track" onFinish={(v) => void look(v.number, v.code)}>
        <Form.Item label={t('portal.number')} name="number" rules={[{ required: true, pattern: /^[0-9]{8,20}$/, message: t('err.required') }]}>
          <Input inputMode="numeric" maxLength={20} />
        </Form.Item>
        <Form.Item label={t('portal.code')} name="code" rules={[{ required: true, min: 4, message: t('err.required') }]}>
          <Input maxLength={32} />
        </Form.Item>
        <Button htmlType="submit" type="primary" block loading={busy}>
          {t('portal.track')}
        </Button>
      </Form>
      {error && <Alert type="error" role="alert" title={error} style={{ marginTop: 12 }} />}
      {data && (
        <Card
          size="small"
          style={{ marginTop: 16 }}
          data-testid="tracked"
          title={
            <>
              {data.number} <Tag color="blue">{data.statusText}</Tag>
            </>
          }
        >
          <Typography.Paragraph>
            {data.category} · {data.address}
          </Typography.Paragraph>
          <Typography.Paragraph className="pre">{data.content}</Typography.Paragraph>
          <Timeline
            items={data.timeline.map((e) => ({
              content: (
                <>
                  <Typography.Text type="secondary">{fmtTime(e.at)}</Typography.Text> {e.text}
                </>
              ),
            }))}
          />
          {data.replies.map((r, i) => (
            <Alert
              key={i}
              type={r.resolved ? 'success' : 'warning'}
              style={{ marginBottom: 8 }}
              title={`${t('field.reply')} · ${fmtTime(r.at)}`}
              description={<div className="pre">{r.content}</div>}
            />
          ))}
          {data.rating && (
            <Alert
              type="info"
              title={`${t('portal.rated')}: ${t(`sat.${data.rating.satisfaction}`)} · ${data.rating.resolved ? t('field.resolved') : t('field.notResolved')}`}
            />
          )}
          {data.canRate && (
            <Form layout="vertical" name="rate" onFinish={(v) => void rate(v)} initialValues={{ satisfaction: 'satisfied', resolved: true }}>
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
              <Form.Item label={t('field.note')} name="note">
                <Input.TextArea rows={2} maxLength={1000} />
              </Form.Item>
              <Button htmlType="submit" type="primary">
                {t('portal.rate')}
              </Button>
            </Form>
          )}
        </Card>
      )}
    </>
  );
}

export function Portal() {
  const { t } = useI18n();
  const { search } = useLocation();
  const [done, setDone] = useState<{ number: string; code: string } | null>(null);
  const tab = search.get('tab') === 'track' ? 'track' : 'submit';
  useEffect(() => {
    document.title = `${t('menu.portal')} · ${t('portal.brand')}`;
  }, [t]);
  return (
    <Card>
      <Typography.Title level={3} style={{ marginTop: 0 }}>
        {t('portal.title')}
      </Typography.Title>
      <Tabs
        activeKey={tab}
        onChange={(k) => navigate(k === 'track' ? '/portal?tab=track' : '/portal')}
        items={[
          {
            key: 'submit',
            label: t('portal.tabSubmit'),
            children: done ? (
              <Result
                status="success"
                title={t('portal.thanks')}
                subTitle={t('portal.keep')}
                extra={
                  <Space direction="vertical">
                    <div data-testid="portal-number">
                      {t('portal.number')}:{' '}
                      <Typography.Text strong copyable>
                        {done.number}
                      </Typography.Text>
                    </div>
                    <div data-testid="portal-code">
                      {t('portal.code')}:{' '}
                      <Typography.Text strong copyable>
                        {done.code}
                      </Typography.Text>
                    </div>
                    <Space>
                      <Button type="primary" onClick={() => navigate(`/portal?tab=track&number=${done.number}&code=${done.code}`)}>
                        {t('portal.track')}
                      </Button>
                      <Button onClick={() => setDone(null)}>{t('portal.another')}</Button>
                    </Space>
                  </Space>
                }
              />
            ) : (
              <Submit onDone={(number, code) => setDone({ number, code })} />
            ),
          },
          { key: 'track', label: t('portal.tabTrack'), children: <Track number={search.get('number') ?? undefined} code={search.get('code') ?? undefined} /> },
        ]}
      />
    </Card>
  );
}
