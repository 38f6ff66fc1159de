import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ClaimStatus, PriorityCategory, Relationship } from '../domain/enums.js';
import { RegistryAnswer } from '../entities/index.js';
import { ClaimDecision, VerificationReason } from '../services/verification.service.js';
import { ConnectionType } from './common.js';
import { DateTime, LocalDate } from './scalars.js';

registerEnumType(ClaimStatus, {
  name: 'ClaimStatus',
  description: 'A claim that must be proven before it counts: a parent–child link, or a child’s priority category.',
  valuesConfig: {
    CLAIMED: { description: 'Declared by the family; waiting for the population registry or the city’s operator. It does not count yet.' },
    VERIFIED: { description: 'Confirmed by the registry or by an operator on a document: it counts.' },
    REJECTED: { description: 'Refused by the registry or by an operator. It never counts.' },
  },
});
registerEnumType(RegistryAnswer, {
  name: 'RegistryAnswer',
  description: 'What the state population registry answered about a claim.',
  valuesConfig: {
    CONFIRMED: { description: 'The registry confirms it.' },
    DENIED: { description: 'The registry contradicts it.' },
    UNKNOWN: { description: 'The registry cannot tell; an operator decides on documents.' },
  },
});
registerEnumType(ClaimDecision, {
  name: 'ClaimDecision',
  description: 'An operator’s decision on a claim.',
  valuesConfig: {
    VERIFY: { description: 'The documents prove the claim: it counts from now on.' },
    REJECT: { description: 'The documents do not prove it (or contradict it): it never counts.' },
  },
});
registerEnumType(VerificationReason, {
  name: 'VerificationReason',
  description: 'Why a claim waits on an operator’s list.',
  valuesConfig: {
    CONTESTED: { description: 'Another family claims the same child. Verifying this claim rejects the other family’s verified link, if any.' },
    REGISTRY_UNSURE: { description: 'The population registry cannot tell (e.g. a court-ordered guardianship it does not hold).' },
    REGISTRY_UNAVAILABLE: { description: 'The registry could not be reached; it is asked again automatically, and an operator may decide meanwhile.' },
    AWAITING_REGISTRY: { description: 'The registry has not been asked yet (it is, within seconds).' },
    PRIORITY_CATEGORY: { description: 'The link is decided; the priority category the family declared waits for its evidence.' },
  },
});

@ObjectType('ChildLink', { description: 'PARENT: your claim to represent a child, and the priority category you declared, with how each was decided.' })
export class ChildLinkType {
  @Field(() => ClaimStatus, { description: 'Until VERIFIED, your application may wait in the queue (keeping its place) but is never offered a voucher.' })
  status!: ClaimStatus;

  @Field(() => Relationship, { description: 'How you said you are related to the child.' })
  relationship!: Relationship;

  @Field(() => PriorityCategory, { nullable: true, description: 'The priority category you declared, if any. It counts in the queue only once VERIFIED.' })
  declaredPriorityCategory?: PriorityCategory | null;

  @Field(() => ClaimStatus, { nullable: true, description: 'Whether your declared category was verified; null if you declared none.' })
  priorityCategoryStatus?: ClaimStatus | null;

  @Field(() => DateTime, { nullable: true, description: 'When the link was decided.' })
  decidedAt?: Date | null;

  @Field(() => DateTime, { nullable: true, description: 'When the declared category was decided.' })
  priorityCategoryDecidedAt?: Date | null;
}

@ObjectType('VerificationCase', {
  description:
    'OPERATOR (own city) or ADMIN: one family’s claim on one child that waits for a decision — the link, the declared priority category, or both. Holds personal data of the child and the claimant.',
})
export class VerificationCaseType {
  @Field(() => ID, { description: 'The claim’s id; pass it to decideChildLink or decidePriorityCategory.' })
  id!: string;

  @Field(() => String, { nullable: true, description: 'Code of the city whose operators handle the case: given at registration, else the city of the family’s first application. Null: no city yet (ADMIN only).' })
  city?: string | null;

  @Field(() => VerificationReason, { description: 'Why it waits for a person.' })
  reason!: VerificationReason;

  @Field(() => ClaimStatus, { description: 'The link’s status.' })
  linkStatus!: ClaimStatus;

  @Field(() => Relationship, { description: 'Personal data. How the claimant says they are related to the child.' })
  relationship!: Relationship;

  @Field(() => String, { description: 'Personal data. The child’s IIN.' })
  childIin!: string;

  @Field(() => String, { description: 'Personal data. The child’s name as this claimant gave it.' })
  childFullName!: string;

  @Field(() => LocalDate, { description: 'Personal data. The child’s birth date, as the IIN encodes it.' })
  childBirthDate!: string;

  @Field(() => String, { description: 'Personal data. The claimant’s IIN.' })
  claimantIin!: string;

  @Field(() => String, { description: 'Personal data. The claimant’s full name.' })
  claimantFullName!: string;

  @Field(() => String, { description: 'Personal data. The claimant’s phone, to ask for documents.' })
  claimantPhone!: string;

  @Field(() => PriorityCategory, { nullable: true, description: 'Personal data. The priority category the claimant declared, if any.' })
  declaredPriorityCategory?: PriorityCategory | null;

  @Field(() => ClaimStatus, { nullable: true, description: 'The declared category’s status; null if none was declared.' })
  priorityCategoryStatus?: ClaimStatus | null;

  @Field(() => Int, { description: 'Other families’ claims on the same child that are not rejected.' })
  otherClaims!: number;

  @Field(() => Boolean, { description: 'True when another family’s link to this child is verified now.' })
  childHasOtherVerifiedLink!: boolean;

  @Field(() => RegistryAnswer, { nullable: true, description: 'The population registry’s answer on the link; null while it has not answered.' })
  registryAnswer?: RegistryAnswer | null;

  @Field(() => Int, { description: 'Failed attempts to reach the registry so far.' })
  registryAttempts!: number;

  @Field(() => String, { nullable: true, description: 'Who decided the link (role:id), once decided.' })
  decidedBy?: string | null;

  @Field(() => String, { nullable: true, description: 'The document or registry reference the link decision rests on.' })
  evidenceReference?: string | null;

  @Field(() => DateTime, { nullable: true, description: 'When the link was decided.' })
  decidedAt?: Date | null;

  @Field(() => String, { nullable: true, description: 'Who decided the declared category (role:id).' })
  priorityCategoryDecidedBy?: string | null;

  @Field(() => String, { nullable: true, description: 'The document or registry reference the category decision rests on.' })
  priorityCategoryEvidenceReference?: string | null;

  @Field(() => DateTime, { nullable: true, description: 'When the declared category was decided.' })
  priorityCategoryDecidedAt?: Date | null;

  @Field(() => DateTime, { description: 'When the family made the claim.' })
  createdAt!: Date;
}

@ObjectType('VerificationCaseConnection', { description: 'A page of verification cases, oldest claim first.' })
export class VerificationCaseConnection extends ConnectionType(VerificationCaseType, 'VerificationCase') {}

@InputType({ description: 'Which cases to list.' })
export class VerificationCaseFilter {
  @Field(() => String, { nullable: true, description: 'City code. Operators see only their own city (the default); an ADMIN without it sees every city’s, and claims with no city yet.' })
  city?: string | null;

  @Field(() => String, { nullable: true, description: 'Only the cases of the child with this IIN (e.g. when a family calls about its claim).' })
  childIin?: string | null;
}

@InputType({ description: 'An operator’s decision on a claim, with the evidence it rests on.' })
export class DecideClaimInput {
  @Field(() => ID, { description: 'VerificationCase.id.' })
  caseId!: string;

  @Field(() => ClaimDecision, { description: 'VERIFY or REJECT.' })
  decision!: ClaimDecision;

  @Field(() => String, { description: 'The document the decision rests on (birth certificate, court order, disability certificate number…), 2–200 characters. Kept in the audit log.' })
  evidenceReference!: string;

  @Field(() => String, { nullable: true, description: 'Optional note for the audit log.' })
  note?: string | null;
}

@ObjectType({ description: 'Result of decideChildLink or decidePriorityCategory.' })
export class DecideClaimPayload {
  @Field(() => VerificationCaseType, { description: 'The case after the decision.' })
  case!: VerificationCaseType;
}
