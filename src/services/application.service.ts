import { type EntityManager, LockMode, ref, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import type { Clock } from '../clock.js';
import { ApplicationStatus, ClaimStatus, Role, VoucherType } from '../domain/enums.js';
import { APPLICATION_LIFECYCLE, HELD_VOUCHER_STATUSES } from '../domain/lifecycles.js';
import { priorityRank } from '../domain/priority.js';
import type { Viewer, ViewerOf } from '../auth/viewer.js';
import { Applicant, Application, Guardianship, type Offer, Voucher } from '../entities/index.js';
import { applicationOwner } from './application.queries.js';
import { conflict, forbidden, notFound } from '../errors.js';
import { isUuid } from '../ids.js';
import { requireCityAuthority, requireRole } from './access.js';
import { type Actor, actorOf, recordAudit } from './audit.service.js';
import type { CityService } from './city.service.js';
import { lockChildren, lockCityQueues } from './locks.js';
import { currentRules } from './rules.service.js';
import { moveTo } from './status-change.js';
import { inTransaction } from './transaction.js';
import { EventKind, publishEvent } from '../realtime/publish.js';

export interface ApplyForVoucherInput {
  childId: string;
  voucherType: VoucherType;
  city: string;
}

/** Applications: a parent's request for a voucher, which is a place in a city's queue. */
export class ApplicationService {
  constructor(
    private readonly em: EntityManager,
    private readonly cities: CityService,
    private readonly clock: Clock,
  ) {}

  async apply(viewer: Viewer, input: ApplyForVoucherInput): Promise<Application> {
    requireRole(viewer, Role.PARENT);
    const city = await this.cities.byCode(input.city, 'input.city');
    try {
      return await inTransaction(this.em, async (em) => {
        // The lock order (locks.ts): the city's queue lock shared (a rules change cannot re-rank
        // between the rules read here and the insert), then the child (an accept, restore or
        // another application of this child waits, so "holds no voucher" stays true).
        await lockCityQueues(em, [city.id]);
        if (isUuid(input.childId)) await lockChildren(em, [input.childId]);
        const link = isUuid(input.childId)
          ? await em.findOne(Guardianship, { child: input.childId, applicant: { iin: viewer.iin } }, { populate: ['child', 'applicant'] })
          : null;
        if (!link || link.status === ClaimStatus.REJECTED) throw forbidden('You can apply only for a child registered to you (registerChild).');
        // An unverified link may wait in the queue (it is never offered until verified), unless
        // another family claims the child too: then the city decides first.
        if (link.status === ClaimStatus.CLAIMED && (await em.count(Guardianship, { child: link.child.id, id: { $ne: link.id }, status: { $ne: ClaimStatus.REJECTED } }))) {
          throw forbidden('Your link to this child is waiting for verification by the city’s education department; you can apply once it is verified.');
        }
        // A claim with no city yet is handled by the operators of the city the family applies in.
        link.city ??= ref(city);
        const child = link.child.getEntity();
        if (await em.count(Voucher, { child: child.id, status: { $in: [...HELD_VOUCHER_STATUSES] } })) {
          throw conflict('This child already holds a voucher: one child, one voucher. Use switchProgram to change clubs.');
        }
        if (await em.count(Application, { child: child.id, voucherType: input.voucherType, status: { $in: [ApplicationStatus.QUEUED, ApplicationStatus.OFFERED] } })) {
          throw duplicate(input.voucherType);
        }
        const rules = await currentRules(em, city.id);
        const application = new Application({
          child: ref(child),
          applicant: link.applicant,
          city: ref(city),
          voucherType: input.voucherType,
          priorityCategory: child.priorityCategory,
          priorityRank: priorityRank(rules.priorityOrder, child.priorityCategory),
          rulesVersion: rules.version,
        });
        em.persist(application);
        await em.flush(); // submittedAt comes from the database clock
        await publishEvent(em, { kind: EventKind.QUEUE_JOINED, cityId: city.id, voucherType: application.voucherType, payload: { applicationIds: [application.id] } });
        recordAudit(em, actorOf(viewer), {
          action: 'APPLIED',
          entityType: 'Application',
          entityId: application.id,
          cityCode: city.code,
          after: { status: application.status, voucherType: application.voucherType, priorityCategory: application.priorityCategory, submittedAt: application.submittedAt },
          rulesVersion: rules.version,
        });
        return application;
      });
    } catch (err) {
      // Two submissions raced; the partial unique index let one through.
      if (err instanceof UniqueConstraintViolationException) throw duplicate(input.voucherType);
      throw err;
    }
  }

  /** Leaves the queue. Only a waiting application can be withdrawn; an offered one is declined instead. */
  async withdraw(viewer: Viewer, applicationId: string): Promise<Application> {
    requireRole(viewer, Role.PARENT);
    return this.em.transactional(async (em) => {
      const application = await this.lockOwn(em, viewer, applicationId);
      if (application.status === ApplicationStatus.OFFERED) {
        throw conflict('This application has an offer: decline the offer (declineOffer) to leave the queue.', { from: application.status, to: ApplicationStatus.WITHDRAWN });
      }
      await this.close(em, application, ApplicationStatus.WITHDRAWN, actorOf(viewer), 'WITHDRAWN');
      return application;
    });
  }

  /**
   * Puts a cancelled application back in its old place (its submission time never changed), as
   * often and as late as the city's rules allow. The parent or the city's operator may do it.
   */
  async restore(viewer: Viewer, applicationId: string): Promise<Application> {
    requireRole(viewer, Role.PARENT, Role.OPERATOR, Role.ADMIN);
    try {
      return await inTransaction(this.em, async (em) => {
        // The lock order (locks.ts): the city's queue lock shared, the child, then the row.
        const owner = isUuid(applicationId) ? await applicationOwner.first(em, { id: applicationId }) : undefined;
        if (owner) {
          await lockCityQueues(em, [owner.city_id]);
          await lockChildren(em, [owner.child_id]);
        }
        const application =
          viewer.role === Role.PARENT ? await this.lockOwn(em, viewer, applicationId) : await this.lockForOperator(em, viewer, applicationId);
        const rules = await currentRules(em, application.city.id);
        if (application.status !== ApplicationStatus.CANCELLED) {
          throw conflict(`Only a cancelled application can be restored; this one is ${application.status}.`, { from: application.status, to: ApplicationStatus.QUEUED });
        }
        if (application.restoreCount >= rules.maxRestores) throw conflict(`This application was already restored ${application.restoreCount} time(s); the city allows ${rules.maxRestores}.`);
        const windowEnds = (application.closedAt?.getTime() ?? 0) + rules.restoreWindowDays * 86_400_000;
        if (this.clock().getTime() > windowEnds) throw conflict(`The ${rules.restoreWindowDays}-day window to restore this application has passed.`);
        if (await em.count(Voucher, { child: application.child.id, status: { $in: [...HELD_VOUCHER_STATUSES] } })) {
          throw conflict('This child already holds a voucher.');
        }
        application.restoreCount += 1;
        await moveTo(em, application, APPLICATION_LIFECYCLE, ApplicationStatus.QUEUED, {
          actor: actorOf(viewer),
          action: 'RESTORED',
          cityCode: application.city.getEntity().code,
          after: { restoreCount: application.restoreCount },
          rulesVersion: rules.version,
          event: { kind: EventKind.QUEUE_JOINED, cityId: application.city.id, voucherType: application.voucherType, payload: { applicationIds: [application.id] } },
        });
        application.closedAt = null;
        return application;
      });
    } catch (err) {
      if (err instanceof UniqueConstraintViolationException) throw duplicate(VoucherType.TARGETED, 'The child has applied again meanwhile; withdraw that application first.');
      throw err;
    }
  }

  /**
   * The parent's applications, each one's position computed in the same statement as its status
   * (a family has a handful, so always): read apart, an offer made in between showed QUEUED with
   * no position.
   */
  async mine(viewer: Viewer): Promise<Application[]> {
    requireRole(viewer, Role.PARENT);
    return this.em.find(Application, { applicant: { iin: viewer.iin } }, { orderBy: { id: 'asc' }, populate: ['position'] });
  }

  /** An application the viewer may see: the parent's own, an operator's city's, or any for admins and agencies. */
  /** One application the viewer may see; `withPosition` computes its queue position in the same statement. */
  async find(viewer: Viewer, id: string, options: { withPosition?: boolean } = {}): Promise<Application | null> {
    requireRole(viewer, Role.PARENT, Role.OPERATOR, Role.AGENCY, Role.ADMIN);
    if (!isUuid(id)) return null;
    const scope =
      viewer.role === Role.PARENT ? { applicant: { iin: viewer.iin } } : viewer.role === Role.OPERATOR ? { city: { code: viewer.cityCode } } : {};
    return this.em.findOne(Application, { $and: [{ id }, scope] }, { populate: options.withPosition ? ['position'] : [] });
  }

  /**
   * Ends an application's time in the queue (withdrawn, or cancelled by a rule), with its audit
   * entry; `at` is when (the operation's instant, when it has one).
   */
  async close(em: EntityManager, application: Application, to: ApplicationStatus, actor: Actor, action: string, reason?: string, at: Date = this.clock()): Promise<void> {
    const city = await application.city.loadOrFail();
    await moveTo(em, application, APPLICATION_LIFECYCLE, to, {
      actor,
      action,
      cityCode: city.code,
      reason,
      event: { kind: EventKind.QUEUE_LEFT, cityId: city.id, voucherType: application.voucherType, payload: { applicationIds: [application.id] } },
    });
    application.closedAt = at;
  }

  /**
   * The head of the queue is offered a voucher (IssuingService): its own audit entry names the
   * offer; the issuer publishes one event for the whole batch.
   */
  async markOffered(em: EntityManager, application: Application, offered: { actor: Actor; cityCode: string; offer: Offer; voucher: Voucher; rulesVersion: number }): Promise<void> {
    const { offer, voucher } = offered;
    await moveTo(em, application, APPLICATION_LIFECYCLE, ApplicationStatus.OFFERED, {
      actor: offered.actor,
      action: 'OFFERED',
      cityCode: offered.cityCode,
      after: { offerId: offer.id, voucherId: voucher.id, deadline: offer.deadline.toISOString() },
      rulesVersion: offered.rulesVersion,
    });
  }

  /** The offer was accepted: a step of the offer's audited change. Returns the status it left. */
  markAccepted(em: EntityManager, application: Application, offer: Offer): Promise<ApplicationStatus> {
    return moveTo<ApplicationStatus, 'status'>(em, application, APPLICATION_LIFECYCLE, ApplicationStatus.ACCEPTED, { partOf: { entityType: 'Offer', entityId: offer.id } });
  }

  /**
   * The offer was declined or lapsed: back to its place, or cancelled at `at`, as the offer's rules
   * say (a step of the offer's audited change). Returns the status it left.
   */
  async offerLapsed(em: EntityManager, application: Application, offer: Offer, to: ApplicationStatus.QUEUED | ApplicationStatus.CANCELLED, at: Date): Promise<ApplicationStatus> {
    const from = await moveTo<ApplicationStatus, 'status'>(em, application, APPLICATION_LIFECYCLE, to, { partOf: { entityType: 'Offer', entityId: offer.id } });
    application.closedAt = to === ApplicationStatus.CANCELLED ? at : null;
    return from;
  }

  private async lockOwn(em: EntityManager, viewer: ViewerOf<Role.PARENT>, applicationId: string): Promise<Application> {
    const owned = isUuid(applicationId) ? await em.findOne(Applicant, { iin: viewer.iin }) : null;
    const application = owned ? await em.findOne(Application, { id: applicationId }, { lockMode: LockMode.PESSIMISTIC_WRITE }) : null;
    if (!application) throw notFound('Application', applicationId);
    if (application.applicant.id !== owned!.id) throw forbidden('This application belongs to another family.');
    await em.populate(application, ['city']);
    return application;
  }

  private async lockForOperator(em: EntityManager, viewer: Viewer, applicationId: string): Promise<Application> {
    const application = isUuid(applicationId) ? await em.findOne(Application, { id: applicationId }, { lockMode: LockMode.PESSIMISTIC_WRITE }) : null;
    if (!application) throw notFound('Application', applicationId);
    await em.populate(application, ['city']);
    requireCityAuthority(viewer, application.city.getEntity().code);
    return application;
  }
}

const duplicate = (type: VoucherType, message?: string) =>
  conflict(message ?? `This child already has an open ${type} application: one application per child and voucher type.`);
