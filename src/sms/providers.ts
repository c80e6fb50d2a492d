// Where messages go: `log` (development: the log shows the masked number and text),
// `webhook` (a center's own gateway: `{to, text, template, params}` as JSON, the outbox row's
// call id as Idempotency-Key so a gateway can drop a repeat), `tencent` (Tencent Cloud SMS).
// Secrets come only from the environment.
import { ConfigError, setting } from '../core/config.js';
import { tencentSendSms } from './tencent.js';

export interface OutgoingSms {
  to: string;
  /** The full text, as the citizen reads it. */
  text: string;
  /** The text with its secrets (query code, link token) masked, for logs and the order's history. */
  shownText: string;
  shownTo: string;
  template: string;
  /** The provider's registered template id (required by `tencent`). */
  templateId: string | null;
  params: Record<string, string>;
  /** The values in the template's order (positional parameters). */
  orderedParams: string[];
  /** Stable per outbox row: the same on every attempt. */
  callId: string;
}

export interface SendResult {
  status: number | null;
  error: string | null;
  messageId: string | null;
}

export interface Provider {
  name: string;
  /** Characters the provider adds (the 【signature】), counted in the segment. */
  signatureLength: number;
  send(m: OutgoingSms): Promise<SendResult>;
}

export type SmsLog = (entry: { to: string; text: string; template: string; callId: string }) => void;

const TIMEOUT_MS = 5000;

export function providerFromSettings(log: SmsLog, env: NodeJS.ProcessEnv = process.env): Provider {
  const name = setting('JIESU_SMS_PROVIDER', env);
  switch (name) {
    case 'log':
      return {
        name,
        signatureLength: 0,
        send(m) {
          log({ to: m.shownTo, text: m.shownText, template: m.template, callId: m.callId });
          return Promise.resolve({ status: null, error: null, messageId: m.callId });
        },
      };
    case 'webhook': {
      const url = setting('JIESU_SMS_WEBHOOK_URL', env);
      if (!url) throw new ConfigError('JIESU_SMS_PROVIDER=webhook 需要 JIESU_SMS_WEBHOOK_URL (JIESU_SMS_PROVIDER=webhook needs JIESU_SMS_WEBHOOK_URL)');
      return {
        name,
        signatureLength: 0,
        async send(m) {
          const res = await fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'user-agent': 'jiesu-sms/1', 'idempotency-key': m.callId },
            body: JSON.stringify({ to: m.to, text: m.text, template: m.template, params: m.params }),
            signal: AbortSignal.timeout(TIMEOUT_MS),
          });
          const body = await res.text().catch(() => '');
          let messageId: string | null = null;
          try {
            const j = JSON.parse(body);
            if (j && (typeof j.id === 'string' || typeof j.messageId === 'string')) messageId = String(j.messageId ?? j.id);
          } catch {
            // a gateway may answer anything; only the status counts
          }
          return { status: res.status, error: res.ok ? null : `HTTP ${res.status}`, messageId: messageId ?? m.callId };
        },
      };
    }
    case 'tencent': {
      const s = {
        secretId: setting('JIESU_SMS_TENCENT_SECRET_ID', env) ?? '',
        secretKey: setting('JIESU_SMS_TENCENT_SECRET_KEY', env) ?? '',
        appId: setting('JIESU_SMS_TENCENT_APP_ID', env) ?? '',
        signName: setting('JIESU_SMS_TENCENT_SIGN_NAME', env) ?? '',
        region: setting('JIESU_SMS_TENCENT_REGION', env),
        endpoint: setting('JIESU_SMS_TENCENT_ENDPOINT', env),
      };
      const missing = (['secretId', 'secretKey', 'appId', 'signName'] as const).filter((k) => !s[k]);
      if (missing.length)
        throw new ConfigError(
          `JIESU_SMS_PROVIDER=tencent 缺少配置 (needs JIESU_SMS_TENCENT_SECRET_ID, _SECRET_KEY, _APP_ID and _SIGN_NAME; missing: ${missing.join(', ')})`,
        );
      return {
        name,
        signatureLength: [...s.signName].length + 2,
        async send(m) {
          if (!m.templateId) return { status: null, error: 'no provider template id for this message (set it on the templates page)', messageId: null };
          return tencentSendSms(s, { to: m.to, templateId: m.templateId, params: m.orderedParams, callId: m.callId }, TIMEOUT_MS);
        },
      };
    }
    default:
      throw new ConfigError(`JIESU_SMS_PROVIDER 须为 log、webhook 或 tencent (JIESU_SMS_PROVIDER must be log, webhook or tencent, got "${name}")`);
  }
}
