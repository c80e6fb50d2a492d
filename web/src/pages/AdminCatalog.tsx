// Administration of what routing and time limits run on: the category tree, the
// responsibility list (routing rules), time-limit policies and the working calendar (its month
// view: AdminCalendar.tsx), and the knowledge base (list and editor).
import { useCallback, useEffect, useMemo, useState } from 'react';
import {
  App,
  Button,
  Card,
  Col,
  DatePicker,
  Form,
  Input,
  InputNumber,
  Modal,
  Row,
  Select,
  Space,
  Switch,
  Table,
  Tag,
  Tooltip,
  Tree,
  TreeSelect,
  Typography,
  Upload,
} from 'antd';
import { PlusOutlined, UploadOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { get, patch, post, upload } from '../api';
import { useI18n } from '../i18n';
import { unitTree, useSession } from '../session';
import { useActionError } from '../components/OrderActions';
import { plain } from '../components/text';
import { DraftNotice } from '../components/DraftNotice';
import { draftKey, useFormDraft } from '../drafts';
import { CalendarWarning } from '../components/CalendarSource';
import { CalendarCard } from './AdminCalendar';
import { ORDER_TYPES, URGENCIES, type OrderType, type Urgency } from '../types';

interface Category {
  id: number;
  code: string;
  name: string;
  parentCode: string | null;
  level: number;
  active: boolean;
}
type CatNode = { title: string; key: string; value: string; children: CatNode[]; cat: Category };

function useCategories() {
  const [cats, setCats] = useState<Category[]>([]);
  const reload = useCallback(async () => setCats((await get<{ items: Category[] }>('/categories')).items), []);
  useEffect(() => void reload().catch(() => undefined), [reload]);
  const tree = useMemo(() => {
    const nodes = new Map<string, CatNode>(cats.map((c) => [c.code, { title: `${c.code} ${c.name}`, key: c.code, value: c.code, children: [], cat: c }]));
    const roots: CatNode[] = [];
    for (const c of cats) (c.parentCode && nodes.get(c.parentCode) ? nodes.get(c.parentCode)!.children : roots).push(nodes.get(c.code)!);
    return roots;
  }, [cats]);
  return { cats, tree, reload };
}

const h = (s: string) => (
  <Typography.Title level={3} className="page-title">
    {s}
  </Typography.Title>
);

/** Picks a CSV file and posts its text to an import endpoint; the whole file is taken or, on a bad row, nothing. */
function CsvImport({ path, hint, onDone }: { path: string; hint: string; onDone: (result: Record<string, number>) => Promise<void> | void }) {
  const { t } = useI18n();
  const showError = useActionError();
  const [busy, setBusy] = useState(false);
  const take = async (file: File) => {
    setBusy(true);
    try {
      // Sent as bytes: the server reads UTF-8 or GBK (Excel's CSV on a Chinese Windows), which the browser would not.
      await onDone(await upload<Record<string, number>>(path, new File([file], file.name, { type: 'text/csv' })));
    } catch (e) {
      showError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Tooltip title={hint}>
      <Upload
        accept=".csv,text/csv"
        showUploadList={false}
        beforeUpload={(file) => {
          void take(file);
          return false; // read here, not uploaded by the component
        }}
      >
        <Button icon={<UploadOutlined />} loading={busy}>
          {t('admin.importCsv')}
        </Button>
      </Upload>
    </Tooltip>
  );
}

export function AdminCategories() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const showError = useActionError();
  const { cats, tree, reload } = useCategories();
  const [sel, setSel] = useState<Category | null>(null);
  const [form] = Form.useForm();
  const [edit] = Form.useForm();
  useEffect(() => edit.setFieldsValue({ name: sel?.name, active: sel?.active }), [sel, edit]);
  const add = async (v: { code: string; name: string; parentCode?: string }) => {
    try {
      await post('/categories', { code: v.code.trim(), name: v.name.trim(), parentCode: v.parentCode ?? null });
      message.success(t('admin.saved'));
      form.resetFields();
      await reload();
    } catch (e) {
      showError(e);
    }
  };
  const save = async (v: { name: string; active: boolean }) => {
    try {
      const c = await patch<Category>(`/categories/${sel!.code}`, { name: v.name.trim(), active: v.active });
      setSel(c);
      message.success(t('admin.saved'));
      await reload();
    } catch (e) {
      showError(e);
    }
  };
  return (
    <>
      {h(t('menu.categories'))}
      <Row gutter={16}>
        <Col xs={24} lg={12}>
          <Card
            size="small"
            title={`${t('menu.categories')} (${cats.length})`}
            extra={
              <CsvImport
                path="/categories/import"
                hint={t('admin.categoriesCsvHint')}
                onDone={async (r) => {
                  message.success(t('admin.importedCategories', { created: r.created ?? 0, existing: r.existing ?? 0 }));
                  await reload();
                }}
              />
            }
          >
            <Tree
              treeData={tree}
              height={560}
              showLine
              selectedKeys={sel ? [sel.code] : []}
              titleRender={(n) => (
                <span style={{ opacity: n.cat.active ? 1 : 0.45 }}>
                  {n.title}
                  {!n.cat.active && ` (${t('admin.inactive')})`}
                </span>
              )}
              onSelect={(_, e) => setSel((e.node as unknown as CatNode).cat)}
            />
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          {sel && (
            <Card size="small" title={`${t('admin.edit')} ${sel.code}`} style={{ marginBottom: 16 }}>
              <Form form={edit} layout="vertical" onFinish={(v) => void save(v)}>
                <Form.Item label={t('field.name')} name="name" rules={[{ required: true, whitespace: true }]}>
                  <Input maxLength={200} />
                </Form.Item>
                <Form.Item label={t('field.active')} name="active" valuePropName="checked">
                  <Switch />
                </Form.Item>
                <Button type="primary" htmlType="submit">
                  {t('admin.save')}
                </Button>
              </Form>
            </Card>
          )}
          <Card size="small" title={t('admin.newCategory')}>
            <Form form={form} layout="vertical" name="category" onFinish={(v) => void add(v)}>
              <Form.Item label={t('admin.code')} name="code" rules={[{ required: true }, { pattern: /^[A-Za-z0-9_.-]+$/, message: t('admin.codeFormat') }]}>
                <Input maxLength={64} />
              </Form.Item>
              <Form.Item label={t('field.name')} name="name" rules={[{ required: true, whitespace: true }]}>
                <Input maxLength={200} />
              </Form.Item>
              <Form.Item label={t('admin.parentCategory')} name="parentCode">
                <TreeSelect allowClear showSearch treeData={tree} treeNodeFilterProp="title" />
              </Form.Item>
              <Button type="primary" htmlType="submit" icon={<PlusOutlined />}>
                {t('admin.newCategory')}
              </Button>
            </Form>
          </Card>
        </Col>
      </Row>
    </>
  );
}

interface Rule {
  id: number;
  categoryCode: string;
  areaUnitId: number | null;
  mainUnitId: number;
  coUnitIds: number[];
  note: string | null;
  active: boolean;
}

export function AdminRules() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const showError = useActionError();
  const { units, unitName } = useSession();
  const { cats, tree } = useCategories();
  const [category, setCategory] = useState<string | undefined>();
  const [rules, setRules] = useState<Rule[]>([]);
  const [open, setOpen] = useState(false);
  /** The rule being edited (its category and area stay: they are what the rule is about). */
  const [editing, setEditing] = useState<Rule | null>(null);
  const [form] = Form.useForm();
  const catName = (code: string) => cats.find((c) => c.code === code)?.name ?? code;
  const load = useCallback(async () => setRules((await get<{ items: Rule[] }>('/dispatch/rules', { categoryCode: category })).items), [category]);
  useEffect(() => void load().catch(showError), [load, showError]);
  const uTree = unitTree(units, { activeOnly: true });
  const openEditor = (r: Rule | null) => {
    setEditing(r);
    form.setFieldsValue(
      r
        ? { categoryCode: r.categoryCode, areaUnitId: r.areaUnitId ?? undefined, mainUnitId: r.mainUnitId, coUnitIds: r.coUnitIds, note: r.note ?? '' }
        : { categoryCode: category, areaUnitId: undefined, mainUnitId: undefined, coUnitIds: [], note: '' },
    );
    setOpen(true);
  };
  const create = async (v: { categoryCode: string; areaUnitId?: number; mainUnitId: number; coUnitIds?: number[]; note?: string }) => {
    try {
      if (editing) await patch(`/dispatch/rules/${editing.id}`, { mainUnitId: v.mainUnitId, coUnitIds: v.coUnitIds ?? [], note: v.note || null });
      else await post('/dispatch/rules', { ...v, areaUnitId: v.areaUnitId ?? null, coUnitIds: v.coUnitIds ?? [], note: v.note || null });
      message.success(t('admin.saved'));
      setOpen(false);
      setEditing(null);
      form.resetFields();
      await load();
    } catch (e) {
      showError(e);
    }
  };
  const toggle = async (r: Rule) => {
    try {
      await patch(`/dispatch/rules/${r.id}`, { active: !r.active });
      await load();
    } catch (e) {
      showError(e);
    }
  };
  return (
    <>
      {h(t('menu.rules'))}
      <Space style={{ marginBottom: 12 }}>
        <TreeSelect
          aria-label={t('field.category')}
          placeholder={t('field.category')}
          allowClear
          showSearch
          treeData={tree}
          treeNodeFilterProp="title"
          style={{ width: 280 }}
          value={category}
          onChange={setCategory}
        />
        <Button type="primary" icon={<PlusOutlined />} onClick={() => openEditor(null)}>
          {t('admin.newRule')}
        </Button>
        <CsvImport
          path="/dispatch/rules/import"
          hint={t('admin.rulesCsvHint')}
          onDone={async (r) => {
            message.success(t('admin.importedRules', { created: r.created ?? 0, updated: r.updated ?? 0 }));
            await load();
          }}
        />
      </Space>
      <Table<Rule>
        size="small"
        rowKey="id"
        dataSource={rules}
        pagination={{ pageSize: 50, hideOnSinglePage: true }}
        columns={[
          { title: t('field.category'), key: 'c', render: (_, r) => `${r.categoryCode} ${catName(r.categoryCode)}` },
          { title: t('admin.area'), key: 'a', render: (_, r) => (r.areaUnitId ? unitName(r.areaUnitId) : t('admin.anyArea')) },
          { title: t('field.mainUnit'), key: 'm', render: (_, r) => unitName(r.mainUnitId) },
          { title: t('field.coUnits'), key: 'co', render: (_, r) => r.coUnitIds.map(unitName).join('、') || '—' },
          { title: t('field.note'), key: 'n', ellipsis: true, render: (_, r) => r.note ?? '' },
          {
            title: t('field.active'),
            key: 'act',
            render: (_, r) => <Switch size="small" checked={r.active} aria-label={`${t('field.active')} ${r.id}`} onChange={() => void toggle(r)} />,
          },
          {
            title: t('field.actions'),
            key: 'e',
            render: (_, r) => (
              <Button size="small" aria-label={`${t('admin.edit')} ${r.id}`} onClick={() => openEditor(r)}>
                {t('admin.edit')}
              </Button>
            ),
          },
        ]}
      />
      <Modal
        open={open}
        title={editing ? t('admin.editRule') : t('admin.newRule')}
        onCancel={() => setOpen(false)}
        onOk={() => form.submit()}
        okText={t('action.ok')}
        cancelText={t('action.cancel')}
        forceRender
      >
        <Form form={form} layout="vertical" onFinish={(v) => void create(v)}>
          <Form.Item label={t('field.category')} name="categoryCode" rules={[{ required: true }]}>
            <TreeSelect showSearch treeData={tree} treeNodeFilterProp="title" disabled={!!editing} />
          </Form.Item>
          <Form.Item label={t('admin.area')} name="areaUnitId">
            <TreeSelect allowClear showSearch treeData={uTree} treeNodeFilterProp="title" placeholder={t('admin.anyArea')} disabled={!!editing} />
          </Form.Item>
          <Form.Item label={t('field.mainUnit')} name="mainUnitId" rules={[{ required: true }]}>
            <TreeSelect showSearch treeData={uTree} treeNodeFilterProp="title" />
          </Form.Item>
          <Form.Item label={t('field.coUnits')} name="coUnitIds">
            <TreeSelect multiple allowClear showSearch treeData={uTree} treeNodeFilterProp="title" />
          </Form.Item>
          <Form.Item label={t('field.note')} name="note">
            <Input maxLength={2000} />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}

interface Duration {
  amount: number;
  unit: 'hours' | 'days';
}
interface Policy {
  id: number;
  orderType: OrderType | null;
  urgency: Urgency | null;
  categoryPrefix: string | null;
  sign: Duration;
  reply: Duration;
  maxExtensionDays: number;
}
function DurationInput({ value, onChange }: { value?: Duration; onChange?: (d: Duration) => void }) {
  const { t } = useI18n();
  const v = value ?? { amount: 1, unit: 'days' as const };
  return (
    <Space.Compact>
      <InputNumber min={0.5} max={1000} step={0.5} value={v.amount} onChange={(a) => onChange?.({ ...v, amount: Number(a ?? 1) })} />
      <Select
        style={{ width: 110 }}
        value={v.unit}
        onChange={(u) => onChange?.({ ...v, unit: u })}
        options={[
          { label: t('deadline.unit.days'), value: 'days' },
          { label: t('deadline.unit.hours'), value: 'hours' },
        ]}
      />
    </Space.Compact>
  );
}

export function AdminTimeLimits() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const showError = useActionError();
  const [policies, setPolicies] = useState<Policy[]>([]);
  const [editing, setEditing] = useState<Policy | 'new' | null>(null);
  const [form] = Form.useForm();
  const load = useCallback(async () => setPolicies((await get<{ items: Policy[] }>('/sla/policies')).items), []);
  useEffect(() => void load().catch(showError), [load, showError]);
  useEffect(() => {
    if (editing)
      form.setFieldsValue(
        editing === 'new'
          ? { sign: { amount: 1, unit: 'days' }, reply: { amount: 5, unit: 'days' }, maxExtensionDays: 10, orderType: null, urgency: null, categoryPrefix: '' }
          : { ...editing, categoryPrefix: editing.categoryPrefix ?? '' },
      );
  }, [editing, form]);
  const save = async (v: Omit<Policy, 'id'>) => {
    const body = { ...v, orderType: v.orderType ?? null, urgency: v.urgency ?? null, categoryPrefix: v.categoryPrefix?.trim() || null };
    try {
      if (editing === 'new') await post('/sla/policies', body);
      else await patch(`/sla/policies/${(editing as Policy).id}`, body);
      message.success(t('admin.saved'));
      setEditing(null);
      await load();
    } catch (e) {
      showError(e);
    }
  };
  const dur = (d: Duration) => `${d.amount}${t(`deadline.unit.${d.unit}`)}`;
  return (
    <>
      {h(t('menu.timeLimits'))}
      <CalendarWarning />
      <Card
        size="small"
        title={t('admin.policies')}
        style={{ marginBottom: 16 }}
        extra={
          <Button icon={<PlusOutlined />} onClick={() => setEditing('new')}>
            {t('admin.newPolicy')}
          </Button>
        }
      >
        <Table<Policy>
          size="small"
          rowKey="id"
          dataSource={policies}
          pagination={false}
          columns={[
            { title: t('field.type'), key: 'ty', render: (_, p) => (p.orderType ? t(`type.${p.orderType}`) : t('list.all')) },
            { title: t('field.urgency'), key: 'u', render: (_, p) => (p.urgency ? t(`urgency.${p.urgency}`) : t('list.all')) },
            { title: t('admin.categoryPrefix'), key: 'c', render: (_, p) => p.categoryPrefix ?? t('list.all') },
            { title: t('deadline.sign'), key: 's', render: (_, p) => dur(p.sign) },
            { title: t('deadline.reply'), key: 'r', render: (_, p) => dur(p.reply) },
            { title: t('admin.maxExtension'), key: 'x', render: (_, p) => p.maxExtensionDays },
            {
              title: t('field.actions'),
              key: 'e',
              render: (_, p) => (
                <Button size="small" onClick={() => setEditing(p)}>
                  {t('admin.edit')}
                </Button>
              ),
            },
          ]}
        />
      </Card>
      <CalendarCard />
      <Modal
        open={!!editing}
        title={editing === 'new' ? t('admin.newPolicy') : t('admin.edit')}
        onCancel={() => setEditing(null)}
        onOk={() => form.submit()}
        okText={t('action.ok')}
        cancelText={t('action.cancel')}
        destroyOnHidden
        forceRender
      >
        <Form form={form} layout="vertical" onFinish={(v) => void save(v)}>
          <Form.Item label={t('field.type')} name="orderType">
            <Select allowClear placeholder={t('list.all')} options={ORDER_TYPES.map((x) => ({ label: t(`type.${x}`), value: x }))} />
          </Form.Item>
          <Form.Item label={t('field.urgency')} name="urgency">
            <Select allowClear placeholder={t('list.all')} options={URGENCIES.map((x) => ({ label: t(`urgency.${x}`), value: x }))} />
          </Form.Item>
          <Form.Item label={t('admin.categoryPrefix')} name="categoryPrefix">
            <Input maxLength={64} placeholder={t('list.all')} />
          </Form.Item>
          <Form.Item label={t('deadline.sign')} name="sign">
            <DurationInput />
          </Form.Item>
          <Form.Item label={t('deadline.reply')} name="reply">
            <DurationInput />
          </Form.Item>
          <Form.Item label={t('admin.maxExtension')} name="maxExtensionDays">
            <InputNumber min={0} max={365} />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}

const KB_STATUSES = ['published', 'draft', 'retired'] as const;
type KbStatus = (typeof KB_STATUSES)[number];
interface Article {
  id: number;
  title: string;
  questions: string[];
  answer: string;
  categoryCode: string | null;
  ownerUnitId: number;
  validUntil: string | null;
  reviewDate: string | null;
  status: KbStatus;
  version: number;
  lastVersion: number;
  useCount: number;
  helpfulCount: number;
  updatedAt: string;
}

export function AdminKb() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const showError = useActionError();
  const { unitName, units, user } = useSession();
  const { tree } = useCategories();
  const [status, setStatus] = useState<KbStatus | undefined>('published');
  const [page, setPage] = useState({ items: [] as Article[], total: 0 });
  const [offset, setOffset] = useState(0);
  const [editing, setEditing] = useState<Article | 'new' | null>(null);
  const [form] = Form.useForm();
  const load = useCallback(async () => setPage(await get('/kb/articles', { status, limit: 20, offset })), [status, offset]);
  useEffect(() => void load().catch(showError), [load, showError]);
  useEffect(() => {
    if (!editing) return;
    form.setFieldsValue(
      editing === 'new'
        ? { title: '', questions: '', answer: '', categoryCode: undefined, reviewDate: undefined, ownerUnitId: user?.unitId ?? undefined }
        : {
            ...editing,
            questions: editing.questions.join('\n'),
            answer: plain(editing.answer),
            reviewDate: editing.reviewDate ? dayjs(editing.reviewDate) : undefined,
          },
    );
  }, [editing, form, user?.unitId]);
  // An article takes long typing: kept as a draft per user and article until it is saved (put in
  // over the values above, which this effect follows).
  const draft = useFormDraft(form, editing && user ? draftKey(user.username, 'kb-article', editing === 'new' ? 'new' : editing.id) : null, {
    reset: () => setEditing((e) => (e === 'new' ? 'new' : e && { ...e })),
  });
  const save = async (v: { title: string; questions: string; answer: string; categoryCode?: string; reviewDate?: dayjs.Dayjs; ownerUnitId?: number }) => {
    const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    const body = {
      title: v.title.trim(),
      questions: v.questions
        .split('\n')
        .map((q) => q.trim())
        .filter(Boolean),
      answer: v.answer
        .trim()
        .split(/\n+/)
        .map((p) => `<p>${esc(p)}</p>`)
        .join(''),
      categoryCode: v.categoryCode ?? null,
      reviewDate: v.reviewDate ? v.reviewDate.format('YYYY-MM-DD') : null,
    };
    try {
      if (editing === 'new') {
        await post('/kb/articles', { ...body, ownerUnitId: v.ownerUnitId, publish: true });
        // Articles are listed in creation order: show the page the new one is on.
        if (status !== 'draft' && status !== 'retired') setOffset(Math.floor(page.total / 20) * 20);
      } else {
        const ver = await patch<{ version: number }>(`/kb/articles/${(editing as Article).id}`, body);
        await post(`/kb/articles/${(editing as Article).id}/publish`, { version: ver.version });
      }
      message.success(t('admin.saved'));
      draft.clear();
      setEditing(null);
      await load();
    } catch (e) {
      showError(e);
    }
  };
  return (
    <>
      {h(t('menu.kb'))}
      <Space style={{ marginBottom: 12 }}>
        <Select
          aria-label={t('field.status')}
          allowClear
          placeholder={t('list.all')}
          style={{ width: 140 }}
          value={status}
          onChange={(s) => {
            setStatus(s);
            setOffset(0);
          }}
          options={KB_STATUSES.map((s) => ({ label: t(`kb.${s}`), value: s }))}
        />
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')}>
          {t('admin.newArticle')}
        </Button>
      </Space>
      <Table<Article>
        size="small"
        rowKey="id"
        dataSource={page.items}
        pagination={{
          total: page.total,
          pageSize: 20,
          current: offset / 20 + 1,
          onChange: (p) => setOffset((p - 1) * 20),
          hideOnSinglePage: true,
          showSizeChanger: false,
        }}
        columns={[
          {
            title: t('field.title'),
            key: 't',
            render: (_, a) => (
              <a
                href="#"
                onClick={(e) => {
                  e.preventDefault();
                  setEditing(a);
                }}
              >
                {a.title}
              </a>
            ),
          },
          { title: t('field.category'), key: 'c', render: (_, a) => a.categoryCode ?? '—' },
          { title: t('admin.owner'), key: 'o', render: (_, a) => unitName(a.ownerUnitId) },
          {
            title: t('field.status'),
            key: 's',
            render: (_, a) => <Tag color={a.status === 'published' ? 'green' : a.status === 'draft' ? 'gold' : 'default'}>{t(`kb.${a.status}`)}</Tag>,
          },
          { title: t('admin.version'), key: 'v', render: (_, a) => `v${a.version}${a.lastVersion > a.version ? ` (v${a.lastVersion} ${t('kb.draft')})` : ''}` },
          { title: t('admin.reviewDate'), key: 'r', render: (_, a) => a.reviewDate ?? '—' },
          { title: t('admin.uses'), key: 'u', render: (_, a) => `${a.useCount} / ${a.helpfulCount}` },
        ]}
      />
      <Modal
        open={!!editing}
        width={720}
        title={editing === 'new' ? t('admin.newArticle') : t('admin.edit')}
        onCancel={() => setEditing(null)}
        onOk={() => form.submit()}
        okText={t('admin.savePublish')}
        cancelText={t('action.cancel')}
        destroyOnHidden
        forceRender
      >
        <DraftNotice draft={draft} />
        <Form<Parameters<typeof save>[0]> form={form} layout="vertical" name="article" onFinish={(v) => void save(v)} onValuesChange={draft.onValuesChange}>
          <Form.Item label={t('field.title')} name="title" rules={[{ required: true, whitespace: true }]}>
            <Input maxLength={200} />
          </Form.Item>
          <Form.Item label={t('admin.questions')} name="questions">
            <Input.TextArea rows={3} />
          </Form.Item>
          <Form.Item label={t('admin.answer')} name="answer" rules={[{ required: true, whitespace: true }]}>
            <Input.TextArea rows={8} maxLength={50000} />
          </Form.Item>
          <Row gutter={12}>
            <Col span={12}>
              <Form.Item label={t('field.category')} name="categoryCode">
                <TreeSelect allowClear showSearch treeData={tree} treeNodeFilterProp="title" />
              </Form.Item>
            </Col>
            <Col span={12}>
              <Form.Item label={t('admin.reviewDate')} name="reviewDate">
                <DatePicker style={{ width: '100%' }} />
              </Form.Item>
            </Col>
          </Row>
          {editing === 'new' && (
            <Form.Item label={t('admin.owner')} name="ownerUnitId" rules={[{ required: true, message: t('err.required') }]}>
              <TreeSelect allowClear showSearch treeData={unitTree(units, { activeOnly: true })} treeNodeFilterProp="title" />
            </Form.Item>
          )}
        </Form>
      </Modal>
    </>
  );
}
