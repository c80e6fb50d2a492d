// The language switch shown on the login page, the staff header and the public pages.
import { Segmented } from 'antd';
import { useI18n, type Lang } from '../i18n';

export function LangSwitch() {
  const { t, lang, setLang } = useI18n();
  return (
    <Segmented
      aria-label={t('lang.switch')}
      size="small"
      value={lang}
      onChange={(v) => setLang(v as Lang)}
      options={[
        { label: '中文', value: 'zh' },
        { label: 'EN', value: 'en' },
      ]}
    />
  );
}
