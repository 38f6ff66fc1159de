import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../context.js';
import { VoucherType } from '../domain/enums.js';
import { voucherTypesAcceptedBy } from '../domain/voucher-eligibility.js';
import type { City, Provider } from '../entities/index.js';
import { CityType } from '../schema/city.type.js';
import { toConnection } from '../schema/common.js';
import {
  ApproveProviderInput,
  ProviderConnection,
  ProviderFilter,
  ProviderPayload,
  ProviderType,
  RegisterProviderInput,
  SuspendProviderInput,
} from '../schema/provider.type.js';

@Resolver(() => ProviderType)
export class ProviderResolver {
  @Query(() => ProviderConnection, { description: 'Providers, paged. The public sees approved providers; staff also see their own.' })
  async providers(
    @Ctx() ctx: Context,
    @Arg('filter', () => ProviderFilter, { nullable: true }) filter?: ProviderFilter,
    @Arg('first', () => Int, { nullable: true, description: 'Page size, at most 100 (default 20).' }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    return toConnection(await ctx.services.providers.list(ctx.viewer, filter, { first, after }));
  }

  @Query(() => ProviderType, { nullable: true, description: 'One provider, if visible to the caller; null with NOT_FOUND otherwise.' })
  provider(@Ctx() ctx: Context, @Arg('id', () => ID) id: string): Promise<Provider | null> {
    return ctx.services.providers.find(ctx.viewer, id);
  }

  @Mutation(() => ProviderPayload, { description: 'OPERATOR of the city or ADMIN: registers a provider as PENDING.' })
  async registerProvider(@Ctx() ctx: Context, @Arg('input', () => RegisterProviderInput) input: RegisterProviderInput) {
    return { provider: await ctx.services.providers.register(ctx.viewer, input) };
  }

  @Mutation(() => ProviderPayload, { description: 'OPERATOR of the city or ADMIN: approves a provider, making its programs public.' })
  async approveProvider(@Ctx() ctx: Context, @Arg('input', () => ApproveProviderInput) input: ApproveProviderInput) {
    return { provider: await ctx.services.providers.approve(ctx.viewer, input.providerId) };
  }

  @Mutation(() => ProviderPayload, { description: 'OPERATOR of the city or ADMIN: suspends an approved provider.' })
  async suspendProvider(@Ctx() ctx: Context, @Arg('input', () => SuspendProviderInput) input: SuspendProviderInput) {
    return { provider: await ctx.services.providers.suspend(ctx.viewer, input.providerId) };
  }

  @FieldResolver(() => CityType, { description: 'The city the provider is registered in.' })
  city(@Root() provider: Provider, @Ctx() ctx: Context): Promise<City> {
    return ctx.loaders.city.load(provider.city.id);
  }

  @FieldResolver(() => [VoucherType], { description: 'Voucher types this provider’s programs accept.' })
  acceptsVoucherTypes(@Root() provider: Provider): VoucherType[] {
    return voucherTypesAcceptedBy(provider.kind);
  }
}
