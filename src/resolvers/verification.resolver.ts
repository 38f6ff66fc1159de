import { Arg, Ctx, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { Context } from '../context.js';
import { toConnection } from '../schema/common.js';
import {
  DecideClaimInput,
  DecideClaimPayload,
  VerificationCaseConnection,
  VerificationCaseFilter,
  VerificationCaseType,
} from '../schema/verification.type.js';

@Resolver(() => VerificationCaseType)
export class VerificationResolver {
  @Query(() => VerificationCaseConnection, {
    description: 'OPERATOR (own city) or ADMIN: claims waiting for a decision — parent–child links the registry could not settle or another family contests, and declared priority categories — oldest first.',
  })
  async verificationCases(
    @Ctx() ctx: Context,
    @Arg('filter', () => VerificationCaseFilter, { nullable: true }) filter?: VerificationCaseFilter,
    @Arg('first', () => Int, { nullable: true, description: 'Page size, at most 100 (default 20).' }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    return toConnection(await ctx.services.verification.cases(ctx.viewer, filter, { first, after }));
  }

  @Mutation(() => DecideClaimPayload, {
    description:
      'OPERATOR of the case’s city or ADMIN: verifies or rejects a parent–child link on a document. Verifying rejects another family’s verified link to the child, if any; rejecting cancels the family’s waiting applications for the child. Audited with the evidence reference.',
  })
  async decideChildLink(@Ctx() ctx: Context, @Arg('input', () => DecideClaimInput) input: DecideClaimInput) {
    return { case: await ctx.services.verification.decideLink(ctx.viewer, input) };
  }

  @Mutation(() => DecideClaimPayload, {
    description:
      'OPERATOR of the case’s city or ADMIN: verifies or rejects a declared priority category on a document. Verifying re-ranks the child’s applications by it, with their original submission time (the parent sees PRIORITY_VERIFIED). Audited with the evidence reference.',
  })
  async decidePriorityCategory(@Ctx() ctx: Context, @Arg('input', () => DecideClaimInput) input: DecideClaimInput) {
    return { case: await ctx.services.verification.decidePriorityCategory(ctx.viewer, input) };
  }
}
