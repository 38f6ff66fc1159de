import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../context.js';
import { VoucherType } from '../domain/enums.js';
import { voucherTypesAcceptedBy } from '../domain/voucher-eligibility.js';
import type { City, Provider } from '../entities/index.js';
import { CityType } from '../schema/city.type.js';
import { toConnection } from '../schema/common.js';
import {
  ApplyAsProviderInput,
  ApproveProviderInput,
  DecideProviderInput,
  type ProviderApplicationRecord,
  ProviderApplicationType,
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

  @Mutation(() => ProviderPayload, { description: 'PROVIDER signed in with its BIN (a token carrying `bin`): applies to join the programme (PENDING), or applies again after a rejection. Audited.' })
  async applyAsProvider(@Ctx() ctx: Context, @Arg('input', () => ApplyAsProviderInput) input: ApplyAsProviderInput) {
    return { provider: await ctx.services.providers.apply(ctx.viewer, input) };
  }

  @Mutation(() => ProviderPayload, { description: 'OPERATOR of the provider’s city or ADMIN: approves or rejects an application, suspends or reinstates a provider, always with a reason. Audited.' })
  async decideProvider(@Ctx() ctx: Context, @Arg('input', () => DecideProviderInput) input: DecideProviderInput) {
    return { provider: await ctx.services.providers.decide(ctx.viewer, input) };
  }

  @Mutation(() => ProviderPayload, { description: 'OPERATOR of the city or ADMIN: approves a provider, making its published programs public (the administrative path; decideProvider is the audited decision with a required reason).' })
  async approveProvider(@Ctx() ctx: Context, @Arg('input', () => ApproveProviderInput) input: ApproveProviderInput) {
    return { provider: await ctx.services.providers.approve(ctx.viewer, input.providerId, input.reason) };
  }

  @Mutation(() => ProviderPayload, { description: 'OPERATOR of the city or ADMIN: suspends an approved provider (the administrative path; decideProvider requires a reason).' })
  async suspendProvider(@Ctx() ctx: Context, @Arg('input', () => SuspendProviderInput) input: SuspendProviderInput) {
    return { provider: await ctx.services.providers.suspend(ctx.viewer, input.providerId, input.reason) };
  }

  @FieldResolver(() => ProviderApplicationType, { nullable: true, description: 'What the provider filed and the city’s latest decision: the provider itself, its city’s operators and admins (FORBIDDEN for others).' })
  application(@Root() provider: Provider): ProviderApplicationRecord {
    return {
      providerId: provider.id,
      cityId: provider.city.id,
      address: provider.address ?? null,
      licenceReference: provider.licenceReference ?? null,
      contactName: provider.contactName ?? null,
      contactPhone: provider.contactPhone ?? null,
      contactEmail: provider.contactEmail ?? null,
      appliedAt: provider.appliedAt ?? null,
      decisionReason: provider.statusReason ?? null,
      decidedAt: provider.decidedAt ?? null,
    };
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
