// The org tree: browse, add a unit under another, rename, move or deactivate.
import { useState } from 'react';
import { App, Button, Card, Col, Form, Input, Row, Select, Switch, Tag, Tree, TreeSelect, Typography } from 'antd';
import { patch, post } from '../api';
import { useI18n } from '../i18n';
import { unitTree, useSession } from '../session';
import { useActionError } from '../components/OrderActions';
import { UNIT_KINDS, type Unit } from '../types';

export function AdminUnits() {
  const { t } = useI18n();
  const { units, reloadUnits } = useSession();
  const { message } = App.useApp();
  const [selected, setSelected] = useState<Unit | null>(null);
  const [createForm] = Form.useForm();
  const [editForm] = Form.useForm();
  const showError = useActionError();
  const kinds = UNIT_KINDS.map((k) => ({ label: t(`kind.${k}`), value: k }));
  const tree = unitTree(units);
  const byId = new Map(units.map((u) => [u.id, u]));

  const select = (u: Unit | null) => {
    setSelected(u);
    if (u) editForm.setFieldsValue({ name: u.name, kind: u.kind, parentId: u.parentId, active: u.active, managerReview: u.managerReview });
    createForm.setFieldValue('parentId', u?.id);
  };
  const create = async (v: { name: string; kind: string; parentId?: number }) => {
    try {
      await post('/units', { name: v.name.trim(), kind: v.kind, parentId: v.parentId ?? null });
      message.success(t('admin.saved'));
      createForm.resetFields(['name']);
      await reloadUnits();
    } catch (e) {
      showError(e);
    }
  };
  const save = async (v: { name: string; kind: string; parentId?: number | null; active: boolean; managerReview: boolean }) => {
    if (!selected) return;
    try {
      const u = await patch<Unit>(`/units/${selected.id}`, {
        name: v.name.trim(),
        kind: v.kind,
        parentId: v.parentId ?? null,
        active: v.active,
        managerReview: v.managerReview,
      });
      message.success(t('admin.saved'));
      setSelected(u);
      await reloadUnits();
    } catch (e) {
      showError(e);
    }
  };

  return (
    <>
      <Typography.Title level={3} className="page-title">
        {t('admin.units')}
      </Typography.Title>
      <Row gutter={16}>
        <Col xs={24} lg={10}>
          <Card size="small" title={t('admin.units')}>
            <Tree
              aria-label={t('admin.units')}
              treeData={tree}
              defaultExpandAll
              selectedKeys={selected ? [selected.id] : []}
              titleRender={(n) => {
                const u = byId.get(Number(n.key))!;
                return (
                  <span>
                    {u.name} <Tag>{t(`kind.${u.kind}`)}</Tag>
                    {!u.active && <Tag color="red">{t('admin.inactive')}</Tag>}
                    {u.managerReview && <Tag color="purple">{t('admin.managerReview')}</Tag>}
                  </span>
                );
              }}
              onSelect={(keys) => select(byId.get(Number(keys[0])) ?? null)}
            />
          </Card>
        </Col>
        <Col xs={24} lg={14}>
          <Card size="small" title={t('admin.newUnit')} style={{ marginBottom: 16 }}>
            <Form form={createForm} name="new-unit" layout="inline" onFinish={(v) => void create(v)} initialValues={{ kind: 'district' }}>
              <Form.Item label={t('field.name')} name="name" rules={[{ required: true, whitespace: true, message: t('err.required') }]}>
                <Input maxLength={200} />
              </Form.Item>
              <Form.Item label={t('field.kind')} name="kind">
                <Select options={kinds} style={{ width: 120 }} />
              </Form.Item>
              <Form.Item label={t('field.parent')} name="parentId">
                <TreeSelect treeData={tree} allowClear treeDefaultExpandAll style={{ width: 200 }} showSearch treeNodeFilterProp="title" />
              </Form.Item>
              <Button type="primary" htmlType="submit">
                {t('admin.newUnit')}
              </Button>
            </Form>
          </Card>
          {selected && (
            <Card size="small" title={`${t('admin.edit')} · ${selected.name}`}>
              <Form form={editForm} name="edit-unit" layout="vertical" onFinish={(v) => void save(v)}>
                <Form.Item label={t('field.name')} name="name" rules={[{ required: true, whitespace: true, message: t('err.required') }]}>
                  <Input maxLength={200} />
                </Form.Item>
                <Form.Item label={t('field.kind')} name="kind">
                  <Select options={kinds} />
                </Form.Item>
                <Form.Item label={t('field.parent')} name="parentId">
                  <TreeSelect treeData={tree} allowClear treeDefaultExpandAll showSearch treeNodeFilterProp="title" />
                </Form.Item>
                <Form.Item label={t('field.active')} name="active" valuePropName="checked">
                  <Switch />
                </Form.Item>
                <Form.Item label={t('admin.managerReview')} name="managerReview" valuePropName="checked">
                  <Switch />
                </Form.Item>
                <Button type="primary" htmlType="submit">
                  {t('admin.save')}
                </Button>
              </Form>
            </Card>
          )}
        </Col>
      </Row>
    </>
  );
}
