// The agent's console: the call panel (the caller's earlier contacts and open orders), the
// contact form that records every contact through POST /contacts with one keystroke per
// outcome, and the assistant beside it (knowledge articles, similar orders, duplicate
// candidates, dispatch suggestion) refreshed as the agent types.
import { useEffect, useRef, useState } from 'react';
import { App, Badge, Button, Card, Col, Empty, Form, Input, List, Radio, Row, Select, Space, Switch, Table, Tag, Typography, type InputRef } from 'antd';
import { get, post } from '../api';
import { useI18n } from '../i18n';
import { Link } from '../router';
import { useSession } from '../session';
import { StatusTag } from '../components/OrderTable';
import { fmtTime } from '../time';
import { useActionError } from '../components/OrderActions';
import { Marked, plain } from '../components/text';
import { DraftNotice } from '../components/DraftNotice';
import { DispatchSuggestion, type DispatchSuggestionData } from '../components/DispatchSuggestion';
import { draftKey, useFormDraft } from '../drafts';
import { CityMap } from '../components/CityMap';
import { AreasLine, type ResolvedAreas } from '../components/AreasLine';
import { ORDER_TYPES, type Status, type WorkOrder } from '../types';

interface FormValues {
  channel: string;
  type: string;
  urgent: boolean;
  phone?: string;
  name?: string;
  title?: string;
  content?: string;
  districtUnitId?: number;
  address?: string;
  lat?: number;
  lng?: number;
  transferTo: string;
  invalidReason: string;
}
// The server's limits (src/intake/routes.ts, src/kb/routes.ts): the form cannot take more than it accepts.
const TITLE_MAX = 200;
const CONTENT_MAX = 20000;
const ASSIST_MAX = 5000;
const INITIAL: Partial<FormValues> = { channel: 'phone', type: 'request', urgent: false, transferTo: '110', invalidReason: 'hung_up' };
const CHANNELS = ['phone', 'web', 'app', 'miniprogram', 'email', 'walkin'] as const;
const TRANSFER = ['110', '119', '120', 'other'] as const;
const INVALID = ['silent', 'prank', 'abuse', 'hung_up', 'other'] as const;
export type Outcome = 'workorder' | 'answered' | 'duplicate' | 'transferred' | 'invalid';

interface Contact {
  id: number;
  channel: string;
  startedAt: string;
  summary: string;
  outcome: Outcome;
  workorderId: number | null;
  transferTo: string | null;
  invalidReason: string | null;
}
interface History {
  phone: string;
  contacts: Contact[];
  contactCount: number;
  openOrders: WorkOrder[];
}
interface Article {
  id: number;
  title: string;
  snippet: string;
  answer: string;
  valid: boolean;
  reviewOverdue: boolean;
}
interface Similar {
  id: number;
  number: string;
  title: string;
  status: Status;
  createdAt: string;
}
interface Candidate {
  workorderId: number;
  number: string;
  title: string;
  status: Status;
  createdAt: string;
  score: number;
  /** Why it is offered (src/duplicates/index.ts `Reason`). */
  reason: { sharedWords: string[]; sameCaller?: boolean; samePlace?: boolean; sharedPlaces?: string[]; distanceM: number | null };
}
interface Check {
  candidates: Candidate[];
  /** The caller's own orders of the window, closed ones too. */
  callerOrders?: Candidate[];
}
/** An order the agent named by its number (GET /duplicates/lookup). */
interface Named {
  workorderId: number;
  number: string;
  title: string;
  status: Status;
}
type Suggestion = DispatchSuggestionData;
interface Assist {
  articles?: Article[];
  similarOrders?: Similar[];
  dispatch?: Suggestion | null;
}
interface Recorded {
  id: number;
  outcome: Outcome;
  summary: string;
  at: string;
  order?: WorkOrder | null;
  linked?: string | null;
}

/** Calls `fn` with the value once it has stopped changing for `ms`. */
function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const h = setTimeout(() => setV(value), ms);
    return () => clearTimeout(h);
  }, [value, ms]);
  return v;
}

export function AgentConsole() {
  const { t } = useI18n();
  const { units, user } = useSession();
  const { message } = App.useApp();
  const [form] = Form.useForm<FormValues>();
  // What the agent types survives an expired session, a reload or a closed tab (drafts.ts).
  const draft = useFormDraft(form, user ? draftKey(user.username, 'agent.contact') : null);
  const [busy, setBusy] = useState(false);
  // The shift's recorded calls survive Back and a reload: kept per user in this tab's sessionStorage.
  const recentKey = `jiesu.recent.${user?.id ?? 0}`;
  const [recent, setRecentState] = useState<Recorded[]>(() => {
    try {
      return JSON.parse(sessionStorage.getItem(recentKey) ?? '[]') as Recorded[];
    } catch {
      return [];
    }
  });
  const setRecent = (f: (r: Recorded[]) => Recorded[]) =>
    setRecentState((r) => {
      const next = f(r);
      sessionStorage.setItem(recentKey, JSON.stringify(next));
      return next;
    });
  // The contact starts when the agent first types into the empty form; `callNo` counts contacts.
  const startedAt = useRef<string | null>(null);
  const [callNo, setCallNo] = useState(0);
  const [history, setHistory] = useState<History | null>(null);
  const [assist, setAssist] = useState<Assist | null>(null);
  const [candidates, setCandidates] = useState<Candidate[]>([]);
  const [callerOrders, setCallerOrders] = useState<Candidate[]>([]);
  const [named, setNamed] = useState<Named | null>(null);
  const [numberText, setNumberText] = useState('');
  const [articleId, setArticleId] = useState<number | null>(null);
  const [linkId, setLinkId] = useState<number | null>(null);
  const [categoryCode, setCategoryCode] = useState<string | null>(null);
  const phoneRef = useRef<InputRef>(null);
  const showError = useActionError();
  const districts = units.filter((u) => u.active && (u.kind === 'district' || u.kind === 'subdistrict' || u.kind === 'community'));
  // Where: a point picked on the map, or the address, resolved to areas the agent may correct.
  const [resolved, setResolved] = useState<{ areas: ResolvedAreas; source: 'point' | 'address' } | null>(null);
  const lat = Form.useWatch('lat', form);
  const lng = Form.useWatch('lng', form);
  const point = lat != null && lng != null ? { lat, lng } : null;
  const fillArea = (areas: ResolvedAreas, source: 'point' | 'address') => {
    setResolved({ areas, source });
    const id = areas.community?.id ?? areas.subdistrict?.id ?? areas.district?.id;
    if (id != null) form.setFieldValue('districtUnitId', id);
  };
  const pickPoint = (la: number, ln: number) => {
    form.setFieldsValue({ lat: la, lng: ln });
    get<ResolvedAreas>('/areas/resolve', { lat: la, lng: ln })
      .then((a) => fillArea(a, 'point'))
      .catch(() => setResolved(null));
  };
  const readAddress = () => {
    const address = (form.getFieldValue('address') as string | undefined)?.trim();
    // The point, or an area the agent chose, outranks the address.
    if (!address || point || form.getFieldValue('districtUnitId') != null) return;
    post<ResolvedAreas>('/areas/resolve', { address })
      .then((a) => fillArea(a, 'address'))
      .catch(() => undefined);
  };

  const phone = Form.useWatch('phone', form);
  const title = Form.useWatch('title', form);
  const content = Form.useWatch('content', form);
  const district = Form.useWatch('districtUnitId', form);
  const address = Form.useWatch('address', form);
  const dAddress = useDebounced(address ?? '', 500);
  const dPhone = useDebounced((phone ?? '').replace(/\s/g, ''), 400);
  const dText = useDebounced(`${title ?? ''}\n${content ?? ''}`.trim(), 500);
  const dTitle = useDebounced(title ?? '', 500);

  // The call panel: who is calling, what they called about before.
  useEffect(() => {
    if (!/^\+?[0-9][0-9-]{6,30}$/.test(dPhone)) return setHistory(null);
    let live = true;
    get<History>(`/callers/${encodeURIComponent(dPhone)}/history`, { limit: 10 })
      .then((h) => live && setHistory(h))
      .catch(() => live && setHistory(null));
    return () => void (live = false);
  }, [dPhone, callNo]);

  // The assistant: knowledge, similar orders, dispatch suggestion, duplicate candidates.
  useEffect(() => {
    if (dText.length < 4) {
      setAssist(null);
      setCandidates([]);
      setCallerOrders([]);
      return;
    }
    let live = true;
    post<Assist>('/assist', { text: dText.slice(0, ASSIST_MAX), ...(dPhone.length >= 7 ? { phone: dPhone } : {}) })
      .then((a) => {
        if (!live) return;
        setAssist(a);
        setCategoryCode(a.dispatch?.categories?.[0]?.code ?? null);
      })
      .catch(() => live && setAssist(null));
    // The place and the caller tell a repeat from another problem with the same words.
    post<Check>('/duplicates/check', {
      title: dTitle.slice(0, TITLE_MAX),
      content: dText.slice(0, CONTENT_MAX),
      districtUnitId: district ?? null,
      address: dAddress.trim().slice(0, 500) || null,
      ...(/^\+?[0-9][0-9-]{6,30}$/.test(dPhone) ? { phone: dPhone } : {}),
      limit: 5,
    })
      .then((d) => {
        if (!live) return;
        setCandidates(d.candidates);
        setCallerOrders(d.callerOrders ?? []);
      })
      .catch(() => {
        if (!live) return;
        setCandidates([]);
        setCallerOrders([]);
      });
    return () => void (live = false);
  }, [dText, dTitle, dPhone, dAddress, district, callNo]);

  /** The agent types the number of the order the caller means: looked up, then linked. */
  const linkByNumber = async (raw: string) => {
    const number = raw.replace(/\s/g, '');
    if (!/^[0-9]{13}$/.test(number)) return void message.warning(t('dup.numberInvalid'));
    try {
      const o = await get<Named>('/duplicates/lookup', { number });
      setNamed(o);
      setLinkId(o.workorderId);
      setNumberText('');
    } catch (e) {
      showError(e);
    }
  };

  const clear = () => {
    draft.clear();
    form.resetFields();
    setHistory(null);
    setAssist(null);
    setCandidates([]);
    setCallerOrders([]);
    setNamed(null);
    setNumberText('');
    setArticleId(null);
    setLinkId(null);
    setCategoryCode(null);
    setResolved(null);
    startedAt.current = null;
    setCallNo((n) => n + 1);
    phoneRef.current?.focus();
  };

  const record = async (outcome: Outcome) => {
    if (busy) return;
    const fields: (keyof FormValues)[] = outcome === 'workorder' ? ['title', 'content', 'phone'] : ['phone'];
    let v: FormValues;
    try {
      await form.validateFields(fields);
      v = form.getFieldsValue(true) as FormValues;
    } catch {
      return;
    }
    const summary = [v.title?.trim(), v.content?.trim()].filter(Boolean).join('：') || t(`contact.noSummary.${outcome}`);
    if (outcome === 'answered' && !articleId && !v.content?.trim()) return void message.warning(t('contact.needArticle'));
    if (outcome === 'duplicate' && !linkId) return void message.warning(t('contact.needLink'));
    setBusy(true);
    try {
      const caller = v.phone || v.name ? { phone: v.phone?.trim() || null, name: v.name?.trim() || null } : null;
      const body: Record<string, unknown> = {
        channel: v.channel,
        startedAt: startedAt.current ?? new Date().toISOString(),
        endedAt: new Date().toISOString(),
        caller,
        summary: summary.slice(0, 5000),
        outcome,
      };
      if (outcome === 'workorder') {
        body.workorder = {
          type: v.type,
          title: v.title!.trim(),
          content: v.content!.trim(),
          urgency: v.urgent ? 'urgent' : 'normal',
          categoryCode: categoryCode ?? null,
          location:
            v.address || v.districtUnitId || v.lat != null
              ? { address: v.address || null, districtUnitId: v.districtUnitId ?? null, lat: v.lat ?? null, lng: v.lng ?? null }
              : null,
          citizen: caller,
        };
      }
      if (outcome === 'duplicate') body.workorderId = linkId;
      if (outcome === 'transferred') body.transferTo = v.transferTo;
      if (outcome === 'invalid') body.invalidReason = v.invalidReason;
      const c = await post<Contact & { workorder: WorkOrder | null }>('/contacts', body);
      if (outcome === 'answered' && articleId) await post(`/kb/articles/${articleId}/use`, { contactId: c.id, helpful: true }).catch(() => undefined);
      // A repeat call: the caller joins the order's callers (best effort; the contact itself is recorded).
      if (outcome === 'duplicate' && linkId)
        await post(`/workorders/${linkId}/repeats`, { contactId: c.id, name: caller?.name ?? null, phone: caller?.phone ?? null }).catch(() => undefined);
      const linked =
        outcome === 'duplicate'
          ? (candidates.find((x) => x.workorderId === linkId)?.number ??
            callerOrders.find((x) => x.workorderId === linkId)?.number ??
            (named?.workorderId === linkId ? named.number : undefined) ??
            history?.openOrders.find((o) => o.id === linkId)?.number ??
            assist?.similarOrders?.find((o) => o.id === linkId)?.number ??
            null)
          : null;
      message.success({
        content: outcome === 'workorder' ? t('agent.created', { number: c.workorder!.number }) : t('contact.recorded', { outcome: t(`outcome.${outcome}`) }),
        key: 'created',
      });
      setRecent((r) => [{ id: c.id, outcome, summary, at: c.startedAt, order: c.workorder, linked }, ...r].slice(0, 30));
      clear();
    } catch (e) {
      showError(e);
    } finally {
      setBusy(false);
    }
  };
  // The shortcuts are bound once; they call the latest record and clear through refs.
  const recordRef = useRef(record);
  recordRef.current = record;
  const clearRef = useRef(clear);
  clearRef.current = clear;

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const key = (k: string) => e.altKey && e.code === k;
      const run = (o: Outcome) => {
        e.preventDefault();
        void recordRef.current(o);
      };
      if (e.altKey && /^Digit[1-6]$/.test(e.code)) {
        e.preventDefault();
        form.setFieldValue('type', ORDER_TYPES[Number(e.code.slice(5)) - 1]);
      } else if (key('KeyU')) {
        e.preventDefault();
        form.setFieldValue('urgent', !form.getFieldValue('urgent'));
      } else if (key('KeyN')) {
        e.preventDefault();
        clearRef.current();
      } else if ((e.ctrlKey || e.metaKey) && e.key === 'Enter') run('workorder');
      else if (key('KeyA')) run('answered');
      else if (key('KeyD')) run('duplicate');
      else if (key('KeyT')) run('transferred');
      else if (key('KeyX')) run('invalid');
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [form]);

  const h2 = (s: string) => <h2 style={{ fontSize: 16, margin: 0 }}>{s}</h2>;
  const pct = (x: number | null | undefined) => (x == null ? '' : `${Math.round(x * 100)}%`);
  const linkButton = (id: number, number: string) => (
    <Button
      size="small"
      type={linkId === id ? 'primary' : 'default'}
      aria-pressed={linkId === id}
      aria-label={`${t('contact.linkThis')} ${number}`}
      onClick={() => setLinkId(linkId === id ? null : id)}
    >
      {linkId === id ? t('contact.linked') : t('contact.linkThis')}
    </Button>
  );
  /** Why a candidate is offered, in words: the same caller, the same place, the same words. */
  const reasons = (c: Candidate) => (
    <div data-testid="dup-reasons" style={{ fontSize: 12 }}>
      {c.reason.sameCaller && <Tag color="purple">{t('dup.sameCaller')}</Tag>}
      {c.reason.samePlace && (
        <Tag color="green">
          {c.reason.sharedPlaces?.length
            ? t('dup.samePlaceAt', { places: c.reason.sharedPlaces.join('、') })
            : c.reason.distanceM != null
              ? t('dup.samePlaceNear', { m: c.reason.distanceM })
              : t('dup.samePlace')}
        </Tag>
      )}
      {c.reason.sharedWords.length > 0 && (
        <Typography.Text type="secondary">{t('dup.sameWords', { words: c.reason.sharedWords.slice(0, 6).join('、') })}</Typography.Text>
      )}
      <div>
        <Typography.Text type="secondary">{fmtTime(c.createdAt)}</Typography.Text>
      </div>
    </div>
  );
  const candidateItem = (c: Candidate, withScore: boolean) => (
    <List.Item actions={[linkButton(c.workorderId, c.number)]}>
      <List.Item.Meta
        title={<Link to={`/orders/${c.workorderId}`}>{c.number}</Link>}
        description={
          <>
            <StatusTag status={c.status} /> {c.title} {withScore && <Typography.Text type="secondary">{pct(c.score)}</Typography.Text>}
            {reasons(c)}
          </>
        }
      />
    </List.Item>
  );
  const suggestion = assist?.dispatch;
  const cat = suggestion?.categories?.[0];

  return (
    <Row gutter={16}>
      <Col xs={24} xl={6}>
        <Card title={h2(t('call.title'))} size="small" data-testid="call-panel" style={{ marginBottom: 16 }}>
          {!history ? (
            <Typography.Text type="secondary">{t('call.hint')}</Typography.Text>
          ) : (
            <>
              <Typography.Paragraph>
                {t('call.contacts', { n: history.contactCount })} · {t('call.openOrders', { n: history.openOrders.length })}
              </Typography.Paragraph>
              {history.openOrders.length > 0 && (
                <List
                  size="small"
                  header={<b>{t('call.open')}</b>}
                  dataSource={history.openOrders}
                  renderItem={(o) => (
                    <List.Item actions={[linkButton(o.id, o.number)]}>
                      <List.Item.Meta
                        title={<Link to={`/orders/${o.id}`}>{o.number}</Link>}
                        description={
                          <>
                            <StatusTag status={o.status} /> {o.title}
                          </>
                        }
                      />
                    </List.Item>
                  )}
                />
              )}
              <List
                size="small"
                header={<b>{t('call.earlier')}</b>}
                dataSource={history.contacts}
                locale={{ emptyText: t('call.none') }}
                renderItem={(c) => (
                  <List.Item>
                    <div>
                      <Typography.Text type="secondary">{fmtTime(c.startedAt)}</Typography.Text> <Tag>{t(`outcome.${c.outcome}`)}</Tag>
                      <div className="pre" style={{ fontSize: 12 }}>
                        {c.summary.slice(0, 80)}
                      </div>
                    </div>
                  </List.Item>
                )}
              />
            </>
          )}
        </Card>
      </Col>
      <Col xs={24} xl={11}>
        <Card title={h2(t('agent.title'))} size="small" style={{ marginBottom: 16 }}>
          <Form
            form={form}
            name="contact"
            layout="vertical"
            initialValues={INITIAL}
            onFinish={() => void record('workorder')}
            requiredMark
            onValuesChange={(changed, all) => {
              startedAt.current ??= new Date().toISOString();
              draft.onValuesChange(changed, all);
            }}
          >
            <DraftNotice draft={draft} />
            <Row gutter={12}>
              <Col span={9}>
                <Form.Item label={t('field.citizenPhone')} name="phone" rules={[{ pattern: /^\+?[0-9][0-9 -]{2,30}$/, message: '0-9' }]}>
                  <Input ref={phoneRef} autoFocus inputMode="tel" maxLength={32} />
                </Form.Item>
              </Col>
              <Col span={8}>
                <Form.Item label={t('field.citizenName')} name="name">
                  <Input maxLength={100} />
                </Form.Item>
              </Col>
              <Col span={7}>
                <Form.Item label={t('field.channel')} name="channel">
                  <Select options={CHANNELS.map((c) => ({ label: t(`channel.${c}`), value: c }))} />
                </Form.Item>
              </Col>
            </Row>
            <Form.Item label={t('field.type')} name="type" rules={[{ required: true, message: t('err.required') }]}>
              <Radio.Group
                optionType="button"
                buttonStyle="solid"
                size="small"
                options={ORDER_TYPES.map((x, i) => ({ label: `${t(`type.${x}`)} ${i + 1}`, value: x }))}
              />
            </Form.Item>
            <Form.Item label={t('field.title')} name="title" rules={[{ required: true, whitespace: true, message: t('err.required') }]}>
              <Input maxLength={TITLE_MAX} showCount />
            </Form.Item>
            <Form.Item label={t('field.content')} name="content" rules={[{ required: true, whitespace: true, message: t('err.required') }]}>
              <Input.TextArea rows={3} maxLength={CONTENT_MAX} showCount />
            </Form.Item>
            <Row gutter={12}>
              <Col span={8}>
                <Form.Item label={t('field.district')} name="districtUnitId">
                  <Select allowClear showSearch optionFilterProp="label" options={districts.map((u) => ({ label: u.name, value: u.id }))} />
                </Form.Item>
              </Col>
              <Col span={12}>
                <Form.Item label={t('field.address')} name="address">
                  <Input maxLength={500} onBlur={readAddress} />
                </Form.Item>
              </Col>
              <Col span={4}>
                <Form.Item label={t('urgency.urgent')} name="urgent" valuePropName="checked">
                  <Switch />
                </Form.Item>
              </Col>
            </Row>
            <Form.Item name="lat" hidden>
              <Input />
            </Form.Item>
            <Form.Item name="lng" hidden>
              <Input />
            </Form.Item>
            <div style={{ marginBottom: 12 }}>
              <Space size="small" wrap style={{ marginBottom: 4 }}>
                <Typography.Text type="secondary">{t('map.pickHint')}</Typography.Text>
                {resolved && <AreasLine areas={resolved.areas} source={resolved.source} />}
                {point && (
                  <Button
                    size="small"
                    type="link"
                    onClick={() => {
                      form.setFieldsValue({ lat: undefined, lng: undefined });
                      setResolved(null);
                    }}
                  >
                    {t('map.clearPoint')}
                  </Button>
                )}
              </Space>
              <CityMap label={t('map.pickLabel')} point={point} onPick={pickPoint} height={240} />
            </div>
            <Row gutter={12}>
              <Col span={12}>
                <Form.Item label={t('contact.transferTo')} name="transferTo">
                  <Radio.Group size="small" optionType="button" options={TRANSFER.map((x) => ({ label: t(`transfer.${x}`), value: x }))} />
                </Form.Item>
              </Col>
              <Col span={12}>
                <Form.Item label={t('contact.invalidReason')} name="invalidReason">
                  <Select size="small" options={INVALID.map((x) => ({ label: t(`invalid.${x}`), value: x }))} />
                </Form.Item>
              </Col>
            </Row>
            {cat && (
              <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
                {t('field.category')}: {categoryCode ? `${cat.name ?? cat.code} (${pct(cat.confidence)})` : '—'}{' '}
                {categoryCode && (
                  <Button size="small" type="link" onClick={() => setCategoryCode(null)}>
                    {t('agent.clear')}
                  </Button>
                )}
              </Typography.Paragraph>
            )}
            <Space wrap size={[6, 6]} className="agent-actions" data-testid="agent-actions">
              <Button type="primary" htmlType="submit" loading={busy}>
                {t('agent.submit')} (Ctrl+Enter)
              </Button>
              <Button onClick={() => void record('answered')} disabled={busy}>
                {t('outcome.answered')} (Alt+A)
              </Button>
              <Button onClick={() => void record('duplicate')} disabled={busy || !linkId}>
                {t('outcome.duplicate')} (Alt+D)
              </Button>
              <Button danger onClick={() => void record('transferred')} disabled={busy}>
                {t('outcome.transferred')} (Alt+T)
              </Button>
              <Button onClick={() => void record('invalid')} disabled={busy}>
                {t('outcome.invalid')} (Alt+X)
              </Button>
              <Button type="text" onClick={clear}>
                {t('agent.clear')} (Alt+N)
              </Button>
            </Space>
            <Typography.Paragraph type="secondary" style={{ fontSize: 12, margin: 0 }}>
              {t('agent.shortcuts')}
            </Typography.Paragraph>
          </Form>
        </Card>
        <Card title={h2(t('agent.recent'))} size="small" data-testid="recent-calls">
          <Table<Recorded>
            rowKey="id"
            size="small"
            pagination={false}
            dataSource={recent}
            locale={{ emptyText: t('list.empty') }}
            columns={[
              { title: t('field.outcome'), key: 'o', width: 100, render: (_, r) => <Tag>{t(`outcome.${r.outcome}`)}</Tag> },
              {
                title: t('field.number'),
                key: 'n',
                render: (_, r) => (r.order ? <Link to={`/orders/${r.order.id}`}>{r.order.number}</Link> : (r.linked ?? '—')),
              },
              { title: t('field.summary'), key: 's', ellipsis: true, render: (_, r) => r.summary },
              { title: t('field.createdAt'), key: 'c', width: 130, render: (_, r) => fmtTime(r.at) },
            ]}
          />
        </Card>
      </Col>
      <Col xs={24} xl={7}>
        <Card title={h2(t('assist.title'))} size="small" data-testid="assistant" aria-live="polite">
          {dText.length > ASSIST_MAX && (
            <Typography.Paragraph type="warning" style={{ fontSize: 12 }} data-testid="assist-truncated">
              {t('assist.truncated', { n: ASSIST_MAX })}
            </Typography.Paragraph>
          )}
          <div data-testid="link-by-number" style={{ marginBottom: 12 }}>
            <Input.Search
              size="small"
              aria-label={t('dup.byNumber')}
              placeholder={t('dup.numberPlaceholder')}
              enterButton={t('dup.byNumber')}
              inputMode="numeric"
              maxLength={20}
              value={numberText}
              onChange={(e) => setNumberText(e.target.value)}
              onSearch={(v) => void linkByNumber(v)}
            />
            {named && linkId === named.workorderId && (
              <Typography.Paragraph style={{ fontSize: 12, margin: '4px 0 0' }} data-testid="linked-by-number">
                {t('dup.linkedTo', { number: named.number, title: named.title })} <StatusTag status={named.status} />{' '}
                <Button size="small" type="link" onClick={() => setLinkId(null)}>
                  {t('agent.clear')}
                </Button>
              </Typography.Paragraph>
            )}
          </div>
          {!assist && candidates.length === 0 ? (
            <Typography.Text type="secondary">{t('assist.hint')}</Typography.Text>
          ) : (
            <>
              {suggestion && (suggestion.decision || suggestion.units.length > 0) && (
                <div data-testid="assist-dispatch" style={{ marginBottom: 12 }}>
                  <b>{t('assist.dispatch')}</b>
                  <DispatchSuggestion suggestion={suggestion} />
                </div>
              )}
              <b>{t('assist.articles')}</b>
              <List
                size="small"
                data-testid="assist-articles"
                dataSource={assist?.articles ?? []}
                locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('assist.noArticles')} /> }}
                renderItem={(a) => (
                  <List.Item style={{ display: 'block', background: articleId === a.id ? '#e6f0ff' : undefined }}>
                    <Space style={{ width: '100%', justifyContent: 'space-between' }}>
                      <Typography.Text strong>{a.title}</Typography.Text>
                      <Button
                        size="small"
                        type={articleId === a.id ? 'primary' : 'default'}
                        aria-pressed={articleId === a.id}
                        onClick={() => setArticleId(articleId === a.id ? null : a.id)}
                      >
                        {t('assist.useArticle')}
                      </Button>
                    </Space>
                    {!a.valid && <Tag color="red">{t('assist.expired')}</Tag>}
                    {a.reviewOverdue && <Tag color="orange">{t('assist.reviewDue')}</Tag>}
                    <div className="pre" style={{ fontSize: 12 }}>
                      {articleId === a.id ? plain(a.answer) : <Marked html={a.snippet} />}
                    </div>
                  </List.Item>
                )}
              />
              <b>
                {t('assist.duplicates')} {candidates.length > 0 && <Badge count={candidates.length} color="orange" />}
              </b>
              <List
                size="small"
                data-testid="assist-duplicates"
                dataSource={candidates}
                locale={{ emptyText: t('assist.none') }}
                renderItem={(c) => candidateItem(c, true)}
              />
              {callerOrders.length > 0 && (
                <>
                  <b>{t('dup.callerOrders')}</b>
                  <List size="small" data-testid="assist-caller-orders" dataSource={callerOrders} renderItem={(c) => candidateItem(c, false)} />
                </>
              )}
              <b>{t('assist.similar')}</b>
              <List
                size="small"
                data-testid="assist-similar"
                dataSource={assist?.similarOrders ?? []}
                locale={{ emptyText: t('assist.none') }}
                renderItem={(o) => (
                  <List.Item actions={[linkButton(o.id, o.number)]}>
                    <List.Item.Meta
                      title={<Link to={`/orders/${o.id}`}>{o.number}</Link>}
                      description={
                        <>
                          <StatusTag status={o.status} /> {o.title}
                        </>
                      }
                    />
                  </List.Item>
                )}
              />
            </>
          )}
        </Card>
      </Col>
    </Row>
  );
}
