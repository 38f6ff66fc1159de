import { Arg, Ctx, ID, Resolver, Root, Subscription } from 'type-graphql';
import type { Context } from '../context.js';
import { VoucherType } from '../domain/enums.js';
import type { Offer } from '../entities/index.js';
import type { PositionUpdate } from '../realtime/hub.js';
import { OfferType } from '../schema/offer.type.js';
import { QueueStatsType } from '../schema/queue.type.js';
import { QueuePositionType } from '../schema/realtime.type.js';
import type { QueueStatsRow } from '../services/queue.service.js';

@Resolver()
export class RealtimeResolver {
  @Subscription(() => QueuePositionType, {
    description: 'PARENT (own application): its position now, then whenever it changes, with the reason.',
    subscribe: ({ args, context }) => (context as Context).services.subscriptions.queuePosition((context as Context).viewer, args.applicationId),
  })
  queuePositionChanged(@Root() update: PositionUpdate, @Ctx() ctx: Context, @Arg('applicationId', () => ID) _applicationId: string): PositionUpdate {
    ctx.services.subscriptions.recheck(ctx.viewer);
    return update;
  }

  @Subscription(() => OfferType, {
    description: 'PARENT: each offer made to you, the moment it is made.',
    subscribe: ({ context }) => (context as Context).services.subscriptions.offers((context as Context).viewer),
  })
  offerReceived(@Root() offer: Offer, @Ctx() ctx: Context): Offer {
    ctx.services.subscriptions.recheck(ctx.viewer);
    return offer;
  }

  @Subscription(() => QueueStatsType, {
    description: 'Public: queue metrics for dashboards — a snapshot at once, then at most a few per second while the queue changes.',
    subscribe: ({ args, context }) => (context as Context).services.subscriptions.metrics(args.city ?? null, args.voucherType ?? null),
  })
  queueMetrics(
    @Root() row: QueueStatsRow,
    @Arg('city', () => String, { nullable: true, description: 'One city; all when omitted.' }) _city?: string,
    @Arg('voucherType', () => VoucherType, { nullable: true, description: 'One type; both when omitted.' }) _voucherType?: VoucherType,
  ): QueueStatsRow {
    return row;
  }
}
