// The platform's dispatch suggestion as people read it: the top units and categories with their
// confidence and why (the responsibility list, the text model, or both agreeing). Shared by the
// agent console (as the agent types) and the dispatcher's queue (what was suggested at creation).
import { Space, Tag, Tooltip, Typography } from 'antd';
import { useI18n } from '../i18n';
import { useSession } from '../session';

export interface DispatchSuggestionData {
  units: { unitId: number; name: string | null; confidence: number; reason: 'rule' | 'model' | 'model+rule' }[];
  categories: { code: string; name: string | null; confidence: number }[];
  decision: { unitId: number; reason: string; confidence: number | null } | null;
}

const pct = (x: number | null | undefined) => (x == null || x <= 0 ? '' : ` ${Math.round(x * 100)}%`);

export function DispatchSuggestion({
  suggestion,
  onPickUnit,
  compact = false,
}: {
  suggestion: DispatchSuggestionData;
  /** When given, each unit is a button that picks it. */
  onPickUnit?: (unitId: number) => void;
  compact?: boolean;
}) {
  const { t } = useI18n();
  const { unitName } = useSession();
  const chosen = suggestion.decision?.unitId;
  const units = suggestion.units.slice(0, 3);
  // Categories the model is all but sure are not it add nothing to read.
  const categories = suggestion.categories.filter((c, i) => i === 0 || c.confidence >= 0.05).slice(0, 3);
  return (
    <Space direction="vertical" size={2} data-testid="dispatch-suggestion" style={{ width: '100%' }}>
      <div>
        {!compact && <Typography.Text type="secondary">{t('suggest.units')}: </Typography.Text>}
        {units.map((u) => (
          <Tooltip key={u.unitId} title={t(`suggest.reason.${u.reason}`)}>
            <Tag
              color={u.unitId === chosen ? 'blue' : undefined}
              style={onPickUnit ? { cursor: 'pointer' } : undefined}
              onClick={onPickUnit ? () => onPickUnit(u.unitId) : undefined}
              data-testid="suggested-unit"
            >
              {u.name ?? unitName(u.unitId)}
              {pct(u.confidence)} · {t(`suggest.reasonShort.${u.reason}`)}
            </Tag>
          </Tooltip>
        ))}
      </div>
      {categories.length > 0 && (
        <div>
          {!compact && <Typography.Text type="secondary">{t('suggest.categories')}: </Typography.Text>}
          {categories.map((c, i) => (
            <Tag key={c.code} color={i === 0 ? 'geekblue' : undefined} data-testid="suggested-category">
              {c.name ?? c.code}
              {pct(c.confidence)}
            </Tag>
          ))}
        </div>
      )}
    </Space>
  );
}
