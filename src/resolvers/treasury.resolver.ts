import { Arg, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import type { Context } from '../context.js';
import { BankDetailsStatus } from '../domain/enums.js';
import type { BankDetails, BankStatement, Payment, Provider } from '../entities/index.js';
import { PaymentType } from '../schema/payment.type.js';
import { ProviderType } from '../schema/provider.type.js';
import {
  BankDetailsPayload,
  BankDetailsType,
  BankStatementType,
  ConfirmBankDetailsInput,
  ImportBankStatementInput,
  ImportBankStatementPayload,
  ProposeBankDetailsInput,
  RejectBankDetailsInput,
  ReissuePaymentInput,
  ReissuePaymentPayload,
} from '../schema/treasury.type.js';

/** Bank details, reconciliation and re-issue: the treasury's side of payments. */
@Resolver()
export class TreasuryResolver {
  @Mutation(() => BankDetailsPayload, { description: 'PROVIDER: proposes its bank details (replacing a proposal not yet decided); they are used once an operator of its city confirms them.' })
  async proposeBankDetails(@Ctx() ctx: Context, @Arg('input', () => ProposeBankDetailsInput) input: ProposeBankDetailsInput) {
    return { bankDetails: await ctx.services.bankDetails.propose(ctx.viewer, input) };
  }

  @Mutation(() => BankDetailsPayload, { description: 'OPERATOR of the provider’s city or ADMIN: confirms proposed bank details; payments approved from now on pay to them.' })
  async confirmBankDetails(@Ctx() ctx: Context, @Arg('input', () => ConfirmBankDetailsInput) input: ConfirmBankDetailsInput) {
    return { bankDetails: await ctx.services.bankDetails.confirm(ctx.viewer, input.bankDetailsId) };
  }

  @Mutation(() => BankDetailsPayload, { description: 'OPERATOR of the provider’s city or ADMIN: rejects proposed bank details, with a reason.' })
  async rejectBankDetails(@Ctx() ctx: Context, @Arg('input', () => RejectBankDetailsInput) input: RejectBankDetailsInput) {
    return { bankDetails: await ctx.services.bankDetails.reject(ctx.viewer, input.bankDetailsId, input.reason) };
  }

  @Mutation(() => ImportBankStatementPayload, { description: 'OPERATOR of the city or ADMIN: reconciles a bank statement (CSV): PAID lines mark payments PAID, REJECTED lines FAILED; other lines are reported. The same file applies once.' })
  importBankStatement(@Ctx() ctx: Context, @Arg('input', () => ImportBankStatementInput) input: ImportBankStatementInput) {
    return ctx.services.statements.import(ctx.viewer, input.city, input.csv);
  }

  @Mutation(() => ReissuePaymentPayload, { description: 'OPERATOR of the city or ADMIN: re-issues a FAILED payment after the provider’s bank details were corrected, as a supplementary payment of the same month.' })
  reissuePayment(@Ctx() ctx: Context, @Arg('input', () => ReissuePaymentInput) input: ReissuePaymentInput) {
    return ctx.services.treasury.reissue(ctx.viewer, input.paymentId);
  }
}

@Resolver(() => PaymentType)
export class PaymentTreasuryResolver {
  @FieldResolver(() => Boolean, { description: 'Past its due date (in its city, by today’s date there) and still CALCULATED or APPROVED.' })
  async overdue(@Root() payment: Payment, @Ctx() ctx: Context): Promise<boolean> {
    return ctx.services.payments.overdue(payment, await ctx.loaders.city.load(payment.city.id));
  }

  @FieldResolver(() => BankDetailsType, { nullable: true, description: 'The bank details the payment pays to: the provider’s confirmed set when the payment was approved (null before approval, and for agencies).' })
  bankDetails(@Root() payment: Payment, @Ctx() ctx: Context): Promise<BankDetails | null> {
    return ctx.services.bankDetails.ofPayment(ctx.viewer, payment);
  }
}

@Resolver(() => ProviderType)
export class ProviderBankDetailsResolver {
  @FieldResolver(() => BankDetailsType, { nullable: true, description: 'The confirmed bank details in force. Only the provider itself, an operator of its city and admins see them (null for others).' })
  async bankDetails(@Root() provider: Provider, @Ctx() ctx: Context): Promise<BankDetails | null> {
    return (await ctx.services.bankDetails.ofProvider(ctx.viewer, provider, BankDetailsStatus.CONFIRMED))[0] ?? null;
  }

  @FieldResolver(() => [BankDetailsType], { description: 'Every set of bank details the provider proposed, newest first (the provider itself, an operator of its city, admins; empty for others).' })
  bankDetailsHistory(@Root() provider: Provider, @Ctx() ctx: Context): Promise<BankDetails[]> {
    return ctx.services.bankDetails.ofProvider(ctx.viewer, provider);
  }
}

@Resolver(() => BankStatementType)
export class BankStatementResolver {
  @FieldResolver(() => [PaymentType], { description: 'Payments this statement marked PAID.' })
  paid(@Root() statement: BankStatement, @Ctx() ctx: Context): Promise<Payment[]> {
    return ctx.services.payments.byIds(statement.paidPaymentIds);
  }

  @FieldResolver(() => [PaymentType], { description: 'Payments this statement marked FAILED.' })
  failed(@Root() statement: BankStatement, @Ctx() ctx: Context): Promise<Payment[]> {
    return ctx.services.payments.byIds(statement.failedPaymentIds);
  }
}
