// The heat map: orders of the last 30 days counted by district or sub-district (GET
// /api/v1/areas/heat), the areas shaded by their count, the orders with a point as dots; a hot
// topic (GET /api/v1/hotspots) narrows both to its orders.
import { useEffect, useMemo, useState } from 'react';
import { Segmented, Select, Space, Typography } from 'antd';
import { get } from '../api';
import { useI18n } from '../i18n';
import { navigate } from '../router';
import { CityMap, type MapPoint } from './CityMap';

type Level = 'district' | 'subdistrict';
interface Heat {
  total: number;
  unplaced: number;
  items: { unitId: number; name: string; count: number }[];
  points: { id: number; number: string; title: string; lat: number; lng: number }[];
}
interface Hot {
  size: number;
  words: string[];
  workorderIds: number[];
}

export function HeatPanel({ openOnly = false, height = 360 }: { openOnly?: boolean; height?: number }) {
  const { t } = useI18n();
  const [level, setLevel] = useState<Level>('district');
  const [topics, setTopics] = useState<Hot[]>([]);
  const [topic, setTopic] = useState<number>(-1);
  const [heat, setHeat] = useState<Heat | null>(null);
  useEffect(() => {
    get<{ items: Hot[] }>('/hotspots', { limit: 8 })
      .then((d) => setTopics(d.items))
      .catch(() => undefined);
  }, []);
  const ids = topic >= 0 ? topics[topic]?.workorderIds.join(',') : undefined;
  useEffect(() => {
    let live = true;
    get<Heat>('/areas/heat', { level, status: openOnly ? 'open' : undefined, workorderIds: ids })
      .then((h) => live && setHeat(h))
      .catch(() => live && setHeat(null));
    return () => void (live = false);
  }, [level, openOnly, ids]);
  const counts = useMemo(() => Object.fromEntries((heat?.items ?? []).map((i) => [i.unitId, i.count])), [heat]);
  const points = useMemo<MapPoint[]>(() => (heat?.points ?? []).map((p) => ({ id: p.id, lat: p.lat, lng: p.lng, label: `${p.number} ${p.title}` })), [heat]);
  const summary = (heat?.items ?? [])
    .slice(0, 15)
    .map((i) => `${i.name} ${i.count}`)
    .join(', ');
  return (
    <div data-testid="heat-map">
      <Space wrap style={{ marginBottom: 8 }}>
        <Segmented
          size="small"
          value={level}
          onChange={(v) => setLevel(v)}
          options={(['district', 'subdistrict'] as const).map((l) => ({ label: t(`map.heatLevel.${l}`), value: l }))}
        />
        <Select
          size="small"
          style={{ minWidth: 240 }}
          value={topic}
          onChange={setTopic}
          aria-label={t('dash.hot')}
          options={[
            { label: t('map.allTopics'), value: -1 },
            ...topics.map((h, i) => ({ label: t('map.topic', { words: h.words.slice(0, 3).join(' '), size: h.size }), value: i })),
          ]}
        />
        {heat && <Typography.Text type="secondary">{t('map.heatLegend', { total: heat.total, unplaced: heat.unplaced })}</Typography.Text>}
      </Space>
      <CityMap
        label={`${t('map.heatLabel')}: ${summary}`}
        kinds={level === 'district' ? ['district'] : ['district', 'subdistrict']}
        heat={counts}
        heatKind={level}
        points={points}
        onPointClick={(id) => navigate(`/orders/${id}`)}
        height={height}
      />
    </div>
  );
}
