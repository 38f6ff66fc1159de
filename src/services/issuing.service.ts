import { type EntityManager, LockMode } from '@mikro-orm/postgresql';
import type { Clock } from '../clock.js';
import { currentPeriod } from '../domain/calendar.js';
import { ApplicationStatus, ClaimStatus, type VoucherType } from '../domain/enums.js';
import { HELD_VOUCHER_STATUSES } from '../domain/lifecycles.js';
import type { Viewer } from '../auth/viewer.js';
import { Application, type City, type Offer, Quota } from '../entities/index.js';
import { badInput, DomainError, ErrorCode } from '../errors.js';
import { requireCityAuthority } from './access.js';
import { type Actor, actorOf, recordAudit, SYSTEM_ACTOR } from './audit.service.js';
import { anyWaiting, offerableHead } from './application.queries.js';
import type { ApplicationService } from './application.service.js';
import { ensureQuota } from './counters.queries.js';
import type { OfferService } from './offer.service.js';
import type { VoucherService } from './voucher.service.js';
import type { CityService } from './city.service.js';
import { takeFromQuota } from './counters.js';
import { lockCityQueues, lockIssuing } from './locks.js';
import { currentRules } from './rules.service.js';
import { inTransaction } from './transaction.js';
import { EventKind, publishEvent } from '../realtime/publish.js';
import { requireIntInRange } from './validate.js';

export interface SetQuotaInput {
  city: string;
  voucherType: VoucherType;
  /** Programme year, "YYYY". */
  period: string;
  count: number;
}

export interface IssueVouchersInput {
  city: string;
  voucherType: VoucherType;
  count: number;
  /** Defaults to the current year in the city. */
  period?: string | null;
}

/** At most this many offers in one transaction; larger releases are several calls. */
export const MAX_ISSUE_BATCH = 5000;


/** Quotas and issuing vouchers to the head of a queue. Responsible for auth checks. */
export class IssuingService {
  constructor(
    private readonly em: EntityManager,
    private readonly cities: CityService,
    private readonly clock: Clock,
    private readonly applications: ApplicationService,
    private readonly offers: OfferService,
    private readonly vouchers: VoucherService,
  ) {}

  async setQuota(viewer: Viewer, input: SetQuotaInput): Promise<Quota> {
    requireCityAuthority(viewer, input.city.trim().toUpperCase());
    const city = await this.cities.byCode(input.city, 'input.city');
    if (!/^\d{4}$/.test(input.period)) throw badInput('input.period', 'period is a programme year, "YYYY".');
    const count = requireIntInRange(input.count, 'input.count', 0, 10_000_000);
    return this.em.transactional(async (em) => {
      await ensureQuota.all(em, { cityId: city.id, type: input.voucherType, period: input.period });
      const quota = await em.findOneOrFail(Quota, { city: city.id, voucherType: input.voucherType, period: input.period }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (count < quota.used) throw badInput('input.count', `${quota.used} vouchers are already reserved or issued from this quota; count cannot go below that.`);
      const before = { count: quota.count, used: quota.used };
      quota.count = count;
      recordAudit(em, actorOf(viewer), { action: 'QUOTA_SET', entityType: 'Quota', entityId: quota.id, cityCode: city.code, before, after: { count, used: quota.used } });
      return quota;
    });
  }

  async issue(viewer: Viewer, input: IssueVouchersInput): Promise<Offer[]> {
    requireCityAuthority(viewer, input.city.trim().toUpperCase());
    const city = await this.cities.byCode(input.city, 'input.city');
    const count = requireIntInRange(input.count, 'input.count', 1, MAX_ISSUE_BATCH);
    if (input.period != null && !/^\d{4}$/.test(input.period)) throw badInput('input.period', 'period is a programme year, "YYYY".');
    const now = this.clock();
    return inTransaction(this.em, (em) => this.issueInQueue(em, city, input.voucherType, count, input.period ?? currentPeriod(city, now), actorOf(viewer), now));
  }

  /**
   * The scheduler's automatic release in one queue whose city's rules say so (a job item, in this
   * service's transaction): as many offers as quota and queue allow, up to `batch`. A queue with
   * no quota room or nobody waiting is skipped by cheap reads, without its lock.
   */
  async autoIssue(city: City, type: VoucherType, batch: number): Promise<Offer[]> {
    const em = this.em;
    // Cheap checks first, without the queue's lock: most ticks find nothing to do.
    const now = this.clock();
    const period = currentPeriod(city, now);
    const quota = await em.findOne(Quota, { city: city.id, voucherType: type, period });
    if (!quota || quota.used >= quota.count) return [];
    const waiting = await anyWaiting.first(em, { cityId: city.id, type, status: ApplicationStatus.QUEUED });
    if (!waiting?.n) return [];
    try {
      return await this.issueInQueue(em, city, type, batch, period, SYSTEM_ACTOR, now);
    } catch (err) {
      // An operator took the last of the quota meanwhile: nothing to issue, not a failure.
      if (err instanceof DomainError && err.code === ErrorCode.QUOTA_EXHAUSTED) return [];
      throw err;
    }
  }

  /**
   * Offers vouchers to the head of one queue, in exact queue order, in the caller's transaction.
   * Issuers of one queue are serialised by an advisory lock, so two operators (or an operator and
   * the scheduler) can never both take the same head or skip one; the quota's guarded update and
   * check constraint make overrunning it impossible. Issues fewer than asked only when the queue or
   * the quota runs out; with no room at all it fails with QUOTA_EXHAUSTED. `now` is the issuer's
   * instant (the operator's request or the scheduler's tick): the offers' deadline runs from it.
   */
  private async issueInQueue(em: EntityManager, city: City, type: VoucherType, wanted: number, period: string, actor: Actor, now: Date): Promise<Offer[]> {
    // The lock order (locks.ts): the city's queue lock shared (the order read below and the rules
    // version recorded on the offers are the same rules), then this queue's issue lock.
    await lockCityQueues(em, [city.id]);
    await lockIssuing(em, [{ cityId: city.id, type }]);
    const quota = await em.findOne(Quota, { city: city.id, voucherType: type, period }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    const room = quota ? quota.count - quota.used : 0;
    if (!quota || room <= 0) {
      throw new DomainError(ErrorCode.QUOTA_EXHAUSTED, `No ${type} vouchers are left in ${city.code}'s quota for ${period}.`);
    }
    const headRows = await offerableHead.all(em, {
      cityId: city.id,
      type,
      queued: ApplicationStatus.QUEUED,
      verified: ClaimStatus.VERIFIED,
      held: [...HELD_VOUCHER_STATUSES],
      limit: Math.min(wanted, room),
    });
    if (headRows.length === 0) return [];
    const byId = new Map((await em.find(Application, { id: { $in: headRows.map((r) => r.id) } })).map((a) => [a.id, a]));
    const heads = headRows.map((r) => byId.get(r.id)!);
    await em.populate(heads, ['applicant', 'child']);
    await takeFromQuota(em, quota.id, heads.length);
    await em.refresh(quota);

    // The rules in force now that the queue lock is held: a rules change that committed while this
    // issuer waited has re-ranked the head read above, so its version is the one the offers record
    // (read at the request's instant, an issuer that waited would record the version before it).
    const rules = await currentRules(em, city.id);
    const deadline = new Date(now.getTime() + rules.offerDeadlineHours * 3_600_000);
    const offers: Offer[] = [];
    for (const application of heads) {
      const voucher = this.vouchers.reserve(em, application, city, quota, type);
      const offer = this.offers.make(em, application, voucher, deadline, rules.version, city);
      await this.applications.markOffered(em, application, { actor, cityCode: city.code, offer, voucher, rulesVersion: rules.version });
      offers.push(offer);
    }
    await publishEvent(em, {
      kind: EventKind.OFFERED,
      cityId: city.id,
      voucherType: type,
      payload: { applicationIds: heads.map((a) => a.id), applicantIds: heads.map((a) => a.applicant.id), offerIds: offers.map((o) => o.id) },
    });
    return offers;
  }
}
