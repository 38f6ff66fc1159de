// The timesheet's hand-written SQL (STYLE 14): the facts a month's sheet is checked against, read
// set-wise (one statement each, however many rows the sheet has). Parameters are named.
import { sql } from '../db/sql.js';
import { suspendedOnSql } from './suspension.js';

/**
 * The sheet's enrollments that belong to the program, with the child and the local days they
 * cover (`last_day` null while open); `timezone` is the city's.
 */
export const sheetEnrollments = sql<
  { programId: string; enrollmentIds: string[]; timezone: string },
  { id: string; voucher_id: string; child_id: string; first_day: string; last_day: string | null }
>(
  'timesheet.sheet-enrollments',
  `select e.id, e.voucher_id, v.child_id,
          ((e.started_at at time zone :timezone)::date)::text as first_day,
          ((e.ended_at at time zone :timezone)::date)::text as last_day
     from enrollment e join voucher v on v.id = e.voucher_id
    where e.program_id = :programId and e.id in (:enrollmentIds)`,
);

/** A program's schedule as the checks read it: the weekly_schedule column when set, else its meetings. */
export const programSchedule = sql<{ programId: string }, { weekly_schedule: unknown; schedule: unknown }>(
  'timesheet.program-schedule',
  `select weekly_schedule, schedule from program where id = :programId`,
);

/**
 * The same children's sessions in [start, end) at other providers' programs, with those programs'
 * schedules: what the overlap check compares against.
 */
export const sessionsElsewhere = sql<
  { providerId: string; childIds: string[]; start: string; end: string },
  { child_id: string; session_date: string; minutes: number; weekly_schedule: unknown; schedule: unknown }
>(
  'timesheet.sessions-elsewhere',
  `select v.child_id, a.session_date::text as session_date, a.minutes, p.weekly_schedule, p.schedule
     from attendance a join voucher v on v.id = a.voucher_id join program p on p.id = a.program_id
    where v.child_id in (:childIds) and p.provider_id <> :providerId
      and a.session_date >= :start::date and a.session_date < :end::date`,
);

/**
 * Which (voucher, day) pairs (two parallel arrays) fell while the voucher, the provider or the
 * program was suspended; `timezone` is the city's.
 */
export const suspendedDays = sql<
  { programId: string; voucherIds: string; days: string; timezone: string },
  { voucher_id: string; day: string }
>(
  'timesheet.suspended-days',
  `select r.voucher_id, r.day::text as day
     from unnest(:voucherIds::uuid[], :days::date[]) as r(voucher_id, day), program p
    where p.id = :programId
      and ${suspendedOnSql({ voucherId: 'r.voucher_id', providerId: 'p.provider_id', programId: 'p.id', date: 'r.day', timezone: ':timezone::text' })}`,
);

/** Creates the program's sheet for the month unless it exists; the unique (program, month) makes two submissions at once one sheet. */
export const ensureTimesheet = sql<{ id: string; programId: string; month: string; hash: string; by: string; at: Date }, { id: string }>(
  'timesheet.ensure',
  `insert into timesheet (id, program_id, month, version, content_hash, submitted_by, submitted_at)
   values (:id, :programId, :month, 0, :hash, :by, :at)
   on conflict (program_id, month) do nothing returning id`,
);
