import { GraphQLJSONObject, SafeIntResolver } from 'graphql-scalars';
import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { Direction, LapsePolicy, PriorityCategory, VoucherType } from '../domain/enums.js';
import { MoneyType } from './money.type.js';
import { ConnectionType } from './common.js';
import { DateTime } from './scalars.js';
import { TimesheetCheckRuleInput } from './timesheet.type.js';

@ObjectType('CityRules', { description: 'One version of a city’s rules. Versions are never edited: each change adds the next one.' })
export class CityRulesType {
  @Field(() => Int, { description: 'Version number, 1 upwards.' })
  version!: number;

  @Field(() => DateTime, { description: 'When this version took effect.' })
  effectiveAt!: Date;

  @Field(() => String, { description: 'Who made this version (role and id).' })
  createdBy!: string;

  @Field(() => Int, { description: 'Hours a parent has to accept an offer.' })
  offerDeadlineHours!: number;

  @Field(() => Int, { description: 'Hours before the deadline that a reminder SMS goes out.' })
  reminderHoursBeforeDeadline!: number;

  @Field(() => LapsePolicy, { description: 'What declining an offer does to the application.' })
  onDecline!: LapsePolicy;

  @Field(() => LapsePolicy, { description: 'What an expired offer does to the application.' })
  onExpiry!: LapsePolicy;

  @Field(() => Int, { description: 'How many times a cancelled application may be restored.' })
  maxRestores!: number;

  @Field(() => Int, { description: 'Days after cancellation within which it may be restored.' })
  restoreWindowDays!: number;

  @Field(() => [PriorityCategory], { description: 'Priority categories, highest first; NONE ranks after all of them.' })
  priorityOrder!: PriorityCategory[];

  @Field(() => [VoucherType], { description: 'Voucher types offered automatically whenever the quota allows; others wait for an operator’s batch.' })
  autoIssueTypes!: VoucherType[];

  @Field(() => Int, { description: 'Days after a session within which the parent may confirm or dispute it.' })
  confirmationWindowDays!: number;

  @Field(() => Int, { description: 'A month’s payments are due on this day of the following month (default 18); a supplementary payment calculated after that day is due on it in the month after its calculation.' })
  paymentDueDay!: number;
}

@ObjectType('DirectionRate', { description: 'The hourly rate paid for one direction.' })
export class DirectionRateType {
  @Field(() => Direction, { description: 'The direction.' })
  direction!: Direction;

  @Field(() => MoneyType, { description: 'Paid per confirmed hour.' })
  perHour!: MoneyType;
}

@InputType({ description: 'A new hourly rate for one direction.' })
export class DirectionRateInput {
  @Field(() => Direction, { description: 'The direction.' })
  direction!: Direction;

  @Field(() => SafeIntResolver, { description: 'Tiyn per hour.' })
  tiynPerHour!: number;
}

@InputType({ description: 'A change to a city’s rules; omitted fields keep their current values. Creates the next version.' })
export class UpdateCityRulesInput {
  @Field(() => String, { description: 'City code.' })
  city!: string;

  @Field(() => Int, { nullable: true, description: 'Hours to accept an offer (1–1440).' })
  offerDeadlineHours?: number | null;

  @Field(() => Int, { nullable: true, description: 'Reminder lead time in hours.' })
  reminderHoursBeforeDeadline?: number | null;

  @Field(() => LapsePolicy, { nullable: true, description: 'What declining does.' })
  onDecline?: LapsePolicy | null;

  @Field(() => LapsePolicy, { nullable: true, description: 'What expiry does.' })
  onExpiry?: LapsePolicy | null;

  @Field(() => Int, { nullable: true, description: 'Restores allowed (0–10).' })
  maxRestores?: number | null;

  @Field(() => Int, { nullable: true, description: 'Restore window in days.' })
  restoreWindowDays?: number | null;

  @Field(() => [PriorityCategory], { nullable: true, description: 'New priority order, highest first (waiting applications are re-ranked).' })
  priorityOrder?: PriorityCategory[] | null;

  @Field(() => [VoucherType], { nullable: true, description: 'Voucher types to offer automatically.' })
  autoIssueTypes?: VoucherType[] | null;

  @Field(() => Int, { nullable: true, description: 'Confirmation window in days (1–90).' })
  confirmationWindowDays?: number | null;

  @Field(() => Int, { nullable: true, description: 'Day of the following month on which a month’s payments are due (1–28).' })
  paymentDueDay?: number | null;

  @Field(() => [DirectionRateInput], { nullable: true, description: 'Rates to change; directions not listed keep theirs.' })
  rates?: DirectionRateInput[] | null;

  @Field(() => Int, { nullable: true, description: 'Most hours paid per voucher per month; 0 removes the cap.' })
  monthlyCapHours?: number | null;

  @Field(() => SafeIntResolver, { nullable: true, description: 'Most tiyn paid per voucher per month; 0 removes the cap.' })
  monthlyCapTiyn?: number | null;

  @Field(() => [TimesheetCheckRuleInput], { nullable: true, description: 'Timesheet checks to change (REFUSE or FLAG); checks not listed keep their action.' })
  timesheetChecks?: TimesheetCheckRuleInput[] | null;
}

@ObjectType({ description: 'Result of updateCityRules.' })
export class CityRulesPayload {
  @Field(() => CityRulesType, { description: 'The new version.' })
  rules!: CityRulesType;
}

@ObjectType('Quota', { description: 'How many vouchers of a type a city may hold out in a programme year.' })
export class QuotaType {
  @Field(() => ID, { description: 'Stable id of the quota.' })
  id!: string;

  @Field(() => VoucherType, { description: 'The voucher type.' })
  voucherType!: VoucherType;

  @Field(() => String, { description: 'Programme year, "YYYY".' })
  period!: string;

  @Field(() => Int, { description: 'The cap.' })
  count!: number;

  @Field(() => Int, { description: 'Vouchers reserved for offers or issued, counted against the cap.' })
  used!: number;
}

@InputType({ description: 'Set a quota (OPERATOR of the city or ADMIN).' })
export class SetQuotaInput {
  @Field(() => String, { description: 'City code.' })
  city!: string;

  @Field(() => VoucherType, { description: 'The voucher type.' })
  voucherType!: VoucherType;

  @Field(() => String, { description: 'Programme year, "YYYY".' })
  period!: string;

  @Field(() => Int, { description: 'The cap; not below the vouchers already used.' })
  count!: number;
}

@ObjectType({ description: 'Result of setQuota.' })
export class QuotaPayload {
  @Field(() => QuotaType, { description: 'The quota as saved.' })
  quota!: QuotaType;
}

@ObjectType('AuditEvent', { description: 'One recorded change. The log is append-only: events are never updated or deleted.' })
export class AuditEventType {
  @Field(() => ID, { description: 'Stable id; ids sort in the order events were written.' })
  id!: string;

  @Field(() => DateTime, { description: 'When it happened.' })
  occurredAt!: Date;

  @Field(() => String, { description: 'Role of who did it (SYSTEM for the scheduler).' })
  actorRole!: string;

  @Field(() => String, { nullable: true, description: 'Who did it: IIN, provider id, city, API key id or job.' })
  actorId?: string | null;

  @Field(() => String, { description: 'What happened, e.g. APPLIED, OFFERED, ACCEPTED, DECLINED, EXPIRED, SWITCHED, RULES_CHANGED.' })
  action!: string;

  @Field(() => String, { description: 'Kind of thing changed, e.g. Application, Offer, Voucher.' })
  entityType!: string;

  @Field(() => ID, { description: 'Id of the thing changed.' })
  entityId!: string;

  @Field(() => String, { nullable: true, description: 'City code.' })
  cityCode?: string | null;

  @Field(() => GraphQLJSONObject, { nullable: true, description: 'State before the change.' })
  before?: Record<string, unknown> | null;

  @Field(() => GraphQLJSONObject, { nullable: true, description: 'State after the change.' })
  after?: Record<string, unknown> | null;

  @Field(() => Int, { nullable: true, description: 'Rules version the decision used.' })
  rulesVersion?: number | null;

  @Field(() => String, { nullable: true, description: 'Reason given, if any.' })
  reason?: string | null;
}

@ObjectType({ description: 'A page of audit events, oldest first.' })
export class AuditEventConnection extends ConnectionType(AuditEventType, 'AuditEvent') {}

@InputType({ description: 'Narrows the audit log; all given fields must match.' })
export class AuditFilter {
  @Field(() => String, { nullable: true, description: 'City code (operators always read their own city).' })
  city?: string | null;

  @Field(() => String, { nullable: true, description: 'Action, e.g. OFFERED.' })
  action?: string | null;

  @Field(() => ID, { nullable: true, description: 'Events about this application, offer or voucher.' })
  entityId?: string | null;

  @Field(() => DateTime, { nullable: true, description: 'From this moment (inclusive).' })
  from?: Date | null;

  @Field(() => DateTime, { nullable: true, description: 'Until this moment (exclusive).' })
  to?: Date | null;
}
