import type { EntityManager } from '@mikro-orm/postgresql';
import { ApplicationStatus, VoucherType } from '../domain/enums.js';
import type { Orm } from '../db/orm.js';
import { City, Quota } from '../entities/index.js';
import type { Logger } from '../logger.js';
import { lapseUnconfirmed } from '../services/attendance.service.js';
import { SYSTEM_ACTOR } from '../services/audit.service.js';
import { currentPeriod, issueInQueue } from '../services/issuing.service.js';
import { expireDueOffers, type JobScope, remindDueOffers } from '../services/offer.service.js';
import { maintainQueueBlocks } from '../services/queue-blocks.js';
import { currentRules } from '../services/rules.service.js';
import { PeriodicTask } from './periodic-task.js';

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
 * pruned. Every job runs under a
 * transaction-level advisory lock, so with several API instances each tick runs it once; and each
 * job works from "everything due by now", so a restart after downtime catches up.
 */
export class Scheduler extends PeriodicTask {
  constructor(orm: Orm, log: Logger, intervalMs: number) {
    super('scheduled jobs', intervalMs, log, (now) => runJobs(orm, now));
  }
}

/**
 * One pass of every job. Exposed for tests, which drive time explicitly and may limit the city jobs
 * to some cities (an empty list: none of them, only the global jobs).
 */
export async function runJobs(orm: Orm, now: Date, scope: JobScope = {}): Promise<JobResults> {
  const results: JobResults = { expired: 0, reminded: 0, autoIssued: 0, unconfirmed: 0, blocksClosed: 0, eventsPruned: 0 };
  if (!scope.cityCodes || scope.cityCodes.length > 0) {
    results.expired = (await exclusively(orm, 'job:expire-offers', (em) => expireDueOffers(em, now, scope))) ?? 0;
    results.reminded = (await exclusively(orm, 'job:remind-offers', (em) => remindDueOffers(em, now, scope))) ?? 0;
    results.autoIssued = (await exclusively(orm, 'job:auto-issue', (em) => autoIssue(em, now, scope))) ?? 0;
    results.unconfirmed = (await exclusively(orm, 'job:lapse-unconfirmed', (em) => lapseUnconfirmed(em, scope.cityCodes))) ?? 0;
    results.blocksClosed = await maintainBlocks(orm, scope);
  }
  results.eventsPruned = (await exclusively(orm, 'job:prune-events', (em) => pruneEvents(em))) ?? 0;
  return results;
}

/**
 * Deletes events older than the retention, a bounded batch per tick (the occurred_at index finds
 * them). By the database's clock, not the jobs' `now`: a test driving time forward must never
 * delete events other instances have yet to read.
 */
async function pruneEvents(em: EntityManager): Promise<number> {
  const [row] = await em.execute<{ n: number }[]>(
    `with gone as (delete from domain_event where id in (
        select id from domain_event where occurred_at < now() - make_interval(days => ?) order by occurred_at limit 10000) returning 1)
     select count(*)::int as n from gone`,
    [EVENT_RETENTION_DAYS],
  );
  return row?.n ?? 0;
}

/** Each queue in its own short transaction: the block lock it takes holds up that queue's writers. */
async function maintainBlocks(orm: Orm, scope: JobScope): Promise<number> {
  let closed = 0;
  const cities = await orm.em.fork().find(City, scope.cityCodes ? { code: { $in: scope.cityCodes } } : {});
  for (const city of cities) {
    for (const type of Object.values(VoucherType)) {
      const result = await exclusively(orm, `job:queue-blocks:${city.id}:${type}`, (em) => maintainQueueBlocks(em, city.id, type));
      closed += result?.closed ?? 0;
    }
  }
  return closed;
}

/** Runs `job` unless another instance holds its lock right now (then it is that instance's turn). */
async function exclusively<T>(orm: Orm, key: string, job: (em: EntityManager) => Promise<T>): Promise<T | undefined> {
  const em = orm.em.fork();
  return em.transactional(async (tx) => {
    const [row] = await tx.execute<{ locked: boolean }[]>('select pg_try_advisory_xact_lock(hashtextextended(?, 0)) as locked', [key]);
    if (!row?.locked) return undefined;
    return job(tx);
  });
}

/** Offers vouchers in every queue whose city issues automatically, as far as quota and queue allow. */
async function autoIssue(em: EntityManager, now: Date, scope: JobScope): Promise<number> {
  let issued = 0;
  for (const city of await em.find(City, scope.cityCodes ? { code: { $in: scope.cityCodes } } : {})) {
    const rules = await currentRules(em, city.id);
    for (const type of rules.autoIssueTypes) {
      const quota = await em.findOne(Quota, { city: city.id, voucherType: type, period: currentPeriod(city, now) });
      if (!quota || quota.used >= quota.count) continue;
      const [waiting] = await em.execute<{ n: number }[]>(
        'select count(*)::int as n from (select 1 from application where city_id = ? and voucher_type = ? and status = ? limit 1) w',
        [city.id, type, ApplicationStatus.QUEUED],
      );
      if (!waiting?.n) continue;
      const offers = await issueInQueue(em, city, type, Math.min(AUTO_ISSUE_BATCH, quota.count - quota.used), quota.period, SYSTEM_ACTOR);
      issued += offers.length;
    }
  }
  return issued;
}
