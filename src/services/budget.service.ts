import { type EntityManager, LockMode } from '@mikro-orm/postgresql';
import { PaymentStatus, Role, type VoucherType } from '../domain/enums.js';
import type { Viewer } from '../auth/viewer.js';
import { Budget, type City } from '../entities/index.js';
import { badInput, DomainError, ErrorCode } from '../errors.js';
import { requireCityAuthority, requireRole } from './access.js';
import { actorOf, recordAudit } from './audit.service.js';
import {
  addPaid,
  budgetCount,
  commitWithin,
  ensureBudget,
  lockBudgetOf,
  lockUncoveredPayments,
  paymentAmountsByBudget,
  releaseCommitted,
  takeInLines,
} from './budget.queries.js';
import type { CityService } from './city.service.js';
import { lockYearOfSettlements } from './settlement.service.js';
import { voucherTypeTotals } from './settlement.queries.js';
import { requireIntInRange } from './validate.js';

export interface SetBudgetInput {
  city: string;
  voucherType: VoucherType;
  period: string;
  allocatedTiyn: number;
}

/**
 * Budgets: what a city allocates per voucher type and year, and what its payments commit and pay
 * from it. The one writer of budgets: operators set them here; a settlement commits to them, and
 * a payment's outcome moves their amounts, through the methods below in the caller's transaction.
 * Responsible for auth checks.
 */
export class BudgetService {
  constructor(
    private readonly em: EntityManager,
    private readonly cities: CityService,
  ) {}

  async set(viewer: Viewer, input: SetBudgetInput): Promise<Budget> {
    requireCityAuthority(viewer, input.city.trim().toUpperCase());
    const city = await this.cities.byCode(input.city, 'input.city');
    if (!/^\d{4}$/.test(input.period)) throw badInput('input.period', 'A budget period is a year, "YYYY".');
    const allocated = requireIntInRange(input.allocatedTiyn, 'input.allocated.tiyn', 0, Number.MAX_SAFE_INTEGER);
    const year = input.period;
    return this.em.transactional(async (em) => {
      // A budget covers every unfailed payment of its city, type and year, settled before it was
      // set or after. Lock order as everywhere: the year's settlements, then payments, then the budget.
      await lockYearOfSettlements(em, city.id, year);
      const uncovered = await lockUncoveredPayments.all(em, { cityId: city.id, yearLike: `${year}-%`, failed: PaymentStatus.FAILED, type: input.voucherType });
      await ensureBudget.all(em, { cityId: city.id, type: input.voucherType, year });
      const budget = await em.findOneOrFail(Budget, { city: city.id, voucherType: input.voucherType, period: year }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
      const before = { allocatedTiyn: budget.allocatedTiyn, committedTiyn: budget.committedTiyn, paidTiyn: budget.paidTiyn };
      if (uncovered.length > 0) {
        // Payments settled while no budget was set: the budget takes them in, as committed (and paid where paid).
        const taken = (await takeInLines.first(em, { budgetId: budget.id, paymentIds: uncovered.map((u) => u.id), type: input.voucherType, paid: PaymentStatus.PAID }))!;
        budget.committedTiyn = String(BigInt(budget.committedTiyn) + BigInt(taken.committed));
        budget.paidTiyn = String(BigInt(budget.paidTiyn) + BigInt(taken.paid));
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

  async list(viewer: Viewer, cityCode?: string | null): Promise<Budget[]> {
    requireRole(viewer, Role.OPERATOR, Role.AGENCY, Role.ADMIN);
    const code = viewer.role === Role.OPERATOR ? viewer.cityCode : cityCode?.toUpperCase();
    return this.em.find(Budget, code ? { city: { code } } : {}, { orderBy: { period: 'desc', voucherType: 'asc' } });
  }

  /** Whether the city has any budget for the year of `period` ("YYYY-MM"). */
  async existsFor(em: EntityManager, cityId: string, period: string): Promise<boolean> {
    const row = await budgetCount.first(em, { cityId, year: period.slice(0, 4) });
    return Number(row?.n ?? 0) > 0;
  }

  /**
   * Commits a settlement run's amounts (its settle_lines) to the year's budget per voucher type. A
   * guarded update and the table's check make overspending impossible; any type over its budget
   * refuses the whole run. Returns the budget committed to, per voucher type (types without a
   * budget are absent).
   */
  async commitSettlement(em: EntityManager, city: City, period: string): Promise<Partial<Record<VoucherType, string>>> {
    const year = period.slice(0, 4);
    const committed: Partial<Record<VoucherType, string>> = {};
    for (const { voucher_type, amount } of await voucherTypeTotals.all(em, {})) {
      const budget = await lockBudgetOf.first(em, { cityId: city.id, type: voucher_type, year });
      if (!budget) continue;
      committed[voucher_type] = budget.id;
      if ((await commitWithin.all(em, { amount, budgetId: budget.id })).length === 0) {
        throw new DomainError(ErrorCode.QUOTA_EXHAUSTED, `Settling would exceed ${city.code}'s ${voucher_type} budget for ${year}; nothing was settled.`);
      }
    }
    return committed;
  }

  /**
   * A payment's outcome in the budgets its lines were committed to (payment_line.budget_id), and
   * nowhere else: PAID turns committed money into paid money, FAILED releases the commitment. A
   * line settled while no budget was set moves nothing until a budget takes it in. The payment
   * row is locked by the caller, and `set` locks it before taking lines in, so the lines' budgets
   * cannot change underneath.
   */
  async applyOutcome(em: EntityManager, paymentId: string, outcome: PaymentStatus.PAID | PaymentStatus.FAILED): Promise<void> {
    const move = outcome === PaymentStatus.PAID ? addPaid : releaseCommitted;
    for (const { budget_id, amount } of await paymentAmountsByBudget.all(em, { paymentId })) {
      await move.all(em, { amount, budgetId: budget_id });
    }
  }
}
