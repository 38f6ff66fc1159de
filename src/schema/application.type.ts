import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { ApplicationStatus, PriorityCategory, VoucherType } from '../domain/enums.js';
import { DateTime } from './scalars.js';

@ObjectType('Application', { description: 'A request for a voucher for one child: a place in a city’s queue for one voucher type.' })
export class ApplicationType {
  @Field(() => ID, { description: 'Stable id of the application.' })
  id!: string;

  @Field(() => ApplicationStatus, { description: 'Where the application is in its lifecycle.' })
  status!: ApplicationStatus;

  @Field(() => VoucherType, { description: 'The voucher type applied for.' })
  voucherType!: VoucherType;

  @Field(() => PriorityCategory, { description: 'The priority category the application ranks by: the child’s verified category (NONE until one is verified).' })
  priorityCategory!: PriorityCategory;

  @Field(() => String, { description: 'Submission time to the microsecond (ISO 8601, UTC); with the priority rank it fixes the place in the queue.' })
  submittedAt!: string;

  @Field(() => Int, { description: 'Rules version in force when the application was made.' })
  rulesVersion!: number;

  @Field(() => Int, { description: 'How many times the application was restored after cancellation.' })
  restoreCount!: number;

  @Field(() => DateTime, { nullable: true, description: 'When it left the queue (withdrawn or cancelled).' })
  closedAt?: Date | null;
}

@InputType({ description: 'Apply for a voucher for a child registered to you.' })
export class ApplyForVoucherInput {
  @Field(() => ID, { description: 'The child (from myChildren).' })
  childId!: string;

  @Field(() => VoucherType, { description: 'TARGETED or UNIVERSAL.' })
  voucherType!: VoucherType;

  @Field(() => String, { description: 'City code of the queue, e.g. "ASTANA".' })
  city!: string;
}

@InputType({ description: 'Which application.' })
export class ApplicationIdInput {
  @Field(() => ID, { description: 'The application.' })
  applicationId!: string;
}

@ObjectType({ description: 'Result of applyForVoucher, withdrawApplication and restoreApplication.' })
export class ApplicationPayload {
  @Field(() => ApplicationType, { description: 'The application as saved.' })
  application!: ApplicationType;
}
