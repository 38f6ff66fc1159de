import { createHash } from 'node:crypto';
import { type EntityManager, LockMode } from '@mikro-orm/postgresql';
import type { Clock } from '../clock.js';
import { PaymentStatus, Role } from '../domain/enums.js';
import type { Viewer } from '../auth/viewer.js';
import { Payment, Provider } from '../entities/index.js';
import { badInput, conflict, notFound } from '../errors.js';
import { isUuid } from '../ids.js';
import { requireCityAuthority, requireRole } from './access.js';
import { actorOf, recordAudit } from './audit.service.js';
import type { CityService } from './city.service.js';
import { advisoryLock, LockKey } from './locks.js';
import type { PaymentService } from './payment.service.js';
import type { SettlementService } from './settlement.service.js';
import { actProgramAmounts, actSessions, approvedPaymentOrder, type OrderRow } from './treasury.queries.js';

const PERIOD_RE = /^\d{4}-(0[1-9]|1[0-2])$/;

/** The reference a payment order gives each transfer and a bank statement echoes back: unique per payment. */
export const paymentReference = (row: { period: string; sequence: number; provider_bin: string }) => `KEZEK-${row.period}-${row.sequence}-${row.provider_bin}`;

export interface PaymentOrder {
  city: string;
  period: string | null;
  rows: OrderRow[];
  totals: { count: number; amountTiyn: string };
}

export interface ActOfServices {
  provider: { id: string; bin: string; name: string };
  period: string;
  programs: {
    programId: string;
    title: { kk: string; ru: string };
    amountTiyn: string;
    sessions: { date: string; childInitials: string; minutes: number; paymentId: string; paymentStatus: PaymentStatus }[];
  }[];
  totals: { sessions: number; minutes: number; amountTiyn: string };
}

/** "Әлия Сәрсенова" → "Ә. С.": the act names no child in full (README "Who sees what"). */
export const initialsOf = (fullName: string) =>
  fullName
    .split(/\s+/)
    .filter(Boolean)
    .map((part) => `${[...part][0]!.toUpperCase()}.`)
    .join(' ');

/** SHA-256 of a document's bytes, hex: what the payment order's checksum is. */
export const sha256 = (body: string | Buffer) => createHash('sha256').update(body).digest('hex');

/**
 * What the treasury executes and reports: payment orders of approved payments, monthly acts of
 * services, and re-issuing a payment the bank refused. Responsible for auth checks.
 */
export class TreasuryService {
  constructor(
    private readonly em: EntityManager,
    private readonly cities: CityService,
    private readonly payments: PaymentService,
    private readonly settlement: SettlementService,
    private readonly clock: Clock,
  ) {}

  /** A city's approved payments as one order to the treasury (OPERATOR of the city, ADMIN). */
  async paymentOrder(viewer: Viewer, cityCode: string, period: string | null): Promise<PaymentOrder> {
    requireCityAuthority(viewer, cityCode.trim().toUpperCase());
    const city = await this.cities.byCode(cityCode, 'city');
    if (period != null && !PERIOD_RE.test(period)) throw badInput('period', 'period is a month, "YYYY-MM".');
    const rows = await approvedPaymentOrder.all(this.em, { cityId: city.id, period, approved: PaymentStatus.APPROVED });
    const amount = rows.reduce((sum, row) => sum + BigInt(row.amount_tiyn), 0n);
    return { city: city.code, period, rows, totals: { count: rows.length, amountTiyn: String(amount) } };
  }

  /**
   * The month's act of services of one provider: every session its approved and paid payments of
   * the month pay, by program, with the child's initials only. The provider itself, an operator of
   * its city, an admin.
   */
  async actOfServices(viewer: Viewer, providerId: string, period: string): Promise<ActOfServices> {
    requireRole(viewer, Role.PROVIDER, Role.OPERATOR, Role.ADMIN);
    if (!PERIOD_RE.test(period)) throw badInput('period', 'period is a month, "YYYY-MM".');
    const provider = isUuid(providerId) ? await this.em.findOne(Provider, { id: providerId }, { populate: ['city'] }) : null;
    if (!provider) throw notFound('Provider', providerId);
    if (viewer.role === Role.PROVIDER && viewer.providerId !== provider.id) throw notFound('Provider', providerId);
    if (viewer.role === Role.OPERATOR) requireCityAuthority(viewer, provider.city.getEntity().code);
    const params = { providerId: provider.id, period, statuses: [PaymentStatus.APPROVED, PaymentStatus.PAID] };
    const [sessions, amounts] = await Promise.all([actSessions.all(this.em, params), actProgramAmounts.all(this.em, params)]);
    const programs = amounts.map(({ program_id, amount_tiyn }) => {
      const own = sessions.filter((s) => s.program_id === program_id);
      return {
        programId: program_id,
        title: { kk: own[0]?.title_kk ?? '', ru: own[0]?.title_ru ?? '' },
        amountTiyn: amount_tiyn,
        sessions: own.map((s) => ({ date: s.session_date, childInitials: initialsOf(s.child_name), minutes: s.minutes, paymentId: s.payment_id, paymentStatus: s.payment_status })),
      };
    });
    const amount = amounts.reduce((sum, a) => sum + BigInt(a.amount_tiyn), 0n);
    return {
      provider: { id: provider.id, bin: provider.bin, name: provider.name },
      period,
      programs,
      totals: { sessions: sessions.length, minutes: sessions.reduce((m, s) => m + s.minutes, 0), amountTiyn: String(amount) },
    };
  }

  /**
   * Re-issues a FAILED payment once its provider's bank details were corrected (a newer set
   * confirmed than the one it failed with): its sessions, payable again since it failed, are paid
   * by a supplementary payment of the same month (settlement's own run, so every money invariant
   * and the budget identity hold as for any settlement), which the failed payment names. Once only.
   */
  async reissue(viewer: Viewer, paymentId: string): Promise<{ failed: Payment; reissued: Payment }> {
    requireRole(viewer, Role.OPERATOR, Role.ADMIN);
    const seen = isUuid(paymentId) ? await this.em.findOne(Payment, { id: paymentId }, { populate: ['city'] }) : null;
    if (!seen) throw notFound('Payment', paymentId);
    const city = seen.city.getEntity();
    requireCityAuthority(viewer, city.code);
    const reissuedId = await this.em.transactional(async (em) => {
      // The month's settlement lock before the row, as settlement and budgets take them.
      await advisoryLock(em, LockKey.settlement(city.id, seen.period));
      const payment = await em.findOneOrFail(Payment, { id: paymentId }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
      await this.checkReissuable(em, payment);
      const { paymentIds } = await this.settlement.settleMonth(em, city, payment.period, actorOf(viewer), this.clock());
      const reissued = paymentIds.length ? await em.findOne(Payment, { id: { $in: paymentIds }, provider: payment.provider.id }) : null;
      if (!reissued) throw conflict('Nothing to re-issue: the failed payment’s sessions are already paid by a later payment of the month.');
      payment.reissuedAsId = reissued.id;
      recordAudit(em, actorOf(viewer), {
        action: 'PAYMENT_REISSUED',
        entityType: 'Payment',
        entityId: payment.id,
        cityCode: city.code,
        before: { status: payment.status, reissuedAsId: null },
        after: { status: payment.status, reissuedAsId: reissued.id, amountTiyn: reissued.amountTiyn },
      });
      return reissued.id;
    });
    return {
      failed: await this.em.findOneOrFail(Payment, { id: paymentId }, { refresh: true }),
      reissued: await this.em.findOneOrFail(Payment, { id: reissuedId }, { refresh: true }),
    };
  }

  private async checkReissuable(em: EntityManager, payment: Payment): Promise<void> {
    if (payment.status !== PaymentStatus.FAILED) throw conflict(`Only a FAILED payment can be re-issued; this one is ${payment.status}.`);
    if (payment.reissuedAsId) throw conflict(`This payment was already re-issued as ${payment.reissuedAsId}.`, { reissuedAsId: payment.reissuedAsId });
    const current = await em.findOne(Payment, { id: payment.id }, { populate: ['bankDetails'] });
    const confirmed = await this.payments.confirmedBankDetailsOf(em, payment.provider.id);
    if (!confirmed || confirmed.id === current?.bankDetails?.id) {
      throw conflict('Correct the bank details first: the provider proposes new ones and an operator of its city confirms them; then re-issue.', { reason: 'BANK_DETAILS_NOT_CORRECTED' });
    }
  }
}

