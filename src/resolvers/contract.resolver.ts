import { Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../context.js';
import type { ContractTerms } from '../entities/index.js';
import { LocalizedTextType } from '../schema/common.js';
import { ContractTermsType } from '../schema/contract.type.js';

@Resolver(() => ContractTermsType)
export class ContractResolver {
  @Query(() => ContractTermsType, { description: 'Anyone: the standard offer-contract and consent in force, which acceptOffer and switchProgram accept.' })
  contractTerms(@Ctx() ctx: Context): Promise<ContractTerms> {
    return ctx.services.contracts.current();
  }

  @FieldResolver(() => LocalizedTextType, { description: 'The offer-contract’s text.' })
  terms(@Root() terms: ContractTerms): LocalizedTextType {
    return { kk: terms.termsKk, ru: terms.termsRu, en: null };
  }

  @FieldResolver(() => LocalizedTextType, { description: 'The personal-data consent’s text.' })
  personalDataConsent(@Root() terms: ContractTerms): LocalizedTextType {
    return { kk: terms.consentKk, ru: terms.consentRu, en: null };
  }
}
