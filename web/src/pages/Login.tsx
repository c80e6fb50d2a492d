import { useState } from 'react';
import { Alert, Button, Card, Form, Input, Segmented } from 'antd';
import { ApiError } from '../api';
import { useI18n } from '../i18n';
import { useSession } from '../session';

export function Login() {
  const { login } = useSession();
  const { t, lang, setLang } = useI18n();
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
      <Card
        title={<h1 style={{ fontSize: 18, margin: 0 }}>{t('app.name')}</h1>}
        extra={
          <Segmented
            aria-label={t('lang.switch')}
            size="small"
            value={lang}
            onChange={(v) => setLang(v as 'zh' | 'en')}
            options={[
              { label: '中文', value: 'zh' },
              { label: 'EN', value: 'en' },
            ]}
          />
        }
        style={{ width: 360 }}
      >
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
