import { type EntityManager, LockMode, ref } from '@mikro-orm/postgresql';
import type { Clock } from '../clock.js';
import { currentPeriod } from '../domain/calendar.js';
import { ApplicationStatus, ClaimStatus, NotificationKind, VoucherType } from '../domain/enums.js';
import { transition } from '../domain/lifecycle.js';
import { APPLICATION_TRANSITIONS, HELD_VOUCHER_STATUSES } from '../domain/lifecycles.js';
import type { Viewer } from '../auth/viewer.js';
import { Application, type City, Offer, Quota, Voucher } from '../entities/index.js';
import { badInput, DomainError, ErrorCode } from '../errors.js';
import { enqueueSms } from '../notifications/outbox.js';
import { requireCityAuthority } from './access.js';
import { type Actor, actorOf, recordAudit } from './audit.service.js';
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
  ) {}

  async setQuota(viewer: Viewer, input: SetQuotaInput): Promise<Quota> {
    requireCityAuthority(viewer, input.city.trim().toUpperCase());
    const city = await this.cities.byCode(input.city, 'input.city');
    if (!/^\d{4}$/.test(input.period)) throw badInput('input.period', 'period is a programme year, "YYYY".');
    const count = requireIntInRange(input.count, 'input.count', 0, 10_000_000);
    return this.em.transactional(async (em) => {
      await em.execute(`insert into quota (id, city_id, voucher_type, period, count) values (gen_random_uuid(), ?, ?, ?, 0) on conflict do nothing`, [
        city.id,
        input.voucherType,
        input.period,
      ]);
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
    return inTransaction(this.em, (em) => issueInQueue(em, city, input.voucherType, count, input.period ?? currentPeriod(city, now), actorOf(viewer), now));
  }
}

/**
 * Offers vouchers to the head of one queue, in exact queue order, in the caller's transaction.
 * Issuers of one queue are serialised by an advisory lock, so two operators (or an operator and
 * the scheduler) can never both take the same head or skip one; the quota's guarded update and
 * check constraint make overrunning it impossible. Issues fewer than asked only when the queue or
 * the quota runs out; with no room at all it fails with QUOTA_EXHAUSTED. `now` is the issuer's clock:
 * the offers' deadline runs from it.
 */
export async function issueInQueue(em: EntityManager, city: City, type: VoucherType, wanted: number, period: string, actor: Actor, now: Date): Promise<Offer[]> {
  // The lock order (locks.ts): the city's queue lock shared (the order read below and the rules
  // version recorded on the offers are the same rules), then this queue's issue lock.
  await lockCityQueues(em, [city.id]);
  await lockIssuing(em, [{ cityId: city.id, type }]);
  const quota = await em.findOne(Quota, { city: city.id, voucherType: type, period }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  const room = quota ? quota.count - quota.used : 0;
  if (!quota || room <= 0) {
    throw new DomainError(ErrorCode.QUOTA_EXHAUSTED, `No ${type} vouchers are left in ${city.code}'s quota for ${period}.`);
  }
  // Applications whose family's link is not verified keep their place but are passed over (a
  // trigger refuses to offer them in any case); they are offered once verified, from that place.
  const headRows = await em.execute<{ id: string }[]>(
    `select a.id from application a
      where a.city_id = ? and a.voucher_type = ? and a.status = ?
        and exists (select 1 from guardianship g where g.child_id = a.child_id and g.applicant_id = a.applicant_id and g.status = ?)
        and not exists (select 1 from voucher v where v.child_id = a.child_id and v.status in (?, ?))
      order by a.priority_rank, a.submitted_at, a.submission_seq limit ? for update of a`,
    [city.id, type, ApplicationStatus.QUEUED, ClaimStatus.VERIFIED, ...HELD_VOUCHER_STATUSES, Math.min(wanted, room)],
  );
  if (headRows.length === 0) return [];
  const byId = new Map((await em.find(Application, { id: { $in: headRows.map((r) => r.id) } })).map((a) => [a.id, a]));
  const heads = headRows.map((r) => byId.get(r.id)!);
  await em.populate(heads, ['applicant', 'child']);
  await takeFromQuota(em, quota.id, heads.length);
  await em.refresh(quota);

  const rules = await currentRules(em, city.id);
  const deadline = new Date(now.getTime() + rules.offerDeadlineHours * 3_600_000);
  const offers = heads.map((application) => {
    application.status = transition(APPLICATION_TRANSITIONS, 'Application', application.status, ApplicationStatus.OFFERED);
    const voucher = new Voucher({ child: application.child, application: ref(application), city: ref(city), quota: ref(quota), type });
    const offer = new Offer(ref(application), ref(voucher), deadline, rules.version);
    em.persist([voucher, offer]);
    enqueueSms(em, {
      applicant: application.applicant.getEntity(),
      kind: NotificationKind.OFFER_MADE,
      idempotencyKey: `offer:${offer.id}:made`,
      params: { childName: application.child.getEntity().fullName, deadline, timezone: city.timezone, cityName: city.name.kk, voucherType: type },
    });
    recordAudit(em, actor, {
      action: 'OFFERED',
      entityType: 'Application',
      entityId: application.id,
      cityCode: city.code,
      before: { status: ApplicationStatus.QUEUED },
      after: { status: ApplicationStatus.OFFERED, offerId: offer.id, voucherId: voucher.id, deadline: deadline.toISOString() },
      rulesVersion: rules.version,
    });
    return offer;
  });
  await publishEvent(em, {
    kind: EventKind.OFFERED,
    cityId: city.id,
    voucherType: type,
    payload: { applicationIds: heads.map((a) => a.id), applicantIds: heads.map((a) => a.applicant.id), offerIds: offers.map((o) => o.id) },
  });
  return offers;
}
