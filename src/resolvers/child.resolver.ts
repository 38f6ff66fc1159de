import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../context.js';
import type { Application, Attendance, Guardianship, Voucher } from '../entities/index.js';
import { AttendanceType } from '../schema/attendance.type.js';
import { ApplicationType } from '../schema/application.type.js';
import { VoucherObjectType } from '../schema/offer.type.js';
import { ChildType, RegisterChildInput, RegisterChildPayload } from '../schema/child.type.js';
import { ChildLinkType } from '../schema/verification.type.js';
import { ageOn } from '../domain/calendar.js';
import { type ChildAsSeen, ClaimedChild } from '../services/child.service.js';

@Resolver(() => ChildType)
export class ChildResolver {
  @Query(() => [ChildType], { description: 'PARENT: the children you claimed to represent, verified or not (see link.status).' })
  myChildren(@Ctx() ctx: Context): Promise<ChildAsSeen[]> {
    return ctx.services.children.myChildren(ctx.viewer);
  }

  @Query(() => ChildType, { nullable: true, description: 'PARENT (own children only) or ADMIN: one child. Null with NOT_FOUND for anyone else’s.' })
  child(@Ctx() ctx: Context, @Arg('id', () => ID) id: string): Promise<ChildAsSeen | null> {
    return ctx.services.children.get(ctx.viewer, id);
  }

  @Mutation(() => RegisterChildPayload, {
    description:
      'PARENT: claims to represent a child, by IIN. The link is CLAIMED until the population registry (or the city’s operator, on documents) verifies it; the answer is the same whether or not anyone registered the child before. Repeating it for the same child is harmless.',
  })
  async registerChild(@Ctx() ctx: Context, @Arg('input', () => RegisterChildInput) input: RegisterChildInput) {
    return { child: await ctx.services.children.register(ctx.viewer, input) };
  }

  @FieldResolver(() => ChildLinkType, { nullable: true, description: 'PARENT: your claim to represent the child and its status. Null for other roles.' })
  async link(@Root() child: ChildAsSeen, @Ctx() ctx: Context): Promise<ChildLinkType | null> {
    const link = await ctx.services.children.linkOf(ctx.viewer, child);
    return link && linkOf(link);
  }

  @FieldResolver(() => VoucherObjectType, { nullable: true, description: 'The voucher the child holds now (active or suspended), if any. Null through a link that is not verified.' })
  voucher(@Root() child: ChildAsSeen, @Ctx() ctx: Context): Promise<Voucher | null> | null {
    if (child instanceof ClaimedChild) return null;
    return ctx.loaders.heldVoucherByChild.load(child.id);
  }

  @FieldResolver(() => Int, { nullable: true, description: 'Age in whole years today, from the birth date: what a provider’s roster needs instead of the date.' })
  age(@Root() child: ChildAsSeen): number {
    return ageOn(child.birthDate, new Date());
  }

  @FieldResolver(() => [ApplicationType], { nullable: true, description: 'Every application made for the child that the caller may see, oldest first (through a link that is not verified: only your own).' })
  applications(@Root() child: ChildAsSeen, @Ctx() ctx: Context): Promise<Application[]> {
    if (child instanceof ClaimedChild) return ctx.services.children.applicationsSeen(child);
    return ctx.loaders.applicationsByChild.load(child.id);
  }

  @FieldResolver(() => [AttendanceType], { nullable: true, description: 'Every session recorded for the child that the caller may see (a provider: its own programs’ only), oldest first. Empty through a link that is not verified.' })
  attendances(@Root() child: ChildAsSeen, @Ctx() ctx: Context): Promise<Attendance[]> | Attendance[] {
    if (child instanceof ClaimedChild) return [];
    return ctx.loaders.attendancesByChild.load(child.id);
  }
}

function linkOf(link: Guardianship): ChildLinkType {
  return {
    status: link.status,
    relationship: link.relationship,
    declaredPriorityCategory: link.claimedCategory,
    priorityCategoryStatus: link.categoryStatus,
    decidedAt: link.decidedAt,
    priorityCategoryDecidedAt: link.categoryDecidedAt,
  };
}
