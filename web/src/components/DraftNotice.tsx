// 「已恢复未提交的草稿」 above a form whose draft was put back, with a way to throw it away.
import { Alert, Button } from 'antd';
import { useI18n } from '../i18n';
import type { FormDraft } from '../drafts';

export function DraftNotice({ draft }: { draft: FormDraft }) {
  const { t } = useI18n();
  if (!draft.restored) return null;
  return (
    <Alert
      type="info"
      showIcon
      role="status"
      data-testid="draft-restored"
      title={t('draft.restored')}
      style={{ marginBottom: 12 }}
      action={
        <Button size="small" onClick={draft.discard}>
          {t('draft.discard')}
        </Button>
      }
    />
  );
}
