import { ApplicationResolver } from './application.resolver.js';
import { AttendanceResolver } from './attendance.resolver.js';
import { BudgetResolver, PaymentLineResolver, PaymentResolver } from './payment.resolver.js';
import { ChildResolver } from './child.resolver.js';
import { CityResolver } from './city.resolver.js';
import { ContractResolver } from './contract.resolver.js';
import { EnrollmentResolver } from './enrollment.resolver.js';
import { OfferResolver } from './offer.resolver.js';
import { ProgramResolver } from './program.resolver.js';
import { ProviderResolver } from './provider.resolver.js';
import { QueueResolver } from './queue.resolver.js';
import { QueueChangeResolver, RealtimeResolver } from './realtime.resolver.js';
import { RulesResolver } from './rules.resolver.js';
import { ViewerResolver } from './viewer.resolver.js';
import { VerificationResolver } from './verification.resolver.js';
import { VoucherResolver } from './voucher.resolver.js';
import { BankStatementResolver, PaymentTreasuryResolver, ProviderBankDetailsResolver, TreasuryResolver } from './treasury.resolver.js';
import { ProgramRosterResolver, TimesheetResolver } from './timesheet.resolver.js';

export const RESOLVERS = [
  CityResolver,
  ProviderResolver,
  ProgramResolver,
  ChildResolver,
  ViewerResolver,
  ApplicationResolver,
  QueueResolver,
  OfferResolver,
  VoucherResolver,
  EnrollmentResolver,
  ContractResolver,
  RulesResolver,
  AttendanceResolver,
  PaymentResolver,
  PaymentLineResolver,
  BudgetResolver,
  RealtimeResolver,
  QueueChangeResolver,
  VerificationResolver,
  TreasuryResolver,
  PaymentTreasuryResolver,
  ProviderBankDetailsResolver,
  BankStatementResolver,
  TimesheetResolver,
  ProgramRosterResolver,
] as const;
