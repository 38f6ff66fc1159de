import { Arg, Args, Ctx, FieldResolver, Int, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../context.js';
import { VoucherType } from '../domain/enums.js';
import type { City } from '../entities/index.js';
import { CityType } from '../schema/city.type.js';
import { money, MoneyType } from '../schema/money.type.js';
import { QueueConnection, QueueScopeArgs, QueueStatsType } from '../schema/queue.type.js';
import type { QueueStatsRow } from '../services/queue.service.js';

@Resolver(() => QueueStatsType)
export class QueueResolver {
  @Query(() => QueueConnection, { description: 'The unified, open queue of a city for a voucher type, in order. Public and anonymised.' })
  async queue(
    @Ctx() ctx: Context,
    @Arg('city', () => String, { description: 'City code.' }) city: string,
    @Arg('voucherType', () => VoucherType) voucherType: VoucherType,
    @Arg('first', () => Int, { nullable: true, description: 'Page size, at most 100 (default 20).' }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    const page = await ctx.services.queue.list(city, voucherType, { first, after });
    return {
      edges: page.entries.map((node) => ({ cursor: node.cursor, node })),
      pageInfo: { hasNextPage: page.hasNextPage, hasPreviousPage: false, startCursor: page.entries[0]?.cursor ?? null, endCursor: page.entries.at(-1)?.cursor ?? null },
      get totalCount() {
        return page.totalCount();
      },
    };
  }

  @Query(() => [QueueStatsType], { description: 'Counts per city and voucher type: waiting, offered, vouchers by status. Public.' })
  queueStats(@Ctx() ctx: Context, @Args(() => QueueScopeArgs) scope: QueueScopeArgs): Promise<QueueStatsRow[]> {
    return ctx.services.queue.stats(scope.city, scope.voucherType);
  }

  @FieldResolver(() => CityType, { description: 'The city counted.' })
  city(@Root() row: QueueStatsRow, @Ctx() ctx: Context): Promise<City> {
    return ctx.loaders.cityByCode.load(row.cityCode);
  }

  @FieldResolver(() => MoneyType, { description: 'This programme year’s budget for the city and voucher type (0 when none is set).' })
  budgetAllocated(@Root() row: QueueStatsRow): MoneyType {
    return money(row.budgetAllocatedTiyn);
  }

  @FieldResolver(() => MoneyType, { description: 'What settled payments have committed of that budget so far.' })
  budgetUsed(@Root() row: QueueStatsRow): MoneyType {
    return money(row.budgetUsedTiyn);
  }
}
