import { Field, Int, ObjectType } from 'type-graphql';
import { LocalizedTextType } from './common.js';
import { DateTime } from './scalars.js';

@ObjectType('ContractTerms', { description: 'The programme’s standard offer-contract and personal-data consent, one version. A parent accepts the version in force when enrolling a child.' })
export class ContractTermsType {
  @Field(() => Int, { description: 'The version; a changed text is a new version.' })
  version!: number;

  @Field(() => LocalizedTextType, { description: 'The offer-contract’s text.' })
  terms!: LocalizedTextType;

  @Field(() => LocalizedTextType, { description: 'The personal-data consent’s text.' })
  personalDataConsent!: LocalizedTextType;

  @Field(() => DateTime, { description: 'In force from this instant until a later version’s.' })
  effectiveFrom!: Date;
}

@ObjectType('EnrollmentContract', { description: 'What the parent accepted for an enrollment: the terms’ version, when, and the consent. Visible to the family and to the provider (Enrollment’s access).' })
export class EnrollmentContractType {
  @Field(() => ContractTermsType, { description: 'The version of the standard terms accepted.' })
  terms!: ContractTermsType;

  @Field(() => DateTime, { description: 'When the parent accepted the terms.' })
  acceptedAt!: Date;

  @Field(() => DateTime, { description: 'When the parent consented to the processing of the child’s personal data (the consent text of the same version).' })
  personalDataConsentGivenAt!: Date;
}
