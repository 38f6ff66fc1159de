import { type EntityManager, type FilterQuery, LockMode, ref } from '@mikro-orm/postgresql';
import type { Clock } from '../clock.js';
import { ClaimStatus, EnrollmentStatus, Role, VoucherStatus, VoucherType } from '../domain/enums.js';
import { transition } from '../domain/lifecycle.js';
import { ENROLLMENT_TRANSITIONS, VOUCHER_OPERATOR_ACTIONS, VOUCHER_TRANSITIONS, type VoucherOperatorAction } from '../domain/lifecycles.js';
import type { Viewer } from '../auth/viewer.js';
import { Enrollment, Guardianship, SuspendedSubject, Voucher } from '../entities/index.js';
import { badInput, conflict, forbidden, notFound } from '../errors.js';
import { isUuid } from '../ids.js';
import { requireCityAuthority, requireRole } from './access.js';
import { actorOf, recordAudit } from './audit.service.js';
import type { CityService } from './city.service.js';
import { releaseSeat } from './counters.js';
import { lockChildren, lockVoucherRow, moveSeat } from './locks.js';
import { type Page, type PageArgs, readPageArgs, toPage } from './pagination.js';
import { programForPlacement } from './placement.js';
import { trackSuspension } from './suspension.js';
import { inTransaction } from './transaction.js';
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
   * ACTIVE one on the same voucher, no new application. Seats are checked as on acceptance.
   */
  async switchProgram(viewer: Viewer, enrollmentId: string, programId: string): Promise<Enrollment> {
    requireRole(viewer, Role.PARENT);
    return inTransaction(this.em, async (em) => {
      // The lock order (locks.ts): the child, the voucher, then its enrollment, then the seats in
      // program id order, as revoke and suspend take them, so a switch and a status change of
      // the same voucher wait for each other instead of deadlocking.
      const [owner] = isUuid(enrollmentId)
        ? await em.execute<{ voucher_id: string; child_id: string }[]>('select e.voucher_id, v.child_id from enrollment e join voucher v on v.id = e.voucher_id where e.id = ?', [enrollmentId])
        : [];
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
      await moveSeat(em, old.program.id, program.id);

      old.status = transition(ENROLLMENT_TRANSITIONS, 'Enrollment', old.status, EnrollmentStatus.TRANSFERRED);
      old.endedAt = now;
      await em.flush(); // the old one stops being ACTIVE before the new one starts (one active per voucher)
      const next = new Enrollment(ref(voucher), ref(program), now, ref(old));
      em.persist(next);
      recordAudit(em, actorOf(viewer), {
        action: 'SWITCHED',
        entityType: 'Voucher',
        entityId: voucher.id,
        cityCode: voucher.city.getEntity().code,
        before: { enrollmentId: old.id, programId: old.program.id },
        after: { enrollmentId: next.id, programId: program.id },
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
      voucher.status = transition(VOUCHER_TRANSITIONS, 'Voucher', from, to);
      voucher.statusReason = reason;
      await trackSuspension(em, SuspendedSubject.VOUCHER, voucher.id, { before: from !== VoucherStatus.SUSPENDED, after: to !== VoucherStatus.SUSPENDED }, this.clock());
      if (to === VoucherStatus.REVOKED) {
        const active = await em.findOne(Enrollment, { voucher: voucher.id, status: EnrollmentStatus.ACTIVE }, { lockMode: LockMode.PESSIMISTIC_WRITE });
        if (active) {
          active.status = transition(ENROLLMENT_TRANSITIONS, 'Enrollment', active.status, EnrollmentStatus.ENDED);
          active.endedAt = this.clock();
          await releaseSeat(em, active.program.id);
        }
      }
      recordAudit(em, actorOf(viewer), { action, entityType: 'Voucher', entityId: voucher.id, cityCode: city.code, before: { status: from }, after: { status: to }, reason });
      return voucher;
    });
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
  const [owner] = isUuid(voucherId) ? await em.execute<{ child_id: string }[]>('select child_id from voucher where id = ?', [voucherId]) : [];
  if (!owner) throw notFound('Voucher', voucherId);
  await lockChildren(em, [owner.child_id]);
  await lockVoucherRow(em, voucherId);
  return em.findOneOrFail(Voucher, { id: voucherId }, { refresh: true });
}
