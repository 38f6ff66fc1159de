import { type EntityManager, LockMode, ref, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { ApplicationStatus, LapsePolicy, NotificationKind, OfferStatus, Role, VoucherStatus } from '../domain/enums.js';
import { OFFER_LIFECYCLE, OPEN_APPLICATION_STATUSES } from '../domain/lifecycles.js';
import type { Viewer, ViewerOf } from '../auth/viewer.js';
import { Application, type City, CityRules, type Enrollment, Offer, type Voucher } from '../entities/index.js';
import { conflict, forbidden, notFound } from '../errors.js';
import { isUuid } from '../ids.js';
import { enqueueSms } from '../notifications/outbox.js';
import { requireRole } from './access.js';
import { type Actor, actorOf, recordAudit, SYSTEM_ACTOR } from './audit.service.js';
import type { ApplicationService } from './application.service.js';
import { openApplicationsOfChild } from './application.queries.js';
import { type DueOffer, dueOffersQuery, offerOwner, offersToRemindQuery } from './offer.queries.js';
import { moveTo } from './status-change.js';
import type { VoucherService } from './voucher.service.js';
import { lockChildren, lockCityQueues, lockIssuing } from './locks.js';
import { inTransaction, LockSetChanged } from './transaction.js';
import { programForPlacement } from './placement.js';
import { EventKind, publishEvent } from '../realtime/publish.js';
import type { Clock } from '../clock.js';
import { acceptedTerms, type ContractAcceptance, requireAcceptance } from './contract.service.js';

/** Offers: the parent accepts one (choosing a program) or declines it; the scheduler expires the rest. */
export class OfferService {
  constructor(
    private readonly em: EntityManager,
    private readonly clock: Clock,
    private readonly applications: ApplicationService,
    private readonly vouchers: VoucherService,
  ) {}

  /**
   * Enrolls the child: voucher ACTIVE, a seat taken, the child's other open applications closed,
   * and the offer-contract and consent the parent accepted recorded on the enrollment.
   */
  async accept(viewer: Viewer, offerId: string, programId: string, acceptance: ContractAcceptance): Promise<Enrollment> {
    requireRole(viewer, Role.PARENT);
    requireAcceptance(acceptance);
    try {
      return await this.decide(viewer, offerId, OfferStatus.ACCEPTED, (em, offer, now) => this.acceptPending(em, viewer, offer, programId, acceptance, now));
    } catch (err) {
      // The one-held-voucher-per-child index decided a race this lock did not cover.
      if (err instanceof UniqueConstraintViolationException) throw conflict('This child already holds a voucher.');
      throw err;
    }
  }

  async decline(viewer: Viewer, offerId: string): Promise<Offer> {
    requireRole(viewer, Role.PARENT);
    return this.decide(viewer, offerId, OfferStatus.DECLINED, async (em, offer, now) => {
      await this.lapse(em, offer, OfferStatus.DECLINED, actorOf(viewer), undefined, now);
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
        await this.lapse(em, offer, OfferStatus.EXPIRED, SYSTEM_ACTOR, 'Answered after its deadline.', now);
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

  /**
   * An offer of `voucher` to an application at the head of its queue (IssuingService), answerable
   * until `deadline` under the rules of `rulesVersion`, and the SMS that tells the family.
   */
  make(em: EntityManager, application: Application, voucher: Voucher, deadline: Date, rulesVersion: number, city: City): Offer {
    const offer = new Offer(ref(application), ref(voucher), deadline, rulesVersion);
    em.persist(offer);
    enqueueSms(em, {
      applicant: application.applicant.getEntity(),
      kind: NotificationKind.OFFER_MADE,
      idempotencyKey: `offer:${offer.id}:made`,
      params: { childName: application.child.getEntity().fullName, deadline, timezone: city.timezone, cityName: city.name.kk, voucherType: voucher.type },
    });
    return offer;
  }

  /** The acceptance itself, on an offer decide() has locked and found pending and in time. */
  private async acceptPending(em: EntityManager, viewer: ViewerOf<Role.PARENT>, offer: Offer, programId: string, acceptance: ContractAcceptance, now: Date): Promise<Enrollment> {
    const application = offer.application.getEntity();
    const voucher = offer.voucher.getEntity();
    const child = application.child.getEntity();
    const program = await programForPlacement(em, programId, { type: voucher.type, cityId: voucher.city.id }, child, now);
    const terms = await acceptedTerms(em, acceptance, now);
    const actor = actorOf(viewer);
    // The child's other applications close before the voucher becomes held (the database refuses a
    // held voucher beside an open application); the seat is a counter, taken last.
    await this.closeOtherApplications(em, application, actor, now);
    await em.flush();

    // One audit entry, the offer's, records all three moves (each with the status it truly left).
    const offerFrom = await moveTo<OfferStatus, 'status'>(em, offer, OFFER_LIFECYCLE, OfferStatus.ACCEPTED, stepOf(offer));
    offer.decidedAt = now;
    const applicationFrom = await this.applications.markAccepted(em, application, offer);
    const { from: voucherFrom, enrollment } = await this.vouchers.enroll(em, voucher, program, now, offer);
    enrollment.acceptContract(terms, now);
    const city = await application.city.loadOrFail();
    recordAudit(em, actor, {
      action: 'ACCEPTED',
      entityType: 'Offer',
      entityId: offer.id,
      cityCode: city.code,
      before: { offer: offerFrom, application: applicationFrom, voucher: voucherFrom },
      after: { offer: OfferStatus.ACCEPTED, application: ApplicationStatus.ACCEPTED, voucher: VoucherStatus.ACTIVE, enrollmentId: enrollment.id, programId: program.id, termsVersion: terms.version, personalDataConsent: true },
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
   * its place or is cancelled, as the rules the offer was made under say. One audit entry, the
   * offer's, records the three moves, each with the status it truly left.
   */
  private async lapse(em: EntityManager, offer: Offer, to: OfferStatus.DECLINED | OfferStatus.EXPIRED, actor: Actor, reason: string | undefined, at: Date): Promise<void> {
    if (offer.status !== OfferStatus.PENDING) throw conflict(`This offer is already ${offer.status}.`, { from: offer.status, to });
    await em.populate(offer, ['application.applicant', 'application.child', 'application.city', 'voucher']);
    const application = offer.application.getEntity();
    const voucher = offer.voucher.getEntity();
    const city = application.city.getEntity();
    const rules = await em.findOneOrFail(CityRules, { city: city.id, version: offer.rulesVersion });
    const policy = to === OfferStatus.DECLINED ? rules.onDecline : rules.onExpiry;

    const offerFrom = await moveTo<OfferStatus, 'status'>(em, offer, OFFER_LIFECYCLE, to, stepOf(offer));
    offer.decidedAt = at;
    const voucherFrom = await this.vouchers.release(em, voucher, offer);
    const next = policy === LapsePolicy.REQUEUE ? ApplicationStatus.QUEUED : ApplicationStatus.CANCELLED;
    const applicationFrom = await this.applications.offerLapsed(em, application, offer, next, at);
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
      before: { offer: offerFrom, application: applicationFrom, voucher: voucherFrom },
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
  private async closeOtherApplications(em: EntityManager, accepted: Application, actor: Actor, now: Date): Promise<void> {
    // Offers before applications: the same lock order as expiry, so the two never deadlock.
    const pendingOffers = await em.find(
      Offer,
      { application: { child: accepted.child.id, id: { $ne: accepted.id } }, status: OfferStatus.PENDING },
      { lockMode: LockMode.PESSIMISTIC_WRITE, lockTableAliases: ['o0'] },
    );
    for (const pending of pendingOffers) {
      // An overdue one has expired already, job or no job: its expiry policy, not the decline's.
      if (isOverdue(pending, now)) await this.lapse(em, pending, OfferStatus.EXPIRED, SYSTEM_ACTOR, undefined, now);
      else await this.lapse(em, pending, OfferStatus.DECLINED, actor, 'The child was enrolled with another voucher.', now);
    }
    const others = await em.find(
      Application,
      { child: accepted.child.id, id: { $ne: accepted.id }, status: ApplicationStatus.QUEUED },
      { lockMode: LockMode.PESSIMISTIC_WRITE },
    );
    for (const other of others) {
      await this.applications.close(em, other, ApplicationStatus.CANCELLED, actor, 'CANCELLED', 'The child was enrolled with another voucher.', now);
    }
  }

  /**
   * Pending offers due by this clock's now, in deadline order, one page after `after` (the
   * scheduler's expiry job visits them one by one, each in its own transaction: expireIfDue).
   */
  dueForExpiry(scope: JobScope, after: DueOffer | null, limit: number): Promise<DueOffer[]> {
    const due = { pending: OfferStatus.PENDING, now: this.clock(), limit };
    const cursor = after ? { afterDeadline: after.deadline, afterId: after.id } : null;
    const { cityCodes } = scope;
    if (cityCodes) return cursor ? dueOffersQuery.inCitiesAfter.all(this.em, { ...due, cityCodes, ...cursor }) : dueOffersQuery.inCities.all(this.em, { ...due, cityCodes });
    return cursor ? dueOffersQuery.allAfter.all(this.em, { ...due, ...cursor }) : dueOffersQuery.all.all(this.em, due);
  }

  /**
   * Expires one offer if it is still pending and past its deadline, in this service's transaction
   * (a job item's). Several instances may run expiry at once: the offer is taken with SKIP LOCKED
   * and re-checked, so it is expired once (an offer being answered right now is the answer's to decide).
   */
  async expireIfDue(offerId: string): Promise<boolean> {
    const now = this.clock();
    const offer = await this.em.findOne(Offer, { id: offerId, status: OfferStatus.PENDING, deadline: { $lte: now } }, { lockMode: LockMode.PESSIMISTIC_PARTIAL_WRITE });
    if (!offer) return false;
    await this.lapse(this.em, offer, OfferStatus.EXPIRED, SYSTEM_ACTOR, undefined, now);
    return true;
  }

  /** Pending offers inside their city's reminder window and not reminded yet (at most `limit`, soonest deadline first). */
  dueForReminder(scope: JobScope, limit: number): Promise<{ id: string }[]> {
    const due = { pending: OfferStatus.PENDING, now: this.clock(), limit };
    return scope.cityCodes ? offersToRemindQuery.inCities.all(this.em, { ...due, cityCodes: scope.cityCodes }) : offersToRemindQuery.all.all(this.em, due);
  }

  /** Writes the "about to lapse" SMS of one offer, once, in this service's transaction (a job item's). */
  async remindIfDue(offerId: string): Promise<boolean> {
    // Re-checked under the lock: another instance may have reminded it, or it was answered.
    const offer = await this.em.findOne(Offer, { id: offerId, status: OfferStatus.PENDING, remindedAt: null }, { lockMode: LockMode.PESSIMISTIC_PARTIAL_WRITE });
    if (!offer) return false;
    await this.em.populate(offer, ['application.applicant', 'application.child', 'application.city', 'voucher']);
    const application = offer.application.getEntity();
    const city = application.city.getEntity();
    offer.remindedAt = this.clock();
    enqueueSms(this.em, {
      applicant: application.applicant.getEntity(),
      kind: NotificationKind.OFFER_EXPIRING,
      idempotencyKey: `offer:${offer.id}:expiring`,
      params: { childName: application.child.getEntity().fullName, deadline: offer.deadline, timezone: city.timezone, voucherType: offer.voucher.getEntity().type },
    });
    return true;
  }
}

/** A move recorded in the offer's own entry (written by hand, with the offer's, application's and voucher's statuses under their names). */
const stepOf = (offer: Offer) => ({ partOf: { entityType: 'Offer', entityId: offer.id } });

/**
 * An accept's locks, in the lock order (locks.ts), before any row lock: the queue lock (shared) of
 * every city the child has an open application in, the child, and the issue lock of each queue
 * the child's other open applications wait in — so an operator issuing in that queue either
 * offered to the child before (and the accept declines that offer) or sees the application
 * already cancelled. Nothing here is the viewer's yet: access is checked on the locked offer.
 */
async function lockForAnswer(em: EntityManager, offerId: string): Promise<void> {
  const owner = isUuid(offerId) ? await offerOwner.first(em, { id: offerId }) : undefined;
  if (!owner) return; // lockOwnOffer answers NOT_FOUND
  const openOf = () => openApplicationsOfChild.all(em, { childId: owner.child_id, open: [...OPEN_APPLICATION_STATUSES] });
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
