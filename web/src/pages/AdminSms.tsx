// Text messages (src/sms) for administrators: the outbox and its dead letters (with a resend
// button), the templates (the 70-character rule warned about), the city's choices and the
// units' liaisons.
import { useCallback, useEffect, useState } from 'react';
import { App, Alert, Button, Card, Form, Input, Radio, Select, Space, Switch, Table, Tabs, Tag, TreeSelect, Typography } from 'antd';
import { api, get, patch, post } from '../api';
import { useI18n } from '../i18n';
import { unitTree, useSession } from '../session';
import { useActionError } from '../components/OrderActions';
import { SmsState, type SmsMessage } from '../components/SmsMessages';
import { Link } from '../router';
import { fmtTime } from '../time';

interface Template {
  kind: SmsMessage['kind'];
  body: string;
  defaultBody: string;
  isDefault: boolean;
  providerTemplateId: string | null;
  placeholders: string[];
  longest: number;
  segment: number;
  warning: string | null;
}
interface Settings {
  followup: 'phone' | 'sms';
  liaisonUrgent: boolean;
  liaisonRed: boolean;
  provider: string;
  quietHours: string | null;
  ratingHours: number;
  perPhonePerHour: number;
  publicUrl: string;
}
interface Liaison {
  id: number;
  unitId: number;
  unitName: string;
  name: string;
  phone: string;
}

function Messages({ dead }: { dead: boolean }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const fail = useActionError();
  const [status, setStatus] = useState<string | undefined>(undefined);
  const [items, setItems] = useState<SmsMessage[]>([]);
  const [counts, setCounts] = useState<Record<string, number>>({});
  const load = useCallback(async () => {
    try {
      if (dead) setItems((await get<{ items: SmsMessage[] }>('/sms/dead-letters', { limit: 200 })).items);
      else {
        const r = await get<{ items: SmsMessage[]; counts: Record<string, number> }>('/sms/outbox', { status, limit: 200 });
        setItems(r.items);
        setCounts(r.counts);
      }
    } catch (e) {
      fail(e);
    }
  }, [dead, status, fail]);
  useEffect(() => void load(), [load]);
  const resend = async (m: SmsMessage) => {
    try {
      await post(`/sms/outbox/${m.id}/resend`);
      void message.success(t('sms.resent'));
      await load();
    } catch (e) {
      fail(e);
    }
  };
  return (
    <>
      {!dead && (
        <Space style={{ marginBottom: 12 }} wrap>
          <Select
            allowClear
            placeholder={t('sms.allStatuses')}
            style={{ width: 160 }}
            value={status}
            onChange={setStatus}
            options={(['pending', 'sent', 'dead', 'skipped'] as const).map((s) => ({ value: s, label: `${t(`sms.status.${s}`)} (${counts[s] ?? 0})` }))}
          />
          <Button onClick={() => void load()}>{t('order.refresh')}</Button>
        </Space>
      )}
      <div data-testid={dead ? 'sms-dead' : 'sms-outbox'}>
        <Table<SmsMessage>
          rowKey="id"
          size="small"
          dataSource={items}
          pagination={{ pageSize: 20 }}
          columns={[
            { title: t('sms.kind'), render: (_, m) => t(`sms.kind.${m.kind}`) },
            { title: t('field.number'), render: (_, m) => (m.workorderId ? <Link to={`/orders/${m.workorderId}`}>{m.orderNumber}</Link> : null) },
            { title: t('sms.to'), render: (_, m) => `${m.liaisonName ?? ''} ${m.to ?? ''}` },
            { title: t('sms.text'), render: (_, m) => <span className="pre">{m.text ?? '—'}</span> },
            { title: t('sms.state'), render: (_, m) => <SmsState m={m} /> },
            {
              title: t('sms.attempts'),
              render: (_, m) => (
                <>
                  {m.attempts}
                  {m.lastError && <div style={{ color: '#cf1322' }}>{m.lastError}</div>}
                </>
              ),
            },
            { title: t('sms.time'), render: (_, m) => fmtTime(m.sentAt ?? m.nextAttemptAt ?? m.createdAt) },
            {
              title: '',
              render: (_, m) =>
                m.status !== 'pending' && m.resentAs == null ? (
                  <Button size="small" onClick={() => void resend(m)}>
                    {t('sms.resend')}
                  </Button>
                ) : m.resentAs ? (
                  <Tag>{t('sms.resentAs', { id: m.resentAs })}</Tag>
                ) : null,
            },
          ]}
        />
      </div>
    </>
  );
}

function Templates() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const fail = useActionError();
  const [items, setItems] = useState<Template[]>([]);
  const load = useCallback(async () => {
    try {
      setItems((await get<{ items: Template[] }>('/sms/templates')).items);
    } catch (e) {
      fail(e);
    }
  }, [fail]);
  useEffect(() => void load(), [load]);
  const save = async (kind: string, v: { body: string; providerTemplateId?: string }) => {
    try {
      const r = await api<Template>('PUT', `/sms/templates/${kind}`, { body: v.body, providerTemplateId: v.providerTemplateId?.trim() || null });
      if (r.warning) void message.warning(r.warning);
      else void message.success(t('sms.saved'));
      await load();
    } catch (e) {
      fail(e);
    }
  };
  const reset = async (kind: string) => {
    try {
      await api('DELETE', `/sms/templates/${kind}`);
      await load();
    } catch (e) {
      fail(e);
    }
  };
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Typography.Paragraph type="secondary">{t('sms.templatesHint')}</Typography.Paragraph>
      {items.map((tp) => (
        <Card key={`${tp.kind}-${tp.body}`} size="small" title={t(`sms.kind.${tp.kind}`)} data-testid={`template-${tp.kind}`}>
          <Form layout="vertical" initialValues={{ body: tp.body, providerTemplateId: tp.providerTemplateId ?? '' }} onFinish={(v) => void save(tp.kind, v)}>
            <Form.Item
              label={t('sms.body')}
              name="body"
              rules={[{ required: true, message: t('err.required') }]}
              extra={t('sms.placeholders', { list: tp.placeholders.map((p) => `{${p}}`).join(' ') })}
            >
              <Input.TextArea rows={2} maxLength={300} />
            </Form.Item>
            <Form.Item label={t('sms.providerTemplateId')} name="providerTemplateId">
              <Input maxLength={64} style={{ maxWidth: 240 }} />
            </Form.Item>
            {tp.warning ? (
              <Alert type="warning" title={tp.warning} style={{ marginBottom: 8 }} />
            ) : (
              <Typography.Paragraph type="secondary">{t('sms.length', { n: tp.longest, max: tp.segment })}</Typography.Paragraph>
            )}
            <Space>
              <Button type="primary" htmlType="submit">
                {t('sms.save')}
              </Button>
              {!tp.isDefault && <Button onClick={() => void reset(tp.kind)}>{t('sms.reset')}</Button>}
            </Space>
          </Form>
        </Card>
      ))}
    </Space>
  );
}

function SettingsAndLiaisons() {
  const { t } = useI18n();
  const fail = useActionError();
  const { units } = useSession();
  const [s, setS] = useState<Settings | null>(null);
  const [liaisons, setLiaisons] = useState<Liaison[]>([]);
  const [form] = Form.useForm();
  const load = useCallback(async () => {
    try {
      setS(await get<Settings>('/sms/settings'));
      setLiaisons((await get<{ items: Liaison[] }>('/sms/liaisons')).items);
    } catch (e) {
      fail(e);
    }
  }, [fail]);
  useEffect(() => void load(), [load]);
  const change = async (v: Partial<Settings>) => {
    try {
      setS(await patch<Settings>('/sms/settings', v));
    } catch (e) {
      fail(e);
    }
  };
  const add = async (v: { unitId: number; name: string; phone: string }) => {
    try {
      await post('/sms/liaisons', v);
      form.resetFields();
      await load();
    } catch (e) {
      fail(e);
    }
  };
  const remove = async (id: number) => {
    try {
      await api('DELETE', `/sms/liaisons/${id}`);
      await load();
    } catch (e) {
      fail(e);
    }
  };
  if (!s) return null;
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Card size="small" title={t('sms.cityChoices')}>
        <Form layout="vertical">
          <Form.Item label={t('sms.followupBy')}>
            <Radio.Group
              value={s.followup}
              onChange={(e) => void change({ followup: e.target.value as Settings['followup'] })}
              options={[
                { value: 'phone', label: t('sms.followup.phone') },
                { value: 'sms', label: t('sms.followup.sms', { hours: s.ratingHours }) },
              ]}
            />
          </Form.Item>
          <Space size="large" wrap>
            <span>
              <Switch checked={s.liaisonUrgent} onChange={(v) => void change({ liaisonUrgent: v })} /> {t('sms.liaisonUrgent')}
            </span>
            <span>
              <Switch checked={s.liaisonRed} onChange={(v) => void change({ liaisonRed: v })} /> {t('sms.liaisonRed')}
            </span>
          </Space>
        </Form>
        <Typography.Paragraph type="secondary" style={{ marginTop: 12, marginBottom: 0 }}>
          {t('sms.env', { provider: s.provider, quiet: s.quietHours ?? t('sms.none'), perHour: s.perPhonePerHour, url: s.publicUrl })}
        </Typography.Paragraph>
      </Card>
      <Card size="small" title={t('sms.liaisons')}>
        <Table<Liaison>
          rowKey="id"
          size="small"
          pagination={false}
          dataSource={liaisons}
          columns={[
            { title: t('field.unit'), dataIndex: 'unitName' },
            { title: t('sms.liaisonName'), dataIndex: 'name' },
            { title: t('sms.to'), dataIndex: 'phone' },
            {
              title: '',
              render: (_, l) => (
                <Button size="small" danger onClick={() => void remove(l.id)}>
                  {t('sms.remove')}
                </Button>
              ),
            },
          ]}
        />
        <Form form={form} layout="inline" style={{ marginTop: 12 }} onFinish={(v) => void add(v)}>
          <Form.Item name="unitId" rules={[{ required: true, message: t('err.required') }]}>
            <TreeSelect
              style={{ width: 220 }}
              placeholder={t('field.unit')}
              treeData={unitTree(units, { activeOnly: true })}
              showSearch
              treeNodeFilterProp="title"
            />
          </Form.Item>
          <Form.Item name="name" rules={[{ required: true, message: t('err.required') }]}>
            <Input placeholder={t('sms.liaisonName')} maxLength={50} />
          </Form.Item>
          <Form.Item name="phone" rules={[{ required: true, pattern: /^1[3-9][0-9]{9}$/, message: t('sms.mobileOnly') }]}>
            <Input placeholder={t('sms.to')} maxLength={11} inputMode="numeric" />
          </Form.Item>
          <Button htmlType="submit">{t('sms.addLiaison')}</Button>
        </Form>
      </Card>
    </Space>
  );
}

export function AdminSms() {
  const { t } = useI18n();
  return (
    <>
      <Typography.Title level={3} className="page-title">
        {t('menu.sms')}
      </Typography.Title>
      <Tabs
        items={[
          { key: 'outbox', label: t('sms.outbox'), children: <Messages dead={false} /> },
          { key: 'dead', label: t('sms.deadLetters'), children: <Messages dead /> },
          { key: 'templates', label: t('sms.templates'), children: <Templates /> },
          { key: 'settings', label: t('sms.settings'), children: <SettingsAndLiaisons /> },
        ]}
      />
    </>
  );
}
