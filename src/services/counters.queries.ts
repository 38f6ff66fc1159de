// The guarded counter statements of quotas and program seats (counters.ts): each moves a counter
// only when the WHERE clause (and the table's check constraint behind it) allows.
import { sql } from '../db/sql.js';
import type { VoucherType } from '../domain/enums.js';

/** The quota row of a queue and year, created empty if missing (then locked and set by the caller). */
export const ensureQuota = sql<{ cityId: string; type: VoucherType; period: string }>(
  'ensure-quota',
  `insert into quota (id, city_id, voucher_type, period, count) values (gen_random_uuid(), :cityId, :type, :period, 0) on conflict do nothing`,
);

export const takeFromQuotaQuery = sql<{ quotaId: string; n: number }, { id: string }>(
  'take-from-quota',
  `update quota set used = used + :n, updated_at = now() where id = :quotaId and used + :n <= count returning id`,
);

export const returnToQuotaQuery = sql<{ quotaId: string; n: number }>('return-to-quota', `update quota set used = used - :n, updated_at = now() where id = :quotaId`);

export const takeSeatQuery = sql<{ programId: string }, { id: string }>(
  'take-seat',
  `update program set seats_taken = seats_taken + 1 where id = :programId and seats_taken < seats returning id`,
);

export const releaseSeatQuery = sql<{ programId: string }>('release-seat', `update program set seats_taken = seats_taken - 1 where id = :programId`);
