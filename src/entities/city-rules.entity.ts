import { Check, Entity, Enum, ManyToOne, PrimaryKey, Property, type Ref, Unique } from '@mikro-orm/core';
import { CheckAction, Direction, LapsePolicy, PriorityCategory, TimesheetCheck, VoucherType } from '../domain/enums.js';
import { uuidv7 } from '../ids.js';
import { City } from './city.entity.js';
import { bigintString } from './types/bigint-string.type.js';

/** A city's timesheet checks until its operator changes them (the migration's column default). */
export const DEFAULT_TIMESHEET_CHECKS: Readonly<Record<TimesheetCheck, CheckAction>> = {
  HOLIDAY: CheckAction.FLAG,
  OFF_SCHEDULE: CheckAction.FLAG,
  OVER_SLOT: CheckAction.FLAG,
  OVERLAP: CheckAction.FLAG,
  SUSPENDED: CheckAction.REFUSE,
};

/**
 * One version of a city's rules. Rows are never changed (a trigger refuses it): a change is a new
 * version with its own effective time, and every decision records the version it used.
 */
@Entity({ tableName: 'city_rules' })
@Unique({ name: 'city_rules_version_unique', properties: ['city', 'version'] })
@Check({ name: 'city_rules_payment_due_day', expression: 'payment_due_day >= 1 and payment_due_day <= 28' })
export class CityRules {
  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  @ManyToOne({ entity: () => City, ref: true, deleteRule: 'restrict' })
  city: Ref<City>;

  @Property({ type: 'integer' })
  version: number;

  @Property({ type: 'datetime' })
  effectiveAt: Date;

  /** Who made this version (role and id), for the audit trail. */
  @Property({ type: 'text' })
  createdBy: string;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  /** How long a parent has to choose a program once offered. */
  @Property({ type: 'integer' })
  offerDeadlineHours: number;

  /** An SMS reminder goes out this long before an offer lapses. */
  @Property({ type: 'integer' })
  reminderHoursBeforeDeadline: number;

  @Enum({ items: () => LapsePolicy, type: 'text' })
  onDecline: LapsePolicy;

  @Enum({ items: () => LapsePolicy, type: 'text' })
  onExpiry: LapsePolicy;

  /** A cancelled application may be restored to its old place this many times … */
  @Property({ type: 'integer' })
  maxRestores: number;

  /** … within this many days of its cancellation. */
  @Property({ type: 'integer' })
  restoreWindowDays: number;

  /** Priority categories, highest first; NONE always ranks after all of them. */
  @Property({ type: 'json' })
  priorityOrder: PriorityCategory[];

  /** Voucher types offered automatically whenever the quota allows; others wait for an operator's batch. */
  @Property({ type: 'json' })
  autoIssueTypes: VoucherType[];

  /** Days after a session within which the parent may confirm or dispute it. */
  @Property({ type: 'integer', default: 10 })
  confirmationWindowDays: number = 10;

  /** Hourly rate per direction, in tiyn. */
  @Property({ type: 'json', defaultRaw: `'{"EDUCATIONAL":150000,"CREATIVE":150000,"SPORTS":150000}'` })
  ratesTiynPerHour: Record<Direction, number> = { EDUCATIONAL: 150000, CREATIVE: 150000, SPORTS: 150000 };

  /** Most minutes paid per voucher per month (null: no cap on hours). */
  @Property({ type: 'integer', nullable: true, default: 1440 })
  monthlyCapMinutes?: number | null = 1440;

  /** Most tiyn paid per voucher per month (null: no cap on amount). */
  @Property({ type: bigintString(), nullable: true })
  monthlyCapTiyn?: string | null = null;

  /** Payments of a month are due on this day of the following month (1–28). */
  @Property({ type: 'smallint', default: 18 })
  paymentDueDay: number = 18;

  /** Per timesheet check, whether a session failing it is refused or flagged for the operator. */
  @Property({ type: 'json', defaultRaw: `'{"HOLIDAY":"FLAG","OFF_SCHEDULE":"FLAG","OVER_SLOT":"FLAG","OVERLAP":"FLAG","SUSPENDED":"REFUSE"}'` })
  timesheetChecks: Record<TimesheetCheck, CheckAction> = { ...DEFAULT_TIMESHEET_CHECKS };

  constructor(init: Omit<CityRules, 'id' | 'createdAt' | 'confirmationWindowDays' | 'ratesTiynPerHour' | 'monthlyCapMinutes' | 'monthlyCapTiyn' | 'paymentDueDay' | 'timesheetChecks'> &
    Partial<Pick<CityRules, 'confirmationWindowDays' | 'ratesTiynPerHour' | 'monthlyCapMinutes' | 'monthlyCapTiyn' | 'paymentDueDay' | 'timesheetChecks'>>) {
    this.city = init.city;
    this.version = init.version;
    this.effectiveAt = init.effectiveAt;
    this.createdBy = init.createdBy;
    this.offerDeadlineHours = init.offerDeadlineHours;
    this.reminderHoursBeforeDeadline = init.reminderHoursBeforeDeadline;
    this.onDecline = init.onDecline;
    this.onExpiry = init.onExpiry;
    this.maxRestores = init.maxRestores;
    this.restoreWindowDays = init.restoreWindowDays;
    this.priorityOrder = init.priorityOrder;
    this.autoIssueTypes = init.autoIssueTypes;
    if (init.confirmationWindowDays !== undefined) this.confirmationWindowDays = init.confirmationWindowDays;
    if (init.ratesTiynPerHour !== undefined) this.ratesTiynPerHour = init.ratesTiynPerHour;
    if (init.monthlyCapMinutes !== undefined) this.monthlyCapMinutes = init.monthlyCapMinutes;
    if (init.monthlyCapTiyn !== undefined) this.monthlyCapTiyn = init.monthlyCapTiyn;
    if (init.paymentDueDay !== undefined) this.paymentDueDay = init.paymentDueDay;
    if (init.timesheetChecks !== undefined) this.timesheetChecks = init.timesheetChecks;
  }
}
