import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../context.js';
import type { Application, Attendance, Child, Voucher } from '../entities/index.js';
import { AttendanceType } from '../schema/attendance.type.js';
import { ApplicationType } from '../schema/application.type.js';
import { VoucherObjectType } from '../schema/offer.type.js';
import { ChildType, RegisterChildInput, RegisterChildPayload } from '../schema/child.type.js';

@Resolver(() => ChildType)
export class ChildResolver {
  @Query(() => [ChildType], { description: 'PARENT: the children you represent.' })
  myChildren(@Ctx() ctx: Context): Promise<Child[]> {
    return ctx.services.children.myChildren(ctx.viewer);
  }

  @Query(() => ChildType, { description: 'PARENT (own children only) or ADMIN: one child. NOT_FOUND for anyone else’s.' })
  child(@Ctx() ctx: Context, @Arg('id', () => ID) id: string): Promise<Child> {
    return ctx.services.children.get(ctx.viewer, id);
  }

  @Mutation(() => RegisterChildPayload, { description: 'PARENT: links a child, by IIN, to you. Repeating it for the same child is harmless.' })
  async registerChild(@Ctx() ctx: Context, @Arg('input', () => RegisterChildInput) input: RegisterChildInput) {
    return { child: await ctx.services.children.register(ctx.viewer, input) };
  }

  @FieldResolver(() => VoucherObjectType, { nullable: true, description: 'The voucher the child holds now (active or suspended), if any.' })
  voucher(@Root() child: Child, @Ctx() ctx: Context): Promise<Voucher | null> {
    return ctx.loaders.heldVoucherByChild.load(child.id);
  }

  @FieldResolver(() => [ApplicationType], { description: 'Every application made for the child, oldest first.' })
  applications(@Root() child: Child, @Ctx() ctx: Context): Promise<Application[]> {
    return ctx.loaders.applicationsByChild.load(child.id);
  }

  @FieldResolver(() => [AttendanceType], { description: 'Every session recorded for the child, oldest first.' })
  attendances(@Root() child: Child, @Ctx() ctx: Context): Promise<Attendance[]> {
    return ctx.loaders.attendancesByChild.load(child.id);
  }
}
