// The SMS outbox against the real PostgreSQL, in a database of this file's own: a run sends every
// due message, so in the shared database it would send (and count) other files' messages too. Here
// the outbox holds exactly this file's, so runs are counted exactly. The dispatcher tests share that
// outbox and run one after the other (each leaves nothing due); the outbox and transport tests run
// at once. Instead of sleeping through backoffs, runs are given a later `now`.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initOrm, type Orm } from '../../src/db/orm.js';
import { Language, NotificationKind, NotificationStatus } from '../../src/domain/enums.js';
import { Applicant } from '../../src/entities/applicant.entity.js';
import { Notification } from '../../src/entities/notification.entity.js';
import { createLogger } from '../../src/logger.js';
import { enqueueSms } from '../../src/notifications/outbox.js';
import { SmsDispatcher, type SmsDispatcherOptions } from '../../src/notifications/sms-dispatcher.js';
import { renderSms, type SmsParams } from '../../src/notifications/templates.js';
import { type SmsMessage, type SmsTransport, WebhookTransport } from '../../src/notifications/transports.js';
import { freshDatabase } from '../support/fresh-database.js';
import { randomParentIin } from '../support/ids.js';

const log = createLogger('silent');
const PHONE = '+77011234567';
const PARAMS: SmsParams = { childName: 'Айша', deadline: new Date('2026-06-05T13:00:00Z'), timezone: 'Asia/Almaty', voucherType: 'TARGETED' };
const HOUR = 3_600_000;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

let orm: Orm;
let world: Awaited<ReturnType<typeof freshDatabase>>;
beforeAll(async () => {
  world = await freshDatabase('kezek_sms');
  orm = await initOrm(world.db, log, 8);
});
afterAll(async () => {
  await orm?.close(true);
  await world?.drop();
});

/** Records what it was asked to send; `failure` decides, per key and attempt, whether to throw. */
class FakeTransport implements SmsTransport {
  readonly name = 'fake';
  readonly delivered: SmsMessage[] = [];
  readonly calls = new Map<string, number>();

  constructor(
    private readonly failure: (key: string, attempt: number) => Error | undefined = () => undefined,
    private readonly beforeSend: (message: SmsMessage) => Promise<void> = async () => {},
  ) {}

  async send(message: SmsMessage): Promise<void> {
    const attempt = (this.calls.get(message.idempotencyKey) ?? 0) + 1;
    this.calls.set(message.idempotencyKey, attempt);
    await this.beforeSend(message);
    const error = this.failure(message.idempotencyKey, attempt);
    if (error) throw error;
    this.delivered.push(message);
  }

  deliveredOf(keys: readonly string[]): string[] {
    return this.delivered.map((m) => m.idempotencyKey).filter((k) => keys.includes(k)).sort();
  }
}

async function createApplicant(language = Language.KK): Promise<Applicant> {
  const em = orm.em.fork();
  const applicant = new Applicant(randomParentIin(), 'Сәуле Серікқызы', PHONE, language);
  await em.persist(applicant).flush();
  return applicant;
}

/** `count` messages for a fresh applicant, due a minute ago; returns them sorted by key. */
async function dueMessages(count: number): Promise<Notification[]> {
  const em = orm.em.fork();
  const applicant = await em.findOneOrFail(Applicant, { id: (await createApplicant()).id });
  const batch = randomUUID();
  const notifications = Array.from({ length: count }, (_, i) => {
    const n = enqueueSms(em, { applicant, kind: NotificationKind.OFFER_MADE, idempotencyKey: `test:${batch}:${String(i).padStart(2, '0')}`, params: PARAMS });
    n.nextAttemptAt = new Date(Date.now() - 60_000);
    return n;
  });
  await em.flush();
  return notifications;
}

/** The rows as stored now, read through a fresh fork so nothing comes from an identity map. */
function reload(notifications: Notification[]): Promise<Notification[]> {
  return orm.em.fork().find(Notification, { id: notifications.map((n) => n.id) }, { orderBy: { idempotencyKey: 'asc' } });
}

const dispatcher = (transport: SmsTransport, options: Partial<SmsDispatcherOptions> = {}, on = orm) =>
  new SmsDispatcher(on, transport, log, { intervalMs: 50, batchSize: 500, maxAttempts: 5, ...options });
const keysOf = (notifications: Notification[]) => notifications.map((n) => n.idempotencyKey);

describe('SMS dispatcher', () => {
  it('sends each due message once and marks it SENT', async () => {
    const mine = await dueMessages(3);
    const transport = new FakeTransport();
    const sms = dispatcher(transport);

    expect(await sms.runOnce()).toEqual({ sent: 3, failed: 0, retried: 0 });
    expect(await sms.runOnce()).toEqual({ sent: 0, failed: 0, retried: 0 });

    expect(transport.delivered.map((m) => m.idempotencyKey).sort()).toEqual(keysOf(mine));
    const sent = transport.delivered.find((m) => m.idempotencyKey === mine[0]!.idempotencyKey)!;
    expect(sent).toEqual({ to: PHONE, text: mine[0]!.body, idempotencyKey: mine[0]!.idempotencyKey, kind: NotificationKind.OFFER_MADE, language: Language.KK });
    for (const row of await reload(mine)) {
      expect(row).toMatchObject({ status: NotificationStatus.SENT, attempts: 1, lastError: null });
      expect(row.sentAt).toBeInstanceOf(Date);
    }
  });

  it('retries with growing backoff and sends on the third attempt', async () => {
    const [mine] = await dueMessages(1);
    const key = mine!.idempotencyKey;
    const transport = new FakeTransport((k, attempt) => (k === key && attempt <= 2 ? new Error('gateway busy') : undefined));
    const sms = dispatcher(transport, { baseBackoffMs: 2_000 });
    const t0 = new Date();

    await sms.runOnce(t0);
    const [afterFirst] = await reload([mine!]);
    expect(afterFirst).toMatchObject({ status: NotificationStatus.PENDING, attempts: 1, lastError: 'gateway busy' });
    const firstWait = afterFirst!.nextAttemptAt.getTime() - t0.getTime();
    expect(firstWait).toBeGreaterThanOrEqual(2_000);
    expect(firstWait).toBeLessThanOrEqual(2_200);

    await sms.runOnce(t0); // not due yet: no attempt
    expect(transport.calls.get(key)).toBe(1);

    const t1 = new Date(t0.getTime() + HOUR);
    await sms.runOnce(t1);
    const [afterSecond] = await reload([mine!]);
    expect(afterSecond).toMatchObject({ status: NotificationStatus.PENDING, attempts: 2 });
    expect(afterSecond!.nextAttemptAt.getTime()).toBeGreaterThan(afterFirst!.nextAttemptAt.getTime());
    expect(afterSecond!.nextAttemptAt.getTime() - t1.getTime()).toBeGreaterThanOrEqual(4_000);

    await sms.runOnce(new Date(t0.getTime() + 2 * HOUR));
    const [done] = await reload([mine!]);
    expect(done).toMatchObject({ status: NotificationStatus.SENT, attempts: 3, lastError: null });
    expect(transport.calls.get(key)).toBe(3);
    expect(transport.deliveredOf([key])).toEqual([key]);
  });

  it('gives up after maxAttempts: FAILED, with the last error kept (500 characters at most)', async () => {
    const [mine] = await dueMessages(1);
    const key = mine!.idempotencyKey;
    const transport = new FakeTransport((k) => (k === key ? new Error(`gateway down ${'x'.repeat(600)}`) : undefined));
    const sms = dispatcher(transport, { maxAttempts: 3 });
    const t0 = Date.now();

    for (let i = 0; i < 5; i++) await sms.runOnce(new Date(t0 + i * HOUR));

    const [row] = await reload([mine!]);
    expect(row).toMatchObject({ status: NotificationStatus.FAILED, attempts: 3, sentAt: null });
    expect(row!.lastError).toHaveLength(500);
    expect(row!.lastError!.startsWith('gateway down xxx')).toBe(true);
    expect(transport.calls.get(key)).toBe(3);
  });

  it('two instances running at once send each message once in total', async () => {
    const mine = await dueMessages(12);
    const other = await initOrm(world.db, log, 4); // a second API instance: its own pool
    try {
      const slow = async () => sleep(10); // keeps both instances' batches in flight together
      const [a, b] = [new FakeTransport(undefined, slow), new FakeTransport(undefined, slow)];
      const [first, second] = [dispatcher(a, { batchSize: 3 }), dispatcher(b, { batchSize: 3 }, other)];

      for (let round = 0; round < 20; round++) {
        await Promise.all([first.runOnce(), second.runOnce()]);
        if ((await reload(mine)).every((n) => n.status === NotificationStatus.SENT)) break;
      }

      const delivered = [...a.deliveredOf(keysOf(mine)), ...b.deliveredOf(keysOf(mine))].sort();
      expect(delivered).toEqual(keysOf(mine));
      expect(a.deliveredOf(keysOf(mine)).length).toBeGreaterThan(0);
      expect(b.deliveredOf(keysOf(mine)).length).toBeGreaterThan(0);
      expect((await reload(mine)).map((n) => n.attempts)).toEqual(Array(12).fill(1));
    } finally {
      await other.close(true);
    }
  });

  it('hides a message from other instances while it is being sent', async () => {
    const [mine] = await dueMessages(1);
    const key = mine!.idempotencyKey;
    const rival = new FakeTransport();
    const now = new Date();
    // While the first instance sends, a second one runs at the same moment and at the lease's edge.
    const transport = new FakeTransport(undefined, async (m) => {
      if (m.idempotencyKey !== key) return;
      await dispatcher(rival).runOnce(now);
      await dispatcher(rival).runOnce(new Date(now.getTime() + 59_000));
    });

    await dispatcher(transport, { leaseMs: 60_000 }).runOnce(now);

    expect(transport.deliveredOf([key])).toEqual([key]);
    expect(rival.calls.has(key)).toBe(false);
    expect((await reload([mine!]))[0]).toMatchObject({ status: NotificationStatus.SENT, attempts: 1 });
  });

  it('runs in the background until stopped', async () => {
    const mine = await dueMessages(2);
    const transport = new FakeTransport();
    const sms = dispatcher(transport, { intervalMs: 20 });

    sms.start();
    sms.start(); // a second start must not begin a second loop
    for (let i = 0; i < 100 && transport.deliveredOf(keysOf(mine)).length < 2; i++) await sleep(20);
    await sms.stop();

    expect(transport.delivered.map((m) => m.idempotencyKey).sort()).toEqual(keysOf(mine));
    expect((await reload(mine)).map((n) => n.status)).toEqual([NotificationStatus.SENT, NotificationStatus.SENT]);
  });
});

describe.concurrent('outbox', () => {
  it('writes the SMS in the applicant’s language; a repeated key fails on flush', async () => {
    const ru = await createApplicant(Language.RU);
    const key = `offer:${randomUUID()}:made`;
    const em = orm.em.fork();
    const applicant = await em.findOneOrFail(Applicant, { id: ru.id });

    const notification = enqueueSms(em, { applicant, kind: NotificationKind.OFFER_MADE, idempotencyKey: key, params: PARAMS });
    await em.flush();

    const [row] = await reload([notification]);
    expect(row).toMatchObject({ phone: PHONE, language: Language.RU, kind: NotificationKind.OFFER_MADE, idempotencyKey: key, status: NotificationStatus.PENDING, attempts: 0 });
    expect(row!.body).toBe(renderSms(NotificationKind.OFFER_MADE, Language.RU, PARAMS));
    expect(row!.body).toBe('Kezek: Подошла очередь ребёнка Айша на целевой ваучер! Выберите кружок на платформе до 05.06.2026 18:00.');
    expect(row!.applicant.id).toBe(ru.id);

    const again = orm.em.fork();
    enqueueSms(again, { applicant: await again.findOneOrFail(Applicant, { id: ru.id }), kind: NotificationKind.OFFER_MADE, idempotencyKey: key, params: PARAMS });
    await expect(again.flush()).rejects.toBeInstanceOf(UniqueConstraintViolationException);
    expect(await orm.em.fork().count(Notification, { idempotencyKey: key })).toBe(1);
  });
});

describe.concurrent('webhook transport', () => {
  const message: SmsMessage = { to: PHONE, text: 'Kezek: сәлем', idempotencyKey: 'offer:1:made', kind: NotificationKind.OFFER_MADE, language: Language.KK };

  /** A local HTTP server; `handler` answers (or does not). */
  async function gateway(handler: http.RequestListener) {
    const server = http.createServer(handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/sms`);
    const close = () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    };
    return { url, close };
  }

  it('POSTs the message as JSON with its idempotency key and bearer token', async () => {
    let received: { headers: http.IncomingHttpHeaders; body: string; method?: string; path?: string } | undefined;
    const server = await gateway((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), method: req.method, path: req.url };
        res.writeHead(202).end('{"queued":true}');
      });
    });
    try {
      await new WebhookTransport({ url: server.url, token: 'gw-token', timeoutMs: 2_000 }).send(message);
      expect(received).toMatchObject({ method: 'POST', path: '/sms' });
      expect(JSON.parse(received!.body)).toEqual(message);
      expect(received!.headers).toMatchObject({ 'content-type': 'application/json', 'idempotency-key': 'offer:1:made', authorization: 'Bearer gw-token' });
    } finally {
      await server.close();
    }
  });

  it('throws on a non-2xx reply, naming the status', async () => {
    const server = await gateway((_req, res) => res.writeHead(500).end('upstream exploded'));
    try {
      await expect(new WebhookTransport({ url: server.url, timeoutMs: 2_000 }).send(message)).rejects.toThrow('SMS webhook answered HTTP 500: upstream exploded');
    } finally {
      await server.close();
    }
  });

  it('times out on a gateway that never answers', async () => {
    const server = await gateway(() => {});
    try {
      const started = Date.now();
      await expect(new WebhookTransport({ url: server.url, timeoutMs: 200 }).send(message)).rejects.toThrow('SMS webhook timed out after 200 ms');
      expect(Date.now() - started).toBeLessThan(1_500);
    } finally {
      await server.close();
    }
  });

  it('throws when nothing listens, naming the network error', async () => {
    const server = await gateway(() => {});
    await server.close();
    await expect(new WebhookTransport({ url: server.url, timeoutMs: 2_000 }).send(message)).rejects.toThrow(/SMS webhook request failed: .*ECONNREFUSED/);
  });
});
