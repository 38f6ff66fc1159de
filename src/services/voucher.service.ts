import { type EntityManager, type FilterQuery, LockMode, ref } from '@mikro-orm/postgresql';
import type { Clock } from '../clock.js';
import { ClaimStatus, EnrollmentStatus, Role, VoucherStatus, VoucherType } from '../domain/enums.js';
import { ENROLLMENT_LIFECYCLE, VOUCHER_LIFECYCLE, VOUCHER_OPERATOR_ACTIONS, type VoucherOperatorAction } from '../domain/lifecycles.js';
import type { Viewer } from '../auth/viewer.js';
import { type Application, type City, Enrollment, Guardianship, type Offer, type Program, type Quota, SuspendedSubject, Voucher } from '../entities/index.js';
import { badInput, conflict, forbidden, notFound } from '../errors.js';
import { isUuid } from '../ids.js';
import { requireCityAuthority, requireRole } from './access.js';
import { actorOf, recordAudit } from './audit.service.js';
import { moveTo } from './status-change.js';
import { enrollmentOwner, voucherOwner } from './voucher.queries.js';
import type { CityService } from './city.service.js';
import { releaseSeat, returnToQuota, takeSeat } from './counters.js';
import { lockChildren, lockVoucherRow, moveSeat } from './locks.js';
import { type Page, type PageArgs, readPageArgs, toPage } from './pagination.js';
import { programForPlacement } from './placement.js';
import { trackSuspension } from './suspension.js';
import { inTransaction } from './transaction.js';
import { acceptedTerms, type ContractAcceptance, requireAcceptance } from './contract.service.js';
import { requireText } from './validate.js';

export interface VoucherFilter {
  city?: string | null;
  voucherType?: VoucherType | null;
  status?: VoucherStatus | null;
}

/** Vouchers and the enrollments they fund: switching clubs, and operators' suspensions and revocations. */
export class VoucherService {
  constructor(
    private readonly em: EntityManager,
    private readonly cities: CityService,
    private readonly clock: Clock,
  ) {}

  async list(viewer: Viewer, filter: VoucherFilter = {}, pageArgs: PageArgs = {}): Promise<Page<Voucher>> {
    requireRole(viewer, Role.PARENT, Role.OPERATOR, Role.AGENCY, Role.ADMIN);
    const { limit, afterId } = readPageArgs(pageArgs);
    const where: FilterQuery<Voucher>[] = [];
    if (viewer.role === Role.PARENT) {
      const links = await this.em.find(Guardianship, { applicant: { iin: viewer.iin }, status: ClaimStatus.VERIFIED });
      where.push({ child: { $in: links.map((link) => link.child.id) } });
    }
    if (viewer.role === Role.OPERATOR) {
      if (filter.city && filter.city.toUpperCase() !== viewer.cityCode) throw forbidden(`Operators see the vouchers of their own city (${viewer.cityCode}).`);
      where.push({ city: { code: viewer.cityCode } });
    }
    if (filter.city) where.push({ city: (await this.cities.byCode(filter.city, 'filter.city')).id });
    if (filter.voucherType) where.push({ type: filter.voucherType });
    if (filter.status) where.push({ status: filter.status });
    const rows = await this.em.find(Voucher, { $and: [...where, ...(afterId ? [{ id: { $gt: afterId } }] : [])] }, { orderBy: { id: 'asc' }, limit: limit + 1 });
    return toPage(rows, limit, () => this.em.count(Voucher, { $and: where }));
  }

  /**
   * Moves the child to another program in one transaction: the old enrollment TRANSFERRED, a new
   * ACTIVE one on the same voucher, no new application. Seats are checked as on acceptance, and
   * the new enrollment is a new offer-contract (with another provider): accepted with its consent.
   */
  async switchProgram(viewer: Viewer, enrollmentId: string, programId: string, acceptance: ContractAcceptance): Promise<Enrollment> {
    requireRole(viewer, Role.PARENT);
    requireAcceptance(acceptance);
    return inTransaction(this.em, async (em) => {
      // The lock order (locks.ts): the child, the voucher, then its enrollment, then the seats in
      // program id order, as revoke and suspend take them, so a switch and a status change of
      // the same voucher wait for each other instead of deadlocking.
      const owner = isUuid(enrollmentId) ? await enrollmentOwner.first(em, { id: enrollmentId }) : undefined;
      if (!owner) throw notFound('Enrollment', enrollmentId);
      if (!(await em.count(Guardianship, { child: owner.child_id, applicant: { iin: viewer.iin }, status: ClaimStatus.VERIFIED }))) throw forbidden('This enrollment belongs to another family.');
      await lockChildren(em, [owner.child_id]);
      await lockVoucherRow(em, owner.voucher_id);
      const old = await em.findOneOrFail(Enrollment, { id: enrollmentId }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
      await em.populate(old, ['voucher.child', 'voucher.city', 'program'], { refresh: true });
      const voucher = old.voucher.getEntity();
      const child = voucher.child.getEntity();
      if (old.status !== EnrollmentStatus.ACTIVE) throw conflict(`This enrollment is ${old.status}; only an active one can be switched.`, { from: old.status, to: EnrollmentStatus.TRANSFERRED });
      if (voucher.status !== VoucherStatus.ACTIVE) throw conflict(`The voucher is ${voucher.status}; switching needs an active voucher.`);
      if (old.program.id === programId) throw badInput('input.programId', 'The child is already in this program.');
      // One instant for the whole switch: the old enrollment ends exactly when the new one starts.
      const now = this.clock();
      const program = await programForPlacement(em, programId, { type: voucher.type, cityId: voucher.city.id }, child, now);
      const terms = await acceptedTerms(em, acceptance, now);
      await moveSeat(em, old.program.id, program.id);

      // One audit entry, the voucher's SWITCHED, covers the old enrollment's move.
      await moveTo(em, old, ENROLLMENT_LIFECYCLE, EnrollmentStatus.TRANSFERRED, { partOf: { entityType: 'Voucher', entityId: voucher.id } });
      old.endedAt = now;
      await em.flush(); // the old one stops being ACTIVE before the new one starts (one active per voucher)
      const next = new Enrollment(ref(voucher), ref(program), now, ref(old));
      next.acceptContract(terms, now);
      em.persist(next);
      recordAudit(em, actorOf(viewer), {
        action: 'SWITCHED',
        entityType: 'Voucher',
        entityId: voucher.id,
        cityCode: voucher.city.getEntity().code,
        before: { enrollmentId: old.id, programId: old.program.id },
        after: { enrollmentId: next.id, programId: program.id, termsVersion: terms.version, personalDataConsent: true },
      });
      return next;
    });
  }

  suspend(viewer: Viewer, voucherId: string, reason: string): Promise<Voucher> {
    return this.changeStatus(viewer, voucherId, 'SUSPENDED', reason);
  }

  reinstate(viewer: Viewer, voucherId: string, reason: string): Promise<Voucher> {
    return this.changeStatus(viewer, voucherId, 'REINSTATED', reason);
  }

  /** Revoking ends the voucher's enrollment and frees its seat. */
  revoke(viewer: Viewer, voucherId: string, reason: string): Promise<Voucher> {
    return this.changeStatus(viewer, voucherId, 'REVOKED', reason);
  }

  private async changeStatus(viewer: Viewer, voucherId: string, action: VoucherOperatorAction, rawReason: string): Promise<Voucher> {
    requireRole(viewer, Role.OPERATOR, Role.ADMIN);
    const reason = requireText(rawReason, 'input.reason', { min: 3, max: 1000 });
    return inTransaction(this.em, async (em) => {
      const voucher = await lockVoucher(em, voucherId);
      const city = await voucher.city.loadOrFail();
      requireCityAuthority(viewer, city.code);
      const from = voucher.status;
      const { from: movable, to } = VOUCHER_OPERATOR_ACTIONS[action];
      // The lifecycle table alone would let "reinstate" take a RESERVED voucher to ACTIVE (the
      // acceptance move), leaving a voucher with no enrollment and an offer nobody can decide.
      if (!(movable as readonly VoucherStatus[]).includes(from)) throw operatorActionRefused(action, from);
      await moveTo(em, voucher, VOUCHER_LIFECYCLE, to, { actor: actorOf(viewer), action, cityCode: city.code, reason });
      voucher.statusReason = reason;
      await trackSuspension(em, SuspendedSubject.VOUCHER, voucher.id, { before: from !== VoucherStatus.SUSPENDED, after: to !== VoucherStatus.SUSPENDED }, this.clock());
      if (to === VoucherStatus.REVOKED) {
        const active = await em.findOne(Enrollment, { voucher: voucher.id, status: EnrollmentStatus.ACTIVE }, { lockMode: LockMode.PESSIMISTIC_WRITE });
        if (active) {
          // A step of the revocation (its entry is the voucher's).
          await moveTo(em, active, ENROLLMENT_LIFECYCLE, EnrollmentStatus.ENDED, { partOf: { entityType: 'Voucher', entityId: voucher.id } });
          active.endedAt = this.clock();
          await releaseSeat(em, active.program.id);
        }
      }
      return voucher;
    });
  }

  /** A voucher reserved for an offer to the head of the queue (IssuingService), from the queue's quota. */
  reserve(em: EntityManager, application: Application, city: City, quota: Quota, type: VoucherType): Voucher {
    const voucher = new Voucher({ child: application.child, application: ref(application), city: ref(city), quota: ref(quota), type });
    em.persist(voucher);
    return voucher;
  }

  /**
   * The accepted offer's voucher becomes the child's: a seat taken in `program` (a counter, taken
   * last in the lock order), the voucher ACTIVE and its first enrollment begun at `at`. A step of
   * the offer's audited change; returns the status the voucher left.
   */
  async enroll(em: EntityManager, voucher: Voucher, program: Program, at: Date, offer: Offer): Promise<{ from: VoucherStatus; enrollment: Enrollment }> {
    await takeSeat(em, program.id);
    const from = await moveTo<VoucherStatus, 'status'>(em, voucher, VOUCHER_LIFECYCLE, VoucherStatus.ACTIVE, { partOf: { entityType: 'Offer', entityId: offer.id } });
    const enrollment = new Enrollment(ref(voucher), ref(program), at);
    em.persist(enrollment);
    return { from, enrollment };
  }

  /** A declined or lapsed offer's voucher goes back to the quota (a step of the offer's audited change); returns the status it left. */
  async release(em: EntityManager, voucher: Voucher, offer: Offer): Promise<VoucherStatus> {
    const from = await moveTo<VoucherStatus, 'status'>(em, voucher, VOUCHER_LIFECYCLE, VoucherStatus.RELEASED, { partOf: { entityType: 'Offer', entityId: offer.id } });
    await returnToQuota(em, voucher.quota.id);
    return from;
  }
}

function operatorActionRefused(action: VoucherOperatorAction, from: VoucherStatus) {
  const to = VOUCHER_OPERATOR_ACTIONS[action].to;
  if (from === VoucherStatus.RESERVED) {
    return conflict('This voucher is reserved by a pending offer: the family accepts or declines it, or it expires. Act on the voucher once it is accepted.', { from, to });
  }
  const only = VOUCHER_OPERATOR_ACTIONS[action].from.join(' or ');
  return conflict(`This voucher is ${from}; only a ${only} voucher can be ${action.toLowerCase()}.`, { from, to });
}

/**
 * Locks a voucher for a status change in the lock order (locks.ts): its child first, then the
 * voucher row (its enrollment and seat after), the order switchProgram and acceptOffer use too.
 */
async function lockVoucher(em: EntityManager, voucherId: string): Promise<Voucher> {
  const owner = isUuid(voucherId) ? await voucherOwner.first(em, { id: voucherId }) : undefined;
  if (!owner) throw notFound('Voucher', voucherId);
  await lockChildren(em, [owner.child_id]);
  await lockVoucherRow(em, voucherId);
  return em.findOneOrFail(Voucher, { id: voucherId }, { refresh: true });
}
