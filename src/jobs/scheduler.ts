import type { EntityManager } from '@mikro-orm/postgresql';
import { LockKey, tryAdvisoryLock } from '../services/locks.js';
import type { Clock } from '../clock.js';
import { VoucherType } from '../domain/enums.js';
import type { Orm } from '../db/orm.js';
import { City } from '../entities/index.js';
import type { Logger } from '../logger.js';
import { pruneEventsQuery } from '../services/domain-event.queries.js';
import { createServices, type Services } from '../services/index.js';
import type { DueOffer } from '../services/offer.queries.js';
import type { JobScope } from '../services/offer.service.js';
import { PeriodicTask } from './periodic-task.js';
import { isolated, type JobFailure } from './isolated.js';

/**
 * The services of one job item (or one read between items): the factory requests use, on the
 * item's EntityManager, reading the time of the tick. Jobs change aggregates only through them.
 */
const servicesAt = (em: EntityManager, now: Date): Services => createServices(em, null, null, () => now);

/** Largest automatic release per queue per tick; the next tick takes the rest. */
const AUTO_ISSUE_BATCH = 500;

export interface JobResults {
  expired: number;
  reminded: number;
  autoIssued: number;
  unconfirmed: number;
  /** Queue blocks closed (or queues renumbered) so positions stay fast. */
  blocksClosed: number;
  /** Domain events past their retention, deleted. */
  eventsPruned: number;
  /**
   * Items that failed this pass (each is retried on the next). Every job works item by item (an
   * offer, a queue, a city), each in its own transaction, so a failing item never holds up the rest.
   */
  failures: JobFailure[];
}

/**
 * Domain events only carry changes to the other instances (which read them within seconds, or on
 * reconnect) and feed `recentQueueChanges`; the queue's history is the audit log. A month covers
 * any outage an instance could catch up from.
 */
export const EVENT_RETENTION_DAYS = 30;

/**
 * Time-driven work: offers lapse at their deadline, reminders go out before it, queues whose rules
 * say so are offered vouchers whenever the quota has room, and sessions nobody confirmed within
 * the window become UNCONFIRMED, queue blocks are kept near their size, and old domain events are
 * pruned. Every job works item by item — an offer, a queue, a city — each in its own transaction,
 * so one item that cannot be processed is logged and reported and the rest go on (once, a single
 * bad offer stopped expiry in every city). With several API instances each item is done once: offers
 * are taken with SKIP LOCKED, queue and city work under a transaction-level advisory lock. Each job
 * works from "everything due by now", so a restart after downtime catches up.
 */
export class Scheduler extends PeriodicTask {
  constructor(orm: Orm, log: Logger, intervalMs: number, clock: Clock) {
    super('scheduled jobs', intervalMs, log, async (now) => {
      const { failures } = await runJobs(orm, now);
      for (const failure of failures) log.error(failure, `scheduled job ${failure.job} failed on ${failure.item}; the rest went on`);
    }, clock);
  }
}

/**
 * One pass of every job. Exposed for tests, which drive time explicitly and may limit the city jobs
 * to some cities (an empty list: none of them, only the global jobs).
 */
export async function runJobs(orm: Orm, now: Date, scope: JobScope = {}, options: { eventRetentionDays?: number } = {}): Promise<JobResults> {
  const failures: JobFailure[] = [];
  const results: JobResults = { expired: 0, reminded: 0, autoIssued: 0, unconfirmed: 0, blocksClosed: 0, eventsPruned: 0, failures };
  if (!scope.cityCodes || scope.cityCodes.length > 0) {
    // Offers are taken row by row with SKIP LOCKED, so instances share these without a job lock.
    results.expired = await expireOffers(orm.em.fork(), now, scope, failures);
    results.reminded = await remindOffers(orm.em.fork(), now, scope, failures);
    const cities = await orm.em.fork().find(City, scope.cityCodes ? { code: { $in: scope.cityCodes } } : {}, { orderBy: { code: 'asc' } });
    results.autoIssued = await autoIssue(orm, cities, now, failures);
    results.unconfirmed = await lapseUnconfirmedByCity(orm, cities, now, failures);
    results.blocksClosed = await maintainBlocks(orm, cities, now, failures);
  }
  results.eventsPruned = (await isolated(failures, 'prune-events', 'domain events', () => exclusively(orm, 'prune-events', (em) => pruneEvents(em, options.eventRetentionDays ?? EVENT_RETENTION_DAYS)))) ?? 0;
  return results;
}

/**
 * Deletes events older than the retention, a bounded batch per tick (the occurred_at index finds
 * them). By the database's clock, not the jobs' `now`: a test driving time forward must never
 * delete events other instances have yet to read.
 */
async function pruneEvents(em: EntityManager, days: number): Promise<number> {
  return (await pruneEventsQuery.first(em, { days }))?.n ?? 0;
}

/**
 * Expires every pending offer past its deadline (all of them, so downtime is caught up), each in
 * its own transaction: an offer that cannot be expired is reported in `failures` and the others
 * still expire. Several instances may run this at once (OfferService.expireIfDue takes each offer
 * with SKIP LOCKED and re-checks it). `em` is forked for every page and every offer.
 */
export async function expireOffers(em: EntityManager, now: Date, scope: JobScope = {}, failures: JobFailure[] = [], page = 500): Promise<number> {
  let expired = 0;
  let after: DueOffer | null = null;
  for (;;) {
    const due = await servicesAt(em.fork(), now).offers.dueForExpiry(scope, after, page);
    for (const { id } of due) {
      const done = await isolated(failures, 'expire-offers', `Offer ${id}`, () => em.fork().transactional((tx) => servicesAt(tx, now).offers.expireIfDue(id)));
      if (done) expired++;
    }
    if (due.length < page) return expired;
    after = due[due.length - 1]!;
  }
}

/**
 * Writes the "about to lapse" SMS for pending offers inside their city's reminder window, once
 * each, each offer in its own transaction (a failing one is reported, the rest are reminded).
 */
async function remindOffers(em: EntityManager, now: Date, scope: JobScope, failures: JobFailure[], batch = 500): Promise<number> {
  const candidates = await servicesAt(em.fork(), now).offers.dueForReminder(scope, batch);
  let reminded = 0;
  for (const { id } of candidates) {
    const done = await isolated(failures, 'remind-offers', `Offer ${id}`, () => em.fork().transactional((tx) => servicesAt(tx, now).offers.remindIfDue(id)));
    if (done) reminded++;
  }
  return reminded;
}

/** Each queue in its own short transaction: the block lock it takes holds up that queue's writers. */
async function maintainBlocks(orm: Orm, cities: City[], now: Date, failures: JobFailure[]): Promise<number> {
  let closed = 0;
  for (const city of cities) {
    for (const type of Object.values(VoucherType)) {
      const result = await isolated(failures, 'queue-blocks', `Queue ${city.code} ${type}`, () =>
        exclusively(orm, `queue-blocks:${city.id}:${type}`, (em) => servicesAt(em, now).queue.maintainBlocks(city.id, type)),
      );
      closed += result?.closed ?? 0;
    }
  }
  return closed;
}

/** Sessions past their city's confirmation window, one city per transaction (one statement each). */
async function lapseUnconfirmedByCity(orm: Orm, cities: City[], now: Date, failures: JobFailure[]): Promise<number> {
  let lapsed = 0;
  for (const city of cities) {
    lapsed += (await isolated(failures, 'lapse-unconfirmed', `City ${city.code}`, () =>
      exclusively(orm, `lapse-unconfirmed:${city.id}`, (em) => createServices(em, null, null, () => now).attendance.lapseUnconfirmed(em, [city.code])),
    )) ?? 0;
  }
  return lapsed;
}

/** Runs `job` unless another instance holds its lock right now (then it is that instance's turn). */
async function exclusively<T>(orm: Orm, key: string, job: (em: EntityManager) => Promise<T>): Promise<T | undefined> {
  const em = orm.em.fork();
  return em.transactional(async (tx) => {
    if (!(await tryAdvisoryLock(tx, LockKey.job(key)))) return undefined;
    return job(tx);
  });
}

/**
 * Offers vouchers in every queue whose city issues automatically, as far as quota and queue allow:
 * queue by queue, each in its own transaction under that queue's lock (IssuingService.autoIssue
 * takes it, then reads quota and head), so every queue is issued from what is committed when its
 * turn comes, its offers are visible as soon as it is done, and a failing queue is reported while
 * the others go on.
 */
async function autoIssue(orm: Orm, cities: City[], now: Date, failures: JobFailure[]): Promise<number> {
  let issued = 0;
  for (const city of cities) {
    const rules = await isolated(failures, 'auto-issue', `City ${city.code}`, () => servicesAt(orm.em.fork(), now).rules.inForce(city.id));
    for (const type of rules?.autoIssueTypes ?? []) {
      const offers = await isolated(failures, 'auto-issue', `Queue ${city.code} ${type}`, () =>
        orm.em.fork().transactional((em) => servicesAt(em, now).issuing.autoIssue(city, type, AUTO_ISSUE_BATCH)),
      );
      issued += offers?.length ?? 0;
    }
  }
  return issued;
}
