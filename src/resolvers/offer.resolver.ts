import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../context.js';
import type { Application, Offer, Voucher } from '../entities/index.js';
import { ApplicationType } from '../schema/application.type.js';
import {
  AcceptOfferInput,
  DeclineOfferInput,
  EnrollmentPayload,
  IssueVouchersInput,
  IssueVouchersPayload,
  OfferPayload,
  OfferType,
  VoucherObjectType,
} from '../schema/offer.type.js';

@Resolver(() => OfferType)
export class OfferResolver {
  @Query(() => OfferType, { nullable: true, description: 'One offer: a parent’s own, an operator’s city’s, or any for agencies and admins. Null with NOT_FOUND otherwise.' })
  offer(@Ctx() ctx: Context, @Arg('id', () => ID) id: string): Promise<Offer | null> {
    return ctx.services.offers.find(ctx.viewer, id);
  }

  @Mutation(() => IssueVouchersPayload, { description: 'OPERATOR of the city or ADMIN: offers vouchers to the head of the queue, in exact order, within the quota.' })
  async issueVouchers(@Ctx() ctx: Context, @Arg('input', () => IssueVouchersInput) input: IssueVouchersInput) {
    return { offers: await ctx.services.issuing.issue(ctx.viewer, input) };
  }

  @Mutation(() => EnrollmentPayload, { description: 'PARENT: accepts an offer by choosing a program; the child is enrolled. At or after the deadline it is CONFLICT and the offer expires (the city’s rule for an expired offer applies).' })
  async acceptOffer(@Ctx() ctx: Context, @Arg('input', () => AcceptOfferInput) input: AcceptOfferInput) {
    return { enrollment: await ctx.services.offers.accept(ctx.viewer, input.offerId, input.programId, input) };
  }

  @Mutation(() => OfferPayload, { description: 'PARENT: declines an offer; the voucher returns to the quota and the application follows the city’s rules. At or after the deadline it is CONFLICT and the offer expires instead (the rule for an expired offer applies).' })
  async declineOffer(@Ctx() ctx: Context, @Arg('input', () => DeclineOfferInput) input: DeclineOfferInput) {
    return { offer: await ctx.services.offers.decline(ctx.viewer, input.offerId) };
  }

  @FieldResolver(() => ApplicationType, { description: 'The application the offer was made on.' })
  application(@Root() offer: Offer, @Ctx() ctx: Context): Promise<Application> {
    return ctx.loaders.application.load(offer.application.id);
  }

  @FieldResolver(() => VoucherObjectType, { description: 'The voucher reserved by this offer.' })
  voucher(@Root() offer: Offer, @Ctx() ctx: Context): Promise<Voucher> {
    return ctx.loaders.voucher.load(offer.voucher.id);
  }
}
