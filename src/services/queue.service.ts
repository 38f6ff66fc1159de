import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ApplicationStatus, PriorityCategory, VoucherStatus, VoucherType } from '../domain/enums.js';
import { badInput } from '../errors.js';
import { isUuid } from '../ids.js';
import type { CityService } from './city.service.js';
import { readPageArgs, type PageArgs } from './pagination.js';

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
  at: Date;
}

/**
 * A public, stable pseudonym for an application: the parent finds it on their own application and
 * recognises it in the open queue; nobody else can link it to a child.
 */
export const publicLabel = (applicationId: string): string => {
  const hex = createHash('sha256').update(`kezek-queue:${applicationId}`).digest('hex').toUpperCase();
  return `${hex.slice(0, 4)}-${hex.slice(4, 8)}`;
};

interface QueueKey {
  rank: number;
  submittedAt: string;
  id: string;
}

const encodeKey = (k: QueueKey) => Buffer.from(`q1:${k.rank}|${k.submittedAt}|${k.id}`).toString('base64url');

function decodeKey(cursor: string): QueueKey {
  const match = /^q1:(\d+)\|([0-9T:.\-Z]+)\|([0-9a-f-]{36})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match || !isUuid(match[3]!)) throw badInput('after', 'after is not a cursor returned by this queue.');
  return { rank: Number(match[1]), submittedAt: match[2]!, id: match[3]! };
}

const PRECISE = `to_char(submitted_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
const IN_QUEUE = `status in ('${ApplicationStatus.QUEUED}', '${ApplicationStatus.OFFERED}')`;

/**
 * The unified, open queue of one city and voucher type, ordered by (priority rank, submission time
 * to the microsecond, id): deterministic, no ties. Reads go straight to SQL over the partial index.
 */
export class QueueService {
  constructor(
    private readonly em: EntityManager,
    private readonly cities: CityService,
  ) {}

  /** Waiting and offered applications in queue order; waiting ones carry their position. */
  async list(cityCode: string, voucherType: VoucherType, pageArgs: PageArgs): Promise<QueuePage> {
    const city = await this.cities.byCode(cityCode, 'city');
    const { limit } = readPageArgs({ first: pageArgs.first });
    const after = pageArgs.after ? decodeKey(pageArgs.after) : null;
    const conn = this.em.getConnection();
    const keyFilter = after ? `and (priority_rank, submitted_at, id) > (?, ?::timestamptz, ?)` : '';
    const keyParams = after ? [after.rank, after.submittedAt, after.id] : [];
    const rows: { id: string; priority_rank: number; priority_category: PriorityCategory; submitted_at: string; status: ApplicationStatus }[] =
      await conn.execute(
        `select id, priority_rank, priority_category, ${PRECISE} as submitted_at, status from application
          where city_id = ? and voucher_type = ? and ${IN_QUEUE} ${keyFilter}
          order by priority_rank, submitted_at, id limit ?`,
        [city.id, voucherType, ...keyParams, limit + 1],
      );
    const page = rows.slice(0, limit);
    let position = 1;
    if (page.length > 0) {
      const first = page[0]!;
      const [ahead] = await conn.execute(
        `select count(*)::int as n from application where city_id = ? and voucher_type = ? and status = ?
          and (priority_rank, submitted_at, id) < (?, ?::timestamptz, ?)`,
        [city.id, voucherType, ApplicationStatus.QUEUED, first.priority_rank, first.submitted_at, first.id],
      );
      position = Number(ahead?.n ?? 0) + 1;
    }
    const entries = page.map((row) => {
      const waiting = row.status === ApplicationStatus.QUEUED;
      return {
        position: waiting ? position++ : null,
        label: publicLabel(row.id),
        priorityCategory: row.priority_category,
        submittedAt: row.submitted_at,
        status: row.status,
        cursor: encodeKey({ rank: row.priority_rank, submittedAt: row.submitted_at, id: row.id }),
      };
    });
    return {
      entries,
      hasNextPage: rows.length > limit,
      totalCount: async () =>
        Number((await conn.execute(`select count(*)::int as n from application where city_id = ? and voucher_type = ? and ${IN_QUEUE}`, [city.id, voucherType]))[0]?.n ?? 0),
    };
  }

  /** Counts per city and voucher type: waiting, offered, and vouchers by status. Public. */
  async stats(cityCode?: string | null, voucherType?: VoucherType | null): Promise<QueueStatsRow[]> {
    const cities = cityCode ? [await this.cities.byCode(cityCode, 'city')] : await this.cities.list();
    const types = voucherType ? [voucherType] : Object.values(VoucherType);
    const conn = this.em.getConnection();
    const cityIds = cities.map((c) => c.id);
    const at = new Date();
    type CountRow = { city_id: string; voucher_type: string; status: string; n: number };
    const [applications, vouchers] = await Promise.all([
      conn.execute<CountRow[]>(
        `select city_id, voucher_type, status, count(*)::int as n from application
          where city_id in (?) and voucher_type in (?) and ${IN_QUEUE} group by 1, 2, 3`,
        [cityIds, types],
      ),
      conn.execute<CountRow[]>(
        `select city_id, type as voucher_type, status, count(*)::int as n from voucher
          where city_id in (?) and type in (?) group by 1, 2, 3`,
        [cityIds, types],
      ),
    ]);
    const count = (rows: CountRow[], cityId: string, type: string, status: string) =>
      Number(rows.find((r) => r.city_id === cityId && r.voucher_type === type && r.status === status)?.n ?? 0);
    return cities.flatMap((city) =>
      types.map((type) => ({
        cityCode: city.code,
        voucherType: type,
        waiting: count(applications, city.id, type, ApplicationStatus.QUEUED),
        offered: count(applications, city.id, type, ApplicationStatus.OFFERED),
        vouchers: Object.fromEntries(Object.values(VoucherStatus).map((s) => [s.toLowerCase(), count(vouchers, city.id, type, s)])) as Record<Lowercase<VoucherStatus>, number>,
        active: count(vouchers, city.id, type, VoucherStatus.ACTIVE),
        at,
      })),
    );
  }
}

/** Positions of waiting applications (1 = next to be offered), in one statement for any number of them. */
export async function queuePositions(em: EntityManager, applicationIds: readonly string[]): Promise<Map<string, number>> {
  if (applicationIds.length === 0) return new Map();
  const rows: { id: string; position: number }[] = await em.getConnection().execute(
    `select me.id, (select count(*) from application a
        where a.city_id = me.city_id and a.voucher_type = me.voucher_type and a.status = ?
          and (a.priority_rank, a.submitted_at, a.id) < (me.priority_rank, me.submitted_at, me.id))::int + 1 as position
      from application me where me.id in (?) and me.status = ?`,
    // knex expands an array binding into a list, so `in (?)` (never `any(?)`) is the safe form.
    [ApplicationStatus.QUEUED, [...applicationIds], ApplicationStatus.QUEUED],
  );
  return new Map(rows.map((r) => [r.id, Number(r.position)]));
}
