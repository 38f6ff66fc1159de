import { type EntityManager, ref } from '@mikro-orm/postgresql';
import type { Clock } from '../clock.js';
import { ApplicationStatus, type CheckAction, Direction, LapsePolicy, PriorityCategory, type TimesheetCheck, VoucherType } from '../domain/enums.js';
import type { Viewer } from '../auth/viewer.js';
import { City, CityRules } from '../entities/index.js';
import { badInput } from '../errors.js';
import { requireCityAuthority } from './access.js';
import { actorOf, recordAudit } from './audit.service.js';
import type { CityService } from './city.service.js';
import { rerankChild, rerankCity } from './application.queries.js';
import { lockCityQueues } from './locks.js';
import { inTransaction } from './transaction.js';
import { requireIntInRange } from './validate.js';
import { EventKind, publishEvent } from '../realtime/publish.js';

/** A change to a city's rules: omitted fields keep their current values. */
export interface UpdateCityRulesInput {
  city: string;
  offerDeadlineHours?: number | null;
  reminderHoursBeforeDeadline?: number | null;
  onDecline?: LapsePolicy | null;
  onExpiry?: LapsePolicy | null;
  maxRestores?: number | null;
  restoreWindowDays?: number | null;
  priorityOrder?: PriorityCategory[] | null;
  autoIssueTypes?: VoucherType[] | null;
  confirmationWindowDays?: number | null;
  /** Payments of a month are due on this day of the next month (1–28). */
  paymentDueDay?: number | null;
  /** Rates to change; directions not listed keep their rate. */
  rates?: { direction: Direction; tiynPerHour: number }[] | null;
  /** 0 removes the cap. */
  monthlyCapHours?: number | null;
  /** 0 removes the cap. */
  monthlyCapTiyn?: number | null;
  /** Timesheet checks to change; checks not listed keep their action. */
  timesheetChecks?: { check: TimesheetCheck; action: CheckAction }[] | null;
}

/** Fields an operator's input sets one-to-one. */
const DIRECT_FIELDS = [
  'offerDeadlineHours',
  'reminderHoursBeforeDeadline',
  'onDecline',
  'onExpiry',
  'maxRestores',
  'restoreWindowDays',
  'priorityOrder',
  'autoIssueTypes',
  'confirmationWindowDays',
  'paymentDueDay',
] as const;

/** Fields of a rules version that operators set (everything but identity and bookkeeping). */
const RULE_FIELDS = [
  ...DIRECT_FIELDS,
  'ratesTiynPerHour',
  'monthlyCapMinutes',
  'monthlyCapTiyn',
  'timesheetChecks',
] as const;

/** 1,000,000 KZT an hour: far above any real rate, far below where integer maths could overflow. */
const MAX_RATE_TIYN = 100_000_000;
const MAX_MONTHLY_TIYN = 1_000_000_000_000;

/**
 * The rules in force for a city: its newest version. A version takes effect when it is saved
 * (effectiveAt is the saving time) and saving re-ranks the city's queues in the same transaction,
 * so the newest committed version is the one every rank follows. Not "effective by the caller's
 * clock": an operation that read its clock before a rules change committed, then waited for the
 * queue lock, would record the old version beside ranks already in the new order.
 */
export async function currentRules(em: EntityManager, cityId: string): Promise<CityRules> {
  const rules = await em.findOne(CityRules, { city: cityId }, { orderBy: { version: 'desc' } });
  // Every city gets version 1 in the migration that created the table, so this is a broken database.
  if (!rules) throw new Error(`city ${cityId} has no rules`);
  return rules;
}

/** Per-city rules, versioned: a change never edits a version, it adds the next one. */
export class RulesService {
  constructor(
    private readonly em: EntityManager,
    private readonly cities: CityService,
    private readonly clock: Clock,
  ) {}

  /** The rules in force in a city now, by its id (the scheduler's jobs, which hold the city). */
  inForce(cityId: string): Promise<CityRules> {
    return currentRules(this.em, cityId);
  }

  async current(cityCode: string): Promise<CityRules> {
    const city = await this.cities.byCode(cityCode, 'city');
    return currentRules(this.em, city.id);
  }

  async history(cityCode: string): Promise<CityRules[]> {
    const city = await this.cities.byCode(cityCode, 'city');
    return this.em.find(CityRules, { city: city.id }, { orderBy: { version: 'desc' } });
  }

  async update(viewer: Viewer, input: UpdateCityRulesInput): Promise<CityRules> {
    requireCityAuthority(viewer, input.city.trim().toUpperCase());
    const city = await this.cities.byCode(input.city, 'input.city');
    validate(input);
    return inTransaction(this.em, async (em) => {
      // The city's queue lock, exclusively (locks.ts): waits for the queue writers in flight
      // (apply, restore, issue, accept), which hold it shared, and holds new ones off until the
      // new version and the re-ranked queue are committed, so each of them works wholly under one
      // version. It serialises concurrent changes too; the unique (city, version) backs that.
      await lockCityQueues(em, [city.id], 'exclusive');
      const previous = await currentRules(em, city.id);
      const next = new CityRules({
        ...pick(previous),
        ...changesFrom(input, previous),
        city: ref(em.getReference(City, city.id)),
        version: previous.version + 1,
        effectiveAt: this.clock(),
        createdBy: `${actorOf(viewer).role}:${actorOf(viewer).id ?? ''}`,
      });
      em.persist(next);
      await em.flush();
      if (JSON.stringify(next.priorityOrder) !== JSON.stringify(previous.priorityOrder)) {
        await rerank(em, city.id, next.priorityOrder);
        await publishEvent(em, { kind: EventKind.RULES_CHANGED, cityId: city.id, voucherType: null, payload: {} });
      }
      recordAudit(em, actorOf(viewer), {
        action: 'RULES_CHANGED',
        entityType: 'CityRules',
        entityId: next.id,
        cityCode: city.code,
        before: pick(previous),
        after: pick(next),
        rulesVersion: next.version,
      });
      return next;
    });
  }
}

function changesFrom(input: UpdateCityRulesInput, previous: CityRules): Partial<ReturnType<typeof pick>> {
  const changes: Partial<ReturnType<typeof pick>> = Object.fromEntries(DIRECT_FIELDS.filter((f) => input[f] != null).map((f) => [f, input[f]]));
  if (input.rates) changes.ratesTiynPerHour = { ...previous.ratesTiynPerHour, ...Object.fromEntries(input.rates.map((r) => [r.direction, r.tiynPerHour])) };
  if (input.monthlyCapHours != null) changes.monthlyCapMinutes = input.monthlyCapHours === 0 ? null : input.monthlyCapHours * 60;
  if (input.monthlyCapTiyn != null) changes.monthlyCapTiyn = input.monthlyCapTiyn === 0 ? null : String(input.monthlyCapTiyn);
  if (input.timesheetChecks) changes.timesheetChecks = { ...previous.timesheetChecks, ...Object.fromEntries(input.timesheetChecks.map((c) => [c.check, c.action])) };
  return changes;
}

function pick(rules: CityRules) {
  return Object.fromEntries(RULE_FIELDS.map((f) => [f, rules[f]])) as Pick<CityRules, (typeof RULE_FIELDS)[number]>;
}

/**
 * Re-ranks every application of the city that holds or may regain a place from its priority
 * category under `order`: after a new priority order, or (`childId`) after one child's category
 * was verified. The queue_block triggers move each re-ranked waiting row to its new place.
 */
export async function rerank(em: EntityManager, cityId: string, order: PriorityCategory[], childId?: string): Promise<void> {
  const ranked = { order: JSON.stringify(order), unlisted: order.length, cityId, statuses: [ApplicationStatus.QUEUED, ApplicationStatus.OFFERED, ApplicationStatus.CANCELLED] };
  if (childId) await rerankChild.all(em, { ...ranked, childId });
  else await rerankCity.all(em, ranked);
}

function validate(input: UpdateCityRulesInput): void {
  if (input.offerDeadlineHours != null) requireIntInRange(input.offerDeadlineHours, 'input.offerDeadlineHours', 1, 24 * 60);
  if (input.reminderHoursBeforeDeadline != null) requireIntInRange(input.reminderHoursBeforeDeadline, 'input.reminderHoursBeforeDeadline', 0, 24 * 30);
  if (input.maxRestores != null) requireIntInRange(input.maxRestores, 'input.maxRestores', 0, 10);
  if (input.restoreWindowDays != null) requireIntInRange(input.restoreWindowDays, 'input.restoreWindowDays', 0, 365);
  if (input.priorityOrder) {
    if (input.priorityOrder.includes(PriorityCategory.NONE)) throw badInput('input.priorityOrder', 'NONE always ranks last; do not list it.');
    if (new Set(input.priorityOrder).size !== input.priorityOrder.length) throw badInput('input.priorityOrder', 'List each category once.');
  }
  if (input.confirmationWindowDays != null) requireIntInRange(input.confirmationWindowDays, 'input.confirmationWindowDays', 1, 90);
  if (input.paymentDueDay != null) requireIntInRange(input.paymentDueDay, 'input.paymentDueDay', 1, 28);
  if (input.monthlyCapHours != null) requireIntInRange(input.monthlyCapHours, 'input.monthlyCapHours', 0, 744);
  if (input.monthlyCapTiyn != null) requireIntInRange(input.monthlyCapTiyn, 'input.monthlyCapTiyn', 0, MAX_MONTHLY_TIYN);
  if (input.timesheetChecks && new Set(input.timesheetChecks.map((c) => c.check)).size !== input.timesheetChecks.length) {
    throw badInput('input.timesheetChecks', 'List each check once.');
  }
  input.rates?.forEach((rate, i) => requireIntInRange(rate.tiynPerHour, `input.rates[${i}].tiynPerHour`, 0, MAX_RATE_TIYN));
  if (input.autoIssueTypes && new Set(input.autoIssueTypes).size !== input.autoIssueTypes.length) {
    throw badInput('input.autoIssueTypes', 'List each voucher type once.');
  }
}
