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

/** Largest automatic release per queue per tick; the next tick takes the rest. */
const AUTO_ISSUE_BATCH = 500;

export interface JobResults {
  expired: number;
  reminded: number;
  autoIssued: number;
  unconfirmed: number;
  /** Queue blocks closed (or queues renumbered) so positions stay fast. */
  blocksClosed: number;
}

/**
 * Time-driven work: offers lapse at their deadline, reminders go out before it, queues whose rules
 * say so are offered vouchers whenever the quota has room, and sessions nobody confirmed within
 * the window become UNCONFIRMED, and queue blocks are kept near their size. Every job runs under a
 * transaction-level advisory lock, so with several API instances each tick runs it once; and each
 * job works from "everything due by now", so a restart after downtime catches up.
 */
export class Scheduler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = false;

  constructor(
    private readonly orm: Orm,
    private readonly log: Logger,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    this.stopped = false;
    const tick = async () => {
      this.running = runJobs(this.orm, new Date()).catch((err) => this.log.error({ err }, 'scheduled jobs failed'));
      await this.running;
      if (!this.stopped) this.timer = setTimeout(tick, this.intervalMs).unref();
    };
    this.timer = setTimeout(tick, 0).unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }
}

/** One pass of every job. Exposed for tests, which drive time explicitly (and may limit it to a city). */
export async function runJobs(orm: Orm, now: Date, scope: JobScope = {}): Promise<JobResults> {
  const expired = await exclusively(orm, 'job:expire-offers', (em) => expireDueOffers(em, now, scope));
  const reminded = await exclusively(orm, 'job:remind-offers', (em) => remindDueOffers(em, now, scope));
  const autoIssued = await exclusively(orm, 'job:auto-issue', (em) => autoIssue(em, now, scope));
  const unconfirmed = await exclusively(orm, 'job:lapse-unconfirmed', (em) => lapseUnconfirmed(em, scope.cityCodes));
  const blocksClosed = await maintainBlocks(orm, scope);
  return { expired: expired ?? 0, reminded: reminded ?? 0, autoIssued: autoIssued ?? 0, unconfirmed: unconfirmed ?? 0, blocksClosed };
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
