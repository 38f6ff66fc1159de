import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { Context } from '../context.js';
import type { Child, Enrollment, Program, Voucher } from '../entities/index.js';
import { ChildType } from '../schema/child.type.js';
import { EnrollmentType, VoucherObjectType } from '../schema/offer.type.js';
import { ProgramType } from '../schema/program.type.js';
import { EnrollmentContractType } from '../schema/contract.type.js';
import type { ContractTerms } from '../entities/index.js';

@Resolver(() => EnrollmentType)
export class EnrollmentResolver {
  @FieldResolver(() => ProgramType, { description: 'The program the child attends.' })
  program(@Root() enrollment: Enrollment, @Ctx() ctx: Context): Promise<Program> {
    return ctx.loaders.program.load(enrollment.program.id);
  }

  @FieldResolver(() => VoucherObjectType, { description: 'The voucher funding it.' })
  voucher(@Root() enrollment: Enrollment, @Ctx() ctx: Context): Promise<Voucher> {
    return ctx.loaders.voucher.load(enrollment.voucher.id);
  }

  @FieldResolver(() => EnrollmentContractType, { nullable: true, description: 'The offer-contract and personal-data consent the parent accepted for this enrollment (null only for enrollments made before contracts were recorded).' })
  async contract(@Root() enrollment: Enrollment, @Ctx() ctx: Context): Promise<{ terms: ContractTerms; acceptedAt: Date; personalDataConsentGivenAt: Date } | null> {
    if (!enrollment.terms || !enrollment.termsAcceptedAt || !enrollment.consentGivenAt) return null;
    return { terms: await ctx.loaders.contractTerms.load(enrollment.terms.unwrap().version), acceptedAt: enrollment.termsAcceptedAt, personalDataConsentGivenAt: enrollment.consentGivenAt };
  }

  @FieldResolver(() => ChildType, { description: 'The child (a provider sees the name and age only: the access policy).' })
  async child(@Root() enrollment: Enrollment, @Ctx() ctx: Context): Promise<Child> {
    const voucher = await ctx.loaders.voucher.load(enrollment.voucher.id);
    return ctx.loaders.child.load(voucher.child.id);
  }

  @FieldResolver(() => EnrollmentType, { nullable: true, description: 'The enrollment this one replaced, after a switch.' })
  async previous(@Root() enrollment: Enrollment, @Ctx() ctx: Context): Promise<Enrollment | null> {
    if (!enrollment.previous) return null;
    const history = await ctx.loaders.enrollmentsByVoucher.load(enrollment.voucher.id);
    return history.find((e) => e.id === enrollment.previous!.id) ?? null;
  }
}
