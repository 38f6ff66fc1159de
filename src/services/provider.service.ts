import { type EntityManager, type FilterQuery, LockMode, ref } from '@mikro-orm/postgresql';
import type { Clock } from '../clock.js';
import { Role, ProviderKind, ProviderStatus } from '../domain/enums.js';
import { validateBin } from '../domain/kazakh-ids.js';
import { PROVIDER_LIFECYCLE } from '../domain/lifecycles.js';
import type { Viewer } from '../auth/viewer.js';
import { Provider, SuspendedSubject } from '../entities/index.js';
import { badInput, conflict, notFound } from '../errors.js';
import { isUuid } from '../ids.js';
import { requireCityAuthority, requireRole } from './access.js';
import { actorOf } from './audit.service.js';
import type { CityService } from './city.service.js';
import { type Page, type PageArgs, readPageArgs, toPage } from './pagination.js';
import { moveTo } from './status-change.js';
import { trackSuspension } from './suspension.js';
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

/** Providers: registration and approval by the city's education department. Responsible for auth checks. */
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

  async approve(viewer: Viewer, providerId: string): Promise<Provider> {
    return this.changeStatus(viewer, providerId, ProviderStatus.APPROVED);
  }

  async suspend(viewer: Viewer, providerId: string): Promise<Provider> {
    return this.changeStatus(viewer, providerId, ProviderStatus.SUSPENDED);
  }

  private async changeStatus(viewer: Viewer, providerId: string, to: ProviderStatus): Promise<Provider> {
    requireRole(viewer, Role.ADMIN, Role.OPERATOR);
    return this.em.transactional(async (em) => {
      const provider = isUuid(providerId)
        ? await em.findOne(Provider, { id: providerId }, { populate: ['city'], lockMode: LockMode.PESSIMISTIC_WRITE })
        : null;
      if (!provider) throw notFound('Provider', providerId);
      requireCityAuthority(viewer, provider.city.getEntity().code);
      // Approval decides who may be paid; a suspension stops payment: both are audited.
      const from = await moveTo(em, provider, PROVIDER_LIFECYCLE, to, { actor: actorOf(viewer), action: `PROVIDER_${to}`, cityCode: provider.city.getEntity().code });
      await trackSuspension(em, SuspendedSubject.PROVIDER, provider.id, { before: from !== ProviderStatus.SUSPENDED, after: to !== ProviderStatus.SUSPENDED }, this.clock());
      if (to === ProviderStatus.APPROVED) provider.approvedAt ??= this.clock();
      return provider;
    });
  }
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
      return { $or: [{ status: ProviderStatus.APPROVED }, { id: viewer.providerId }] };
    case Role.PARENT:
    case Role.PUBLIC:
      return { status: ProviderStatus.APPROVED };
  }
}
