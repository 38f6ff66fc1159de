import type { Orm } from '../db/orm.js';
import { systemClock } from '../clock.js';
import { ApplicationStatus, OfferStatus, VoucherType } from '../domain/enums.js';
import { Offer } from '../entities/index.js';
import type { Logger } from '../logger.js';
import { QueueService, type QueueStatsRow } from '../services/queue.service.js';
import { CityService } from '../services/city.service.js';
import { type PositionRow, positionsInQueue, positionsInQueueStatement } from '../services/queue-blocks.js';
import type { EventBus, StoredEvent } from './event-bus.js';
import { EventKind } from './publish.js';
import { pushIterator } from './push-iterator.js';
import { publicChanges, type QueueChangeRow } from './queue-changes.js';

/** Why a position moved, as the parent's screen explains it. */
export enum PositionChangeReason {
  CURRENT = 'CURRENT',
  SOMEONE_AHEAD_OFFERED = 'SOMEONE_AHEAD_OFFERED',
  SOMEONE_AHEAD_LEFT = 'SOMEONE_AHEAD_LEFT',
  SOMEONE_JOINED_AHEAD = 'SOMEONE_JOINED_AHEAD',
  RULES_CHANGED = 'RULES_CHANGED',
  STATUS_CHANGED = 'STATUS_CHANGED',
  PRIORITY_VERIFIED = 'PRIORITY_VERIFIED',
}

export interface PositionUpdate {
  applicationId: string;
  position: number | null;
  status: ApplicationStatus;
  reason: PositionChangeReason;
  at: Date;
}

interface PositionWatcher {
  applicationId: string;
  last: { position: number | null; status: ApplicationStatus };
  push(update: PositionUpdate): void;
}

const REASON_OF: Record<EventKind, PositionChangeReason> = {
  [EventKind.OFFERED]: PositionChangeReason.SOMEONE_AHEAD_OFFERED,
  [EventKind.QUEUE_LEFT]: PositionChangeReason.SOMEONE_AHEAD_LEFT,
  [EventKind.OFFER_CLOSED]: PositionChangeReason.SOMEONE_AHEAD_LEFT,
  [EventKind.QUEUE_JOINED]: PositionChangeReason.SOMEONE_JOINED_AHEAD,
  [EventKind.RULES_CHANGED]: PositionChangeReason.RULES_CHANGED,
  [EventKind.PRIORITY_VERIFIED]: PositionChangeReason.PRIORITY_VERIFIED,
};

const REASON_WEIGHT = [EventKind.RULES_CHANGED, EventKind.PRIORITY_VERIFIED, EventKind.OFFERED, EventKind.QUEUE_LEFT, EventKind.OFFER_CLOSED, EventKind.QUEUE_JOINED];
/** Of two changes folded into one update, the one that explains it. */
const weightier = (a: EventKind, b: EventKind): EventKind => (REASON_WEIGHT.indexOf(b) < REASON_WEIGHT.indexOf(a) ? b : a);

/** Changes within this window are folded into one recomputation per queue. */
const COALESCE_MS = 25;
/** Position updates pushed per turn of the event loop (see pushChangedPositions). */
const PUSH_SLICE = 500;
/** Dashboards get at most this many snapshots per second per queue. */
const METRICS_INTERVAL_MS = 250;

/** First and longest wait before work that failed (the database was away) is tried again. */
const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 5000;

/** Resolves after the event loop has polled I/O once: pending socket writes and other requests go first. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

const queueKey = (cityId: string, voucherType: string) => `${cityId}:${voucherType}`;

/**
 * This instance's live subscribers, fed from the event bus. Positions are recomputed per queue in
 * one SQL statement for all of this instance's subscribers of that queue, and pushed only where
 * they changed; metrics are coalesced; offers go only to the family they were made to.
 */
export class RealtimeHub {
  private readonly positionWatchers = new Map<string, Set<PositionWatcher>>();
  private readonly offerWatchers = new Map<string, Set<(offer: Offer) => void>>();
  private readonly metricsWatchers = new Map<string, Set<(row: QueueStatsRow) => void>>();
  private readonly changeWatchers = new Set<{ cityCode: string | null; voucherType: VoucherType | null; push(row: QueueChangeRow): void }>();
  private readonly dirtyQueues = new Map<string, EventKind>();
  private readonly dirtyMetrics = new Set<string>();
  /** Per queue: events heard so far and the last one's kind (see watchPosition). */
  private readonly heard = new Map<string, { count: number; kind: EventKind }>();
  private positionTimer: NodeJS.Timeout | undefined;
  private metricsTimer: NodeJS.Timeout | undefined;
  private readonly unsubscribe: () => void;
  /**
   * Work that failed, usually because the database was away: the changes it was to show are
   * committed and already read off the bus, so no later event is sure to bring them. Retried with
   * backoff, and at once when the bus reconnects.
   */
  private readonly failedQueues = new Map<string, EventKind>();
  private readonly failedMetrics = new Set<string>();
  private readonly failedOffers = new Set<string>();
  private retryTimer: NodeJS.Timeout | undefined;
  private retryDelay = RETRY_MIN_MS;
  private stopped = false;
  /** City id → code; cities are reference data that change only with a migration. */
  private cityCodes: Map<string, string> | undefined;

  constructor(
    private readonly orm: Orm,
    private readonly bus: EventBus,
    private readonly log: Logger,
  ) {
    const offEvents = bus.onEvents((events) => this.onEvents(events));
    const offConnected = bus.onConnected(() => this.retryFailed());
    this.unsubscribe = () => {
      offEvents();
      offConnected();
    };
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe();
    clearTimeout(this.positionTimer);
    clearTimeout(this.metricsTimer);
    clearTimeout(this.retryTimer);
  }

  /** Keeps failed work for a retry (see failedQueues); the first failure of a run is logged as an error. */
  private failed(err: unknown, what: string, context: Record<string, unknown>): void {
    const first = !this.retryTimer && this.retryDelay === RETRY_MIN_MS;
    if (first) this.log.error({ err, ...context }, `${what} failed; retrying`);
    else this.log.debug({ err, ...context }, `${what} failed again`);
    if (this.stopped || this.retryTimer) return;
    const delay = this.retryDelay;
    this.retryDelay = Math.min(this.retryDelay * 2, RETRY_MAX_MS);
    this.retryTimer = setTimeout(() => this.retryFailed(), delay);
    this.retryTimer.unref();
  }

  /** Puts failed work back in line: the usual flushes run it (serially, as always). */
  private retryFailed(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    if (this.stopped) return;
    const queues = [...this.failedQueues];
    const metrics = [...this.failedMetrics];
    const offers = [...this.failedOffers];
    this.failedQueues.clear();
    this.failedMetrics.clear();
    this.failedOffers.clear();
    for (const [key, kind] of queues) this.markDirty(key, kind);
    if (metrics.length > 0) {
      metrics.forEach((key) => this.dirtyMetrics.add(key));
      this.metricsTimer ??= setTimeout(() => this.serially('metrics', () => this.flushMetrics()), METRICS_INTERVAL_MS);
    }
    if (offers.length > 0) void this.deliverOffers(offers);
  }

  /** A flush that failed nothing: the next failure starts from the shortest wait again. */
  private succeeded(): void {
    if (!this.retryTimer && this.failedQueues.size === 0 && this.failedMetrics.size === 0 && this.failedOffers.size === 0) this.retryDelay = RETRY_MIN_MS;
  }

  /** A parent's application: its current position at once, then every change. */
  async watchPosition(application: { id: string; cityId: string; voucherType: string }): Promise<AsyncIterableIterator<PositionUpdate>> {
    const key = queueKey(application.cityId, application.voucherType);
    const watchers = this.positionWatchers.get(key) ?? new Set();
    this.positionWatchers.set(key, watchers);
    const { push, iterator } = pushIterator<PositionUpdate>(() => watchers.delete(watcher));
    const heardBefore = this.heard.get(key)?.count ?? 0;
    const [current] = await this.positionsOf([application.id], { cityId: application.cityId, voucherType: application.voucherType });
    const watcher: PositionWatcher = { applicationId: application.id, last: { position: current?.position ?? null, status: current?.status ?? ApplicationStatus.QUEUED }, push };
    watchers.add(watcher);
    push({ applicationId: application.id, ...watcher.last, reason: PositionChangeReason.CURRENT, at: new Date() });
    // A change heard while we read may already have been flushed without this watcher: recompute once.
    const heard = this.heard.get(key);
    if (heard && heard.count !== heardBefore) this.markDirty(key, heard.kind);
    return iterator;
  }

  /** New offers made to a parent (by IIN). */
  watchOffers(parentIin: string): AsyncIterableIterator<Offer> {
    const watchers = this.offerWatchers.get(parentIin) ?? new Set();
    this.offerWatchers.set(parentIin, watchers);
    const { push, iterator } = pushIterator<Offer>(() => watchers.delete(push));
    watchers.add(push);
    return iterator;
  }

  /** Queue metrics for a dashboard: one snapshot at once, then at most a few per second. */
  async watchMetrics(cityCode: string | null, voucherType: VoucherType | null): Promise<AsyncIterableIterator<QueueStatsRow>> {
    const em = this.orm.em.fork();
    const rows = await new QueueService(em, new CityService(em), systemClock).stats(cityCode, voucherType);
    const keys = rows.map((r) => `${r.cityCode}:${r.voucherType}`);
    const { push, iterator } = pushIterator<QueueStatsRow>(() => keys.forEach((k) => this.metricsWatchers.get(k)?.delete(push)));
    for (const k of keys) {
      const set = this.metricsWatchers.get(k) ?? new Set();
      set.add(push);
      this.metricsWatchers.set(k, set);
    }
    rows.forEach(push);
    return iterator;
  }

  /**
   * Anonymised queue changes for a dashboard, straight from the events: no statement per change.
   * (City codes are loaded once, before the first change can be pushed.)
   */
  async watchChanges(cityCode: string | null, voucherType: VoucherType | null): Promise<AsyncIterableIterator<QueueChangeRow>> {
    await this.loadCityCodes();
    const { push, iterator } = pushIterator<QueueChangeRow>(() => this.changeWatchers.delete(watcher));
    const watcher = { cityCode, voucherType, push };
    this.changeWatchers.add(watcher);
    return iterator;
  }

  private async loadCityCodes(): Promise<Map<string, string>> {
    this.cityCodes ??= new Map((await new CityService(this.orm.em.fork()).list()).map((c) => [c.id, c.code]));
    return this.cityCodes;
  }

  private onEvents(events: StoredEvent[]): void {
    if (this.changeWatchers.size > 0 && this.cityCodes) {
      for (const event of events) {
        const code = this.cityCodes.get(event.cityId);
        if (!code) continue;
        for (const change of publicChanges(event, code)) {
          for (const w of this.changeWatchers) {
            if ((w.cityCode === null || w.cityCode === code) && (w.voucherType === null || w.voucherType === change.voucherType)) w.push(change);
          }
        }
      }
    }
    for (const event of events) {
      const types = event.voucherType ? [event.voucherType] : Object.values(VoucherType);
      for (const type of types) {
        const key = queueKey(event.cityId, type);
        this.heard.set(key, { count: (this.heard.get(key)?.count ?? 0) + 1, kind: event.kind });
        this.markDirty(key, event.kind);
        this.dirtyMetrics.add(key);
      }
      if (event.kind === EventKind.OFFERED && event.payload.offerIds?.length) void this.deliverOffers(event.payload.offerIds);
    }
    this.metricsTimer ??= setTimeout(() => this.serially('metrics', () => this.flushMetrics()), METRICS_INTERVAL_MS);
  }

  /** Queues a recomputation of `key`'s positions; several changes folded into one are explained by the weightiest. */
  private markDirty(key: string, kind: EventKind): void {
    const previous = this.dirtyQueues.get(key);
    this.dirtyQueues.set(key, previous ? weightier(previous, kind) : kind);
    this.positionTimer ??= setTimeout(() => this.serially('positions', () => this.flushPositions()), COALESCE_MS);
  }

  private readonly running = new Map<string, Promise<void>>();

  /**
   * One flush of each kind at a time: a slow recomputation that finished after a newer one would
   * otherwise push an older position over a newer one.
   */
  private serially(kind: string, flush: () => Promise<void>): void {
    const previous = this.running.get(kind) ?? Promise.resolve();
    const next = previous.then(flush, flush);
    this.running.set(kind, next);
    void next.finally(() => {
      if (this.running.get(kind) === next) this.running.delete(kind);
    });
  }

  private async flushPositions(): Promise<void> {
    this.positionTimer = undefined;
    const dirty = [...this.dirtyQueues];
    this.dirtyQueues.clear();
    let failed = false;
    for (const [key, kind] of dirty) {
      const watchers = [...(this.positionWatchers.get(key) ?? [])];
      if (watchers.length === 0) continue;
      try {
        const [cityId, voucherType] = key.split(':') as [string, string];
        const { rows, unseen } = await this.positionsSeen([...new Set(watchers.map((w) => w.applicationId))], { cityId, voucherType });
        // Changes already committed but not yet read off the bus moved these positions too.
        const reason = unseen.reduce(weightier, kind);
        // Inside this flush's promise: the next flush (serialised behind it) cannot overtake the push.
        await this.pushChangedPositions(watchers, new Map(rows.map((r) => [r.id, r])), reason, new Date());
      } catch (err) {
        // Without a retry these subscribers would show the old position until the queue next changes.
        const previous = this.failedQueues.get(key);
        this.failedQueues.set(key, previous ? weightier(previous, kind) : kind);
        this.failed(err, 'recomputing queue positions', { queue: key });
        failed = true;
      }
    }
    if (!failed) this.succeeded();
  }

  /**
   * Pushes each watcher's position where it changed, PUSH_SLICE updates per turn of the event loop:
   * each push sets off the subscription's execution, serialisation and socket write, so pushing a
   * large queue's thousands at once would hold the loop for hundreds of ms and write nothing until
   * the end. Between slices the loop writes the sockets and serves other requests.
   */
  private async pushChangedPositions(
    watchers: readonly PositionWatcher[],
    now: ReadonlyMap<string, { status: ApplicationStatus; position: number | null }>,
    kind: EventKind,
    computedAt: Date,
  ): Promise<void> {
    let pushed = 0;
    for (const watcher of watchers) {
      const current = now.get(watcher.applicationId);
      if (!current || (current.position === watcher.last.position && current.status === watcher.last.status)) continue;
      if (pushed > 0 && pushed % PUSH_SLICE === 0) await nextTurn();
      const reason = current.status !== watcher.last.status ? PositionChangeReason.STATUS_CHANGED : REASON_OF[kind];
      watcher.last = { position: current.position, status: current.status };
      watcher.push({ applicationId: watcher.applicationId, position: current.position, status: current.status, reason, at: new Date(computedAt) });
      pushed++;
    }
  }

  private async flushMetrics(): Promise<void> {
    this.metricsTimer = undefined;
    const dirty = [...this.dirtyMetrics];
    this.dirtyMetrics.clear();
    // No dashboard watching here: nothing to compute, no statement to run.
    if (![...this.metricsWatchers.values()].some((set) => set.size > 0)) return;
    const em = this.orm.em.fork();
    const queue = new QueueService(em, new CityService(em), systemClock);
    try {
      await this.loadCityCodes();
    } catch (err) {
      dirty.forEach((key) => this.failedMetrics.add(key));
      return this.failed(err, 'computing queue metrics', {});
    }
    let failed = false;
    for (const key of dirty) {
      const [cityId, type] = key.split(':') as [string, VoucherType];
      const code = this.cityCodes!.get(cityId);
      const watchers = code ? this.metricsWatchers.get(`${code}:${type}`) : undefined;
      if (!code || !watchers?.size) continue;
      try {
        const [row] = await queue.stats(code, type);
        if (row) watchers.forEach((push) => push(row));
      } catch (err) {
        this.failedMetrics.add(key);
        this.failed(err, 'computing queue metrics', { queue: key });
        failed = true;
      }
    }
    if (!failed) this.succeeded();
  }

  /** Offers go only to the parent they were made to: the offer is loaded with its applicant's IIN. */
  private async deliverOffers(offerIds: string[]): Promise<void> {
    if (this.offerWatchers.size === 0) return;
    try {
      const em = this.orm.em.fork();
      const offers = await em.find(Offer, { id: { $in: offerIds }, status: OfferStatus.PENDING }, { populate: ['application.applicant'] });
      for (const offer of offers) {
        const iin = offer.application.getEntity().applicant.getEntity().iin;
        this.offerWatchers.get(iin)?.forEach((push) => push(offer));
      }
      this.succeeded();
    } catch (err) {
      offerIds.forEach((id) => this.failedOffers.add(id));
      this.failed(err, 'delivering offers', { offerIds });
    }
  }

  /** Status and (when waiting) position of applications, in one statement. */
  private positionsOf(ids: string[], queue: { cityId: string; voucherType: string }): Promise<PositionRow[]> {
    return positionsInQueue(this.orm.em.fork(), queue, ids);
  }

  /**
   * Positions, plus the kinds of this queue's events that the same snapshot already shows but the
   * bus has not delivered yet, in one statement. Without them, a position moved by a withdrawal that
   * committed just before the query would be explained by whatever event triggered the flush (say,
   * someone joining behind), and the withdrawal's own event would then find nothing left to report.
   */
  private async positionsSeen(ids: string[], queue: { cityId: string; voucherType: string }): Promise<{ rows: PositionRow[]; unseen: EventKind[] }> {
    const [sql, params] = positionsInQueueStatement(queue, ids);
    const rows = await this.orm.em.fork().getConnection().execute<(PositionRow & { unseen: EventKind[] | null })[]>(
      `with p as (${sql})
       select p.*, (select array_agg(distinct e.kind) from domain_event e
                     where e.id > ? and e.city_id = ? and (e.voucher_type = ? or e.voucher_type is null)) as unseen
         from p`,
      [...params, this.bus.lastReadId.toString(), queue.cityId, queue.voucherType],
    );
    return { rows, unseen: rows[0]?.unseen ?? [] };
  }
}
