import type { EntityManager } from '@mikro-orm/postgresql';
import { type Clock, systemClock } from '../clock.js';
import { ApiKeyService } from './api-key.service.js';
import { ApplicationService } from './application.service.js';
import { AttendanceService } from './attendance.service.js';
import { AuditService } from './audit.service.js';
import { BankDetailsService } from './bank-details.service.js';
import { BudgetService } from './budget.service.js';
import { PaymentService } from './payment.service.js';
import { SettlementService } from './settlement.service.js';
import { StatementService } from './statement.service.js';
import { TreasuryService } from './treasury.service.js';
import { SubscriptionService } from './subscription.service.js';
import type { RealtimeHub } from '../realtime/hub.js';
import type { IdentityRegistry } from '../identity/registry.js';
import { ChildService } from './child.service.js';
import { ClaimService } from './claim.service.js';
import { CityService } from './city.service.js';
import { FeedService } from './feed.service.js';
import { IssuingService } from './issuing.service.js';
import { OfferService } from './offer.service.js';
import { ProgramService } from './program.service.js';
import { ProviderService } from './provider.service.js';
import { ContractService } from './contract.service.js';
import { QueueService } from './queue.service.js';
import { RulesService } from './rules.service.js';
import { VerificationService } from './verification.service.js';
import { VoucherService } from './voucher.service.js';
import { HolidayService } from './holiday.service.js';
import { RosterService } from './roster.service.js';
import { SessionFlagsService } from './session-flags.service.js';
import { TimesheetService } from './timesheet.service.js';

export type Services = ReturnType<typeof createServices>;

/**
 * The services of one operation, all sharing its EntityManager fork; background jobs build theirs
 * here too, with the time of their tick as the clock. `registry` verifies new claims at once (the
 * claim verifier asks through it too); without one (subscriptions, exports) claims wait for the
 * background verifier. `clock` is the time the services read (offer deadlines, from issuing to answering).
 */
export function createServices(em: EntityManager, realtime: RealtimeHub | null = null, registry: IdentityRegistry | null = null, clock: Clock = systemClock) {
  const cities = new CityService(em);
  // The services other services call to change their aggregates (one owner per aggregate).
  const queue = new QueueService(em, cities, clock);
  const attendance = new AttendanceService(em, clock);
  const budgets = new BudgetService(em, cities);
  const applications = new ApplicationService(em, cities, clock);
  const claims = new ClaimService(em, applications, registry, clock);
  const vouchers = new VoucherService(em, cities, clock);
  const offers = new OfferService(em, clock, applications, vouchers);
  const bankDetails = new BankDetailsService(em, clock);
  const payments = new PaymentService(em, cities, budgets, bankDetails, clock);
  const settlement = new SettlementService(em, cities, attendance, budgets, clock);
  return {
    cities,
    providers: new ProviderService(em, cities, clock),
    contracts: new ContractService(em, clock),
    programs: new ProgramService(em, cities, clock),
    claims,
    children: new ChildService(em, cities, claims, clock),
    verification: new VerificationService(em, cities, claims, clock),
    apiKeys: new ApiKeyService(em, clock),
    rules: new RulesService(em, cities, clock),
    applications,
    queue,
    issuing: new IssuingService(em, cities, clock, applications, offers, vouchers),
    offers,
    vouchers,
    audit: new AuditService(em),
    attendance,
    timesheets: new TimesheetService(em, clock),
    sessionFlags: new SessionFlagsService(em, cities, clock),
    holidays: new HolidayService(em, cities, clock),
    rosters: new RosterService(em),
    budgets,
    settlement,
    payments,
    bankDetails,
    treasury: new TreasuryService(em, cities, payments, settlement, clock),
    statements: new StatementService(em, cities, payments, clock),
    subscriptions: new SubscriptionService(em, cities, realtime),
    /** The live feeds' reads, for the realtime hub's own units of work. */
    feeds: new FeedService(em, cities, queue),
  };
}
