// The action buttons an order offers to this user in its current state: the server says which
// (`allowedActions`, from src/workorders/lifecycle.ts); this file only draws them and their forms.
// Each sends the order's `version`; a 409 version conflict says so plainly and offers a refresh.
import { useCallback, useEffect, useRef, useState } from 'react';
import { App, Button, DatePicker, Form, Input, InputNumber, Modal, Radio, Select, Space, Switch, TreeSelect } from 'antd';
import { EditOutlined } from '@ant-design/icons';
import dayjs, { type Dayjs } from 'dayjs';
import { draftKey, readDraft, useFormDraft } from '../drafts';
import { DraftNotice } from './DraftNotice';
import { ReplyTemplates } from './ReplyTemplates';
import { ApiError, get, post } from '../api';
import { useI18n, type T } from '../i18n';
import { unitTree, useSession } from '../session';
import { CLOSE_REASONS, SATISFACTIONS, type Role, type WorkOrder } from '../types';

/** The actions the web app draws: each has its label, `action.<name>`, in i18n.tsx. */
export type ActionName =
  | 'dispatch'
  | 'sign'
  | 'reply'
  | 'approve-reply'
  | 'reject-reply'
  | 'endorse-extension'
  | 'decline-extension'
  | 'return'
  | 'request-extension'
  | 'approve-extension'
  | 'reject-extension'
  | 'survey'
  | 'survey-unreachable'
  | 'close'
  | 'supervise'
  // The departments' side (#24): down the tree, co-handling, named handlers, pauses, appeals.
  | 'transfer-down'
  | 'assign'
  | 'co-reply'
  | 'request-suspension'
  | 'approve-suspension'
  | 'reject-suspension'
  | 'resume'
  | 'approve-return'
  | 'reject-return'
  | 'final-ruling'
  | 'appeal'
  | 'rule-appeal';

interface ActionDef {
  name: ActionName;
  /** Form fields in the modal; none means one click. */
  form?: (t: T, ctx: { treeData: ReturnType<typeof unitTree>; order: WorkOrder }) => React.ReactNode;
  initial?: (o: WorkOrder) => Record<string, unknown>;
  danger?: boolean;
}

const req = (t: T) => [{ required: true, message: t('err.required') }];

/** A reply: its text and whether the problem is resolved (written by the handler, approved by the manager). */
const replyForm = (t: T, { order }: { order: WorkOrder }) => (
  <>
    <Form.Item label={t('field.reply')} name="content" rules={req(t)} extra={<ReplyTemplates kind="reply" orderId={order.id} field="content" />}>
      <Input.TextArea rows={5} maxLength={20000} />
    </Form.Item>
    <Form.Item label={t('field.resolved')} name="resolved" valuePropName="checked">
      <Switch />
    </Form.Item>
  </>
);

/** How each action asks for its input, in the order the buttons appear. */
export const ACTION_DEFS: ActionDef[] = [
  {
    name: 'dispatch',
    form: (t, { treeData }) => (
      <Form.Item label={t('action.pickUnit')} name="unitId" rules={req(t)}>
        <TreeSelect treeData={treeData} showSearch treeDefaultExpandAll treeNodeFilterProp="title" placeholder={t('action.pickUnit')} />
      </Form.Item>
    ),
  },
  { name: 'sign' },
  {
    name: 'reply',
    initial: () => ({ resolved: true }),
    form: replyForm,
  },
  {
    // 答复审核: the unit's manager sends the waiting reply out (and may amend it) or back.
    name: 'approve-reply',
    initial: (o) => ({ content: o.pendingReply?.content, resolved: o.pendingReply?.resolved }),
    form: replyForm,
  },
  {
    name: 'reject-reply',
    danger: true,
    form: (t) => (
      <Form.Item label={t('field.reason')} name="reason" rules={req(t)}>
        <Input.TextArea rows={3} maxLength={2000} />
      </Form.Item>
    ),
  },
  // In a unit whose manager reviews, a handler's extension request needs the manager first.
  {
    name: 'endorse-extension',
  },
  {
    name: 'decline-extension',
    danger: true,
    form: (t) => (
      <Form.Item label={t('field.reason')} name="reason">
        <Input.TextArea rows={2} maxLength={2000} />
      </Form.Item>
    ),
  },
  {
    name: 'return',
    danger: true,
    form: (t, { order }) => (
      <Form.Item label={t('field.reason')} name="reason" rules={req(t)} extra={<ReplyTemplates kind="return" orderId={order.id} field="reason" />}>
        <Input.TextArea rows={3} maxLength={2000} />
      </Form.Item>
    ),
  },
  {
    name: 'request-extension',
    initial: () => ({ days: 3 }),
    form: (t) => (
      <>
        <Form.Item label={t('field.days')} name="days" rules={req(t)}>
          <InputNumber min={1} max={60} />
        </Form.Item>
        <Form.Item label={t('field.reason')} name="reason" rules={req(t)}>
          <Input.TextArea rows={3} maxLength={2000} />
        </Form.Item>
      </>
    ),
  },
  {
    name: 'approve-extension',
    initial: (o) => ({ days: o.pendingExtension?.days }),
    form: (t) => (
      <>
        <Form.Item label={t('field.days')} name="days" rules={req(t)}>
          <InputNumber min={1} max={60} />
        </Form.Item>
        <Form.Item label={t('field.note')} name="note">
          <Input.TextArea rows={2} maxLength={2000} />
        </Form.Item>
      </>
    ),
  },
  {
    name: 'reject-extension',
    danger: true,
    form: (t) => (
      <Form.Item label={t('field.reason')} name="reason">
        <Input.TextArea rows={2} maxLength={2000} />
      </Form.Item>
    ),
  },
  {
    name: 'survey',
    initial: () => ({ satisfaction: 'satisfied', resolved: true }),
    form: (t, { order }) => (
      <>
        <Form.Item label={t('field.satisfaction')} name="satisfaction" rules={req(t)}>
          <Radio.Group options={SATISFACTIONS.map((s) => ({ label: t(`sat.${s}`), value: s }))} />
        </Form.Item>
        <Form.Item label={t('field.resolved')} name="resolved" valuePropName="checked">
          <Switch />
        </Form.Item>
        <Form.Item label={t('field.note')} name="note" extra={<ReplyTemplates kind="followup" orderId={order.id} field="note" />}>
          <Input.TextArea rows={2} maxLength={2000} />
        </Form.Item>
      </>
    ),
  },
  {
    name: 'survey-unreachable',
    form: (t, { order }) => (
      <Form.Item label={t('field.note')} name="note" extra={<ReplyTemplates kind="followup" orderId={order.id} field="note" />}>
        <Input.TextArea rows={2} maxLength={2000} placeholder={t('followup.unreachableNote')} />
      </Form.Item>
    ),
  },
  {
    name: 'close',
    initial: () => ({ reason: 'answered' }),
    form: (t) => (
      <>
        <Form.Item label={t('field.reason')} name="reason" rules={req(t)}>
          <Select options={CLOSE_REASONS.map((r) => ({ label: t(`close.${r}`), value: r }))} />
        </Form.Item>
        <Form.Item noStyle shouldUpdate={(a, b) => a.reason !== b.reason}>
          {({ getFieldValue }) =>
            getFieldValue('reason') === 'duplicate' && (
              <Form.Item
                label={t('order.duplicateOfNumber')}
                name="duplicateOf"
                normalize={(v: string) => v.replace(/\s+/g, '')}
                rules={[...req(t), { pattern: /^\d{13}$/, message: t('order.numberFormat') }]}
              >
                <Input inputMode="numeric" maxLength={17} placeholder={t('order.numberPlaceholder')} />
              </Form.Item>
            )
          }
        </Form.Item>
      </>
    ),
  },
  {
    name: 'supervise',
    form: (t) => (
      <Form.Item label={t('field.note')} name="note" rules={req(t)}>
        <Input.TextArea rows={3} maxLength={2000} />
      </Form.Item>
    ),
  },
];

type UnitNode = ReturnType<typeof unitTree>[number];
/** The units strictly below `unitId` in the tree (转派 goes only there). */
function subtreeOf(nodes: UnitNode[], unitId: number | null): UnitNode[] {
  for (const n of nodes) {
    if (n.value === unitId) return n.children;
    const found = subtreeOf(n.children, unitId);
    if (found.length) return found;
  }
  return [];
}

/** The holding unit's active people (GET /units/:id/members), for assign. */
function UnitMemberSelect({ id, unitId, value, onChange }: { id?: string; unitId: number | null; value?: number; onChange?: (v: number) => void }) {
  const { t } = useI18n();
  const [members, setMembers] = useState<{ id: number; displayName: string; roles: Role[] }[]>([]);
  useEffect(() => {
    if (unitId == null) return;
    get<{ items: { id: number; displayName: string; roles: Role[] }[] }>(`/units/${unitId}/members`)
      .then((r) => setMembers(r.items))
      .catch(() => setMembers([]));
  }, [unitId]);
  return (
    <Select
      // The Form.Item's id, so that its label names the box.
      id={id}
      value={value}
      onChange={onChange}
      showSearch
      optionFilterProp="label"
      options={members.map((m) => ({ value: m.id, label: `${m.displayName}（${m.roles.map((r) => t(`role.${r}`)).join('、')}）` }))}
    />
  );
}

const reasonForm =
  (required: boolean) =>
  (t: T): React.ReactNode => (
    <Form.Item label={t('field.reason')} name="reason" rules={required ? req(t) : undefined}>
      <Input.TextArea rows={3} maxLength={2000} />
    </Form.Item>
  );

/** #24: the steps a unit and the center take on the departments' side. */
ACTION_DEFS.push(
  {
    // 转派: to a unit strictly below the holding unit (the server refuses any other).
    name: 'transfer-down',
    form: (t, { treeData, order }) => {
      const below = subtreeOf(treeData, order.mainUnitId);
      return (
        <>
          <Form.Item label={t('action.pickLowerUnit')} name="unitId" rules={req(t)} extra={below.length ? undefined : t('action.noLowerUnit')}>
            <TreeSelect treeData={below} showSearch treeDefaultExpandAll treeNodeFilterProp="title" placeholder={t('action.pickLowerUnit')} />
          </Form.Item>
          <Form.Item
            label={t('action.internalDue')}
            name="internalDueAt"
            // Kept as an ISO string in the form (and its draft), shown as a date in the picker.
            getValueProps={(v: string | undefined) => ({ value: v ? dayjs(v) : undefined })}
            normalize={(d: Dayjs | null) => d?.toISOString()}
          >
            <DatePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" disabledDate={(d) => d.isBefore(dayjs(), 'day')} />
          </Form.Item>
          <Form.Item label={t('field.note')} name="note">
            <Input.TextArea rows={2} maxLength={2000} />
          </Form.Item>
        </>
      );
    },
  },
  {
    name: 'co-reply',
    form: (t, { order }) => (
      <Form.Item label={t('order.coReply')} name="content" rules={req(t)} extra={<ReplyTemplates kind="co-reply" orderId={order.id} field="content" />}>
        <Input.TextArea rows={5} maxLength={20000} />
      </Form.Item>
    ),
  },
  {
    name: 'request-suspension',
    initial: () => ({ workingDays: 2 }),
    form: (t) => (
      <>
        <Form.Item label={t('order.suspensionDays')} name="workingDays" rules={req(t)}>
          <InputNumber min={1} max={60} />
        </Form.Item>
        <Form.Item label={t('field.reason')} name="reason" rules={req(t)}>
          <Input.TextArea rows={3} maxLength={2000} />
        </Form.Item>
      </>
    ),
  },
  {
    // A manager names who in the holding unit handles the order.
    name: 'assign',
    form: (t, { order }) => (
      <Form.Item label={t('action.assign')} name="userId" rules={req(t)}>
        <UnitMemberSelect unitId={order.mainUnitId} />
      </Form.Item>
    ),
  },
  { name: 'approve-suspension' },
  { name: 'reject-suspension', danger: true, form: reasonForm(false) },
  { name: 'resume' },
  { name: 'approve-return' },
  { name: 'reject-return', danger: true, form: reasonForm(true) },
  {
    // 终审: the supervisor names the responsible unit, which then cannot return the order.
    name: 'final-ruling',
    form: (t, { treeData }) => (
      <Form.Item label={t('action.pickUnit')} name="unitId" rules={req(t)}>
        <TreeSelect treeData={treeData} showSearch treeDefaultExpandAll treeNodeFilterProp="title" />
      </Form.Item>
    ),
  },
  {
    name: 'appeal',
    initial: () => ({ kind: 'unreasonable' }),
    form: (t) => (
      <>
        <Form.Item label={t('order.appealKind')} name="kind" rules={req(t)}>
          <Radio.Group options={(['unreasonable', 'not_our_duty', 'survey_error'] as const).map((k) => ({ label: t(`appeal.${k}`), value: k }))} />
        </Form.Item>
        <Form.Item label={t('field.reason')} name="reason" rules={req(t)}>
          <Input.TextArea rows={3} maxLength={2000} />
        </Form.Item>
      </>
    ),
  },
  {
    name: 'rule-appeal',
    initial: () => ({ decision: 'upheld' }),
    form: (t, { treeData, order }) => (
      <>
        <Form.Item label={t('order.appealDecision')} name="decision" rules={req(t)}>
          <Radio.Group options={(['upheld', 'rejected'] as const).map((k) => ({ label: t(`appeal.${k}`), value: k }))} />
        </Form.Item>
        {(order as WorkOrder & { appeal?: { kind: string } }).appeal?.kind === 'not_our_duty' && (
          // Upholding "not our duty" moves the survey to the unit that should have had the order.
          <Form.Item noStyle dependencies={['decision']}>
            {({ getFieldValue }) =>
              getFieldValue('decision') === 'upheld' && (
                <Form.Item label={t('action.rightUnit')} name="unitId" rules={req(t)}>
                  <TreeSelect treeData={treeData} showSearch treeDefaultExpandAll treeNodeFilterProp="title" />
                </Form.Item>
              )
            }
          </Form.Item>
        )}
        <Form.Item label={t('field.note')} name="note" rules={req(t)}>
          <Input.TextArea rows={2} maxLength={2000} />
        </Form.Item>
      </>
    ),
  },
);

/** The actions the server allows this reader on the order, in button order. */
export function availableActions(o: WorkOrder): ActionDef[] {
  const allowed = new Set(o.allowedActions ?? []);
  return ACTION_DEFS.filter((a) => allowed.has(a.name));
}

/** Shows the error of an action; a version conflict gets its own message and a refresh. */
export function useActionError(onRefresh?: () => void) {
  const { modal, message } = App.useApp();
  const { t } = useI18n();
  // Stable across renders, so effects may list it among their dependencies.
  const refresh = useRef(onRefresh);
  refresh.current = onRefresh;
  return useCallback(
    (e: unknown) => {
      if (e instanceof ApiError && e.isConflict) {
        modal.warning({ title: t('order.conflict'), content: e.message, okText: t('order.refresh'), onOk: () => refresh.current?.() });
      } else {
        void message.error((e as Error).message);
      }
    },
    [modal, message, t],
  );
}

export function OrderActions({
  order,
  onDone,
  only,
  size = 'middle',
  openDraft = false,
}: {
  order: WorkOrder;
  onDone: (o: WorkOrder | null) => void;
  only?: string[];
  size?: 'small' | 'middle';
  /** Opens the form of an action that has an unsent draft when the order is shown (the order's own page). */
  openDraft?: boolean;
}) {
  const { user, units } = useSession();
  const { t } = useI18n();
  const { message } = App.useApp();
  const [open, setOpen] = useState<ActionDef | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [form] = Form.useForm();
  const showError = useActionError(() => onDone(null));
  // What is typed into an action's form is kept per user, action and order until it is sent.
  const keyOf = (a: ActionDef) => (user ? draftKey(user.username, `action.${a.name}`, order.id) : null);
  const draft = useFormDraft(form, open ? keyOf(open) : null, {
    reset: () => {
      form.resetFields();
      if (open) form.setFieldsValue(open.initial?.(order) ?? {});
    },
  });
  const actions = user ? availableActions(order).filter((a) => !only || only.includes(a.name)) : [];
  const hasDraft = (a: ActionDef) => !!a.form && !!readDraft(keyOf(a)!);
  const openForm = (a: ActionDef) => {
    form.resetFields();
    form.setFieldsValue(a.initial?.(order) ?? {});
    setOpen(a); // the draft, if any, goes in over the initial values (useFormDraft)
  };
  const draftOpened = useRef(false);
  const firstDrafted = openDraft && user ? actions.find(hasDraft) : undefined;
  useEffect(() => {
    if (!firstDrafted || draftOpened.current) return;
    draftOpened.current = true;
    openForm(firstDrafted);
  });
  if (!user) return null;

  const send = async (a: ActionDef, values: Record<string, unknown>) => {
    setBusy(a.name);
    try {
      const body = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined && v !== ''));
      const next = await post<WorkOrder>(`/workorders/${order.id}/actions/${a.name}`, { ...body, version: order.version });
      if (a.form) draft.clear();
      message.success(t('action.done', { action: t(`action.${a.name}`) }));
      setOpen(null);
      onDone(next);
    } catch (e) {
      if (e instanceof ApiError && e.isConflict) setOpen(null);
      showError(e);
    } finally {
      setBusy(null);
    }
  };

  return (
    <>
      <Space wrap size="small">
        {actions.map((a) => (
          <Button
            key={a.name}
            size={size}
            danger={a.danger}
            type={a.name === actions[0]?.name ? 'primary' : 'default'}
            loading={busy === a.name && !open}
            aria-label={`${t(`action.${a.name}`)} ${order.number}`}
            icon={hasDraft(a) ? <EditOutlined aria-label={t('draft.restored')} /> : undefined}
            onClick={() => {
              if (!a.form) return void send(a, {});
              openForm(a);
            }}
          >
            {t(`action.${a.name}`)}
          </Button>
        ))}
      </Space>
      <Modal
        open={!!open}
        title={open ? `${t(`action.${open.name}`)} · ${order.number}` : ''}
        okText={t('action.ok')}
        cancelText={t('action.cancel')}
        confirmLoading={!!busy}
        onOk={() => form.submit()}
        onCancel={() => setOpen(null)}
        forceRender
      >
        <Form
          form={form}
          layout="vertical"
          name={`action-${order.id}`}
          onFinish={(v) => open && void send(open, v)}
          onValuesChange={(changed, all: object) => draft.onValuesChange(changed, all)}
        >
          <DraftNotice draft={draft} />
          {open?.form?.(t, { treeData: unitTree(units, { activeOnly: true }), order })}
        </Form>
      </Modal>
    </>
  );
}
