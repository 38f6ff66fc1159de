import { ApplicationStatus, type VoucherType } from '../domain/enums.js';
import type { Offer } from '../entities/index.js';
import type { Logger } from '../logger.js';
import type { CityDirectory, FeedService } from '../services/feed.service.js';
import type { Services } from '../services/index.js';
import type { QueueStatsRow } from '../services/queue.service.js';
import type { EventBus, StoredEvent } from './event-bus.js';
import { EventKind } from './publish.js';
import { pushIterator } from './push-iterator.js';
import { publicChanges, type QueueChangeRow } from './queue-changes.js';
import { type QueueKey, queueKey, queueOf, queuesOf } from './queue-key.js';

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

/**
 * The services of one unit of work (a subscription's start, one flush, one delivery of offers):
 * made by createServices on a fresh EntityManager fork, exactly as a request's are.
 */
export type UnitOfWork = () => Services;

/**
 * This instance's live subscribers, fed from the event bus. Positions are recomputed per queue in
 * one SQL statement for all of this instance's subscribers of that queue, and pushed only where
 * they changed; metrics are coalesced; offers go only to the family they were made to.
 */
export class RealtimeHub {
  private readonly positionWatchers = new Map<QueueKey, Set<PositionWatcher>>();
  private readonly offerWatchers = new Map<string, Set<(offer: Offer) => void>>();
  private readonly metricsWatchers = new Map<QueueKey, Set<(row: QueueStatsRow) => void>>();
  private readonly changeWatchers = new Set<{ cityCode: string | null; voucherType: VoucherType | null; push(row: QueueChangeRow): void }>();
  private readonly dirtyQueues = new Map<QueueKey, EventKind>();
  private readonly dirtyMetrics = new Set<QueueKey>();
  /** Per queue: events heard so far and the last one's kind (see watchPosition). */
  private readonly heard = new Map<QueueKey, { count: number; kind: EventKind }>();
  private positionTimer: NodeJS.Timeout | undefined;
  private metricsTimer: NodeJS.Timeout | undefined;
  private readonly unsubscribe: () => void;
  /**
   * Work that failed, usually because the database was away: the changes it was to show are
   * committed and already read off the bus, so no later event is sure to bring them. Retried with
   * backoff, and at once when the bus reconnects.
   */
  private readonly failedQueues = new Map<QueueKey, EventKind>();
  private readonly failedMetrics = new Set<QueueKey>();
  private readonly failedOffers = new Set<string>();
  private retryTimer: NodeJS.Timeout | undefined;
  private retryDelay = RETRY_MIN_MS;
  private stopped = false;
  /**
   * City id ↔ code. Cities are reference data that change only with a migration (tests add their
   * own), so the directory is read once, and again only when asked about a city it does not know.
   */
  private cities: CityDirectory | undefined;
  /** Queue changes waiting for the directory to learn a new city; later batches wait behind them. */
  private changesPending: Promise<void> | null = null;

  constructor(
    /** Every database read of the hub goes through these services, one unit of work at a time. */
    private readonly unitOfWork: UnitOfWork,
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
  async watchPosition(application: { id: string; queue: QueueKey }): Promise<AsyncIterableIterator<PositionUpdate>> {
    const key = application.queue;
    const watchers = this.positionWatchers.get(key) ?? new Set();
    this.positionWatchers.set(key, watchers);
    const { push, iterator } = pushIterator<PositionUpdate>(() => watchers.delete(watcher));
    const heardBefore = this.heard.get(key)?.count ?? 0;
    const [current] = await this.unitOfWork().feeds.positions(queueOf(key), [application.id]);
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
    const { feeds } = this.unitOfWork();
    await this.knownCities(feeds);
    const rows = await feeds.metrics(cityCode, voucherType);
    // Watchers are keyed by city id, like the events that make their queues dirty.
    const cities = await this.knownCities(feeds, (known) => rows.every((r) => known.idOf.has(r.cityCode)));
    const keys = rows.flatMap((r) => (cities.idOf.has(r.cityCode) ? [queueKey(cities.idOf.get(r.cityCode)!, r.voucherType)] : []));
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
    await this.knownCities(() => this.unitOfWork().feeds);
    const { push, iterator } = pushIterator<QueueChangeRow>(() => this.changeWatchers.delete(watcher));
    const watcher = { cityCode, voucherType, push };
    this.changeWatchers.add(watcher);
    return iterator;
  }

  /**
   * The city directory, read with `feeds` (a unit of work's, or a function making one only if
   * needed) when there is none yet or it does not `know` what is asked.
   */
  private async knownCities(feeds: FeedService | (() => FeedService), knows: (cities: CityDirectory) => boolean = () => true): Promise<CityDirectory> {
    if (!this.cities || !knows(this.cities)) this.cities = await (typeof feeds === 'function' ? feeds() : feeds).cityDirectory();
    return this.cities;
  }

  private onEvents(events: StoredEvent[]): void {
    if (this.changeWatchers.size > 0 && this.cities) this.publishChanges(events);
    for (const event of events) {
      for (const key of queuesOf(event)) {
        this.heard.set(key, { count: (this.heard.get(key)?.count ?? 0) + 1, kind: event.kind });
        this.markDirty(key, event.kind);
        this.dirtyMetrics.add(key);
      }
    }
    const offerIds = events.flatMap((event) => (event.kind === EventKind.OFFERED ? (event.payload.offerIds ?? []) : []));
    if (offerIds.length > 0) void this.deliverOffers(offerIds);
    this.metricsTimer ??= setTimeout(() => this.serially('metrics', () => this.flushMetrics()), METRICS_INTERVAL_MS);
  }

  /**
   * Pushes the batch's public changes at once when every city in it is known; an event of a city
   * the directory does not know yet waits for the directory to be read again, and so do the
   * batches after it (changes stay in order).
   */
  private publishChanges(events: StoredEvent[]): void {
    const known = this.cities!;
    if (!this.changesPending && events.every((event) => known.codeOf.has(event.cityId))) return this.pushChanges(events, known);
    const next = (this.changesPending ?? Promise.resolve()).then(async () => {
      const cities = await this.knownCities(() => this.unitOfWork().feeds, (d) => events.every((event) => d.codeOf.has(event.cityId))).catch((err: unknown) => {
        this.log.warn({ err }, 'reading the cities failed; changes of an unknown city are not shown');
        return this.cities!;
      });
      this.pushChanges(events, cities);
    });
    this.changesPending = next;
    void next.finally(() => {
      if (this.changesPending === next) this.changesPending = null;
    });
  }

  private pushChanges(events: StoredEvent[], cities: CityDirectory): void {
    for (const event of events) {
      const code = cities.codeOf.get(event.cityId);
      if (!code) continue;
      for (const change of publicChanges(event, code)) {
        for (const w of this.changeWatchers) {
          if ((w.cityCode === null || w.cityCode === code) && (w.voucherType === null || w.voucherType === change.voucherType)) w.push(change);
        }
      }
    }
  }

  /** Queues a recomputation of `key`'s positions; several changes folded into one are explained by the weightiest. */
  private markDirty(key: QueueKey, kind: EventKind): void {
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
    // One unit of work for the whole batch of queues, made only if some queue has watchers.
    let feeds: FeedService | undefined;
    for (const [key, kind] of dirty) {
      const watchers = [...(this.positionWatchers.get(key) ?? [])];
      if (watchers.length === 0) continue;
      try {
        feeds ??= this.unitOfWork().feeds;
        // Positions, plus the kinds of this queue's events that the same snapshot already shows but
        // the bus has not delivered yet. Without them, a position moved by a withdrawal that
        // committed just before the query would be explained by whatever event triggered the flush
        // (say, someone joining behind), and the withdrawal's own event would then find nothing left.
        const { rows, unseen } = await feeds.positionsSeen(queueOf(key), [...new Set(watchers.map((w) => w.applicationId))], this.bus.lastReadId);
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
    const { feeds } = this.unitOfWork();
    let cities: CityDirectory;
    try {
      cities = await this.knownCities(feeds, (known) => dirty.every((key) => !this.metricsWatchers.get(key)?.size || known.codeOf.has(queueOf(key).cityId)));
    } catch (err) {
      dirty.forEach((key) => this.failedMetrics.add(key));
      return this.failed(err, 'computing queue metrics', {});
    }
    let failed = false;
    for (const key of dirty) {
      const { cityId, voucherType } = queueOf(key);
      const code = cities.codeOf.get(cityId);
      const watchers = this.metricsWatchers.get(key);
      if (!code || !watchers?.size) continue;
      try {
        const [row] = await feeds.metrics(code, voucherType);
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
      for (const { offer, parentIin } of await this.unitOfWork().feeds.pendingOffers(offerIds)) this.offerWatchers.get(parentIin)?.forEach((push) => push(offer));
      this.succeeded();
    } catch (err) {
      offerIds.forEach((id) => this.failedOffers.add(id));
      this.failed(err, 'delivering offers', { offerIds });
    }
  }
}
