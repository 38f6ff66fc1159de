import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { EnrollmentStatus, OfferStatus, VoucherStatus, VoucherType } from '../domain/enums.js';
import { ConnectionType } from './common.js';
import { DateTime } from './scalars.js';

@ObjectType('Offer', { description: '"Your turn has come": a voucher reserved for the child until the deadline; accept it by choosing a program.' })
export class OfferType {
  @Field(() => ID, { description: 'Stable id of the offer.' })
  id!: string;

  @Field(() => OfferStatus, { description: 'PENDING, ACCEPTED, DECLINED or EXPIRED.' })
  status!: OfferStatus;

  @Field(() => DateTime, { description: 'Choose a program before this moment, or the offer lapses.' })
  deadline!: Date;

  @Field(() => Int, { description: 'Rules version the offer was made under (deadline, what lapsing does).' })
  rulesVersion!: number;

  @Field(() => DateTime, { description: 'When the offer was made.' })
  createdAt!: Date;

  @Field(() => DateTime, { nullable: true, description: 'When it was accepted, declined or expired.' })
  decidedAt?: Date | null;
}

@ObjectType('Voucher', { description: 'A child’s electronic voucher: one club at a time, funded only for confirmed attendance.' })
export class VoucherObjectType {
  @Field(() => ID, { description: 'Stable id of the voucher.' })
  id!: string;

  @Field(() => VoucherType, { description: 'TARGETED or UNIVERSAL.' })
  type!: VoucherType;

  @Field(() => VoucherStatus, { description: 'Where the voucher is in its lifecycle.' })
  status!: VoucherStatus;

  @Field(() => String, { nullable: true, description: 'The operator’s reason for the last suspension or revocation.' })
  statusReason?: string | null;

  @Field(() => DateTime, { description: 'When the voucher was reserved.' })
  createdAt!: Date;
}

@ObjectType({ description: 'A page of vouchers.' })
export class VoucherConnection extends ConnectionType(VoucherObjectType, 'Voucher') {}

@ObjectType('Enrollment', { description: 'A voucher placed in a program. Switching ends one enrollment (TRANSFERRED) and starts the next.' })
export class EnrollmentType {
  @Field(() => ID, { description: 'Stable id of the enrollment.' })
  id!: string;

  @Field(() => EnrollmentStatus, { description: 'ACTIVE, TRANSFERRED or ENDED.' })
  status!: EnrollmentStatus;

  @Field(() => DateTime, { description: 'When the child started.' })
  startedAt!: Date;

  @Field(() => DateTime, { nullable: true, description: 'When the enrollment ended or was transferred.' })
  endedAt?: Date | null;
}

@InputType({ description: 'Offer vouchers to the head of a queue (OPERATOR of the city or ADMIN).' })
export class IssueVouchersInput {
  @Field(() => String, { description: 'City code.' })
  city!: string;

  @Field(() => VoucherType, { description: 'Which queue.' })
  voucherType!: VoucherType;

  @Field(() => Int, { description: 'How many offers to make (1–5000); fewer if the queue or the quota runs out.' })
  count!: number;

  @Field(() => String, { nullable: true, description: 'Quota year, "YYYY"; defaults to the current year in the city.' })
  period?: string | null;
}

@ObjectType({ description: 'Result of issueVouchers: the offers made, in queue order.' })
export class IssueVouchersPayload {
  @Field(() => [OfferType], { description: 'One offer per child, head of the queue first.' })
  offers!: OfferType[];
}

@InputType({ description: 'Accept an offer by choosing a program.' })
export class AcceptOfferInput {
  @Field(() => ID, { description: 'The offer.' })
  offerId!: string;

  @Field(() => ID, { description: 'The program: it must be published, accept the voucher type, fit the child’s age, be in the voucher’s city and have a free place.' })
  programId!: string;

  @Field(() => Boolean, { description: 'Must be true: the parent accepts the programme’s standard offer-contract (`contractTerms`) for this enrollment.' })
  acceptTerms!: boolean;

  @Field(() => Boolean, { description: 'Must be true: the parent consents to the processing of the child’s personal data (the consent text of the same terms).' })
  personalDataConsent!: boolean;

  @Field(() => Int, { nullable: true, description: 'The version of the terms the parent read; when given and no longer in force, CONFLICT (with `extensions.termsVersion`, the current one).' })
  termsVersion?: number | null;
}

@InputType({ description: 'Decline an offer.' })
export class DeclineOfferInput {
  @Field(() => ID, { description: 'The offer.' })
  offerId!: string;
}

@InputType({ description: 'Move a child to another program on the same voucher, without a new application.' })
export class SwitchProgramInput {
  @Field(() => ID, { description: 'The child’s active enrollment.' })
  enrollmentId!: string;

  @Field(() => ID, { description: 'The new program (same checks as when accepting an offer).' })
  programId!: string;

  @Field(() => Boolean, { description: 'Must be true: a new enrollment is a new offer-contract, on the programme’s standard terms (`contractTerms`).' })
  acceptTerms!: boolean;

  @Field(() => Boolean, { description: 'Must be true: consent to the processing of the child’s personal data by the new provider.' })
  personalDataConsent!: boolean;

  @Field(() => Int, { nullable: true, description: 'The version of the terms the parent read; when given and no longer in force, CONFLICT.' })
  termsVersion?: number | null;
}

@InputType({ description: 'Suspend, reinstate or revoke a voucher (OPERATOR of the city or ADMIN), with a reason.' })
export class VoucherStatusInput {
  @Field(() => ID, { description: 'The voucher.' })
  voucherId!: string;

  @Field(() => String, { description: 'Why; kept on the voucher and in the audit log.' })
  reason!: string;
}

@ObjectType({ description: 'Result of acceptOffer and switchProgram.' })
export class EnrollmentPayload {
  @Field(() => EnrollmentType, { description: 'The new, active enrollment.' })
  enrollment!: EnrollmentType;
}

@ObjectType({ description: 'Result of declineOffer.' })
export class OfferPayload {
  @Field(() => OfferType, { description: 'The offer as saved.' })
  offer!: OfferType;
}

@ObjectType({ description: 'Result of suspendVoucher, reinstateVoucher and revokeVoucher.' })
export class VoucherPayload {
  @Field(() => VoucherObjectType, { description: 'The voucher as saved.' })
  voucher!: VoucherObjectType;
}

@InputType({ description: 'Narrows the voucher list; all given fields must match.' })
export class VoucherFilter {
  @Field(() => String, { nullable: true, description: 'City code.' })
  city?: string | null;

  @Field(() => VoucherType, { nullable: true, description: 'Only this voucher type.' })
  voucherType?: VoucherType | null;

  @Field(() => VoucherStatus, { nullable: true, description: 'Only this status.' })
  status?: VoucherStatus | null;
}
