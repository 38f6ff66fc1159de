import { type EntityManager, type FilterQuery, LockMode, ref, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import type { Clock } from '../clock.js';
import { Role, ProviderDecision, ProviderKind, ProviderStatus } from '../domain/enums.js';
import { normalizePhone, validateBin } from '../domain/kazakh-ids.js';
import { PROVIDER_DECISIONS, PROVIDER_LIFECYCLE } from '../domain/lifecycles.js';
import type { Viewer } from '../auth/viewer.js';
import { Provider, SuspendedSubject } from '../entities/index.js';
import { badInput, conflict, forbidden, notFound } from '../errors.js';
import { isUuid } from '../ids.js';
import { requireCityAuthority, requireRole } from './access.js';
import { actorOf, recordAudit } from './audit.service.js';
import type { CityService } from './city.service.js';
import { type Page, type PageArgs, readPageArgs, toPage } from './pagination.js';
import { moveTo } from './status-change.js';
import { trackSuspension } from './suspension.js';
import { inTransaction } from './transaction.js';
import { persistUnique, requireText } from './validate.js';

export interface ProviderFilter {
  city?: string | null;
  kind?: ProviderKind | null;
  status?: ProviderStatus | null;
}

export interface RegisterProviderInput {
  bin: string;
  name: string;
  kind: ProviderKind;
  city: string;
}

export interface ApplyAsProviderInput {
  name: string;
  kind: ProviderKind;
  city: string;
  address: string;
  licenceReference: string;
  contactName: string;
  contactPhone: string;
  contactEmail?: string | null;
}

export interface DecideProviderInput {
  providerId: string;
  decision: ProviderDecision;
  reason: string;
}

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Providers: applications, registration and the city's decisions on them. Responsible for auth checks. */
export class ProviderService {
  constructor(
    private readonly em: EntityManager,
    private readonly cities: CityService,
    private readonly clock: Clock,
  ) {}

  async list(viewer: Viewer, filter: ProviderFilter = {}, pageArgs: PageArgs = {}): Promise<Page<Provider>> {
    const { limit, afterId } = readPageArgs(pageArgs);
    const where: FilterQuery<Provider>[] = [providerVisibility(viewer)];
    if (filter.city) where.push({ city: (await this.cities.byCode(filter.city, 'filter.city')).id });
    if (filter.kind) where.push({ kind: filter.kind });
    if (filter.status) where.push({ status: filter.status });
    const rows = await this.em.find(
      Provider,
      { $and: [...where, ...(afterId ? [{ id: { $gt: afterId } }] : [])] },
      { orderBy: { id: 'asc' }, limit: limit + 1 },
    );
    return toPage(rows, limit, () => this.em.count(Provider, { $and: where }));
  }

  /** A provider the viewer may see, or null: an invisible provider looks exactly like a missing one. */
  async find(viewer: Viewer, id: string): Promise<Provider | null> {
    return isUuid(id) ? this.em.findOne(Provider, { $and: [{ id }, providerVisibility(viewer)] }) : null;
  }

  /** The provider record of a BIN, for tokens that name the organisation by its BIN (authenticate()). */
  async idForBin(bin: string): Promise<string | null> {
    // A whole row (not a partial one), so the identity map never holds a half-loaded provider for later reads.
    const provider = await this.em.findOne(Provider, { bin });
    return provider?.id ?? null;
  }

  async register(viewer: Viewer, input: RegisterProviderInput): Promise<Provider> {
    requireCityAuthority(viewer, input.city.trim().toUpperCase());
    const bin = input.bin.trim();
    const binCheck = validateBin(bin);
    if (!binCheck.ok) throw badInput('input.bin', binCheck.message);
    const name = requireText(input.name, 'input.name', { min: 2 });
    const city = await this.cities.byCode(input.city, 'input.city');

    if (await this.em.count(Provider, { bin })) throw conflict(`A provider with BIN ${bin} is already registered.`);
    const provider = new Provider(bin, name, input.kind, ref(city));
    await persistUnique(this.em, provider, `A provider with BIN ${bin} is already registered.`);
    return provider;
  }

  /**
   * A provider-to-be applies itself, signed in with its BIN (the BIN is who it is: it comes from the
   * token, never from the input). A new BIN becomes a PENDING provider; a REJECTED one applies
   * again (back to PENDING, with what it files now); any other status already has its answer.
   */
  async apply(viewer: Viewer, input: ApplyAsProviderInput): Promise<Provider> {
    requireRole(viewer, Role.PROVIDER);
    const bin = viewer.bin;
    if (!bin) throw forbidden('Apply signed in with your organisation’s BIN (a PROVIDER token carrying `bin`).');
    const filed = {
      name: requireText(input.name, 'input.name', { min: 2 }),
      address: requireText(input.address, 'input.address', { min: 5 }),
      licenceReference: requireText(input.licenceReference, 'input.licenceReference', { min: 2, max: 100 }),
      contactName: requireText(input.contactName, 'input.contactName', { min: 2, max: 200 }),
      contactPhone: normalizePhone(input.contactPhone) ?? badInputOf('input.contactPhone', 'A Kazakh phone number, e.g. +7 701 123 45 67.'),
      contactEmail: input.contactEmail ? requireEmail(input.contactEmail) : null,
    };
    const city = await this.cities.byCode(input.city, 'input.city');
    const now = this.clock();
    try {
      return await inTransaction(this.em, async (em) => {
        const existing = await em.findOne(Provider, { bin }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
        if (existing && existing.status !== ProviderStatus.REJECTED) {
          throw conflict(`BIN ${bin} is already ${existing.status === ProviderStatus.PENDING ? 'waiting for a decision' : `in the programme (${existing.status})`}.`, { status: existing.status });
        }
        const provider = existing ?? new Provider(bin, filed.name, input.kind, ref(city));
        Object.assign(provider, filed, { kind: input.kind, city: ref(city), appliedAt: now });
        const audit = { actor: actorOf(viewer), cityCode: city.code, after: { kind: input.kind, licenceReference: filed.licenceReference } };
        if (existing) {
          await moveTo(em, provider, PROVIDER_LIFECYCLE, ProviderStatus.PENDING, { ...audit, action: 'PROVIDER_REAPPLIED' });
        } else {
          em.persist(provider);
          recordAudit(em, audit.actor, { action: 'PROVIDER_APPLIED', entityType: 'Provider', entityId: provider.id, cityCode: city.code, before: null, after: { status: ProviderStatus.PENDING, ...audit.after } });
        }
        await em.flush();
        return provider;
      });
    } catch (err) {
      // Two first applications of one BIN at once: the unique BIN lets one in.
      if (err instanceof UniqueConstraintViolationException) throw conflict(`BIN ${bin} is already waiting for a decision.`);
      throw err;
    }
  }

  /** An operator of the provider's city (or an admin) decides, always with a reason; audited. */
  async decide(viewer: Viewer, input: DecideProviderInput): Promise<Provider> {
    requireRole(viewer, Role.ADMIN, Role.OPERATOR);
    const reason = requireText(input.reason ?? '', 'input.reason', { min: 3, max: 1000 });
    const decision = PROVIDER_DECISIONS[input.decision];
    return this.changeStatus(viewer, input.providerId, decision.to, decision.action, reason, decision.from);
  }

  /** The legacy admin path (tests and scripts): approve from PENDING or SUSPENDED, the reason optional. */
  async approve(viewer: Viewer, providerId: string, reason?: string | null): Promise<Provider> {
    return this.changeStatus(viewer, providerId, ProviderStatus.APPROVED, 'PROVIDER_APPROVED', optionalReason(reason));
  }

  async suspend(viewer: Viewer, providerId: string, reason?: string | null): Promise<Provider> {
    return this.changeStatus(viewer, providerId, ProviderStatus.SUSPENDED, 'PROVIDER_SUSPENDED', optionalReason(reason));
  }

  private async changeStatus(viewer: Viewer, providerId: string, to: ProviderStatus, action: string, reason: string | null, from?: readonly ProviderStatus[]): Promise<Provider> {
    requireRole(viewer, Role.ADMIN, Role.OPERATOR);
    return inTransaction(this.em, async (em) => {
      const provider = isUuid(providerId)
        ? await em.findOne(Provider, { id: providerId }, { populate: ['city'], lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true })
        : null;
      if (!provider) throw notFound('Provider', providerId);
      const cityCode = provider.city.getEntity().code;
      requireCityAuthority(viewer, cityCode);
      // Two operators deciding at once: the row lock orders them, and the second finds it decided.
      if (from && !from.includes(provider.status)) {
        throw conflict(`The provider is ${provider.status}; this decision is for a provider that is ${from.join(' or ')}.`, { from: provider.status, to });
      }
      const now = this.clock();
      // Approval decides who may be paid; a suspension stops payment: every decision is audited.
      const before = provider.status;
      await moveTo(em, provider, PROVIDER_LIFECYCLE, to, { actor: actorOf(viewer), action, cityCode, reason });
      await trackSuspension(em, SuspendedSubject.PROVIDER, provider.id, { before: before !== ProviderStatus.SUSPENDED, after: to !== ProviderStatus.SUSPENDED }, now);
      if (to === ProviderStatus.APPROVED) provider.approvedAt ??= now;
      provider.statusReason = reason;
      provider.decidedAt = now;
      return provider;
    });
  }
}

function optionalReason(reason: string | null | undefined): string | null {
  return reason == null || reason.trim() === '' ? null : requireText(reason, 'input.reason', { max: 1000 });
}

function badInputOf(field: string, message: string): never {
  throw badInput(field, message);
}

function requireEmail(raw: string): string {
  const email = raw.trim();
  if (email.length > 200 || !EMAIL_RE.test(email)) throw badInput('input.contactEmail', 'An e-mail address, e.g. office@example.kz.');
  return email;
}

/** What each role may see: the public catalogue is approved providers; staff also see their own. */
function providerVisibility(viewer: Viewer): FilterQuery<Provider> {
  switch (viewer.role) {
    case Role.ADMIN:
    case Role.AGENCY:
      return {};
    case Role.OPERATOR:
      return { $or: [{ status: ProviderStatus.APPROVED }, { city: { code: viewer.cityCode } }] };
    case Role.PROVIDER:
      // By BIN too: an applicant sees its own application in the answer that created it.
      return { $or: [{ status: ProviderStatus.APPROVED }, ...(viewer.providerId ? [{ id: viewer.providerId }] : []), ...(viewer.bin ? [{ bin: viewer.bin }] : [])] };
    case Role.PARENT:
    case Role.PUBLIC:
      return { status: ProviderStatus.APPROVED };
  }
}
