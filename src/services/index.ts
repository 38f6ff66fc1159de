import type { EntityManager } from '@mikro-orm/postgresql';
import { type Clock, systemClock } from '../clock.js';
import { ApiKeyService } from './api-key.service.js';
import { ApplicationService } from './application.service.js';
import { AttendanceService } from './attendance.service.js';
import { AuditService } from './audit.service.js';
import { PaymentService } from './payment.service.js';
import { SettlementService } from './settlement.service.js';
import { SubscriptionService } from './subscription.service.js';
import type { RealtimeHub } from '../realtime/hub.js';
import type { IdentityRegistry } from '../identity/registry.js';
import { ChildService } from './child.service.js';
import { CityService } from './city.service.js';
import { IssuingService } from './issuing.service.js';
import { OfferService } from './offer.service.js';
import { ProgramService } from './program.service.js';
import { ProviderService } from './provider.service.js';
import { QueueService } from './queue.service.js';
import { RulesService } from './rules.service.js';
import { VerificationService } from './verification.service.js';
import { VoucherService } from './voucher.service.js';

export type Services = ReturnType<typeof createServices>;

/**
 * The services of one operation, all sharing its EntityManager fork. `registry` verifies new claims
 * at once; without one (subscriptions, exports) claims wait for the background verifier. `clock`
 * is the time the services read (offer deadlines, from issuing to answering).
 */
export function createServices(em: EntityManager, realtime: RealtimeHub | null = null, registry: IdentityRegistry | null = null, clock: Clock = systemClock) {
  const cities = new CityService(em);
  // The services other services call to change their aggregates (one owner per aggregate).
  const applications = new ApplicationService(em, cities, clock);
  const vouchers = new VoucherService(em, cities, clock);
  const offers = new OfferService(em, clock, applications, vouchers);
  return {
    cities,
    providers: new ProviderService(em, cities, clock),
    programs: new ProgramService(em, cities, clock),
    children: new ChildService(em, cities, registry, clock),
    verification: new VerificationService(em, cities, clock),
    apiKeys: new ApiKeyService(em, clock),
    rules: new RulesService(em, cities, clock),
    applications,
    queue: new QueueService(em, cities, clock),
    issuing: new IssuingService(em, cities, clock, applications, offers, vouchers),
    offers,
    vouchers,
    audit: new AuditService(em),
    attendance: new AttendanceService(em, clock),
    settlement: new SettlementService(em, cities, clock),
    payments: new PaymentService(em, cities, clock),
    subscriptions: new SubscriptionService(em, cities, realtime),
  };
}
