import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, FieldResolver, ID, Info, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../context.js';
import { ApplicationStatus } from '../domain/enums.js';
import type { Application, City, Offer, Voucher } from '../entities/index.js';
import { ApplicationIdInput, ApplicationPayload, ApplicationType, ApplyForVoucherInput } from '../schema/application.type.js';
import { ChildType } from '../schema/child.type.js';
import type { ChildAsSeen } from '../services/child.service.js';
import { CityType } from '../schema/city.type.js';
import { OfferType, VoucherObjectType } from '../schema/offer.type.js';
import { publicLabel } from '../domain/public-label.js';
import { selects } from './selection.js';

@Resolver(() => ApplicationType)
export class ApplicationResolver {
  @Query(() => [ApplicationType], { description: 'PARENT: your applications, every status.' })
  myApplications(@Ctx() ctx: Context): Promise<Application[]> {
    return ctx.services.applications.mine(ctx.viewer);
  }

  @Query(() => ApplicationType, { nullable: true, description: 'One application: a parent’s own, an operator’s city’s, or any for agencies and admins. Null with NOT_FOUND otherwise.' })
  application(@Ctx() ctx: Context, @Arg('id', () => ID) id: string, @Info() info: GraphQLResolveInfo): Promise<Application | null> {
    // A parent polling their place asks for exactly this; one statement instead of two.
    return ctx.services.applications.find(ctx.viewer, id, { withPosition: selects(info, 'position') });
  }

  @Mutation(() => ApplicationPayload, { description: 'PARENT: puts a child registered to you in a city’s queue for a voucher type.' })
  async applyForVoucher(@Ctx() ctx: Context, @Arg('input', () => ApplyForVoucherInput) input: ApplyForVoucherInput) {
    return { application: await ctx.services.applications.apply(ctx.viewer, input) };
  }

  @Mutation(() => ApplicationPayload, { description: 'PARENT: leaves the queue (a waiting application only; decline an offer instead).' })
  async withdrawApplication(@Ctx() ctx: Context, @Arg('input', () => ApplicationIdInput) input: ApplicationIdInput) {
    return { application: await ctx.services.applications.withdraw(ctx.viewer, input.applicationId) };
  }

  @Mutation(() => ApplicationPayload, { description: 'PARENT (own) or OPERATOR: returns a cancelled application to its old place, as the city’s rules allow.' })
  async restoreApplication(@Ctx() ctx: Context, @Arg('input', () => ApplicationIdInput) input: ApplicationIdInput) {
    return { application: await ctx.services.applications.restore(ctx.viewer, input.applicationId) };
  }

  @FieldResolver(() => Int, { nullable: true, description: 'Place among waiting applications (1 = next to be offered); null unless QUEUED.' })
  position(@Root() application: Application, @Ctx() ctx: Context): Promise<number | null> | number | null {
    if (application.position !== undefined) return application.position; // read with the status
    // Decided by the status this reader saw, so it never shows QUEUED without a position, even if
    // an offer is made between reading the status and numbering the queue.
    return application.status === ApplicationStatus.QUEUED ? ctx.loaders.position.load(application.id) : null;
  }

  @FieldResolver(() => String, { description: 'The pseudonym this application has in the public queue.' })
  publicLabel(@Root() application: Application): string {
    return publicLabel(application.id);
  }

  @FieldResolver(() => ChildType, { description: 'The child applied for.' })
  async child(@Root() application: Application, @Ctx() ctx: Context): Promise<ChildAsSeen> {
    return ctx.services.children.seenBy(ctx.viewer, await ctx.loaders.child.load(application.child.id));
  }

  @FieldResolver(() => CityType, { description: 'The city whose queue this is.' })
  city(@Root() application: Application, @Ctx() ctx: Context): Promise<City> {
    return ctx.loaders.city.load(application.city.id);
  }

  @FieldResolver(() => OfferType, { nullable: true, description: 'The newest offer made on this application.' })
  offer(@Root() application: Application, @Ctx() ctx: Context): Promise<Offer | null> {
    return ctx.loaders.offerByApplication.load(application.id);
  }

  @FieldResolver(() => VoucherObjectType, { nullable: true, description: 'The voucher reserved or issued for this application.' })
  voucher(@Root() application: Application, @Ctx() ctx: Context): Promise<Voucher | null> {
    return ctx.loaders.voucherByApplication.load(application.id);
  }
}
