// The areas a point or an address resolved to, in one line: 青山区 / 望湖街道 / 望湖幸福社区.
import { Tag, Typography } from 'antd';
import { useI18n } from '../i18n';

interface Ref {
  id: number;
  name: string;
}
export interface ResolvedAreas {
  district: Ref | null;
  subdistrict: Ref | null;
  community: Ref | null;
}

export function AreasLine({ areas, source }: { areas: ResolvedAreas; source?: 'point' | 'address' }) {
  const { t } = useI18n();
  const names = [areas.district, areas.subdistrict, areas.community].filter((x): x is Ref => x != null).map((x) => x.name);
  return (
    <span data-testid="resolved-areas">
      {names.length ? <Typography.Text strong>{names.join(' / ')}</Typography.Text> : <Typography.Text type="warning">{t('map.outside')}</Typography.Text>}
      {source && (
        <Tag style={{ marginLeft: 6 }} bordered={false}>
          {t(`map.by.${source}`)}
        </Tag>
      )}
    </span>
  );
}
