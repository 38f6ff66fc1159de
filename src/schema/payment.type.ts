import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { Direction, PaymentStatus, VoucherType } from '../domain/enums.js';
import { ConnectionType } from './common.js';
import { MoneyInput, MoneyType } from './money.type.js';
import { DateTime, LocalDate } from './scalars.js';

@ObjectType('Payment', { description: 'What the state owes one provider for one month (sequence 1), or for sessions confirmed later (2, 3, …).' })
export class PaymentType {
  @Field(() => ID, { description: 'Stable id of the payment.' })
  id!: string;

  @Field(() => String, { description: 'The month, "YYYY-MM".' })
  period!: string;

  @Field(() => Int, { description: '1 for the month’s first settlement, then 2, 3, … for supplementary ones.' })
  sequence!: number;

  @Field(() => PaymentStatus, { description: 'Where the payment is in its lifecycle.' })
  status!: PaymentStatus;

  @Field(() => Int, { description: 'Rules version whose rates and caps were used.' })
  rulesVersion!: number;

  @Field(() => String, { nullable: true, description: 'The bank’s reference, once paid.' })
  bankReference?: string | null;

  @Field(() => String, { nullable: true, description: 'Why the payment failed.' })
  failureReason?: string | null;

  @Field(() => DateTime, { description: 'When settlement calculated it.' })
  createdAt!: Date;

  @Field(() => DateTime, { nullable: true, description: 'When it was approved.' })
  approvedAt?: Date | null;

  @Field(() => DateTime, { nullable: true, description: 'When it was paid.' })
  paidAt?: Date | null;

  @Field(() => LocalDate, { nullable: true, description: 'When the treasury must have paid it: the city rules’ paymentDueDay of the month after `period` (a supplementary payment calculated after that day: of the month after its calculation). Null only for payments calculated before due dates existed and not yet approved.' })
  dueDate?: string | null;

  @Field(() => ID, { nullable: true, description: 'For a FAILED payment that was re-issued: the payment paying its sessions again.' })
  reissuedAsId?: string | null;
}

@ObjectType('PaymentLine', { description: 'One enrollment’s sessions in a payment: confirmed time × rate, capped per voucher per month.' })
export class PaymentLineType {
  @Field(() => ID, { description: 'Stable id of the line.' })
  id!: string;

  @Field(() => VoucherType, { description: 'The voucher type paying.' })
  voucherType!: VoucherType;

  @Field(() => Direction, { description: 'The program’s direction (its rate).' })
  direction!: Direction;

  @Field(() => Int, { description: 'Minutes of newly confirmed sessions.' })
  confirmedMinutes!: number;

  @Field(() => Int, { description: 'Minutes paid after the monthly cap.' })
  paidMinutes!: number;

  @Field(() => Int, { description: 'Sessions of this enrollment in the month not paid: disputed, unconfirmed or awaiting the parent, or held because the voucher or provider is suspended (paid after reinstatement) or was suspended on the session’s day (never paid).' })
  heldSessions!: number;
}

@ObjectType({ description: 'A page of payments.' })
export class PaymentConnection extends ConnectionType(PaymentType, 'Payment') {
  @Field(() => MoneyType, { description: 'Sum of every payment under the filter (not just this page).' })
  totalAmount!: MoneyType;
}

@InputType({ description: 'Narrows the payment list; all given fields must match.' })
export class PaymentFilter {
  @Field(() => String, { nullable: true, description: 'City code.' })
  city?: string | null;

  @Field(() => ID, { nullable: true, description: 'One provider.' })
  providerId?: string | null;

  @Field(() => String, { nullable: true, description: 'Month, "YYYY-MM".' })
  period?: string | null;

  @Field(() => PaymentStatus, { nullable: true, description: 'One status.' })
  status?: PaymentStatus | null;

  @Field(() => Boolean, { nullable: true, description: 'true: only overdue payments (CALCULATED or APPROVED, due date before today in their city); false: only the others.' })
  overdue?: boolean | null;
}

@InputType({ description: 'Settle a city’s month (OPERATOR of the city or ADMIN). Safe to repeat.' })
export class SettlePeriodInput {
  @Field(() => String, { description: 'City code.' })
  city!: string;

  @Field(() => String, { description: 'Month, "YYYY-MM"; may still be running (what is confirmed so far is paid).' })
  period!: string;

  @Field(() => String, { nullable: true, description: 'Client-chosen key: a retry with the same key returns the first result.' })
  idempotencyKey?: string | null;
}

@ObjectType({ description: 'Result of settlePeriod.' })
export class SettlePeriodPayload {
  @Field(() => [PaymentType], { description: 'Every payment of the city and month, earlier ones included.' })
  payments!: PaymentType[];

  @Field(() => Int, { description: 'Payments this run created (0 when nothing new was confirmed).' })
  created!: number;

  @Field(() => Boolean, { description: 'False when no budget is set for the year: settlement was not limited by one.' })
  budgetLimited!: boolean;
}

@InputType({ description: 'Move a payment on (OPERATOR of the city or ADMIN).' })
export class PaymentActionInput {
  @Field(() => ID, { description: 'The payment.' })
  paymentId!: string;

  @Field(() => String, { nullable: true, description: 'Client-chosen key: a retry with the same key returns the first result.' })
  idempotencyKey?: string | null;
}

@InputType({ description: 'Record that the bank paid a payment.' })
export class MarkPaymentPaidInput {
  @Field(() => ID, { description: 'The payment.' })
  paymentId!: string;

  @Field(() => String, { description: 'The bank’s reference for the transfer.' })
  bankReference!: string;

  @Field(() => String, { nullable: true, description: 'Client-chosen key: a retry with the same key returns the first result.' })
  idempotencyKey?: string | null;
}

@InputType({ description: 'Record that the bank refused a payment; its sessions become payable again.' })
export class MarkPaymentFailedInput {
  @Field(() => ID, { description: 'The payment.' })
  paymentId!: string;

  @Field(() => String, { description: 'Why it failed.' })
  reason!: string;
}

@ObjectType({ description: 'Result of approvePayment, markPaymentPaid and markPaymentFailed.' })
export class PaymentPayload {
  @Field(() => PaymentType, { description: 'The payment as saved.' })
  payment!: PaymentType;
}

@ObjectType('Budget', {
  description: 'Money a city may spend on one voucher type in a year: allocated = committed + remaining. It covers every payment of that city, type and year that has not failed, settled before the budget was set or after.',
})
export class BudgetType {
  @Field(() => ID, { description: 'Stable id of the budget.' })
  id!: string;

  @Field(() => VoucherType, { description: 'The voucher type.' })
  voucherType!: VoucherType;

  @Field(() => String, { description: 'Year, "YYYY".' })
  period!: string;
}

@InputType({ description: 'Allocate a budget (OPERATOR of the city or ADMIN).' })
export class SetBudgetInput {
  @Field(() => String, { description: 'City code.' })
  city!: string;

  @Field(() => VoucherType, { description: 'The voucher type.' })
  voucherType!: VoucherType;

  @Field(() => String, { description: 'Year, "YYYY".' })
  period!: string;

  @Field(() => MoneyInput, { description: 'The allocation; not below what the year’s payments already commit (those settled before the budget was set included).' })
  allocated!: MoneyInput;
}

@ObjectType({ description: 'Result of setBudget.' })
export class BudgetPayload {
  @Field(() => BudgetType, { description: 'The budget as saved.' })
  budget!: BudgetType;
}

