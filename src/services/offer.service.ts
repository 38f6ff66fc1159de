import { type EntityManager, LockMode, ref, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { ApplicationStatus, LapsePolicy, NotificationKind, OfferStatus, Role, VoucherStatus } from '../domain/enums.js';
import { transition } from '../domain/lifecycle.js';
import { APPLICATION_TRANSITIONS, OFFER_TRANSITIONS, VOUCHER_TRANSITIONS } from '../domain/lifecycles.js';
import type { Viewer, ViewerOf } from '../auth/viewer.js';
import { Application, CityRules, Enrollment, Offer } from '../entities/index.js';
import { conflict, forbidden, notFound } from '../errors.js';
import { isUuid } from '../ids.js';
import { enqueueSms } from '../notifications/outbox.js';
import { requireRole } from './access.js';
import { type Actor, actorOf, recordAudit, SYSTEM_ACTOR } from './audit.service.js';
import { returnToQuota, takeSeat } from './counters.js';
import { lockChildren, lockCityQueues, lockIssuing } from './locks.js';
import { inTransaction, LockSetChanged } from './transaction.js';
import { programForPlacement } from './placement.js';
import { EventKind, publishEvent } from '../realtime/publish.js';
import type { Clock } from '../clock.js';
import { type JobFailure, isolated } from '../jobs/isolated.js';

/** Offers: the parent accepts one (choosing a program) or declines it; the scheduler expires the rest. */
export class OfferService {
  constructor(
    private readonly em: EntityManager,
    private readonly clock: Clock,
  ) {}

  /** Enrolls the child: voucher ACTIVE, a seat taken, the child's other open applications closed. */
  async accept(viewer: Viewer, offerId: string, programId: string): Promise<Enrollment> {
    requireRole(viewer, Role.PARENT);
    try {
      return await this.decide(viewer, offerId, OfferStatus.ACCEPTED, (em, offer, now) => acceptPending(em, viewer, offer, programId, now));
    } catch (err) {
      // The one-held-voucher-per-child index decided a race this lock did not cover.
      if (err instanceof UniqueConstraintViolationException) throw conflict('This child already holds a voucher.');
      throw err;
    }
  }

  async decline(viewer: Viewer, offerId: string): Promise<Offer> {
    requireRole(viewer, Role.PARENT);
    return this.decide(viewer, offerId, OfferStatus.DECLINED, async (em, offer, now) => {
      await lapseOffer(em, offer, OfferStatus.DECLINED, actorOf(viewer), undefined, now);
      return offer;
    });
  }

  /**
   * The one place a parent's answer meets an offer: the family's own, locked, still PENDING, and
   * before its deadline by this service's clock, whether or not the expiry job has run yet. An
   * answer after the deadline finds the offer expired: the expiry policy is applied then and there,
   * exactly as the job would have (committed, by the system), and the answer is refused with
   * CONFLICT. So a late decline never gets the decline policy, and a late accept never enrolls.
   */
  private async decide<T>(
    viewer: ViewerOf<Role.PARENT>,
    offerId: string,
    to: OfferStatus.ACCEPTED | OfferStatus.DECLINED,
    act: (em: EntityManager, offer: Offer, now: Date) => Promise<T>,
  ): Promise<T> {
    const now = this.clock();
    const outcome = await inTransaction(this.em, async (em): Promise<{ done: T } | { expiredAt: Date }> => {
      // In the lock order (locks.ts), before any row lock: the child's queues, the child (answers
      // for one child are serialised), the other queues an acceptance closes applications in.
      await lockForAnswer(em, offerId);
      const offer = await lockOwnOffer(em, viewer.iin, offerId);
      if (offer.status !== OfferStatus.PENDING) {
        throw conflict(`This offer is ${offer.status}; only a pending offer can be ${to === OfferStatus.ACCEPTED ? 'accepted' : 'declined'}.`, { from: offer.status, to });
      }
      if (isOverdue(offer, now)) {
        await lapseOffer(em, offer, OfferStatus.EXPIRED, SYSTEM_ACTOR, 'Answered after its deadline.', now);
        return { expiredAt: offer.deadline };
      }
      return { done: await act(em, offer, now) };
    });
    if ('expiredAt' in outcome) {
      throw conflict(`This offer has expired: its deadline was ${outcome.expiredAt.toISOString()}, and the city's rules for an expired offer now apply.`, {
        from: OfferStatus.PENDING,
        to,
        status: OfferStatus.EXPIRED,
      });
    }
    return outcome.done;
  }

  async find(viewer: Viewer, offerId: string): Promise<Offer | null> {
    requireRole(viewer, Role.PARENT, Role.OPERATOR, Role.AGENCY, Role.ADMIN);
    if (!isUuid(offerId)) return null;
    const scope =
      viewer.role === Role.PARENT
        ? { application: { applicant: { iin: viewer.iin } } }
        : viewer.role === Role.OPERATOR
          ? { application: { city: { code: viewer.cityCode } } }
          : {};
    return this.em.findOne(Offer, { $and: [{ id: offerId }, scope] });
  }
}

/**
 * An accept's locks, in the lock order (locks.ts), before any row lock: the queue lock (shared) of
 * every city the child has an open application in, the child, and the issue lock of each queue
 * the child's other open applications wait in — so an operator issuing in that queue either
 * offered to the child before (and the accept declines that offer) or sees the application
 * already cancelled. Nothing here is the viewer's yet: access is checked on the locked offer.
 */
async function lockForAnswer(em: EntityManager, offerId: string): Promise<void> {
  const [owner] = isUuid(offerId)
    ? await em.execute<{ child_id: string; application_id: string }[]>('select a.child_id, a.id as application_id from offer o join application a on a.id = o.application_id where o.id = ?', [offerId])
    : [];
  if (!owner) return; // lockOwnOffer answers NOT_FOUND
  const openOf = () =>
    em.execute<{ id: string; city_id: string; voucher_type: string }[]>(
      `select id, city_id, voucher_type from application where child_id = ? and status in (?, ?) order by id`,
      [owner.child_id, ApplicationStatus.QUEUED, ApplicationStatus.OFFERED],
    );
  const seen = await openOf();
  await lockCityQueues(em, seen.map((a) => a.city_id));
  await lockChildren(em, [owner.child_id]);
  // Under the child lock no application of the child opens or closes, except by issue and lapse,
  // which keep it in its queue. One that opened just before the child lock moves the set: retry.
  const open = await openOf();
  if (open.some((a) => !seen.some((b) => b.city_id === a.city_id))) throw new LockSetChanged();
  await lockIssuing(em, open.filter((a) => a.id !== owner.application_id).map((a) => ({ cityId: a.city_id, type: a.voucher_type })));
}

async function lockOwnOffer(em: EntityManager, parentIin: string, offerId: string): Promise<Offer> {
  const offer = isUuid(offerId) ? await em.findOne(Offer, { id: offerId }, { lockMode: LockMode.PESSIMISTIC_WRITE }) : null;
  if (!offer) throw notFound('Offer', offerId);
  await em.populate(offer, ['application.applicant', 'application.child', 'voucher']);
  if (offer.application.getEntity().applicant.getEntity().iin !== parentIin) throw forbidden('This offer was made to another family.');
  return offer;
}

/** The acceptance itself, on an offer decide() has locked and found pending and in time. */
async function acceptPending(em: EntityManager, viewer: ViewerOf<Role.PARENT>, offer: Offer, programId: string, now: Date): Promise<Enrollment> {
  const application = offer.application.getEntity();
  const voucher = offer.voucher.getEntity();
  const child = application.child.getEntity();
  const program = await programForPlacement(em, programId, { type: voucher.type, cityId: voucher.city.id }, child, now);
  const actor = actorOf(viewer);
  // The child's other applications close before the voucher becomes held (the database refuses a
  // held voucher beside an open application); the seat is a counter, taken last.
  await closeOtherApplications(em, application, actor, now);
  await em.flush();
  await takeSeat(em, program.id);

  offer.status = transition(OFFER_TRANSITIONS, 'Offer', offer.status, OfferStatus.ACCEPTED);
  offer.decidedAt = now;
  application.status = transition(APPLICATION_TRANSITIONS, 'Application', application.status, ApplicationStatus.ACCEPTED);
  voucher.status = transition(VOUCHER_TRANSITIONS, 'Voucher', voucher.status, VoucherStatus.ACTIVE);
  const enrollment = new Enrollment(ref(voucher), ref(program), now);
  em.persist(enrollment);
  const city = await application.city.loadOrFail();
  recordAudit(em, actor, {
    action: 'ACCEPTED',
    entityType: 'Offer',
    entityId: offer.id,
    cityCode: city.code,
    before: { offer: OfferStatus.PENDING, application: ApplicationStatus.OFFERED, voucher: VoucherStatus.RESERVED },
    after: { offer: OfferStatus.ACCEPTED, application: ApplicationStatus.ACCEPTED, voucher: VoucherStatus.ACTIVE, enrollmentId: enrollment.id, programId: program.id },
    rulesVersion: offer.rulesVersion,
  });
  enqueueSms(em, {
    applicant: application.applicant.getEntity(),
    kind: NotificationKind.ENROLLED,
    idempotencyKey: `offer:${offer.id}:enrolled`,
    params: { childName: child.fullName, programTitle: program.title.kk, timezone: city.timezone, voucherType: voucher.type },
  });
  await em.flush(); // the voucher's ACTIVE status meets the one-voucher-per-child index here
  await publishEvent(em, { kind: EventKind.OFFER_CLOSED, cityId: city.id, voucherType: voucher.type, payload: { applicationIds: [application.id], offerIds: [offer.id] } });
  return enrollment;
}

/**
 * A declined or lapsed offer: the voucher goes back to the quota and the application goes back to
 * its place or is cancelled, as the rules the offer was made under say.
 */
export async function lapseOffer(
  em: EntityManager,
  offer: Offer,
  to: OfferStatus.DECLINED | OfferStatus.EXPIRED,
  actor: Actor,
  reason: string | undefined,
  at: Date,
): Promise<void> {
  if (offer.status !== OfferStatus.PENDING) throw conflict(`This offer is already ${offer.status}.`, { from: offer.status, to });
  await em.populate(offer, ['application.applicant', 'application.child', 'application.city', 'voucher']);
  const application = offer.application.getEntity();
  const voucher = offer.voucher.getEntity();
  const city = application.city.getEntity();
  const rules = await em.findOneOrFail(CityRules, { city: city.id, version: offer.rulesVersion });
  const policy = to === OfferStatus.DECLINED ? rules.onDecline : rules.onExpiry;

  offer.status = transition(OFFER_TRANSITIONS, 'Offer', offer.status, to);
  offer.decidedAt = at;
  voucher.status = transition(VOUCHER_TRANSITIONS, 'Voucher', voucher.status, VoucherStatus.RELEASED);
  await returnToQuota(em, voucher.quota.id);
  const next = policy === LapsePolicy.REQUEUE ? ApplicationStatus.QUEUED : ApplicationStatus.CANCELLED;
  application.status = transition(APPLICATION_TRANSITIONS, 'Application', application.status, next);
  application.closedAt = next === ApplicationStatus.CANCELLED ? at : null;
  await publishEvent(em, {
    kind: next === ApplicationStatus.QUEUED ? EventKind.QUEUE_JOINED : EventKind.OFFER_CLOSED,
    cityId: city.id,
    voucherType: voucher.type,
    payload: { applicationIds: [application.id], offerIds: [offer.id] },
  });
  recordAudit(em, actor, {
    action: to,
    entityType: 'Offer',
    entityId: offer.id,
    cityCode: city.code,
    before: { offer: OfferStatus.PENDING, application: ApplicationStatus.OFFERED, voucher: VoucherStatus.RESERVED },
    after: { offer: to, application: next, voucher: VoucherStatus.RELEASED, policy },
    rulesVersion: rules.version,
    reason,
  });
  if (to === OfferStatus.EXPIRED) {
    enqueueSms(em, {
      applicant: application.applicant.getEntity(),
      kind: NotificationKind.OFFER_EXPIRED,
      idempotencyKey: `offer:${offer.id}:expired`,
      params: { childName: application.child.getEntity().fullName, timezone: city.timezone, voucherType: voucher.type },
    });
  }
}

/**
 * Once a child holds a voucher, its other open applications (the other voucher type) leave the
 * queue, so nobody waits behind a child who no longer needs the place.
 */
async function closeOtherApplications(em: EntityManager, accepted: Application, actor: Actor, now: Date): Promise<void> {
  // Offers before applications: the same lock order as expiry, so the two never deadlock.
  const pendingOffers = await em.find(
    Offer,
    { application: { child: accepted.child.id, id: { $ne: accepted.id } }, status: OfferStatus.PENDING },
    { lockMode: LockMode.PESSIMISTIC_WRITE, lockTableAliases: ['o0'] },
  );
  for (const pending of pendingOffers) {
    // An overdue one has expired already, job or no job: its expiry policy, not the decline's.
    if (isOverdue(pending, now)) await lapseOffer(em, pending, OfferStatus.EXPIRED, SYSTEM_ACTOR, undefined, now);
    else await lapseOffer(em, pending, OfferStatus.DECLINED, actor, 'The child was enrolled with another voucher.', now);
  }
  const others = await em.find(
    Application,
    { child: accepted.child.id, id: { $ne: accepted.id }, status: ApplicationStatus.QUEUED },
    { lockMode: LockMode.PESSIMISTIC_WRITE },
  );
  for (const other of others) {
    other.status = transition(APPLICATION_TRANSITIONS, 'Application', other.status, ApplicationStatus.CANCELLED);
    other.closedAt = now;
    await publishEvent(em, { kind: EventKind.QUEUE_LEFT, cityId: other.city.id, voucherType: other.voucherType, payload: { applicationIds: [other.id] } });
    recordAudit(em, actor, {
      action: 'CANCELLED',
      entityType: 'Application',
      entityId: other.id,
      cityCode: (await other.city.loadOrFail()).code,
      before: { status: ApplicationStatus.QUEUED },
      after: { status: ApplicationStatus.CANCELLED },
      reason: 'The child was enrolled with another voucher.',
    });
  }
}

/** Limits a job to some cities (tests drive one city's clock without touching the others). */
export interface JobScope {
  cityCodes?: string[];
}

/**
 * Past its deadline, an offer has expired for every purpose, whether or not the expiry job has
 * written it yet: the job and every action decide by this one test.
 */
export function isOverdue(offer: Offer, now: Date): boolean {
  return offer.deadline.getTime() <= now.getTime();
}

/**
 * Pending offers due by `now`, in deadline order, one page after `after`. The cursor keeps the
 * deadline as PostgreSQL's text (microseconds included), so a page never starts over.
 */
async function dueOfferPage(em: EntityManager, now: Date, scope: JobScope, after: { deadline: string; id: string } | null, limit: number) {
  return em.execute<{ id: string; deadline: string }[]>(
    `select o.id, o.deadline::text as deadline from offer o join application a on a.id = o.application_id
      where o.status = ? and o.deadline <= ?
        ${scope.cityCodes ? 'and a.city_id in (select id from city where code in (?))' : ''}
        ${after ? 'and (o.deadline, o.id) > (?::timestamptz, ?)' : ''}
      order by o.deadline, o.id limit ?`,
    [OfferStatus.PENDING, now, ...(scope.cityCodes ? [scope.cityCodes] : []), ...(after ? [after.deadline, after.id] : []), limit],
  );
}

/**
 * Expires every pending offer past its deadline (all of them, so downtime is caught up), each in
 * its own transaction: an offer that cannot be expired is reported in `failures` and the others
 * still expire. Several instances may run this at once: each offer is taken with SKIP LOCKED and
 * re-checked, so it is expired once (an offer being answered right now is the answer's to decide).
 */
export async function expireDueOffers(em: EntityManager, now: Date, scope: JobScope = {}, failures: JobFailure[] = [], page = 500): Promise<number> {
  let expired = 0;
  let after: { deadline: string; id: string } | null = null;
  for (;;) {
    const due = await dueOfferPage(em.fork(), now, scope, after, page);
    for (const { id } of due) {
      const done = await isolated(failures, 'expire-offers', `Offer ${id}`, () =>
        em.fork().transactional(async (tx) => {
          const offer = await tx.findOne(Offer, { id, status: OfferStatus.PENDING, deadline: { $lte: now } }, { lockMode: LockMode.PESSIMISTIC_PARTIAL_WRITE });
          if (!offer) return false;
          await lapseOffer(tx, offer, OfferStatus.EXPIRED, SYSTEM_ACTOR, undefined, now);
          return true;
        }),
      );
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
export async function remindDueOffers(em: EntityManager, now: Date, scope: JobScope = {}, failures: JobFailure[] = [], batch = 500): Promise<number> {
  const cityFilter = scope.cityCodes ? 'and a.city_id in (select id from city where code in (?))' : '';
  const candidates: { id: string }[] = await em.fork().execute(
    `select o.id from offer o
       join application a on a.id = o.application_id
       join lateral (select reminder_hours_before_deadline as hours from city_rules r where r.city_id = a.city_id and r.version = o.rules_version) r on true
      where o.status = ? and o.reminded_at is null and o.deadline > ? and o.deadline - make_interval(hours => r.hours) <= ? ${cityFilter}
      order by o.deadline limit ?`,
    [OfferStatus.PENDING, now, now, ...(scope.cityCodes ? [scope.cityCodes] : []), batch],
  );
  let reminded = 0;
  for (const { id } of candidates) {
    const done = await isolated(failures, 'remind-offers', `Offer ${id}`, () =>
      em.fork().transactional(async (tx) => {
        // Re-checked under the lock: another instance may have reminded it, or it was answered.
        const offer = await tx.findOne(Offer, { id, status: OfferStatus.PENDING, remindedAt: null }, { lockMode: LockMode.PESSIMISTIC_PARTIAL_WRITE });
        if (!offer) return false;
        await tx.populate(offer, ['application.applicant', 'application.child', 'application.city', 'voucher']);
        const application = offer.application.getEntity();
        const city = application.city.getEntity();
        offer.remindedAt = now;
        enqueueSms(tx, {
          applicant: application.applicant.getEntity(),
          kind: NotificationKind.OFFER_EXPIRING,
          idempotencyKey: `offer:${offer.id}:expiring`,
          params: { childName: application.child.getEntity().fullName, deadline: offer.deadline, timezone: city.timezone, voucherType: offer.voucher.getEntity().type },
        });
        return true;
      }),
    );
    if (done) reminded++;
  }
  return reminded;
}
