import { Applicant } from './applicant.entity.js';
import { Application } from './application.entity.js';
import { Attendance } from './attendance.entity.js';
import { AuditEvent } from './audit-event.entity.js';
import { BankDetails } from './bank-details.entity.js';
import { BankStatement } from './bank-statement.entity.js';
export type { StatementProblem } from './bank-statement.entity.js';
import { Budget } from './budget.entity.js';
import { DomainEvent } from './domain-event.entity.js';
import { IdempotencyRecord } from './idempotency-record.entity.js';
import { Payment } from './payment.entity.js';
import { PaymentLine } from './payment-line.entity.js';
import { CityRules } from './city-rules.entity.js';
import { ContractTerms } from './contract-terms.entity.js';
import { Enrollment } from './enrollment.entity.js';
import { Notification } from './notification.entity.js';
import { Offer } from './offer.entity.js';
import { Quota } from './quota.entity.js';
import { QueueBlock } from './queue-block.entity.js';
import { Voucher } from './voucher.entity.js';
import { ApiKey } from './api-key.entity.js';
import { Child } from './child.entity.js';
import { City } from './city.entity.js';
import { Guardianship } from './guardianship.entity.js';
export { RegistryAnswer } from './guardianship.entity.js';
import { LocalizedText } from './localized-text.embeddable.js';
import { Program } from './program.entity.js';
import { Provider } from './provider.entity.js';
import { SuspendedSubject, Suspension } from './suspension.entity.js';
import { Timesheet } from './timesheet.entity.js';
import { CityHoliday } from './city-holiday.entity.js';

export {
  QueueBlock,
  DomainEvent,
  Attendance,
  BankDetails,
  BankStatement,
  Budget,
  IdempotencyRecord,
  Payment,
  PaymentLine,
  Applicant,
  ApiKey,
  Application,
  AuditEvent,
  Child,
  City,
  CityRules,
  ContractTerms,
  CityHoliday,
  Enrollment,
  Guardianship,
  LocalizedText,
  Notification,
  Offer,
  Program,
  Provider,
  Quota,
  SuspendedSubject,
  Suspension,
  Timesheet,
  Voucher,
};

/** Every entity the ORM knows; listed explicitly so tsx, tsc and vitest discover the same set. */
export const ENTITIES = [
  City,
  LocalizedText,
  Applicant,
  Child,
  Guardianship,
  Provider,
  Program,
  ApiKey,
  CityRules,
  Application,
  Quota,
  Voucher,
  Offer,
  ContractTerms,
  Enrollment,
  Notification,
  AuditEvent,
  Attendance,
  Payment,
  PaymentLine,
  Budget,
  IdempotencyRecord,
  DomainEvent,
  QueueBlock,
  Suspension,
  BankDetails,
  BankStatement,
  Timesheet,
  CityHoliday,
];
