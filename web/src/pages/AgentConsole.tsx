// The agent's contact form: one order in well under a minute, keyboard first.
import { useEffect, useRef, useState } from 'react';
import { App, Button, Card, Col, Form, Input, Radio, Row, Select, Space, Switch, Table, Typography, type InputRef } from 'antd';
import { post } from '../api';
import { useI18n } from '../i18n';
import { Link } from '../router';
import { useSession } from '../session';
import { StatusTag, fmtTime } from '../components/OrderTable';
import { useActionError } from '../components/OrderActions';
import { ORDER_TYPES, type WorkOrder } from '../types';

interface FormValues {
  type: string;
  urgent: boolean;
  phone?: string;
  name?: string;
  title: string;
  content: string;
  districtUnitId?: number;
  address?: string;
}
const INITIAL: Partial<FormValues> = { type: 'request', urgent: false };

export function AgentConsole() {
  const { t } = useI18n();
  const { units } = useSession();
  const { message } = App.useApp();
  const [form] = Form.useForm<FormValues>();
  const [busy, setBusy] = useState(false);
  const [recent, setRecent] = useState<WorkOrder[]>([]);
  const phoneRef = useRef<InputRef>(null);
  const showError = useActionError();
  const districts = units.filter((u) => u.active && (u.kind === 'district' || u.kind === 'subdistrict'));

  const clear = () => {
    form.resetFields();
    phoneRef.current?.focus();
  };

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.altKey && /^Digit[1-6]$/.test(e.code)) {
        e.preventDefault();
        form.setFieldValue('type', ORDER_TYPES[Number(e.code.slice(5)) - 1]);
      } else if (e.altKey && e.code === 'KeyU') {
        e.preventDefault();
        form.setFieldValue('urgent', !form.getFieldValue('urgent'));
      } else if (e.altKey && e.code === 'KeyN') {
        e.preventDefault();
        clear();
      } else if ((e.ctrlKey || e.metaKey) && e.key === 'Enter') {
        e.preventDefault();
        form.submit();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [form]);

  const submit = async (v: FormValues) => {
    setBusy(true);
    try {
      const order = await post<WorkOrder>('/workorders', {
        type: v.type,
        title: v.title.trim(),
        content: v.content.trim(),
        urgency: v.urgent ? 'urgent' : 'normal',
        location: v.address || v.districtUnitId ? { address: v.address || null, districtUnitId: v.districtUnitId ?? null } : null,
        citizen: v.phone || v.name ? { name: v.name || null, phone: v.phone || null } : null,
      });
      message.success({ content: t('agent.created', { number: order.number }), key: 'created' });
      setRecent((r) => [order, ...r].slice(0, 10));
      clear();
    } catch (e) {
      showError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Row gutter={16}>
      <Col xs={24} xl={14}>
        <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('agent.title')}</h2>} size="small"
          extra={<Typography.Text type="secondary" style={{ fontSize: 12 }}>{t('agent.shortcuts')}</Typography.Text>}>
          <Form form={form} name="contact" layout="vertical" initialValues={INITIAL} onFinish={submit} requiredMark>
            <Row gutter={12}>
              <Col span={12}>
                <Form.Item label={t('field.citizenPhone')} name="phone" rules={[{ pattern: /^\+?[0-9][0-9 -]{2,30}$/, message: '0-9' }]}>
                  <Input ref={phoneRef} autoFocus inputMode="tel" maxLength={32} />
                </Form.Item>
              </Col>
              <Col span={12}>
                <Form.Item label={t('field.citizenName')} name="name">
                  <Input maxLength={100} />
                </Form.Item>
              </Col>
            </Row>
            <Form.Item label={t('field.type')} name="type" rules={[{ required: true, message: t('err.required') }]}>
              <Radio.Group optionType="button" buttonStyle="solid"
                options={ORDER_TYPES.map((x, i) => ({ label: `${t('type.' + x)} ${i + 1}`, value: x }))} />
            </Form.Item>
            <Form.Item label={t('field.title')} name="title" rules={[{ required: true, whitespace: true, message: t('err.required') }]}>
              <Input maxLength={200} showCount />
            </Form.Item>
            <Form.Item label={t('field.content')} name="content" rules={[{ required: true, whitespace: true, message: t('err.required') }]}>
              <Input.TextArea rows={4} maxLength={20000} />
            </Form.Item>
            <Row gutter={12}>
              <Col span={8}>
                <Form.Item label={t('field.district')} name="districtUnitId">
                  <Select allowClear showSearch optionFilterProp="label" options={districts.map((u) => ({ label: u.name, value: u.id }))} />
                </Form.Item>
              </Col>
              <Col span={12}>
                <Form.Item label={t('field.address')} name="address">
                  <Input maxLength={500} />
                </Form.Item>
              </Col>
              <Col span={4}>
                <Form.Item label={t('urgency.urgent')} name="urgent" valuePropName="checked">
                  <Switch />
                </Form.Item>
              </Col>
            </Row>
            <Space>
              <Button type="primary" htmlType="submit" loading={busy}>{t('agent.submit')} (Ctrl+Enter)</Button>
              <Button onClick={clear}>{t('agent.clear')} (Alt+N)</Button>
            </Space>
          </Form>
        </Card>
      </Col>
      <Col xs={24} xl={10}>
        <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('agent.recent')}</h2>} size="small">
          <Table<WorkOrder> rowKey="id" size="small" pagination={false} dataSource={recent} locale={{ emptyText: t('list.empty') }}
            columns={[
              { title: t('field.number'), key: 'n', render: (_, o) => <Link to={`/orders/${o.id}`}>{o.number}</Link> },
              { title: t('field.title'), key: 't', ellipsis: true, render: (_, o) => o.title },
              { title: t('field.status'), key: 's', render: (_, o) => <StatusTag status={o.status} /> },
              { title: t('field.createdAt'), key: 'c', render: (_, o) => fmtTime(o.createdAt) },
            ]} />
        </Card>
      </Col>
    </Row>
  );
}
