import type { Clock } from '../clock.js';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ApplicationStatus, type PriorityCategory, ProgramStatus, ProviderStatus, VoucherStatus, VoucherType } from '../domain/enums.js';
import { providerKindsAccepting } from '../domain/voucher-eligibility.js';
import type { City } from '../entities/index.js';
import { currentPeriod } from '../domain/calendar.js';
import { publicLabel } from '../domain/public-label.js';
import { badInput } from '../errors.js';
import type { CityService } from './city.service.js';
import { readPageArgs, type PageArgs } from './pagination.js';
import { publicChanges, type QueueChangeRow } from '../realtime/queue-changes.js';
import { type BlockMaintenance, maintainQueueBlocks } from './queue-blocks.js';
import { applicationCounts, budgetUse, type CountRow, freeSeats, latestEvents, latestEventsOfType, positionOfKey, queueHeadPage, queueLength, queuePageAfter, voucherCounts } from './queue.queries.js';

/** One line of the public queue: enough to see the order is fair, nothing that identifies a child. */
export interface QueueEntry {
  position: number | null;
  label: string;
  priorityCategory: PriorityCategory;
  submittedAt: string;
  status: ApplicationStatus;
  cursor: string;
}

export interface QueuePage {
  entries: QueueEntry[];
  hasNextPage: boolean;
  totalCount: () => Promise<number>;
}

export interface QueueStatsRow {
  cityCode: string;
  voucherType: VoucherType;
  waiting: number;
  offered: number;
  /** Vouchers by status, keyed by the status in lower case. */
  vouchers: Record<Lowercase<VoucherStatus>, number>;
  active: number;
  /** Free seats in active programs of approved providers that accept this voucher type. */
  seatsFree: number;
  /** This programme year's budget for the queue, in tiyn (0 when none is set), and what settlement committed of it. */
  budgetAllocatedTiyn: string;
  budgetUsedTiyn: string;
  at: Date;
}


interface QueueKey {
  rank: number;
  submittedAt: string;
  seq: string;
}

const encodeKey = (k: QueueKey) => Buffer.from(`q2:${k.rank}|${k.submittedAt}|${k.seq}`).toString('base64url');

function decodeKey(cursor: string): QueueKey {
  const match = /^q2:(\d{1,5})\|(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z)\|(\d{1,19})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  // The pattern alone lets through values PostgreSQL refuses (rank beyond smallint, 2026-13-45,
  // a sequence beyond bigint): an edited cursor must be the caller's mistake, not a 500.
  const submittedAt = match?.[2] ?? '';
  const valid =
    match !== null &&
    Number(match[1]) <= 32767 &&
    BigInt(match[3]!) <= 9223372036854775807n &&
    !Number.isNaN(Date.parse(submittedAt)) &&
    new Date(Date.parse(submittedAt)).toISOString().slice(0, 19) === submittedAt.slice(0, 19);
  if (!valid) throw badInput('after', 'after is not a cursor returned by this queue.');
  return { rank: Number(match[1]), submittedAt, seq: match[3]! };
}

/**
 * The unified, open queue of one city and voucher type, ordered by (priority rank, submission time
 * to the microsecond, arrival sequence): deterministic, no ties. Reads go straight to SQL over the
 * partial index; positions come from the queue's block counters (queue-blocks.ts).
 */
export class QueueService {
  constructor(
    private readonly em: EntityManager,
    private readonly cities: CityService,
    private readonly clock: Clock,
  ) {}

  /** Waiting and offered applications in queue order; waiting ones carry their position. */
  async list(cityCode: string, voucherType: VoucherType, pageArgs: PageArgs): Promise<QueuePage> {
    const city = await this.cities.byCode(cityCode, 'city');
    const { limit } = readPageArgs({ first: pageArgs.first });
    const after = pageArgs.after ? decodeKey(pageArgs.after) : null;
    const rows = after
      ? await queuePageAfter.all(this.em, { cityId: city.id, voucherType, ...after, limit: limit + 1 })
      : await queueHeadPage.all(this.em, { cityId: city.id, voucherType, limit: limit + 1 });
    const page = rows.slice(0, limit);
    let position = 1;
    if (page.length > 0) {
      // The first row may itself be offered: its position is that of the next waiting key.
      const first = await positionOfKey.first(this.em, { id: page[0]!.id });
      position = Number(first?.n ?? 1);
    }
    const entries = page.map((row) => {
      const waiting = row.status === ApplicationStatus.QUEUED;
      return {
        position: waiting ? position++ : null,
        label: publicLabel(row.id),
        priorityCategory: row.priority_category,
        submittedAt: row.submitted_at,
        status: row.status,
        cursor: encodeKey({ rank: row.priority_rank, submittedAt: row.submitted_at, seq: row.seq }),
      };
    });
    return {
      entries,
      hasNextPage: rows.length > limit,
      totalCount: async () => Number((await queueLength.first(this.em, { cityId: city.id, voucherType }))?.n ?? 0),
    };
  }

  /** Counts per city and voucher type: waiting, offered, vouchers by status, free seats, budget use. Public. */
  async stats(cityCode?: string | null, voucherType?: VoucherType | null): Promise<QueueStatsRow[]> {
    const cities = cityCode ? [await this.cities.byCode(cityCode, 'city')] : await this.cities.list();
    const types = voucherType ? [voucherType] : Object.values(VoucherType);
    const cityIds = cities.map((c) => c.id);
    const at = this.clock();
    const periods = [...new Set(cities.map((c) => currentPeriod(c, at)))];
    const [applications, vouchers, seats, budgets] = await Promise.all([
      applicationCounts.all(this.em, { cityIds, types }),
      voucherCounts.all(this.em, { cityIds, types }),
      freeSeats.all(this.em, { cityIds, approved: ProviderStatus.APPROVED, published: ProgramStatus.PUBLISHED }),
      budgetUse.all(this.em, { cityIds, types, periods }),
    ]);
    const seatsFor = (cityId: string, type: VoucherType) =>
      seats.filter((r) => r.city_id === cityId && providerKindsAccepting(type).includes(r.kind)).reduce((sum, r) => sum + Number(r.free), 0);
    const budgetFor = (city: City, type: string) => budgets.find((b) => b.city_id === city.id && b.voucher_type === type && b.period === currentPeriod(city, at));
    const count = (rows: CountRow[], cityId: string, type: string, status: string) =>
      Number(rows.find((r) => r.city_id === cityId && r.voucher_type === type && r.status === status)?.n ?? 0);
    return cities.flatMap((city) =>
      types.map((type) => {
        const budget = budgetFor(city, type);
        return {
          cityCode: city.code,
          voucherType: type,
          waiting: count(applications, city.id, type, ApplicationStatus.QUEUED),
          offered: count(applications, city.id, type, ApplicationStatus.OFFERED),
          vouchers: Object.fromEntries(Object.values(VoucherStatus).map((s) => [s.toLowerCase(), count(vouchers, city.id, type, s)])) as Record<Lowercase<VoucherStatus>, number>,
          active: count(vouchers, city.id, type, VoucherStatus.ACTIVE),
          seatsFree: seatsFor(city.id, type),
          budgetAllocatedTiyn: budget?.allocated ?? '0',
          budgetUsedTiyn: budget?.used ?? '0',
          at,
        };
      }),
    );
  }

  /**
   * Keeps one queue's blocks near their size (the scheduler's job item, in this service's
   * transaction, which holds the queue's block lock until it commits).
   */
  maintainBlocks(cityId: string, type: VoucherType): Promise<BlockMaintenance> {
    return maintainQueueBlocks(this.em, cityId, type);
  }

  /** The latest anonymised changes of the queues (newest first), from the event log. Public. */
  async recentChanges(cityCode: string | null, voucherType: VoucherType | null, first: number | null | undefined): Promise<QueueChangeRow[]> {
    const { limit } = readPageArgs({ first: first ?? 10 });
    const cities = await this.cities.list();
    const only = cityCode ? await this.cities.byCode(cityCode, 'city') : null;
    const codes = new Map(cities.map((c) => [c.id, c.code]));
    const cityIds = only ? [only.id] : [...codes.keys()];
    const rows = voucherType
      ? await latestEventsOfType.all(this.em, { cityIds, voucherType, limit })
      : await latestEvents.all(this.em, { cityIds, limit });
    return rows
      .flatMap((r) => publicChanges({ kind: r.kind, cityId: r.city_id, voucherType: r.voucher_type, payload: r.payload, occurredAt: new Date(r.occurred_at) }, codes.get(r.city_id)!))
      .filter((c) => !voucherType || c.voucherType === voucherType)
      .slice(0, limit);
  }
}
