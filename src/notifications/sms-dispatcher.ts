// Sends the SMS outbox. Every API instance runs one dispatcher; they share the table safely: a
// message is claimed by exactly one of them, sent outside any transaction, and its outcome recorded.
// Rows are never deleted, so nothing is lost; the idempotency key goes to the gateway, so a message
// re-sent after a crash between sending and recording is dropped there.
import type { Orm } from '../db/orm.js';
import { type Language, type NotificationKind, NotificationStatus } from '../domain/enums.js';
import type { Logger } from '../logger.js';
import type { SmsTransport } from './transports.js';

export interface SmsDispatcherOptions {
  /** Pause between runs; a run that found a full batch is followed at once by the next. */
  intervalMs: number;
  batchSize?: number;
  /** Attempts after which a message is FAILED for good. */
  maxAttempts: number;
  /** Delay after the first failure; doubles with each further one. */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /**
   * How long a claimed message is hidden from other instances while it is being sent. Must exceed
   * the transport's timeout, or a slow send could be claimed (and sent) a second time.
   */
  leaseMs?: number;
}

export interface DispatchResult {
  sent: number;
  /** Failed for the last allowed time: now FAILED. */
  failed: number;
  /** Failed, and scheduled for another attempt. */
  retried: number;
}

interface ClaimedMessage {
  id: string;
  phone: string;
  body: string;
  idempotency_key: string;
  kind: NotificationKind;
  language: Language;
  attempts: number;
}

const DEFAULTS = { batchSize: 20, baseBackoffMs: 2_000, maxBackoffMs: 10 * 60_000, leaseMs: 60_000 };
const MAX_ERROR_LENGTH = 500;
/** Up to this share of a backoff is added at random, so messages that failed together spread out. */
const JITTER = 0.1;

// One statement, so one short transaction: lock the due rows no other instance holds (SKIP LOCKED —
// SMS order does not matter, sending twice does) and push them a lease into the future, so they stay
// invisible to other instances after the commit while this one sends them. MATERIALIZED keeps
// PostgreSQL from inlining the locking select into the update.
const CLAIM_SQL = `
  with due as materialized (
    select "id" from "notification"
    where "status" = ? and "next_attempt_at" <= ?
    order by "next_attempt_at", "id"
    limit ?
    for update skip locked
  )
  update "notification" n set "next_attempt_at" = ?
  from due where n."id" = due."id"
  returning n."id", n."phone", n."body", n."idempotency_key", n."kind", n."language", n."attempts"`;

// Outcomes apply only to a PENDING row: PENDING → SENT | FAILED is the whole lifecycle.
const SENT_SQL = `
  update "notification" set "status" = ?, "sent_at" = ?, "attempts" = "attempts" + 1, "last_error" = null
  where "id" = ? and "status" = ?`;

const FAILURE_SQL = `
  update "notification" set "attempts" = "attempts" + 1, "last_error" = ?, "next_attempt_at" = ?,
    "status" = case when "attempts" + 1 >= ? then ? else "status" end
  where "id" = ? and "status" = ?
  returning "status"`;

export class SmsDispatcher {
  private readonly options: Required<SmsDispatcherOptions>;
  private timer?: NodeJS.Timeout;
  private running = false;
  /** A tick is between claiming and scheduling the next; start() must not begin a second chain. */
  private ticking = false;
  private inFlight?: Promise<unknown>;

  constructor(
    private readonly orm: Orm,
    private readonly transport: SmsTransport,
    private readonly log: Logger,
    options: SmsDispatcherOptions,
  ) {
    this.options = {
      intervalMs: options.intervalMs,
      maxAttempts: options.maxAttempts,
      batchSize: options.batchSize ?? DEFAULTS.batchSize,
      baseBackoffMs: options.baseBackoffMs ?? DEFAULTS.baseBackoffMs,
      maxBackoffMs: options.maxBackoffMs ?? DEFAULTS.maxBackoffMs,
      leaseMs: options.leaseMs ?? DEFAULTS.leaseMs,
    };
  }

  /** Starts the loop. It never overlaps itself and does not keep the process alive. */
  start(): void {
    if (this.running) return;
    this.running = true;
    if (!this.ticking) this.schedule(0);
  }

  /** Stops the loop and waits for the batch being sent, so shutdown does not cut a send in half. */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await this.inFlight;
  }

  /** Claims, sends and records one batch of due messages. `now` is the time the run acts at. */
  async runOnce(now = new Date()): Promise<DispatchResult> {
    const messages = await this.claim(now);
    const settled = await Promise.allSettled(messages.map((m) => this.deliver(m, now)));
    const outcomes = settled.map((s, i) => (s.status === 'fulfilled' ? s.value : this.unrecorded(messages[i]!, s.reason)));
    return {
      sent: outcomes.filter((o) => o === 'sent').length,
      failed: outcomes.filter((o) => o === 'failed').length,
      retried: outcomes.filter((o) => o === 'retried').length,
    };
  }

  /**
   * The outcome could not be written (the database went away mid-run). The row is still PENDING and
   * comes back after its lease; if it was sent, the gateway drops the repeat by its idempotency key.
   */
  private unrecorded(message: ClaimedMessage, err: unknown): 'unrecorded' {
    this.log.error({ err, notificationId: message.id, idempotencyKey: message.idempotency_key }, 'sms outcome not recorded; it will be retried after the lease');
    return 'unrecorded';
  }

  private schedule(delayMs: number): void {
    if (!this.running) return;
    this.timer = setTimeout(() => void this.tick(), delayMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    this.ticking = true;
    let fullBatch = false;
    const run = this.runOnce().then(
      (r) => void (fullBatch = r.sent + r.failed + r.retried >= this.options.batchSize),
      (err) => this.log.error({ err }, 'sms dispatch run failed'),
    );
    this.inFlight = run;
    await run;
    this.ticking = false;
    // A full batch means more may be waiting: drain the backlog without sleeping.
    this.schedule(fullBatch ? 0 : this.options.intervalMs);
  }

  private async claim(now: Date): Promise<ClaimedMessage[]> {
    const leaseUntil = new Date(now.getTime() + this.options.leaseMs);
    const params = [NotificationStatus.PENDING, now, this.options.batchSize, leaseUntil];
    return this.orm.em.fork().execute<ClaimedMessage[]>(CLAIM_SQL, params, 'all');
  }

  private async deliver(message: ClaimedMessage, now: Date): Promise<'sent' | 'failed' | 'retried'> {
    try {
      await this.transport.send({
        to: message.phone,
        text: message.body,
        idempotencyKey: message.idempotency_key,
        kind: message.kind,
        language: message.language,
      });
    } catch (err) {
      return this.recordFailure(message, err, now);
    }
    await this.orm.em.fork().execute(SENT_SQL, [NotificationStatus.SENT, now, message.id, NotificationStatus.PENDING], 'run');
    return 'sent';
  }

  private async recordFailure(message: ClaimedMessage, err: unknown, now: Date): Promise<'failed' | 'retried'> {
    const error = (err instanceof Error ? err.message : String(err)).slice(0, MAX_ERROR_LENGTH);
    const attempt = message.attempts + 1;
    const retryAt = new Date(now.getTime() + this.backoffMs(attempt));
    const rows = await this.orm.em
      .fork()
      .execute<{ status: NotificationStatus }[]>(FAILURE_SQL, [error, retryAt, this.options.maxAttempts, NotificationStatus.FAILED, message.id, NotificationStatus.PENDING], 'all');
    const failed = rows[0]?.status === NotificationStatus.FAILED;
    const context = { notificationId: message.id, idempotencyKey: message.idempotency_key, attempt, error, transport: this.transport.name };
    if (failed) this.log.error(context, 'sms failed for good');
    else this.log.warn({ ...context, retryAt }, 'sms send failed; will retry');
    return failed ? 'failed' : 'retried';
  }

  /** The wait after the given failed attempt (1-based): base · 2^(attempt−1), capped, plus jitter. */
  private backoffMs(attempt: number): number {
    const { baseBackoffMs, maxBackoffMs } = this.options;
    const delay = Math.min(maxBackoffMs, baseBackoffMs * 2 ** (attempt - 1));
    return Math.round(delay * (1 + Math.random() * JITTER));
  }
}
