import { type EntityManager, ref } from '@mikro-orm/postgresql';
import { advisoryLock, LockKey } from './locks.js';
import type { Clock } from '../clock.js';
import { AttendanceStatus, PaymentStatus, ProviderStatus, VoucherStatus } from '../domain/enums.js';
import type { Viewer } from '../auth/viewer.js';
import { type City, Payment, Provider } from '../entities/index.js';
import { badInput } from '../errors.js';
import { requireCityAuthority } from './access.js';
import { type Actor, actorOf, recordAudit } from './audit.service.js';
import { localDate } from '../domain/calendar.js';
import { dueDateOf } from '../domain/payment-dates.js';
import type { AttendanceService } from './attendance.service.js';
import type { BudgetService } from './budget.service.js';
import type { CityService } from './city.service.js';
import { onceForKey } from './idempotency.js';
import { currentRules } from './rules.service.js';
import { createSettleLines, createSettleSessions, insertLines, markSessionsPaid, nextSequences, providerTotals } from './settlement.queries.js';

export interface SettlementResult {
  /** Every payment of the city and month, the ones this run created included. */
  payments: Payment[];
  created: number;
  /** False where no budget is set for a voucher type: settlement was not limited by one. */
  budgetLimited: boolean;
}

const PERIOD_RE = /^(\d{4})-(0[1-9]|1[0-2])$/;

/**
 * Settles a city's month: one payment per provider, paying confirmed sessions only; the payments'
 * creator (their later moves are PaymentService's). Responsible for auth checks.
 */
export class SettlementService {
  constructor(
    private readonly em: EntityManager,
    private readonly cities: CityService,
    private readonly attendance: AttendanceService,
    private readonly budgets: BudgetService,
    private readonly clock: Clock,
  ) {}

  async settle(viewer: Viewer, cityCode: string, period: string, idempotencyKey?: string | null): Promise<SettlementResult> {
    requireCityAuthority(viewer, cityCode.trim().toUpperCase());
    const city = await this.cities.byCode(cityCode, 'input.city');
    const match = PERIOD_RE.exec(period);
    if (!match) throw badInput('input.period', 'period is a month, "YYYY-MM".');
    if (`${period}-01` > localDate(city.timezone, this.clock())) throw badInput('input.period', 'This month has not started yet.');
    let created = 0;
    let budgetLimited = false;
    await this.em.transactional((em) =>
      onceForKey(em, viewer, idempotencyKey, 'settlePeriod', { city: city.code, period }, async () => {
        const outcome = await this.settleMonth(em, city, period, actorOf(viewer), this.clock());
        created = outcome.paymentIds.length;
        budgetLimited = outcome.budgetLimited;
        return outcome.paymentIds;
      }),
    );
    const payments = await this.em.find(Payment, { city: city.id, period }, { orderBy: { id: 'asc' } });
    return { payments, created, budgetLimited };
  }

  /**
   * The settlement itself, in SQL set operations (settlement.queries.ts) so a month of a whole city
   * is a handful of statements. Serialised per city and month by an advisory lock; each confirmed
   * session is paid by exactly one line (attendance.payment_line_id is set once), so running it
   * again with nothing new creates nothing, and sessions confirmed later go into a supplementary
   * payment. In the caller's transaction (settle's, or a benchmark's).
   */
  async settleMonth(em: EntityManager, city: City, period: string, actor: Actor, now: Date): Promise<{ paymentIds: string[]; budgetLimited: boolean }> {
    await advisoryLock(em, LockKey.settlement(city.id, period));
    await this.attendance.lapseUnconfirmed(em, [city.code], now);
    const rules = await currentRules(em, city.id);
    const [start, end] = monthBounds(period);

    // The sessions this run pays, fixed now; then one line per enrollment, capped per voucher.
    await createSettleSessions.all(em, {
      cityId: city.id,
      start,
      end,
      confirmed: AttendanceStatus.CONFIRMED,
      approved: ProviderStatus.APPROVED,
      suspended: VoucherStatus.SUSPENDED,
    });
    await createSettleLines.all(em, {
      cityId: city.id,
      start,
      end,
      period,
      rates: JSON.stringify(rules.ratesTiynPerHour),
      failed: PaymentStatus.FAILED,
      capMinutes: rules.monthlyCapMinutes ?? null,
      capTiyn: rules.monthlyCapTiyn ?? null,
    });

    const providers = await providerTotals.all(em, {});
    if (providers.length === 0) return { paymentIds: [], budgetLimited: await this.budgets.existsFor(em, city.id, period) };
    const budgetIds = await this.budgets.commitSettlement(em, city, period);
    const budgetLimited = Object.keys(budgetIds).length > 0;

    const dueDate = dueDateOf(period, rules.paymentDueDay, localDate(city.timezone, now));
    const sequences = await nextSequences.all(em, { period, providerIds: providers.map((p) => p.provider_id) });
    const payments = providers.map((p) => {
      const payment = new Payment({
        provider: ref(em.getReference(Provider, p.provider_id)),
        city: ref(city),
        period,
        sequence: Number(sequences.find((s) => s.provider_id === p.provider_id)!.next),
        amountTiyn: String(p.amount),
        rulesVersion: rules.version,
        dueDate,
      });
      em.persist(payment);
      recordAudit(em, actor, {
        action: 'PAYMENT_CALCULATED',
        entityType: 'Payment',
        entityId: payment.id,
        cityCode: city.code,
        after: { providerId: p.provider_id, period, sequence: payment.sequence, amountTiyn: payment.amountTiyn, dueDate },
        rulesVersion: rules.version,
      });
      return payment;
    });
    await em.flush();

    // Each line names the budget its amount was just committed to, so paying or failing it moves exactly that money.
    const paymentIds = payments.map((p) => p.id);
    await insertLines.all(em, { budgetIds: JSON.stringify(budgetIds), period, paymentIds });
    await markSessionsPaid.all(em, { paymentIds });
    return { paymentIds, budgetLimited };
  }
}

/** [first day, first day of next month) as YYYY-MM-DD. */
function monthBounds(period: string): [string, string] {
  const [y, m] = period.split('-').map(Number) as [number, number];
  const next = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
  return [`${period}-01`, `${next}-01`];
}

/**
 * Serialises with every settlement of the city's year (the per-month lock settleMonth takes), in
 * month order: a budget created while a month is being settled would miss that run's lines.
 * Taken before any row lock, as settleMonth does, so the two cannot deadlock.
 */
export async function lockYearOfSettlements(em: EntityManager, cityId: string, year: string): Promise<void> {
  for (let month = 1; month <= 12; month++) await advisoryLock(em, LockKey.settlement(cityId, `${year}-${String(month).padStart(2, '0')}`));
}
