// Tencent Cloud SMS, SendSms (API version 2021-01-11), signed with TC3-HMAC-SHA256 as its
// documentation describes ("Signature v3"): a canonical request of the method, path, query,
// the signed headers and the body's SHA-256; a string to sign of the algorithm, the timestamp,
// the credential scope (date/service/tc3_request) and the canonical request's SHA-256; a key
// derived by HMAC-SHA256 from "TC3"+SecretKey through the date, the service and "tc3_request".
import { createHash, createHmac } from 'node:crypto';

const sha256hex = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const hmac = (key: Buffer | string, s: string) => createHmac('sha256', key).update(s, 'utf8').digest();

export interface Tc3Input {
  secretId: string;
  secretKey: string;
  service: string;
  host: string;
  action: string;
  payload: string;
  /** Unix seconds. */
  timestamp: number;
}

const CONTENT_TYPE = 'application/json; charset=utf-8';

/** The Authorization header of a POST / request with a JSON body. */
export function tc3Authorization(i: Tc3Input): string {
  const date = new Date(i.timestamp * 1000).toISOString().slice(0, 10);
  const signedHeaders = 'content-type;host;x-tc-action';
  const canonicalHeaders = `content-type:${CONTENT_TYPE}\nhost:${i.host}\nx-tc-action:${i.action.toLowerCase()}\n`;
  const canonicalRequest = ['POST', '/', '', canonicalHeaders, signedHeaders, sha256hex(i.payload)].join('\n');
  const scope = `${date}/${i.service}/tc3_request`;
  const stringToSign = ['TC3-HMAC-SHA256', String(i.timestamp), scope, sha256hex(canonicalRequest)].join('\n');
  const signing = hmac(hmac(hmac(`TC3${i.secretKey}`, date), i.service), 'tc3_request');
  const signature = createHmac('sha256', signing).update(stringToSign, 'utf8').digest('hex');
  return `TC3-HMAC-SHA256 Credential=${i.secretId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
}

export interface TencentSettings {
  secretId: string;
  secretKey: string;
  appId: string;
  signName: string;
  region: string;
  endpoint: string;
}

export interface TencentResult {
  status: number;
  error: string | null;
  messageId: string | null;
}

/** Sends one message; the outbox row's call id travels as SessionContext and comes back in receipts. */
export async function tencentSendSms(
  s: TencentSettings,
  m: { to: string; templateId: string; params: string[]; callId: string },
  timeoutMs: number,
  now = new Date(),
): Promise<TencentResult> {
  const url = new URL(s.endpoint);
  const payload = JSON.stringify({
    PhoneNumberSet: [m.to.startsWith('+') ? m.to : `+86${m.to}`],
    SmsSdkAppId: s.appId,
    SignName: s.signName,
    TemplateId: m.templateId,
    TemplateParamSet: m.params,
    SessionContext: m.callId,
  });
  const timestamp = Math.floor(now.getTime() / 1000);
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': CONTENT_TYPE,
      authorization: tc3Authorization({ secretId: s.secretId, secretKey: s.secretKey, service: 'sms', host: url.host, action: 'SendSms', payload, timestamp }),
      'x-tc-action': 'SendSms',
      'x-tc-version': '2021-01-11',
      'x-tc-timestamp': String(timestamp),
      'x-tc-region': s.region,
    },
    body: payload,
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  let body: any = null;
  try {
    body = JSON.parse(text);
  } catch {
    return { status: res.status, error: `HTTP ${res.status}: not JSON`, messageId: null };
  }
  const r = body?.Response;
  if (r?.Error) return { status: res.status, error: `${r.Error.Code}: ${r.Error.Message}`, messageId: null };
  const one = r?.SendStatusSet?.[0];
  if (!res.ok || !one) return { status: res.status, error: `HTTP ${res.status}`, messageId: null };
  if (one.Code !== 'Ok') return { status: res.status, error: `${one.Code}: ${one.Message}`, messageId: null };
  return { status: res.status, error: null, messageId: String(one.SerialNo ?? '') || null };
}
