import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../context.js';
import type { Application, Attendance, Child, Voucher } from '../entities/index.js';
import { AttendanceType } from '../schema/attendance.type.js';
import { ApplicationType } from '../schema/application.type.js';
import { VoucherObjectType } from '../schema/offer.type.js';
import { ChildType, RegisterChildInput, RegisterChildPayload } from '../schema/child.type.js';
import { ageOn } from '../services/child.service.js';

@Resolver(() => ChildType)
export class ChildResolver {
  @Query(() => [ChildType], { description: 'PARENT: the children you represent.' })
  myChildren(@Ctx() ctx: Context): Promise<Child[]> {
    return ctx.services.children.myChildren(ctx.viewer);
  }

  @Query(() => ChildType, { nullable: true, description: 'PARENT (own children only) or ADMIN: one child. Null with NOT_FOUND for anyone else’s.' })
  child(@Ctx() ctx: Context, @Arg('id', () => ID) id: string): Promise<Child | null> {
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

  @FieldResolver(() => Int, { nullable: true, description: 'Age in whole years today, from the birth date: what a provider’s roster needs instead of the date.' })
  age(@Root() child: Child): number {
    return ageOn(child.birthDate, new Date());
  }

  @FieldResolver(() => [ApplicationType], { nullable: true, description: 'Every application made for the child that the caller may see, oldest first.' })
  applications(@Root() child: Child, @Ctx() ctx: Context): Promise<Application[]> {
    return ctx.loaders.applicationsByChild.load(child.id);
  }

  @FieldResolver(() => [AttendanceType], { nullable: true, description: 'Every session recorded for the child that the caller may see (a provider: its own programs’ only), oldest first.' })
  attendances(@Root() child: Child, @Ctx() ctx: Context): Promise<Attendance[]> {
    return ctx.loaders.attendancesByChild.load(child.id);
  }
}
