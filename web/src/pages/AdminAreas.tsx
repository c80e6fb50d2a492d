// Area boundaries for admins: import a GeoJSON FeatureCollection (POST /api/v1/areas/import),
// add gazetteer places from CSV lines (POST /api/v1/areas/places), and see the city drawn.
import { useEffect, useState } from 'react';
import { App, Button, Card, Col, Input, Row, Space, Typography, Upload } from 'antd';
import { UploadOutlined } from '@ant-design/icons';
import { post } from '../api';
import { useI18n } from '../i18n';
import { useActionError } from '../components/OrderActions';
import { CityMap, forgetCity, loadCity } from '../components/CityMap';

export function AdminAreas() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const showError = useActionError();
  const [version, setVersion] = useState(0);
  const [count, setCount] = useState<number | null>(null);
  const [csv, setCsv] = useState('');
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    loadCity()
      .then((c) => setCount(c.areas.features.length))
      .catch(() => undefined);
  }, [version]);

  const importFile = async (file: File) => {
    setBusy(true);
    try {
      const body: unknown = JSON.parse(await file.text());
      const r = await post<{ imported: number; aliases: number }>('/areas/import', body);
      message.success(t('areas.imported', { n: r.imported, aliases: r.aliases }));
      forgetCity();
      setVersion((v) => v + 1);
    } catch (e) {
      showError(e instanceof SyntaxError ? new Error(`${file.name}: ${e.message}`) : e);
    } finally {
      setBusy(false);
    }
  };
  const importPlaces = async () => {
    const places = csv
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l && !/^name\s*,/i.test(l))
      .map((l) => {
        const [name = '', kind = 'estate', unit = ''] = l.split(/[,，]/).map((x) => x.trim());
        return { name, kind, unit: /^\d+$/.test(unit) ? Number(unit) : unit };
      });
    if (!places.length) return;
    setBusy(true);
    try {
      const r = await post<{ imported: number; total: number }>('/areas/places', { places });
      message.success(t('areas.placesImported', { n: r.imported, total: r.total }));
      setCsv('');
    } catch (e) {
      showError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <Typography.Title level={3} className="page-title">
        {t('menu.areas')}
      </Typography.Title>
      <Row gutter={16}>
        <Col xs={24} lg={10}>
          <Card size="small" title={t('areas.importTitle')} style={{ marginBottom: 16 }}>
            <Typography.Paragraph type="secondary">{t('areas.importHint')}</Typography.Paragraph>
            <Upload
              accept=".geojson,.json,application/geo+json,application/json"
              showUploadList={false}
              beforeUpload={(f) => {
                void importFile(f);
                return false;
              }}
            >
              <Button icon={<UploadOutlined />} loading={busy}>
                {t('areas.importFile')}
              </Button>
            </Upload>
            {count != null && (
              <Typography.Paragraph style={{ marginTop: 8 }} data-testid="areas-count">
                {t('areas.count', { n: count })}
              </Typography.Paragraph>
            )}
          </Card>
          <Card size="small" title={t('areas.placesTitle')}>
            <Typography.Paragraph type="secondary">{t('areas.placesHint')}</Typography.Paragraph>
            <Space direction="vertical" style={{ width: '100%' }}>
              <Input.TextArea rows={6} value={csv} onChange={(e) => setCsv(e.target.value)} placeholder="幸福家园,estate,望湖幸福社区" />
              <Button type="primary" onClick={() => void importPlaces()} loading={busy} disabled={!csv.trim()}>
                {t('areas.placesImport')}
              </Button>
            </Space>
          </Card>
        </Col>
        <Col xs={24} lg={14}>
          <CityMap key={version} label={t('menu.areas')} kinds={['district', 'subdistrict', 'community']} height={520} />
        </Col>
      </Row>
    </>
  );
}
