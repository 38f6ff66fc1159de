import { Arg, Args, Ctx, FieldResolver, ID, Int, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { Context } from '../context.js';
import type { City, Offer } from '../entities/index.js';
import type { QueueChangeRow } from '../realtime/queue-changes.js';
import { CityType } from '../schema/city.type.js';
import type { PositionUpdate } from '../realtime/hub.js';
import { OfferType } from '../schema/offer.type.js';
import { QueueScopeArgs, QueueStatsType } from '../schema/queue.type.js';
import { QueueChangeType, QueuePositionType } from '../schema/realtime.type.js';
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
  queueMetrics(@Root() row: QueueStatsRow, @Args(() => QueueScopeArgs) _scope: QueueScopeArgs): QueueStatsRow {
    return row;
  }

  @Subscription(() => QueueChangeType, {
    description: 'Public: each queue change as it happens, anonymised (what, how many, public labels).',
    subscribe: ({ args, context }) => (context as Context).services.subscriptions.changes(args.city ?? null, args.voucherType ?? null),
  })
  queueChanges(@Root() change: QueueChangeRow, @Args(() => QueueScopeArgs) _scope: QueueScopeArgs): QueueChangeRow {
    return change;
  }
}

@Resolver(() => QueueChangeType)
export class QueueChangeResolver {
  @Query(() => [QueueChangeType], { description: 'Public: the latest queue changes, newest first, anonymised.' })
  recentQueueChanges(
    @Ctx() ctx: Context,
    @Args(() => QueueScopeArgs) scope: QueueScopeArgs,
    @Arg('first', () => Int, { nullable: true, description: 'How many, at most 100 (default 10).' }) first?: number,
  ): Promise<QueueChangeRow[]> {
    return ctx.services.queue.recentChanges(scope.city ?? null, scope.voucherType ?? null, first);
  }

  @FieldResolver(() => CityType, { description: 'The queue’s city.' })
  city(@Root() change: QueueChangeRow, @Ctx() ctx: Context): Promise<City> {
    return ctx.loaders.cityByCode.load(change.cityCode);
  }
}
