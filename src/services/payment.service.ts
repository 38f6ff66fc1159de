import { type EntityManager, type FilterQuery, LockMode, raw } from '@mikro-orm/postgresql';
import type { Clock } from '../clock.js';
import { PaymentStatus, Role, VoucherType } from '../domain/enums.js';
import { transition } from '../domain/lifecycle.js';
import { PAYMENT_TRANSITIONS } from '../domain/lifecycles.js';
import type { Viewer } from '../auth/viewer.js';
import { Budget, Payment } from '../entities/index.js';
import { badInput, notFound } from '../errors.js';
import { isUuid } from '../ids.js';
import { requireCityAuthority, requireRole } from './access.js';
import { actorOf, recordAudit } from './audit.service.js';
import type { CityService } from './city.service.js';
import { onceForKey } from './idempotency.js';
import { lockYearOfSettlements } from './settlement.service.js';
import { type Page, type PageArgs, readPageArgs, toPage } from './pagination.js';
import { requireIntInRange, requireText } from './validate.js';

export interface PaymentFilter {
  city?: string | null;
  providerId?: string | null;
  period?: string | null;
  status?: PaymentStatus | null;
}

/** Payments and budgets. Operators move payments through their lifecycle; providers read their own. */
export class PaymentService {
  constructor(
    private readonly em: EntityManager,
    private readonly cities: CityService,
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

  async setBudget(viewer: Viewer, input: { city: string; voucherType: VoucherType; period: string; allocatedTiyn: number }): Promise<Budget> {
    requireCityAuthority(viewer, input.city.trim().toUpperCase());
    const city = await this.cities.byCode(input.city, 'input.city');
    if (!/^\d{4}$/.test(input.period)) throw badInput('input.period', 'A budget period is a year, "YYYY".');
    const allocated = requireIntInRange(input.allocatedTiyn, 'input.allocated.tiyn', 0, Number.MAX_SAFE_INTEGER);
    const year = input.period;
    return this.em.transactional(async (em) => {
      // A budget covers every unfailed payment of its city, type and year, settled before it was
      // set or after. Lock order as everywhere: the year's settlements, then payments, then the budget.
      await lockYearOfSettlements(em, city.id, year);
      const uncovered = await em.execute<{ id: string }[]>(
        `select x.id from payment x
          where x.city_id = ? and x.period like ? and x.status <> ?
            and exists (select 1 from payment_line pl where pl.payment_id = x.id and pl.voucher_type = ? and pl.budget_id is null)
          order by x.id for update`,
        [city.id, `${year}-%`, PaymentStatus.FAILED, input.voucherType],
      );
      await em.execute(`insert into budget (id, city_id, voucher_type, period, allocated_tiyn) values (gen_random_uuid(), ?, ?, ?, 0) on conflict do nothing`, [city.id, input.voucherType, year]);
      const budget = await em.findOneOrFail(Budget, { city: city.id, voucherType: input.voucherType, period: year }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
      const before = { allocatedTiyn: budget.allocatedTiyn, committedTiyn: budget.committedTiyn, paidTiyn: budget.paidTiyn };
      if (uncovered.length > 0) {
        // Payments settled while no budget was set: the budget takes them in, as committed (and paid where paid).
        const [taken] = await em.execute<{ committed: string; paid: string }[]>(
          `with taken as (
             update payment_line pl set budget_id = ? from payment x
              where x.id = pl.payment_id and x.id in (?) and pl.voucher_type = ? and pl.budget_id is null
             returning pl.amount_tiyn, x.status)
           select coalesce(sum(amount_tiyn), 0)::text as committed, coalesce(sum(amount_tiyn) filter (where status = ?), 0)::text as paid from taken`,
          [budget.id, uncovered.map((u) => u.id), input.voucherType, PaymentStatus.PAID],
        );
        budget.committedTiyn = String(BigInt(budget.committedTiyn) + BigInt(taken!.committed));
        budget.paidTiyn = String(BigInt(budget.paidTiyn) + BigInt(taken!.paid));
      }
      if (BigInt(allocated) < BigInt(budget.committedTiyn)) {
        throw badInput('input.allocated.tiyn', `${budget.committedTiyn} tiyn are already committed for ${year}; the allocation cannot go below that.`);
      }
      budget.allocatedTiyn = String(allocated);
      recordAudit(em, actorOf(viewer), {
        action: 'BUDGET_SET',
        entityType: 'Budget',
        entityId: budget.id,
        cityCode: city.code,
        before,
        after: { allocatedTiyn: budget.allocatedTiyn, committedTiyn: budget.committedTiyn, paidTiyn: budget.paidTiyn },
      });
      return budget;
    });
  }

  async budgets(viewer: Viewer, cityCode?: string | null): Promise<Budget[]> {
    requireRole(viewer, Role.OPERATOR, Role.AGENCY, Role.ADMIN);
    const code = viewer.role === Role.OPERATOR ? viewer.cityCode : cityCode?.toUpperCase();
    return this.em.find(Budget, code ? { city: { code } } : {}, { orderBy: { period: 'desc', voucherType: 'asc' } });
  }

  private async move(viewer: Viewer, paymentId: string, to: PaymentStatus, key: string | null | undefined, operation: string, fields: Partial<Payment>): Promise<Payment> {
    requireRole(viewer, Role.OPERATOR, Role.ADMIN);
    const { ids } = await this.em.transactional((em) =>
      onceForKey(em, viewer, key, operation, { paymentId, ...fields }, async () => {
        const payment = isUuid(paymentId) ? await em.findOne(Payment, { id: paymentId }, { lockMode: LockMode.PESSIMISTIC_WRITE }) : null;
        if (!payment) throw notFound('Payment', paymentId);
        const city = await payment.city.loadOrFail();
        requireCityAuthority(viewer, city.code);
        const from = payment.status;
        payment.status = transition(PAYMENT_TRANSITIONS, 'Payment', from, to);
        Object.assign(payment, fields);
        if (to === PaymentStatus.APPROVED) payment.approvedAt = this.clock();
        if (to === PaymentStatus.PAID) {
          payment.paidAt = this.clock();
          await moveBudget(em, payment, 'paid_tiyn = paid_tiyn + ?');
        }
        if (to === PaymentStatus.FAILED) {
          await moveBudget(em, payment, 'committed_tiyn = committed_tiyn - ?');
          await em.execute(`update attendance set payment_line_id = null where payment_line_id in (select id from payment_line where payment_id = ?)`, [payment.id]);
        }
        recordAudit(em, actorOf(viewer), { action: `PAYMENT_${to}`, entityType: 'Payment', entityId: payment.id, cityCode: city.code, before: { status: from }, after: { status: to, ...fields } });
        return [payment.id];
      }),
    );
    return this.em.findOneOrFail(Payment, { id: ids[0]! }, { refresh: true });
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
    return where;
  }
}

/**
 * Moves a payment's amounts in the budgets its lines were committed to (payment_line.budget_id),
 * and nowhere else: a line settled while no budget was set moves nothing until a budget takes it in.
 * The payment row is locked by the caller, and setBudget locks it before taking lines in, so the
 * lines' budgets cannot change underneath.
 */
async function moveBudget(em: EntityManager, payment: Payment, assignment: string): Promise<void> {
  const totals = await em.execute<{ budget_id: string; amount: string }[]>(
    `select budget_id, sum(amount_tiyn)::bigint as amount from payment_line where payment_id = ? and budget_id is not null group by 1 order by 1`,
    [payment.id],
  );
  for (const { budget_id, amount } of totals) {
    await em.execute(`update budget set ${assignment} where id = ?`, [amount, budget_id]);
  }
}
