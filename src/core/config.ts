// Every setting jiesu reads from its environment, in one table: name, kind, default, limits and
// what it does. Code reads a setting with `setting(name)`, which checks the value and fails with
// one clear line on a bad one; `jiesu serve` checks them all at start-up (checkSettings), and
// the README's configuration table is generated from this list (a test keeps them equal).

/** A setting's value could not be used. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
    this.stack = `ConfigError: ${message}`; // a configuration error: one clear line, no stack trace
  }
}

type Kind = 'int' | 'number' | 'bool' | 'string' | 'secret' | 'url' | 'path';

interface Spec {
  kind: Kind;
  /** The value when the variable is unset or empty; undefined: no value. */
  default?: string | number | boolean;
  min?: number;
  max?: number;
  /** The command-line flag that sets the same thing, where there is one. */
  flag?: string;
  /** For the README: what it does, in a few words (English; the table is for operators). */
  doc: string;
  /** Where it shows in the README's table. */
  group: 'server' | 'database' | 'security' | 'work' | 'development';
}

export const SETTINGS = {
  PORT: { kind: 'int', default: 3000, min: 1, max: 65535, flag: '--port', doc: 'port to listen on', group: 'server' },
  HOST: { kind: 'string', default: '127.0.0.1', flag: '--host', doc: 'address to listen on', group: 'server' },
  LOG_LEVEL: { kind: 'string', default: 'info', doc: 'log level (`silent` to mute)', group: 'server' },
  JIESU_SHUTDOWN_TIMEOUT_SECONDS: { kind: 'int', default: 30, min: 0, max: 3600, doc: 'shutdown grace period for open requests (s)', group: 'server' },
  JIESU_SERVER: { kind: 'url', flag: '--server', doc: 'CLI: run a command through this running server instead of opening the database', group: 'server' },
  JIESU_TOKEN: { kind: 'secret', doc: 'CLI with `--server`: an admin token (from `POST /api/v1/auth/login`)', group: 'server' },
  JIESU_MAP_TILE_URL: {
    kind: 'string',
    doc: 'map tiles for the web app, e.g. the city GIS server `https://gis.example/tiles/{z}/{x}/{y}.png`; unset: the boundaries drawn alone (offline)',
    group: 'server',
  },
  JIESU_MAP_TILE_ATTRIBUTION: { kind: 'string', doc: 'the credit line the map shows for its tiles', group: 'server' },

  JIESU_DATA: { kind: 'path', default: './data', flag: '--data', doc: 'embedded (PGlite) data folder', group: 'database' },
  DATABASE_URL: { kind: 'url', flag: '--database-url', doc: 'PostgreSQL server; unset: embedded PGlite', group: 'database' },
  JIESU_DB_POOL: { kind: 'int', default: 10, min: 1, max: 1000, doc: 'PostgreSQL pool size', group: 'database' },

  JIESU_ADMIN_PASSWORD: { kind: 'secret', doc: "first admin's password; unset: no admin is created", group: 'security' },
  JIESU_PII_KEYS: {
    kind: 'secret',
    doc: 'personal-data keys `id:base64key[,older…]` (required with a PostgreSQL server; PGlite generates a key file)',
    group: 'security',
  },
  JIESU_INSECURE_DEV_KEY: { kind: 'bool', default: false, doc: 'PostgreSQL without keys: a fixed public key, for development only', group: 'security' },
  JIESU_CORS_ORIGINS: { kind: 'string', doc: 'allowed CORS origins (comma-separated); unset: CORS closed', group: 'security' },
  JIESU_TRUST_PROXY: { kind: 'bool', default: false, doc: 'send HSTS when a proxy says `X-Forwarded-Proto: https`', group: 'security' },
  JIESU_AUTH_CACHE_SECONDS: { kind: 'int', default: 5, min: 0, max: 300, doc: 'how long a node trusts a token it has checked (s; 0 = off)', group: 'security' },
  JIESU_SESSION_IDLE_MINUTES: {
    kind: 'int',
    default: 120,
    min: 1,
    max: 10080,
    doc: 'a login ends after this many minutes without a request (each request extends it)',
    group: 'security',
  },
  JIESU_SESSION_MAX_HOURS: { kind: 'int', default: 16, min: 1, max: 720, doc: 'a login ends this many hours after sign-in, however active', group: 'security' },
  JIESU_LOGIN_WINDOW_SECONDS: { kind: 'int', default: 900, min: 1, max: 86400, doc: 'login throttling: window (s)', group: 'security' },
  JIESU_LOGIN_MAX_USER_FAILURES: { kind: 'int', default: 5, min: 1, max: 1000, doc: 'login throttling: failures per user in the window', group: 'security' },
  JIESU_LOGIN_MAX_IP_FAILURES: { kind: 'int', default: 20, min: 1, max: 100000, doc: 'login throttling: failures per IP in the window', group: 'security' },
  JIESU_PORTAL_SECRET: { kind: 'secret', doc: 'portal challenge signing secret; unset: generated and kept in the database', group: 'security' },
  JIESU_PORTAL_IP_PER_HOUR: { kind: 'int', default: 10, min: 1, max: 100000, doc: 'portal: submissions per IP per hour', group: 'security' },
  JIESU_PORTAL_PHONE_PER_DAY: { kind: 'int', default: 5, min: 1, max: 10000, doc: 'portal: submissions per phone per day', group: 'security' },
  JIESU_PORTAL_LOOKUPS_PER_MINUTE: { kind: 'int', default: 30, min: 1, max: 100000, doc: 'portal: order look-ups per IP per minute', group: 'security' },
  JIESU_RETENTION_DAYS: {
    kind: 'int',
    default: 730,
    min: 1,
    max: 36500,
    flag: '--days',
    doc: 'personal-data retention for closed orders (days)',
    group: 'security',
  },

  JIESU_SLA_INTERVAL_SECONDS: { kind: 'int', default: 60, min: 0, max: 86400, doc: 'time-limit job interval in `jiesu serve` (s; 0 = off)', group: 'work' },
  JIESU_SURVEY_MAX_ATTEMPTS: { kind: 'int', default: 3, min: 1, max: 20, doc: 'follow-up: attempts before unreachable', group: 'work' },
  JIESU_SURVEY_RETRY_MINUTES: { kind: 'int', default: 120, min: 0, max: 10080, doc: 'follow-up: minutes between attempts', group: 'work' },
  JIESU_REOPEN_TO_SAME_UNIT: { kind: 'bool', default: true, doc: 'unsatisfied orders go straight back to their unit', group: 'work' },
  JIESU_KB_ANALYZE_MINUTES: {
    kind: 'int',
    default: 60,
    min: 0,
    max: 10080,
    doc: 'knowledge search: refresh word statistics every N minutes (0 = start-up only)',
    group: 'work',
  },
  JIESU_DUP_WINDOW_DAYS: { kind: 'int', default: 90, min: 1, max: 3650, doc: 'duplicates: how far back to look (days)', group: 'work' },
  JIESU_DUP_MIN_SCORE: { kind: 'number', default: 0.25, min: 0, max: 1, doc: 'duplicates: lowest score offered', group: 'work' },
  JIESU_DUP_RADIUS_M: { kind: 'int', default: 3000, min: 1, max: 1000000, doc: 'duplicates: farthest point (m)', group: 'work' },
  JIESU_DUP_MAX_CANDIDATES: { kind: 'int', default: 3000, min: 1, max: 1000000, doc: 'duplicates: most candidates scored per check', group: 'work' },
  JIESU_DUP_DF_MINUTES: {
    kind: 'int',
    default: 60,
    min: 0,
    max: 100000,
    doc: 'duplicates: minutes between rebuilds of the word frequencies (0: never)',
    group: 'work',
  },
  JIESU_HOTSPOT_SPIKE_FACTOR: { kind: 'number', default: 3, min: 1, max: 100, doc: 'hot topics: a day this many times the usual is a spike', group: 'work' },
  JIESU_HOTSPOT_SPIKE_MIN: { kind: 'int', default: 3, min: 1, max: 10000, doc: 'hot topics: fewest orders in a spike day', group: 'work' },

  JIESU_PUBLIC_URL: { kind: 'url', doc: 'the address citizens reach the web app at (links in messages); unset: `http://HOST:PORT`', group: 'server' },
  JIESU_SMS_PROVIDER: {
    kind: 'string',
    default: 'log',
    doc: "SMS: `log` (development), `webhook` (the center's gateway) or `tencent` (Tencent Cloud SMS)",
    group: 'work',
  },
  JIESU_SMS_WEBHOOK_URL: { kind: 'url', doc: 'SMS `webhook`: posts `{to, text, template, params}` as JSON here', group: 'work' },
  JIESU_SMS_QUIET_HOURS: {
    kind: 'string',
    default: '22-8',
    doc: 'SMS: hours (city time) when citizen messages other than receipts wait, `from-to`; set empty (`""`) for none',
    group: 'work',
  },
  JIESU_SMS_MAX_ATTEMPTS: { kind: 'int', default: 6, min: 1, max: 50, doc: 'SMS: attempts before a message is a dead letter', group: 'work' },
  JIESU_SMS_PHONE_PER_HOUR: { kind: 'int', default: 5, min: 1, max: 1000, doc: 'SMS: messages per phone number per hour (more wait)', group: 'work' },
  JIESU_SMS_RATING_HOURS: {
    kind: 'int',
    default: 48,
    min: 1,
    max: 720,
    doc: 'SMS follow-up: hours the rating link waits before the order goes to a phone follow-up',
    group: 'work',
  },
  JIESU_SMS_CALLBACK_TOKEN: {
    kind: 'secret',
    doc: "SMS: token the provider's receipt and reply callbacks carry (`?token=`); unset: callbacks refused",
    group: 'security',
  },
  JIESU_SMS_TENCENT_SECRET_ID: { kind: 'secret', doc: 'Tencent Cloud SMS: SecretId', group: 'security' },
  JIESU_SMS_TENCENT_SECRET_KEY: { kind: 'secret', doc: 'Tencent Cloud SMS: SecretKey', group: 'security' },
  JIESU_SMS_TENCENT_APP_ID: { kind: 'string', doc: 'Tencent Cloud SMS: SmsSdkAppId', group: 'work' },
  JIESU_SMS_TENCENT_SIGN_NAME: { kind: 'string', doc: 'Tencent Cloud SMS: the registered signature (签名)', group: 'work' },
  JIESU_SMS_TENCENT_REGION: { kind: 'string', default: 'ap-guangzhou', doc: 'Tencent Cloud SMS: region', group: 'work' },
  JIESU_SMS_TENCENT_ENDPOINT: { kind: 'url', default: 'https://sms.tencentcloudapi.com', doc: 'Tencent Cloud SMS: API endpoint', group: 'work' },

  JIESU_DEMO_CONTACTS: { kind: 'int', default: 30000, min: 0, max: 100000000, doc: '`npm start`: contacts in the demo month', group: 'development' },
  JIESU_DEMO_THREADS: { kind: 'int', min: 1, max: 64, doc: 'demo seed: generator threads (default: the cores)', group: 'development' },
  JIESU_DEMO_WORKER: { kind: 'bool', default: true, doc: 'demo seed on PGlite: write from a worker thread', group: 'development' },
  JIESU_DEMO_DEBUG: { kind: 'bool', default: false, doc: 'demo seed: print the time of each step', group: 'development' },
  JIESU_BENCH_ORDERS: { kind: 'int', min: 1, max: 100000000, doc: 'benchmarks: orders to load', group: 'development' },
  JIESU_FUZZ_RUNS: { kind: 'int', min: 1, max: 10000000, doc: 'fuzz tests: runs', group: 'development' },
  JIESU_FUZZ_SEED: { kind: 'int', doc: 'fuzz tests: seed', group: 'development' },
  JIESU_FUZZ_TRACE: { kind: 'bool', default: false, doc: 'fuzz tests: print each case', group: 'development' },
} as const satisfies Record<string, Spec>;

export type SettingName = keyof typeof SETTINGS;
type ValueOf<K> = K extends 'int' | 'number' ? number : K extends 'bool' ? boolean : string;
type Value<N extends SettingName> = (typeof SETTINGS)[N] extends { default: unknown }
  ? ValueOf<(typeof SETTINGS)[N]['kind']>
  : ValueOf<(typeof SETTINGS)[N]['kind']> | undefined;

const TRUE = ['1', 'true', 'yes', 'on'];
const FALSE = ['0', 'false', 'no', 'off'];

function parse(name: string, spec: Spec, raw: string): string | number | boolean {
  const bad = (why: string) =>
    new ConfigError(
      `配置项 ${name} 的值 "${raw.slice(0, 40)}" 无效：${why.split(' | ')[0]} (${name}="${raw.slice(0, 40)}" is not valid: ${why.split(' | ')[1]})`,
    );
  switch (spec.kind) {
    case 'int':
    case 'number': {
      const n = Number(raw.trim());
      if (!Number.isFinite(n) || (spec.kind === 'int' && !Number.isInteger(n)))
        throw bad(spec.kind === 'int' ? '须为整数 | must be a whole number' : '须为数字 | must be a number');
      if (spec.min !== undefined && n < spec.min) throw bad(`不得小于 ${spec.min} | must be at least ${spec.min}`);
      if (spec.max !== undefined && n > spec.max) throw bad(`不得大于 ${spec.max} | must be at most ${spec.max}`);
      return n;
    }
    case 'bool': {
      const v = raw.trim().toLowerCase();
      if (TRUE.includes(v)) return true;
      if (FALSE.includes(v)) return false;
      throw bad('须为 true 或 false | must be true or false');
    }
    case 'url':
      // A scheme and '//' (http://…, postgres://…): `localhost:3000` parses as a URL but is not one.
      if (!/^[a-z][a-z0-9+.-]*:\/\/./i.test(raw.trim()) || !URL.canParse(raw.trim())) throw bad('须为完整网址 | must be a full URL');
      return raw.trim();
    default:
      return raw;
  }
}

/** The setting's checked value, read from `env` now (tests and the CLI may change it). */
export function setting<N extends SettingName>(name: N, env: NodeJS.ProcessEnv = process.env): Value<N> {
  const spec: Spec = SETTINGS[name];
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return spec.default as Value<N>;
  return parse(name, spec, raw) as Value<N>;
}

/** Every setting that is set, checked; one line per bad value. */
export function checkSettings(env: NodeJS.ProcessEnv = process.env): void {
  const problems: string[] = [];
  for (const name of Object.keys(SETTINGS) as SettingName[]) {
    try {
      setting(name, env);
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  if (problems.length) throw new ConfigError(problems.join('\n'));
}

const GROUPS: Record<Spec['group'], string> = {
  server: 'Server',
  database: 'Database',
  security: 'Security and privacy',
  work: 'Work rules',
  development: 'Development and tests',
};

/** The README's configuration table, made from SETTINGS. */
export function settingsTable(): string {
  const lines = ['| setting | variable | flag | default |', '|---|---|---|---|'];
  for (const group of Object.keys(GROUPS) as Spec['group'][]) {
    lines.push(`| **${GROUPS[group]}** | | | |`);
    for (const [name, s] of Object.entries(SETTINGS) as [string, Spec][]) {
      if (s.group !== group) continue;
      const def = s.default === undefined ? 'unset' : `\`${String(s.default)}\``;
      lines.push(`| ${s.doc} | \`${name}\` | ${s.flag ? `\`${s.flag}\`` : ''} | ${def} |`);
    }
  }
  return lines.join('\n');
}
