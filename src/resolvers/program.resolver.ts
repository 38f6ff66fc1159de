import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../context.js';
import { VoucherType } from '../domain/enums.js';
import { voucherTypesAcceptedBy } from '../domain/voucher-eligibility.js';
import type { City, Program, Provider } from '../entities/index.js';
import { CityType } from '../schema/city.type.js';
import { toConnection } from '../schema/common.js';
import {
  CreateProgramInput,
  ProgramConnection,
  ProgramFilter,
  ProgramPayload,
  ProgramType,
  UpdateProgramInput,
} from '../schema/program.type.js';
import { ProviderType } from '../schema/provider.type.js';

@Resolver(() => ProgramType)
export class ProgramResolver {
  @Query(() => ProgramConnection, { description: 'The catalogue of clubs, paged. Public: active programs of approved providers.' })
  async programs(
    @Ctx() ctx: Context,
    @Arg('filter', () => ProgramFilter, { nullable: true }) filter?: ProgramFilter,
    @Arg('first', () => Int, { nullable: true, description: 'Page size, at most 100 (default 20).' }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    return toConnection(await ctx.services.programs.list(ctx.viewer, filter, { first, after }));
  }

  @Query(() => ProgramType, { nullable: true, description: 'One program, if visible to the caller; null with NOT_FOUND otherwise.' })
  program(@Ctx() ctx: Context, @Arg('id', () => ID) id: string): Promise<Program | null> {
    return ctx.services.programs.find(ctx.viewer, id);
  }

  @Mutation(() => ProgramPayload, { description: 'PROVIDER (its own), OPERATOR of the city or ADMIN: adds a program.' })
  async createProgram(@Ctx() ctx: Context, @Arg('input', () => CreateProgramInput) input: CreateProgramInput) {
    return { program: await ctx.services.programs.create(ctx.viewer, input) };
  }

  @Mutation(() => ProgramPayload, { description: 'PROVIDER (its own), OPERATOR of the city or ADMIN: changes a program.' })
  async updateProgram(@Ctx() ctx: Context, @Arg('input', () => UpdateProgramInput) input: UpdateProgramInput) {
    return { program: await ctx.services.programs.update(ctx.viewer, input) };
  }

  @FieldResolver(() => ProviderType, { description: 'The provider running the program.' })
  provider(@Root() program: Program, @Ctx() ctx: Context): Promise<Provider> {
    return ctx.loaders.provider.load(program.provider.id);
  }

  @FieldResolver(() => CityType, { description: 'The city of the program’s provider.' })
  async city(@Root() program: Program, @Ctx() ctx: Context): Promise<City> {
    const provider = await ctx.loaders.provider.load(program.provider.id);
    return ctx.loaders.city.load(provider.city.id);
  }

  @FieldResolver(() => [VoucherType], { description: 'Voucher types this program accepts (from its provider’s kind).' })
  async acceptsVoucherTypes(@Root() program: Program, @Ctx() ctx: Context): Promise<VoucherType[]> {
    return voucherTypesAcceptedBy((await ctx.loaders.provider.load(program.provider.id)).kind);
  }
}
