// Users: list, create, and edit name, unit, roles, active, password.
import { useCallback, useEffect, useState } from 'react';
import { App, Button, Form, Input, Modal, Select, Switch, Table, Tag, TreeSelect, Typography } from 'antd';
import { get, patch, post } from '../api';
import { useI18n } from '../i18n';
import { unitTree, useSession } from '../session';
import { useActionError } from '../components/OrderActions';
import { ROLES, type User } from '../types';

export function AdminUsers() {
  const { t } = useI18n();
  const { units, unitName } = useSession();
  const { message } = App.useApp();
  const [users, setUsers] = useState<User[]>([]);
  const [editing, setEditing] = useState<User | 'new' | null>(null);
  const [form] = Form.useForm();
  const showError = useActionError();
  const load = useCallback(async () => {
    try {
      setUsers((await get<{ items: User[] }>('/users')).items);
    } catch (e) {
      showError(e);
    }
  }, [showError]);
  useEffect(() => void load(), [load]);

  const open = (u: User | 'new') => {
    form.resetFields();
    form.setFieldsValue(u === 'new' ? { roles: [], active: true } : { ...u, password: '' });
    setEditing(u);
  };
  const save = async (v: { username: string; displayName: string; unitId?: number; roles: string[]; password?: string; active: boolean }) => {
    try {
      if (editing === 'new') {
        await post('/users', { username: v.username, password: v.password, displayName: v.displayName, unitId: v.unitId ?? null, roles: v.roles });
      } else if (editing) {
        await patch(`/users/${editing.id}`, {
          displayName: v.displayName,
          unitId: v.unitId ?? null,
          roles: v.roles,
          active: v.active,
          ...(v.password ? { password: v.password } : {}),
        });
      }
      message.success(t('admin.saved'));
      setEditing(null);
      await load();
    } catch (e) {
      showError(e);
    }
  };
  const roleOptions = ROLES.map((r) => ({ label: t(`role.${r}`), value: r }));

  return (
    <>
      <Typography.Title level={3} className="page-title">
        {t('admin.users')}
      </Typography.Title>
      <Button type="primary" style={{ marginBottom: 12 }} onClick={() => open('new')}>
        {t('admin.newUser')}
      </Button>
      <Table<User>
        rowKey="id"
        size="small"
        dataSource={users}
        pagination={{ pageSize: 20 }}
        columns={[
          { title: t('login.username'), dataIndex: 'username' },
          { title: t('field.displayName'), dataIndex: 'displayName' },
          { title: t('field.unit'), key: 'unit', render: (_, u) => unitName(u.unitId) },
          { title: t('field.roles'), key: 'roles', render: (_, u) => u.roles.map((r) => <Tag key={r}>{t(`role.${r}`)}</Tag>) },
          { title: t('field.active'), key: 'active', render: (_, u) => (u.active ? '✓' : <Tag color="red">{t('admin.inactive')}</Tag>) },
          {
            title: t('field.actions'),
            key: 'edit',
            render: (_, u) => (
              <Button size="small" onClick={() => open(u)} aria-label={`${t('admin.edit')} ${u.username}`}>
                {t('admin.edit')}
              </Button>
            ),
          },
        ]}
      />
      <Modal
        open={!!editing}
        forceRender
        title={editing === 'new' ? t('admin.newUser') : `${t('admin.edit')} · ${editing?.username ?? ''}`}
        okText={t('admin.save')}
        cancelText={t('action.cancel')}
        onOk={() => form.submit()}
        onCancel={() => setEditing(null)}
      >
        <Form form={form} name="user" layout="vertical" onFinish={(v) => void save(v)}>
          <Form.Item label={t('login.username')} name="username" rules={[{ required: true, pattern: /^[A-Za-z0-9_.-]{2,64}$/, message: 'A-Z a-z 0-9 _ . -' }]}>
            <Input disabled={editing !== 'new'} autoComplete="off" />
          </Form.Item>
          <Form.Item label={t('field.displayName')} name="displayName" rules={[{ required: true, whitespace: true, message: t('err.required') }]}>
            <Input maxLength={200} />
          </Form.Item>
          <Form.Item
            label={editing === 'new' ? t('admin.password') : t('admin.newPassword')}
            name="password"
            rules={editing === 'new' ? [{ required: true, min: 8, message: t('admin.password') }] : [{ min: 8, message: t('admin.password') }]}
          >
            <Input.Password autoComplete="new-password" />
          </Form.Item>
          <Form.Item label={t('field.unit')} name="unitId">
            <TreeSelect treeData={unitTree(units)} allowClear treeDefaultExpandAll showSearch treeNodeFilterProp="title" />
          </Form.Item>
          <Form.Item label={t('field.roles')} name="roles">
            <Select mode="multiple" options={roleOptions} />
          </Form.Item>
          {editing !== 'new' && (
            <Form.Item label={t('field.active')} name="active" valuePropName="checked">
              <Switch />
            </Form.Item>
          )}
        </Form>
      </Modal>
    </>
  );
}
