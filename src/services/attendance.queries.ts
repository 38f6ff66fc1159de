// The attendance aggregate's hand-written SQL (STYLE 14): set-wise reads and the batched insert of
// a provider's sessions. The services call these by name; parameters are named.
import { sql } from '../db/sql.js';
import type { AttendanceStatus } from '../domain/enums.js';
import { suspendedOnSql } from './suspension.js';

/**
 * The enrollments of the children in the program that covered `day` (in the city's time zone
 * `timezone`): two on the day a child switched away and back, in the order they began; `suspended`
 * when the voucher, the provider or the program was suspended on the day.
 */
export const enrollmentsOnDay = sql<
  { day: string; timezone: string; programId: string; childIds: string[] },
  { enrollment_id: string; voucher_id: string; child_id: string; suspended: boolean }
>(
  'attendance.enrollments-on-day',
  `with arg as (select :day::date as day, :timezone::text as tz)
   select e.id as enrollment_id, e.voucher_id, v.child_id,
          ${suspendedOnSql({ voucherId: 'v.id', providerId: 'p.provider_id', programId: 'p.id', date: 'arg.day', timezone: 'arg.tz' })} as suspended
     from arg, enrollment e join voucher v on v.id = e.voucher_id join program p on p.id = e.program_id
    where e.program_id = :programId and v.child_id in (:childIds)
      and (e.started_at at time zone arg.tz)::date <= arg.day
      and (e.ended_at is null or (e.ended_at at time zone arg.tz)::date >= arg.day)
    order by e.started_at, e.id`,
);

/**
 * New sessions of a program on a day, one per (enrollment, voucher) pair given as two parallel
 * uuid arrays ('{a,b}'). A voucher's session of the program and day that exists already is left as
 * it is (the constraint attendance_one_per_voucher_program_day); only the ones created are returned.
 */
export const insertSessions = sql<
  { programId: string; day: string; minutes: number; status: AttendanceStatus; enrollmentIds: string; voucherIds: string },
  { id: string; enrollment_id: string; voucher_id: string }
>(
  'attendance.insert-sessions',
  `insert into attendance (id, enrollment_id, voucher_id, program_id, session_date, minutes, status)
    select gen_random_uuid(), r.enrollment_id, r.voucher_id, :programId, :day::date, :minutes, :status
      from unnest(:enrollmentIds::uuid[], :voucherIds::uuid[]) as r(enrollment_id, voucher_id)
    on conflict (voucher_id, program_id, session_date) do nothing
    returning id, enrollment_id, voucher_id`,
);

/** The first of these sessions (by id) that fell on a day its voucher, provider or program was suspended. */
export const firstSuspendedSession = sql<{ ids: string[] }, { id: string; session_date: string }>(
  'attendance.first-suspended-session',
  `select a.id, a.session_date::text as session_date from attendance a
     join enrollment e on e.id = a.enrollment_id join program p on p.id = a.program_id
     join provider pr on pr.id = p.provider_id join city c on c.id = pr.city_id
    where a.id in (:ids) and ${suspendedOnSql({ voucherId: 'e.voucher_id', providerId: 'p.provider_id', programId: 'p.id', date: 'a.session_date', timezone: 'c.timezone' })}
    order by a.id limit 1`,
);
