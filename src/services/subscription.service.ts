import type { EntityManager } from '@mikro-orm/postgresql';
import { Role, VoucherType } from '../domain/enums.js';
import { isExpired, type Viewer } from '../auth/viewer.js';
import { Application, type Offer } from '../entities/index.js';
import { DomainError, ErrorCode, notFound } from '../errors.js';
import { isUuid } from '../ids.js';
import type { PositionUpdate, RealtimeHub } from '../realtime/hub.js';
import { queueKey } from '../realtime/queue-key.js';
import { requireRole } from './access.js';
import type { CityService } from './city.service.js';
import type { QueueStatsRow } from './queue.service.js';
import type { QueueChangeRow } from '../realtime/queue-changes.js';

/** Live subscriptions, with the same access rules as the queries they mirror. */
export class SubscriptionService {
  constructor(
    private readonly em: EntityManager,
    private readonly cities: CityService,
    private readonly hub: RealtimeHub | null,
  ) {}

  /** The owning parent only: another family's application is NOT_FOUND, as for `application(id)`. */
  async queuePosition(viewer: Viewer, applicationId: string): Promise<AsyncIterableIterator<PositionUpdate>> {
    requireRole(viewer, Role.PARENT);
    const application = isUuid(applicationId) ? await this.em.findOne(Application, { id: applicationId, applicant: { iin: viewer.iin } }) : null;
    if (!application) throw notFound('Application', applicationId);
    const watched = { id: application.id, queue: queueKey(application.city.id, application.voucherType) };
    // This context lives as long as the subscription: keep ids, not the loaded entities.
    this.em.clear();
    return this.live().watchPosition(watched);
  }

  offers(viewer: Viewer): AsyncIterableIterator<Offer> {
    requireRole(viewer, Role.PARENT);
    return this.live().watchOffers(viewer.iin);
  }

  async metrics(cityCode: string | null, voucherType: VoucherType | null): Promise<AsyncIterableIterator<QueueStatsRow>> {
    if (cityCode) await this.cities.byCode(cityCode, 'city');
    return this.live().watchMetrics(cityCode?.toUpperCase() ?? null, voucherType);
  }

  /** Public and anonymised, like the open queue itself. */
  async changes(cityCode: string | null, voucherType: VoucherType | null): Promise<AsyncIterableIterator<QueueChangeRow>> {
    if (cityCode) await this.cities.byCode(cityCode, 'city');
    return this.live().watchChanges(cityCode?.toUpperCase() ?? null, voucherType);
  }

  /** Every event is authorised again: a token that expired while the socket stayed open gets no more. */
  recheck(viewer: Viewer): void {
    if (isExpired(viewer)) throw new DomainError(ErrorCode.UNAUTHENTICATED, 'Your token has expired; reconnect with a new one.');
  }

  private live(): RealtimeHub {
    if (!this.hub) throw new DomainError(ErrorCode.INTERNAL_SERVER_ERROR, 'Live updates are not running on this server.');
    return this.hub;
  }
}
