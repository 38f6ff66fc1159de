import { ArgsType, Field, Int, ObjectType } from 'type-graphql';
import { ApplicationStatus, PriorityCategory, VoucherType } from '../domain/enums.js';
import { PageInfo } from './common.js';
import { DateTime } from './scalars.js';

@ObjectType('QueueEntry', { description: 'One place in the open queue, anonymised: enough to check the order is fair, nothing that identifies a child.' })
export class QueueEntryType {
  @Field(() => Int, { nullable: true, description: 'Place among waiting applications (1 = next); null while an offer is outstanding.' })
  position?: number | null;

  @Field(() => String, { description: 'A pseudonym (e.g. "3F9A-1C2B"); the family sees the same label on its own application.' })
  label!: string;

  @Field(() => PriorityCategory, { description: 'Priority category; categories come first in the city’s order, then submission time.' })
  priorityCategory!: PriorityCategory;

  @Field(() => String, { description: 'Submission time to the microsecond (ISO 8601, UTC).' })
  submittedAt!: string;

  @Field(() => ApplicationStatus, { description: 'QUEUED (waiting) or OFFERED (an offer is outstanding).' })
  status!: ApplicationStatus;
}

@ObjectType('QueueEdge', { description: 'One queue entry with its cursor.' })
export class QueueEdge {
  @Field(() => String, { description: 'Opaque cursor of this entry.' })
  cursor!: string;

  @Field(() => QueueEntryType, { description: 'The entry.' })
  node!: QueueEntryType;
}

@ObjectType('QueueConnection', { description: 'A page of the open queue, in queue order.' })
export class QueueConnection {
  @Field(() => [QueueEdge], { description: 'Entries of this page.' })
  edges!: QueueEdge[];

  @Field(() => PageInfo, { description: 'Where this page is in the queue.' })
  pageInfo!: PageInfo;

  @Field(() => Int, { description: 'Entries in the queue (waiting and offered).' })
  totalCount!: number | Promise<number>;
}

@ObjectType('VoucherCounts', { description: 'Vouchers by status.' })
export class VoucherCountsType {
  @Field(() => Int, { description: 'Held for outstanding offers.' })
  reserved!: number;

  @Field(() => Int, { description: 'In use: the child is enrolled.' })
  active!: number;

  @Field(() => Int, { description: 'Suspended by an operator.' })
  suspended!: number;

  @Field(() => Int, { description: 'Ended normally.' })
  closed!: number;

  @Field(() => Int, { description: 'Revoked by an operator.' })
  revoked!: number;

  @Field(() => Int, { description: 'Offers that lapsed or were declined; returned to the quota.' })
  released!: number;
}

@ObjectType('QueueStats', { description: 'Public counts for one city and voucher type.' })
export class QueueStatsType {
  @Field(() => VoucherType, { description: 'The voucher type counted.' })
  voucherType!: VoucherType;

  @Field(() => Int, { description: 'Applications waiting in the queue.' })
  waiting!: number;

  @Field(() => Int, { description: 'Applications with an outstanding offer.' })
  offered!: number;

  @Field(() => Int, { description: 'Vouchers in use (ACTIVE): assigned and enrolled.' })
  active!: number;

  @Field(() => VoucherCountsType, { description: 'Vouchers by every status.' })
  vouchers!: VoucherCountsType;

  @Field(() => Int, { description: 'Free seats in active programs of approved providers that accept this voucher type.' })
  seatsFree!: number;

  @Field(() => DateTime, { description: 'When these counts were taken.' })
  at!: Date;
}

/** Which queues a public read or subscription covers: one city or all, one voucher type or both. */
@ArgsType()
export class QueueScopeArgs {
  @Field(() => String, { nullable: true, description: 'One city; all when omitted.' })
  city?: string | null;

  @Field(() => VoucherType, { nullable: true, description: 'One type; both when omitted.' })
  voucherType?: VoucherType | null;
}
