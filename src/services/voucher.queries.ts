// Hand-written SQL over vouchers and enrollments: whose they are, read before the locks in their
// order (locks.ts) are taken.
import { sql } from '../db/sql.js';

export const voucherOwner = sql<{ id: string }, { child_id: string }>('voucher-owner', 'select child_id from voucher where id = :id');

export const enrollmentOwner = sql<{ id: string }, { voucher_id: string; child_id: string }>(
  'enrollment-owner',
  'select e.voucher_id, v.child_id from enrollment e join voucher v on v.id = e.voucher_id where e.id = :id',
);
