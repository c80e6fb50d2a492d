import { useState } from 'react';
import { Alert, Button, Card, Form, Input } from 'antd';
import { ApiError } from '../api';
import { useI18n } from '../i18n';
import { useSession } from '../session';
import { LangSwitch } from '../components/LangSwitch';

export function Login() {
  const { login } = useSession();
  const { t } = useI18n();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const onFinish = async (v: { username: string; password: string }) => {
    setBusy(true);
    setError(null);
    try {
      await login(v.username, v.password);
    } catch (e) {
      setError(e instanceof ApiError && e.status === 401 ? t('login.failed') : (e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="login-wrap">
      <Card title={<h1 style={{ fontSize: 18, margin: 0 }}>{t('app.name')}</h1>} extra={<LangSwitch />} style={{ width: 360 }}>
        <Form name="login" layout="vertical" onFinish={(v) => void onFinish(v)} requiredMark={false}>
          <Form.Item label={t('login.username')} name="username" rules={[{ required: true, message: t('err.required') }]}>
            <Input autoFocus autoComplete="username" />
          </Form.Item>
          <Form.Item label={t('login.password')} name="password" rules={[{ required: true, message: t('err.required') }]}>
            <Input.Password autoComplete="current-password" />
          </Form.Item>
          {error && <Alert role="alert" type="error" title={error} style={{ marginBottom: 16 }} />}
          <Button type="primary" htmlType="submit" block loading={busy}>
            {t('login.submit')}
          </Button>
        </Form>
      </Card>
    </main>
  );
}
