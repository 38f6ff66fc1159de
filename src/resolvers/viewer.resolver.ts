import { Arg, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Viewer } from '../auth/viewer.js';
import type { Context } from '../context.js';
import type { ApiKey, City, Provider } from '../entities/index.js';
import { CityType } from '../schema/city.type.js';
import { ProviderType } from '../schema/provider.type.js';
import { DateTime } from '../schema/scalars.js';
import {
  ApiKeyType,
  CreateApiKeyInput,
  CreateApiKeyPayload,
  RevokeApiKeyInput,
  RevokeApiKeyPayload,
  ViewerType,
} from '../schema/viewer.type.js';

@Resolver(() => ViewerType)
export class ViewerResolver {
  @Query(() => ViewerType, { description: 'The caller’s role and scope. PUBLIC when no credentials are sent.' })
  me(@Ctx() ctx: Context): Viewer {
    return ctx.viewer;
  }

  @FieldResolver(() => ProviderType, { nullable: true, description: 'PROVIDER: the provider the caller works for (null for a BIN that has not applied yet).' })
  provider(@Root() viewer: Viewer, @Ctx() ctx: Context): Promise<Provider | null> {
    return 'providerId' in viewer && viewer.providerId ? ctx.loaders.provider.load(viewer.providerId).catch(() => null) : Promise.resolve(null);
  }

  @FieldResolver(() => CityType, { nullable: true, description: 'OPERATOR: the city the caller serves.' })
  city(@Root() viewer: Viewer, @Ctx() ctx: Context): Promise<City | null> {
    return 'cityCode' in viewer ? ctx.services.cities.byCode(viewer.cityCode, 'token.city').catch(() => null) : Promise.resolve(null);
  }

  @FieldResolver(() => DateTime, { nullable: true, description: 'When the caller’s token expires.' })
  expiresAt(@Root() viewer: Viewer): Date | null {
    return 'expiresAt' in viewer && viewer.expiresAt ? new Date(viewer.expiresAt * 1000) : null;
  }

  @Query(() => [ApiKeyType], { description: 'ADMIN: every API key issued, revoked ones included.' })
  apiKeys(@Ctx() ctx: Context): Promise<ApiKey[]> {
    return ctx.services.apiKeys.list(ctx.viewer);
  }

  @Mutation(() => CreateApiKeyPayload, { description: 'ADMIN: issues an API key for a partner agency.' })
  createApiKey(@Ctx() ctx: Context, @Arg('input', () => CreateApiKeyInput) input: CreateApiKeyInput) {
    return ctx.services.apiKeys.create(ctx.viewer, input.name);
  }

  @Mutation(() => RevokeApiKeyPayload, { description: 'ADMIN: revokes an API key at once.' })
  async revokeApiKey(@Ctx() ctx: Context, @Arg('input', () => RevokeApiKeyInput) input: RevokeApiKeyInput) {
    return { apiKey: await ctx.services.apiKeys.revoke(ctx.viewer, input.apiKeyId) };
  }
}
