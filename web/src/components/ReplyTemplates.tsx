// 常用语: the reply templates offered beside a text box of an action's form (reply, return,
// co-reply, follow-up note). The list is the center's and the reader's unit's (GET
// /reply-templates?kind=…, loaded when first opened); picking one asks the server to fill its
// placeholders for this order (…/render?workorderId=, the salutation as the reader may see the
// name) and adds the text to the box, after what is already typed.
import { useState } from 'react';
import { App, Form, Select } from 'antd';
import { get } from '../api';
import { useI18n } from '../i18n';

export type TemplateKind = 'reply' | 'return' | 'co-reply' | 'followup';

interface Template {
  id: number;
  scope: 'center' | 'unit';
  unitName: string | null;
  title: string;
  body: string;
}

export function ReplyTemplates({ kind, orderId, field }: { kind: TemplateKind; orderId: number; field: string }) {
  const form = Form.useFormInstance();
  const { t } = useI18n();
  const { message } = App.useApp();
  const [items, setItems] = useState<Template[] | null>(null);
  const [busy, setBusy] = useState(false);

  const load = () => {
    if (items) return;
    get<{ items: Template[] }>('/reply-templates', { kind })
      .then((r) => setItems(r.items))
      .catch((e: Error) => {
        setItems([]);
        void message.error(e.message);
      });
  };
  const insert = async (id: number) => {
    setBusy(true);
    try {
      const { text } = await get<{ text: string }>(`/reply-templates/${id}/render`, { workorderId: orderId });
      const current = String(form.getFieldValue(field) ?? '');
      form.setFieldValue(field, current.trim() ? `${current.replace(/\s+$/, '')}\n${text}` : text);
    } catch (e) {
      void message.error((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const group = (scope: Template['scope'], label: string) => {
    const options = (items ?? []).filter((x) => x.scope === scope).map((x) => ({ value: x.id, label: x.title, title: x.body }));
    return options.length ? [{ label, options }] : [];
  };

  return (
    <Select<number>
      size="small"
      value={null}
      placeholder={t('templates.pick')}
      aria-label={t('templates.pick')}
      style={{ minWidth: 200, marginTop: 4 }}
      loading={busy}
      showSearch={{ optionFilterProp: 'label' }}
      notFoundContent={items === null ? t('templates.loading') : t('templates.none')}
      onOpenChange={(open) => open && load()}
      onFocus={load}
      options={[...group('unit', t('templates.unit')), ...group('center', t('templates.center'))]}
      onSelect={(id) => void insert(id)}
      data-testid={`templates-${kind}`}
    />
  );
}
