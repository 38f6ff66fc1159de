// The SMS part of the configuration. It reports into the caller's `problems` list instead of throwing,
// so the main loader can show every bad value of the whole configuration in one message.

export interface SmsConfig {
  /** 'log' writes each SMS to the log (development, pilots without a gateway); 'webhook' POSTs it. */
  transport: 'log' | 'webhook';
  webhookUrl?: URL;
  webhookToken?: string;
  webhookTimeoutMs: number;
  dispatchIntervalMs: number;
  maxAttempts: number;
}

type Env = Record<string, string | undefined>;

const TRANSPORTS: readonly SmsConfig['transport'][] = ['log', 'webhook'];

export function readSmsConfig(env: Env, problems: string[]): SmsConfig {
  const value = (name: string): string | undefined => {
    const v = env[name]?.trim();
    return v === '' ? undefined : v;
  };

  const rawTransport = value('SMS_TRANSPORT');
  let transport: SmsConfig['transport'] = 'log';
  if (rawTransport !== undefined) {
    const lower = rawTransport.toLowerCase();
    if (TRANSPORTS.includes(lower as SmsConfig['transport'])) transport = lower as SmsConfig['transport'];
    else problems.push(`SMS_TRANSPORT must be one of ${TRANSPORTS.join(', ')} (got "${rawTransport}")`);
  }

  const webhookUrl = parseHttpUrl('SMS_WEBHOOK_URL', value('SMS_WEBHOOK_URL'), problems);
  if (transport === 'webhook' && value('SMS_WEBHOOK_URL') === undefined) {
    problems.push('SMS_WEBHOOK_URL is required when SMS_TRANSPORT is webhook');
  }

  return {
    transport,
    webhookUrl,
    webhookToken: value('SMS_WEBHOOK_TOKEN'),
    webhookTimeoutMs: parsePositiveInt('SMS_WEBHOOK_TIMEOUT_MS', value('SMS_WEBHOOK_TIMEOUT_MS'), 5000, problems),
    dispatchIntervalMs: parsePositiveInt('SMS_DISPATCH_INTERVAL_MS', value('SMS_DISPATCH_INTERVAL_MS'), 1000, problems),
    maxAttempts: parsePositiveInt('SMS_MAX_ATTEMPTS', value('SMS_MAX_ATTEMPTS'), 8, problems),
  };
}

function parseHttpUrl(name: string, raw: string | undefined, problems: string[]): URL | undefined {
  if (raw === undefined) return undefined;
  try {
    const url = new URL(raw);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url;
  } catch {
    // reported below, with the other malformed case
  }
  problems.push(`${name} must be an http(s) URL (got "${raw}")`);
  return undefined;
}

function parsePositiveInt(name: string, raw: string | undefined, fallback: number, problems: string[]): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n <= 0) {
    problems.push(`${name} must be a positive whole number (got "${raw}")`);
    return fallback;
  }
  return n;
}
