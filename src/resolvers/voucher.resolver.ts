import { Arg, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../context.js';
import type { Child, City, Enrollment, Voucher } from '../entities/index.js';
import { ChildType } from '../schema/child.type.js';
import { CityType } from '../schema/city.type.js';
import { toConnection } from '../schema/common.js';
import { EnrollmentPayload, EnrollmentType, SwitchProgramInput, VoucherConnection, VoucherFilter, VoucherObjectType, VoucherPayload, VoucherStatusInput } from '../schema/offer.type.js';

@Resolver(() => VoucherObjectType)
export class VoucherResolver {
  @Query(() => VoucherConnection, { description: 'Vouchers: a parent’s children’s, an operator’s city’s, or all for agencies and admins.' })
  async vouchers(
    @Ctx() ctx: Context,
    @Arg('filter', () => VoucherFilter, { nullable: true }) filter?: VoucherFilter,
    @Arg('first', () => Int, { nullable: true, description: 'Page size, at most 100 (default 20).' }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    return toConnection(await ctx.services.vouchers.list(ctx.viewer, filter, { first, after }));
  }

  @Mutation(() => EnrollmentPayload, { description: 'PARENT: moves the child to another program on the same voucher, without a new application.' })
  async switchProgram(@Ctx() ctx: Context, @Arg('input', () => SwitchProgramInput) input: SwitchProgramInput) {
    return { enrollment: await ctx.services.vouchers.switchProgram(ctx.viewer, input.enrollmentId, input.programId, input) };
  }

  @Mutation(() => VoucherPayload, { description: 'OPERATOR of the city or ADMIN: suspends an ACTIVE voucher (CONFLICT otherwise; a RESERVED one is its offer’s to decide).' })
  async suspendVoucher(@Ctx() ctx: Context, @Arg('input', () => VoucherStatusInput) input: VoucherStatusInput) {
    return { voucher: await ctx.services.vouchers.suspend(ctx.viewer, input.voucherId, input.reason) };
  }

  @Mutation(() => VoucherPayload, { description: 'OPERATOR of the city or ADMIN: makes a SUSPENDED voucher active again (CONFLICT for any other status).' })
  async reinstateVoucher(@Ctx() ctx: Context, @Arg('input', () => VoucherStatusInput) input: VoucherStatusInput) {
    return { voucher: await ctx.services.vouchers.reinstate(ctx.viewer, input.voucherId, input.reason) };
  }

  @Mutation(() => VoucherPayload, { description: 'OPERATOR of the city or ADMIN: revokes an ACTIVE or SUSPENDED voucher; its enrollment ends and the seat is freed. A RESERVED one is CONFLICT: revoke it once its offer is accepted.' })
  async revokeVoucher(@Ctx() ctx: Context, @Arg('input', () => VoucherStatusInput) input: VoucherStatusInput) {
    return { voucher: await ctx.services.vouchers.revoke(ctx.viewer, input.voucherId, input.reason) };
  }

  @FieldResolver(() => ChildType, { description: 'The voucher holder.' })
  child(@Root() voucher: Voucher, @Ctx() ctx: Context): Promise<Child> {
    return ctx.loaders.child.load(voucher.child.id);
  }

  @FieldResolver(() => CityType, { description: 'The city that issued it.' })
  city(@Root() voucher: Voucher, @Ctx() ctx: Context): Promise<City> {
    return ctx.loaders.city.load(voucher.city.id);
  }

  @FieldResolver(() => EnrollmentType, { nullable: true, description: 'The active enrollment, if the child is in a program now.' })
  enrollment(@Root() voucher: Voucher, @Ctx() ctx: Context): Promise<Enrollment | null> {
    return ctx.loaders.activeEnrollmentByVoucher.load(voucher.id);
  }

  @FieldResolver(() => [EnrollmentType], { description: 'Every enrollment on this voucher, oldest first: the history of switches.' })
  enrollments(@Root() voucher: Voucher, @Ctx() ctx: Context): Promise<Enrollment[]> {
    return ctx.loaders.enrollmentsByVoucher.load(voucher.id);
  }
}
