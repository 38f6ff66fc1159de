import { type EntityManager, type FilterQuery, LockMode, raw, ref } from '@mikro-orm/postgresql';
import type { Clock } from '../clock.js';
import { PaymentStatus, Role } from '../domain/enums.js';
import { PAYMENT_LIFECYCLE } from '../domain/lifecycles.js';
import type { Viewer } from '../auth/viewer.js';
import { type City, Payment } from '../entities/index.js';
import { badInput, conflict, notFound } from '../errors.js';
import { localDate } from '../domain/calendar.js';
import { dueDateOf } from '../domain/payment-dates.js';
import { isUuid } from '../ids.js';
import { requireCityAuthority, requireRole } from './access.js';
import { type Actor, actorOf } from './audit.service.js';
import type { BankDetailsService } from './bank-details.service.js';
import type { BudgetService } from './budget.service.js';
import type { CityService } from './city.service.js';
import { onceForKey } from './idempotency.js';
import { type Page, type PageArgs, readPageArgs, toPage } from './pagination.js';
import { cityTimezones, releaseSessionsOf } from './payment.queries.js';
import { currentRules } from './rules.service.js';
import { moveTo } from './status-change.js';
import { requireText } from './validate.js';

export interface PaymentFilter {
  city?: string | null;
  providerId?: string | null;
  period?: string | null;
  status?: PaymentStatus | null;
  /** Only payments past their due date and not yet paid (true), or only the others (false). */
  overdue?: boolean | null;
}

/** Statuses in which the state still owes the money: past its due date, such a payment is overdue. */
const OWED = [PaymentStatus.CALCULATED, PaymentStatus.APPROVED];

/**
 * Payments after settlement created them: operators move them through their lifecycle (the budget
 * follows, BudgetService), providers read their own. Responsible for auth checks.
 */
export class PaymentService {
  constructor(
    private readonly em: EntityManager,
    private readonly cities: CityService,
    private readonly budgets: BudgetService,
    private readonly bankDetails: BankDetailsService,
    private readonly clock: Clock,
  ) {}

  async list(viewer: Viewer, filter: PaymentFilter = {}, pageArgs: PageArgs = {}): Promise<Page<Payment> & { totalAmount: () => Promise<number> }> {
    const where = await this.scope(viewer, filter);
    const { limit, afterId } = readPageArgs(pageArgs);
    const rows = await this.em.find(Payment, { $and: [...where, ...(afterId ? [{ id: { $gt: afterId } }] : [])] }, { orderBy: { id: 'asc' }, limit: limit + 1 });
    const page = toPage(rows, limit, () => this.em.count(Payment, { $and: where }));
    const totalAmount = async () => {
      const qb = this.em.createQueryBuilder(Payment, 'p').select(raw('coalesce(sum(p.amount_tiyn), 0)::bigint as total')).where({ $and: where });
      const [row] = await qb.execute<{ total: string }[]>('all', false);
      return Number(row?.total ?? 0);
    };
    return { ...page, totalAmount };
  }

  async find(viewer: Viewer, id: string): Promise<Payment | null> {
    if (!isUuid(id)) return null;
    const where = await this.scope(viewer, {});
    return this.em.findOne(Payment, { $and: [{ id }, ...where] });
  }

  /** Payments by id, in id order, for a result that named them (a statement's import, checked by its own access). */
  byIds(ids: string[]): Promise<Payment[]> {
    return ids.length ? this.em.find(Payment, { id: { $in: ids } }, { orderBy: { id: 'asc' } }) : Promise.resolve([]);
  }

  approve(viewer: Viewer, paymentId: string, idempotencyKey?: string | null): Promise<Payment> {
    return this.move(viewer, paymentId, PaymentStatus.APPROVED, idempotencyKey, 'approvePayment', {});
  }

  markPaid(viewer: Viewer, paymentId: string, rawReference: string, idempotencyKey?: string | null): Promise<Payment> {
    const bankReference = requireText(rawReference, 'input.bankReference', { min: 3, max: 100 });
    return this.move(viewer, paymentId, PaymentStatus.PAID, idempotencyKey, 'markPaymentPaid', { bankReference });
  }

  /** The bank refused it: the money goes back to the budget and its sessions become payable again. */
  markFailed(viewer: Viewer, paymentId: string, rawReason: string): Promise<Payment> {
    const failureReason = requireText(rawReason, 'input.reason', { min: 3, max: 1000 });
    return this.move(viewer, paymentId, PaymentStatus.FAILED, null, 'markPaymentFailed', { failureReason });
  }

  private async move(viewer: Viewer, paymentId: string, to: PaymentStatus, key: string | null | undefined, operation: string, fields: Partial<Payment>): Promise<Payment> {
    requireRole(viewer, Role.OPERATOR, Role.ADMIN);
    const { ids } = await this.em.transactional((em) =>
      onceForKey(em, viewer, key, operation, { paymentId, ...fields }, async () => {
        const payment = isUuid(paymentId) ? await em.findOne(Payment, { id: paymentId }, { lockMode: LockMode.PESSIMISTIC_WRITE }) : null;
        if (!payment) throw notFound('Payment', paymentId);
        const city = await payment.city.loadOrFail();
        requireCityAuthority(viewer, city.code);
        await this.moveLocked(em, actorOf(viewer), payment, city, to, fields);
        return [payment.id];
      }),
    );
    return this.em.findOneOrFail(Payment, { id: ids[0]! }, { refresh: true });
  }

  /**
   * A payment's move, in the caller's transaction with its row locked (approving, paying and failing
   * here; a bank statement's lines, TreasuryService): approval names the provider's confirmed bank
   * details (refused without them) and keeps the due date; PAID and FAILED move the budget, FAILED
   * makes the sessions payable again.
   */
  async moveLocked(em: EntityManager, actor: Actor, payment: Payment, city: City, to: PaymentStatus, fields: Partial<Payment>): Promise<void> {
    const details = to === PaymentStatus.APPROVED ? await this.bankDetails.confirmedOf(em, payment.provider.id) : null;
    if (to === PaymentStatus.APPROVED && !details && payment.status === PaymentStatus.CALCULATED) {
      throw conflict('The provider has no confirmed bank details: it proposes them (proposeBankDetails) and an operator of its city confirms them before a payment can be approved.', { reason: 'NO_CONFIRMED_BANK_DETAILS' });
    }
    const snapshot = details ? { bankDetailsId: details.id } : {};
    await moveTo(em, payment, PAYMENT_LIFECYCLE, to, { actor, action: `PAYMENT_${to}`, cityCode: city.code, after: { ...fields, ...snapshot } });
    Object.assign(payment, fields);
    if (to === PaymentStatus.APPROVED) {
      payment.approvedAt = this.clock();
      payment.bankDetails = ref(details!);
      // Payments calculated before due dates existed get theirs now.
      payment.dueDate ??= dueDateOf(payment.period, (await currentRules(em, city.id)).paymentDueDay, localDate(city.timezone, this.clock()));
    }
    if (to === PaymentStatus.PAID) {
      payment.paidAt = this.clock();
      await this.budgets.applyOutcome(em, payment.id, PaymentStatus.PAID);
    }
    if (to === PaymentStatus.FAILED) {
      await this.budgets.applyOutcome(em, payment.id, PaymentStatus.FAILED);
      await releaseSessionsOf.all(em, { paymentId: payment.id });
    }
  }

  /** The provider's confirmed bank details in force, in the caller's transaction. */
  confirmedBankDetailsOf(em: EntityManager, providerId: string) {
    return this.bankDetails.confirmedOf(em, providerId);
  }

  /** Past its due date (the city's date, by the clock) and still owed. */
  overdue(payment: Payment, city: City): boolean {
    return OWED.includes(payment.status) && payment.dueDate != null && payment.dueDate < localDate(city.timezone, this.clock());
  }

  /** What each role may read: operators their city's, providers their own, agencies and admins all. */
  private async scope(viewer: Viewer, filter: PaymentFilter): Promise<FilterQuery<Payment>[]> {
    requireRole(viewer, Role.PROVIDER, Role.OPERATOR, Role.AGENCY, Role.ADMIN);
    const where: FilterQuery<Payment>[] = [];
    if (viewer.role === Role.PROVIDER) where.push({ provider: viewer.providerId });
    if (viewer.role === Role.OPERATOR) where.push({ city: { code: viewer.cityCode } });
    if (filter.city) where.push({ city: (await this.cities.byCode(filter.city, 'filter.city')).id });
    if (filter.providerId) {
      if (!isUuid(filter.providerId)) throw badInput('filter.providerId', 'Not a provider id.');
      where.push({ provider: filter.providerId });
    }
    if (filter.period) {
      if (!/^\d{4}-\d{2}$/.test(filter.period)) throw badInput('filter.period', 'period is a month, "YYYY-MM".');
      where.push({ period: filter.period });
    }
    if (filter.status) where.push({ status: filter.status });
    if (filter.overdue != null) {
      // "Today" is each city's own date: one condition per time zone in use (a handful, however many cities).
      const zones = await cityTimezones.all(this.em, {});
      const late: FilterQuery<Payment> = { $or: zones.map(({ timezone }) => ({ city: { timezone }, dueDate: { $lt: localDate(timezone, this.clock()) } })) };
      where.push(filter.overdue ? { $and: [{ status: { $in: OWED } }, late] } : { $or: [{ status: { $nin: OWED } }, { dueDate: null }, { $not: late }] });
    }
    return where;
  }
}
