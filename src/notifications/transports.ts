// Where an SMS goes once the dispatcher has claimed it. A transport either delivers the message to
// the gateway or throws; retries, backoff and bookkeeping are the dispatcher's job.
import type { Language, NotificationKind } from '../domain/enums.js';
import type { Logger } from '../logger.js';
import type { SmsConfig } from './sms-config.js';

export interface SmsMessage {
  to: string;
  text: string;
  /** Names the event; the gateway should drop a second message with the same key. */
  idempotencyKey: string;
  kind: NotificationKind;
  language: Language;
}

export interface SmsTransport {
  readonly name: string;
  /** Resolves once the gateway accepted the message; throws on any failure. */
  send(message: SmsMessage): Promise<void>;
}

/** Writes each SMS as one JSON log line, for development and for pilots without a gateway. */
export class LogTransport implements SmsTransport {
  readonly name = 'log';

  constructor(private readonly log: Logger) {}

  async send(message: SmsMessage): Promise<void> {
    const { to, text, idempotencyKey, kind, language } = message;
    this.log.info({ to, text, idempotencyKey, kind, language }, 'sms');
  }
}

export interface WebhookOptions {
  url: URL;
  token?: string;
  timeoutMs: number;
}

/** POSTs each SMS as JSON to an SMS gateway (or an adapter in front of one). */
export class WebhookTransport implements SmsTransport {
  readonly name = 'webhook';

  constructor(private readonly options: WebhookOptions) {}

  async send(message: SmsMessage): Promise<void> {
    const { to, text, idempotencyKey, kind, language } = message;
    const headers: Record<string, string> = { 'content-type': 'application/json', 'idempotency-key': idempotencyKey };
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    // One signal for the request and the body read, so a gateway that stalls mid-reply times out too.
    const signal = AbortSignal.timeout(this.options.timeoutMs);
    let response: Response;
    try {
      response = await fetch(this.options.url, { method: 'POST', headers, body: JSON.stringify({ to, text, idempotencyKey, kind, language }), signal });
    } catch (err) {
      throw this.requestError(err);
    }
    if (response.ok) {
      // Release the connection; the gateway's reply carries nothing we keep.
      await response.body?.cancel().catch(() => {});
      return;
    }
    const detail = await response.text().then((t) => t.slice(0, 200), () => '');
    throw new Error(`SMS webhook answered HTTP ${response.status}${detail ? `: ${detail}` : ''}`);
  }

  private requestError(err: unknown): Error {
    const e = err as Error & { cause?: Error };
    if (e?.name === 'TimeoutError' || e?.name === 'AbortError') {
      return new Error(`SMS webhook timed out after ${this.options.timeoutMs} ms`);
    }
    // fetch reports "fetch failed" and puts the reason (ECONNREFUSED, DNS…) in `cause`.
    const reason = e?.cause?.message ?? e?.message ?? String(err);
    return new Error(`SMS webhook request failed: ${reason}`);
  }
}

export function createSmsTransport(config: SmsConfig, log: Logger): SmsTransport {
  switch (config.transport) {
    case 'log':
      return new LogTransport(log);
    case 'webhook':
      if (!config.webhookUrl) throw new Error('SMS_WEBHOOK_URL is required when SMS_TRANSPORT is webhook');
      return new WebhookTransport({ url: config.webhookUrl, token: config.webhookToken, timeoutMs: config.webhookTimeoutMs });
  }
}
