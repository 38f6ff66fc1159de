import type { EntityManager } from '@mikro-orm/postgresql';
import { OfferStatus, type VoucherType } from '../domain/enums.js';
import { Offer } from '../entities/index.js';
import type { EventKind } from '../realtime/publish.js';
import type { QueueRef } from '../realtime/queue-key.js';
import type { CityService } from './city.service.js';
import { positionsWithUnseenEvents } from './feed.queries.js';
import { type PositionRow, positionsInQueue } from './queue-blocks.js';
import type { QueueService, QueueStatsRow } from './queue.service.js';

/** Every city's id and code, both ways. */
export interface CityDirectory {
  codeOf: ReadonlyMap<string, string>;
  idOf: ReadonlyMap<string, string>;
}

/**
 * The reads behind the live feeds (positions, offers, metrics, changes), for the realtime hub:
 * each is one statement for all of an instance's subscribers of a queue. Made by createServices
 * like every other service, on the fork of one unit of work (a subscription's start, one flush).
 * Access is checked before, by SubscriptionService, when a subscription starts.
 */
export class FeedService {
  constructor(
    private readonly em: EntityManager,
    private readonly cities: CityService,
    private readonly queue: QueueService,
  ) {}

  /** Status and (when waiting) position of applications of one queue. */
  positions(queue: QueueRef, applicationIds: readonly string[]): Promise<PositionRow[]> {
    return positionsInQueue(this.em, queue, applicationIds);
  }

  /**
   * Positions, plus the kinds of this queue's events after `afterEventId` (the last one the bus
   * delivered) that the same snapshot already shows: see RealtimeHub.flushPositions.
   */
  positionsSeen(queue: QueueRef, applicationIds: readonly string[], afterEventId: bigint): Promise<{ rows: PositionRow[]; unseen: EventKind[] }> {
    return positionsWithUnseenEvents(this.em, queue, applicationIds, afterEventId);
  }

  /** Dashboard metrics, as the `queueStats` query computes them. */
  metrics(cityCode: string | null, voucherType: VoucherType | null): Promise<QueueStatsRow[]> {
    return this.queue.stats(cityCode, voucherType);
  }

  async cityDirectory(): Promise<CityDirectory> {
    const cities = await this.cities.list();
    return { codeOf: new Map(cities.map((c) => [c.id, c.code])), idOf: new Map(cities.map((c) => [c.code, c.id])) };
  }

  /**
   * Of these offers, the ones still pending, each with the IIN of the parent it was made to (offers
   * go to that parent only), in the order of `offerIds`.
   */
  async pendingOffers(offerIds: readonly string[]): Promise<{ offer: Offer; parentIin: string }[]> {
    const offers = await this.em.find(Offer, { id: { $in: [...offerIds] }, status: OfferStatus.PENDING }, { populate: ['application.applicant'] });
    const byId = new Map(offers.map((offer) => [offer.id, offer]));
    return [...new Set(offerIds)].flatMap((id) => {
      const offer = byId.get(id);
      return offer ? [{ offer, parentIin: offer.application.getEntity().applicant.getEntity().iin }] : [];
    });
  }
}
