import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../context.js';
import type { Attendance, Budget, City, Enrollment, Payment, PaymentLine, Provider } from '../entities/index.js';
import { AttendanceType } from '../schema/attendance.type.js';
import { CityType } from '../schema/city.type.js';
import { toConnection } from '../schema/common.js';
import { money, MoneyType } from '../schema/money.type.js';
import { EnrollmentType } from '../schema/offer.type.js';
import {
  BudgetPayload,
  BudgetType,
  MarkPaymentFailedInput,
  MarkPaymentPaidInput,
  PaymentActionInput,
  PaymentConnection,
  PaymentFilter,
  PaymentLineType,
  PaymentPayload,
  PaymentType,
  SetBudgetInput,
  SettlePeriodInput,
  SettlePeriodPayload,
} from '../schema/payment.type.js';
import { ProviderType } from '../schema/provider.type.js';

@Resolver(() => PaymentType)
export class PaymentResolver {
  @Query(() => PaymentConnection, { description: 'Payments: an operator’s city’s, a provider’s own, or all for agencies and admins.' })
  async payments(
    @Ctx() ctx: Context,
    @Arg('filter', () => PaymentFilter, { nullable: true }) filter?: PaymentFilter,
    @Arg('first', () => Int, { nullable: true, description: 'Page size, at most 100 (default 20).' }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    const page = await ctx.services.payments.list(ctx.viewer, filter, { first, after });
    // A getter, like totalCount: the sum is computed only when a client selects it.
    return Object.defineProperty(toConnection(page), 'totalAmount', { get: () => page.totalAmount().then(money), enumerable: true });
  }

  @Query(() => PaymentType, { nullable: true, description: 'One payment, if visible to the caller; null with NOT_FOUND otherwise.' })
  payment(@Ctx() ctx: Context, @Arg('id', () => ID) id: string): Promise<Payment | null> {
    return ctx.services.payments.find(ctx.viewer, id);
  }

  @Mutation(() => SettlePeriodPayload, { description: 'OPERATOR of the city or ADMIN: pays each provider for the month’s confirmed sessions. Safe to repeat.' })
  settlePeriod(@Ctx() ctx: Context, @Arg('input', () => SettlePeriodInput) input: SettlePeriodInput) {
    return ctx.services.settlement.settle(ctx.viewer, input.city, input.period, input.idempotencyKey);
  }

  @Mutation(() => PaymentPayload, { description: 'OPERATOR of the city or ADMIN: approves a calculated payment.' })
  async approvePayment(@Ctx() ctx: Context, @Arg('input', () => PaymentActionInput) input: PaymentActionInput) {
    return { payment: await ctx.services.payments.approve(ctx.viewer, input.paymentId, input.idempotencyKey) };
  }

  @Mutation(() => PaymentPayload, { description: 'OPERATOR of the city or ADMIN: records the bank transfer of an approved payment.' })
  async markPaymentPaid(@Ctx() ctx: Context, @Arg('input', () => MarkPaymentPaidInput) input: MarkPaymentPaidInput) {
    return { payment: await ctx.services.payments.markPaid(ctx.viewer, input.paymentId, input.bankReference, input.idempotencyKey) };
  }

  @Mutation(() => PaymentPayload, { description: 'OPERATOR of the city or ADMIN: records that the bank refused an approved payment.' })
  async markPaymentFailed(@Ctx() ctx: Context, @Arg('input', () => MarkPaymentFailedInput) input: MarkPaymentFailedInput) {
    return { payment: await ctx.services.payments.markFailed(ctx.viewer, input.paymentId, input.reason) };
  }

  @Mutation(() => BudgetPayload, { description: 'OPERATOR of the city or ADMIN: allocates money per voucher type and year.' })
  async setBudget(@Ctx() ctx: Context, @Arg('input', () => SetBudgetInput) input: SetBudgetInput) {
    return { budget: await ctx.services.budgets.set(ctx.viewer, { ...input, allocatedTiyn: input.allocated.tiyn }) };
  }

  @Query(() => [BudgetType], { description: 'OPERATOR (own city), AGENCY, ADMIN: budgets with what is committed and paid.' })
  budgets(@Ctx() ctx: Context, @Arg('city', () => String, { nullable: true, description: 'City code.' }) city?: string): Promise<Budget[]> {
    return ctx.services.budgets.list(ctx.viewer, city);
  }

  @FieldResolver(() => MoneyType, { description: 'Total of the lines.' })
  amount(@Root() payment: Payment): MoneyType {
    return money(payment.amountTiyn);
  }

  @FieldResolver(() => ProviderType, { description: 'The provider paid.' })
  provider(@Root() payment: Payment, @Ctx() ctx: Context): Promise<Provider> {
    return ctx.loaders.provider.load(payment.provider.id);
  }

  @FieldResolver(() => CityType, { description: 'The city paying.' })
  city(@Root() payment: Payment, @Ctx() ctx: Context): Promise<City> {
    return ctx.loaders.city.load(payment.city.id);
  }

  @FieldResolver(() => [PaymentLineType], { description: 'One line per enrollment.' })
  lines(@Root() payment: Payment, @Ctx() ctx: Context): Promise<PaymentLine[]> {
    return ctx.loaders.linesByPayment.load(payment.id);
  }
}

@Resolver(() => PaymentLineType)
export class PaymentLineResolver {
  @FieldResolver(() => MoneyType, { description: 'Paid on this line (after the cap).' })
  amount(@Root() line: PaymentLine): MoneyType {
    return money(line.amountTiyn);
  }

  @FieldResolver(() => MoneyType, { description: 'Confirmed time × rate, before the cap.' })
  gross(@Root() line: PaymentLine): MoneyType {
    return money(line.grossTiyn);
  }

  @FieldResolver(() => MoneyType, { description: 'The hourly rate used.' })
  ratePerHour(@Root() line: PaymentLine): MoneyType {
    return money(line.rateTiynPerHour);
  }

  @FieldResolver(() => EnrollmentType, { description: 'The enrollment paid for.' })
  enrollment(@Root() line: PaymentLine, @Ctx() ctx: Context): Promise<Enrollment> {
    return ctx.loaders.enrollment.load(line.enrollment.id);
  }

  @FieldResolver(() => [AttendanceType], { description: 'The confirmed sessions this line pays.' })
  attendances(@Root() line: PaymentLine, @Ctx() ctx: Context): Promise<Attendance[]> {
    return ctx.loaders.attendancesByLine.load(line.id);
  }
}

@Resolver(() => BudgetType)
export class BudgetResolver {
  @FieldResolver(() => MoneyType, { description: 'Allocated.' })
  allocated(@Root() budget: Budget): MoneyType {
    return money(budget.allocatedTiyn);
  }

  @FieldResolver(() => MoneyType, { description: 'Committed: the year’s payments of this type that have not failed (calculated, approved or paid), settled before the budget was set or after.' })
  committed(@Root() budget: Budget): MoneyType {
    return money(budget.committedTiyn);
  }

  @FieldResolver(() => MoneyType, { description: 'Paid out.' })
  paid(@Root() budget: Budget): MoneyType {
    return money(budget.paidTiyn);
  }

  @FieldResolver(() => MoneyType, { description: 'allocated − committed.' })
  remaining(@Root() budget: Budget): MoneyType {
    return money(BigInt(budget.allocatedTiyn) - BigInt(budget.committedTiyn));
  }
}
