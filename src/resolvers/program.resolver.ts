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
  ReviewProgramInput,
  SubmitProgramInput,
  UpdateProgramInput,
} from '../schema/program.type.js';
import { ProviderType } from '../schema/provider.type.js';

@Resolver(() => ProgramType)
export class ProgramResolver {
  @Query(() => ProgramConnection, { description: 'The catalogue of clubs, paged. Public: active, published programs of approved providers; a provider also sees its own, an operator its city’s (filter by status for the review list).' })
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

  @Mutation(() => ProgramPayload, { description: 'PROVIDER (its own): drafts a program (DRAFT, to submit for review). OPERATOR of the city or ADMIN: adds a program, published at once.' })
  async createProgram(@Ctx() ctx: Context, @Arg('input', () => CreateProgramInput) input: CreateProgramInput) {
    return { program: await ctx.services.programs.create(ctx.viewer, input) };
  }

  @Mutation(() => ProgramPayload, { description: 'PROVIDER (its own), OPERATOR of the city or ADMIN: changes a program.' })
  async updateProgram(@Ctx() ctx: Context, @Arg('input', () => UpdateProgramInput) input: UpdateProgramInput) {
    return { program: await ctx.services.programs.update(ctx.viewer, input) };
  }

  @Mutation(() => ProgramPayload, { description: 'PROVIDER (its own): submits a DRAFT or RETURNED program for the city’s review (IN_REVIEW). It must have a description, address, district, teacher and weekly schedule.' })
  async submitProgramForReview(@Ctx() ctx: Context, @Arg('input', () => SubmitProgramInput) input: SubmitProgramInput) {
    return { program: await ctx.services.programs.submit(ctx.viewer, input.programId) };
  }

  @Mutation(() => ProgramPayload, { description: 'OPERATOR of the program’s city or ADMIN: publishes a program IN_REVIEW, or returns it with comments. Audited.' })
  async reviewProgram(@Ctx() ctx: Context, @Arg('input', () => ReviewProgramInput) input: ReviewProgramInput) {
    return { program: await ctx.services.programs.review(ctx.viewer, input) };
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
