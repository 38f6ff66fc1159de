import { type EntityManager, LockMode, ref } from '@mikro-orm/postgresql';
import type { Clock } from '../clock.js';
import { BANK_DETAILS_MESSAGES, checkBik, checkIban } from '../domain/bank-details.js';
import { BankDetailsStatus, Role } from '../domain/enums.js';
import { BANK_DETAILS_LIFECYCLE } from '../domain/lifecycles.js';
import type { Viewer } from '../auth/viewer.js';
import { BankDetails, type Payment, Provider } from '../entities/index.js';
import { badInput, forbidden, notFound } from '../errors.js';
import { isUuid } from '../ids.js';
import { requireCityAuthority, requireRole } from './access.js';
import { actorOf, recordAudit } from './audit.service.js';
import { moveTo } from './status-change.js';
import { requireText } from './validate.js';

/**
 * A provider's bank details: the provider proposes a set, an operator of its city confirms or
 * rejects it; the confirmed set is what payments approved from then on pay to. Responsible for
 * auth checks. Every change is serialised on the provider's row, so a proposal and a decision (or
 * two decisions) never interleave; the partial unique indexes back that.
 */
export class BankDetailsService {
  constructor(
    private readonly em: EntityManager,
    private readonly clock: Clock,
  ) {}

  async propose(viewer: Viewer, input: { iban: string; bik: string }): Promise<BankDetails> {
    requireRole(viewer, Role.PROVIDER);
    // A BIN that has not applied yet has no provider record to hold bank details.
    if (!viewer.providerId) throw forbidden('Apply to the programme first (applyAsProvider): bank details belong to a provider.');
    const providerId = viewer.providerId;
    const iban = checkIban(input.iban ?? '');
    if (!iban.ok) throw badInput('input.iban', `The IBAN ${BANK_DETAILS_MESSAGES[iban.problem]} (KZ, two check digits, 16 letters or digits; ISO 13616).`);
    const bik = checkBik(input.bik ?? '');
    if (!bik.ok) throw badInput('input.bik', `The BIK ${BANK_DETAILS_MESSAGES[bik.problem]} (8 or 11 characters, e.g. HSBKKZKX).`);
    return this.em.transactional(async (em) => {
      const provider = await this.lockProvider(em, providerId);
      const city = await provider.city.loadOrFail();
      // The provider's newer proposal replaces one not yet decided.
      const pending = await em.findOne(BankDetails, { provider: provider.id, status: BankDetailsStatus.PROPOSED });
      if (pending) {
        await moveDetails(em, pending, 'BANK_DETAILS_SUPERSEDED', city.code, viewer);
        await em.flush();
      }
      const details = new BankDetails({ provider: ref(provider), iban: iban.value, bik: bik.value, proposedAt: this.clock() });
      em.persist(details);
      recordAudit(em, actorOf(viewer), {
        action: 'BANK_DETAILS_PROPOSED',
        entityType: BANK_DETAILS_LIFECYCLE.entityType,
        entityId: details.id,
        cityCode: city.code,
        after: { status: details.status, providerId: provider.id, iban: details.iban, bik: details.bik },
      });
      return details;
    });
  }

  /** An operator of the provider's city (or an admin) confirms a proposal: it replaces the details in force. */
  confirm(viewer: Viewer, bankDetailsId: string): Promise<BankDetails> {
    return this.decide(viewer, bankDetailsId, BankDetailsStatus.CONFIRMED, null);
  }

  reject(viewer: Viewer, bankDetailsId: string, rawReason: string): Promise<BankDetails> {
    return this.decide(viewer, bankDetailsId, BankDetailsStatus.REJECTED, requireText(rawReason ?? '', 'input.reason', { min: 3, max: 1000 }));
  }

  /** The provider's sets, newest first: the provider itself, an operator of its city, an admin. Others see none. */
  async ofProvider(viewer: Viewer, provider: Provider, status?: BankDetailsStatus): Promise<BankDetails[]> {
    if (!(await this.mayRead(viewer, provider))) return [];
    return this.em.find(BankDetails, { provider: provider.id, ...(status ? { status } : {}) }, { orderBy: { proposedAt: 'desc', id: 'desc' } });
  }

  /**
   * The set a payment pays to, for a caller who sees the payment: its provider, an operator of its
   * city, an admin (the payment's own scope); agencies see payments but, as with
   * Provider.bankDetails, no account.
   */
  ofPayment(viewer: Viewer, payment: Payment): Promise<BankDetails | null> {
    const id = payment.bankDetails?.id;
    if (!id || viewer.role === Role.AGENCY) return Promise.resolve(null);
    return this.em.findOne(BankDetails, { id });
  }

  /** The confirmed set in force, in the caller's transaction (a payment's approval names it). */
  confirmedOf(em: EntityManager, providerId: string): Promise<BankDetails | null> {
    return em.findOne(BankDetails, { provider: providerId, status: BankDetailsStatus.CONFIRMED });
  }

  private async decide(viewer: Viewer, bankDetailsId: string, to: BankDetailsStatus.CONFIRMED | BankDetailsStatus.REJECTED, reason: string | null): Promise<BankDetails> {
    requireRole(viewer, Role.OPERATOR, Role.ADMIN);
    if (!isUuid(bankDetailsId)) throw notFound('BankDetails', bankDetailsId);
    return this.em.transactional(async (em) => {
      const found = await em.findOne(BankDetails, { id: bankDetailsId }, { populate: ['provider.city'] });
      if (!found) throw notFound('BankDetails', bankDetailsId);
      const provider = found.provider.getEntity();
      const cityCode = provider.city.getEntity().code;
      requireCityAuthority(viewer, cityCode);
      await this.lockProvider(em, provider.id);
      const details = await em.findOneOrFail(BankDetails, { id: bankDetailsId }, { refresh: true });
      if (to === BankDetailsStatus.CONFIRMED) {
        const current = await this.confirmedOf(em, provider.id);
        if (current && details.status === BankDetailsStatus.PROPOSED) {
          await moveDetails(em, current, 'BANK_DETAILS_SUPERSEDED', cityCode, viewer);
          await em.flush(); // before the new one is confirmed: one confirmed set per provider, at every statement
        }
      }
      await moveDetails(em, details, `BANK_DETAILS_${to}`, cityCode, viewer, reason);
      details.decidedAt = this.clock();
      details.rejectionReason = reason;
      return details;
    });
  }

  private async lockProvider(em: EntityManager, providerId: string): Promise<Provider> {
    const provider = await em.findOne(Provider, { id: providerId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!provider) throw notFound('Provider', providerId);
    return provider;
  }

  private async mayRead(viewer: Viewer, provider: Provider): Promise<boolean> {
    if (viewer.role === Role.ADMIN) return true;
    if (viewer.role === Role.PROVIDER) return viewer.providerId === provider.id;
    if (viewer.role === Role.OPERATOR) return viewer.cityCode === (await provider.city.loadOrFail()).code;
    return false;
  }
}

/** A set's move, audited with the provider it belongs to. */
async function moveDetails(em: EntityManager, details: BankDetails, action: string, cityCode: string, viewer: Viewer, reason: string | null = null): Promise<void> {
  const to = action.replace('BANK_DETAILS_', '') as BankDetailsStatus;
  await moveTo(em, details, BANK_DETAILS_LIFECYCLE, to, { actor: actorOf(viewer), action, cityCode, reason, after: { providerId: details.provider.id } });
}
