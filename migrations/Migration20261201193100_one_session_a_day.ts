import { Migration } from '@mikro-orm/migrations';

/**
 * Issue 11, finding 6: one session per child's voucher, program and day.
 *
 * attendance.voucher_id with unique (voucher_id, program_id, session_date), whichever enrollment
 * recorded it (switching away and back made a new enrollment and a second paid session; the old
 * unique per enrollment and date, now implied, is dropped). Two programs the same day stay
 * possible: only the day of a switch has two enrollments covering it. Existing duplicates: the paid
 * one is kept, else the most decided, else the first recorded; unpaid duplicates are removed; two
 * paid duplicates stop the migration (money went out twice; that needs a person).
 */
export class Migration20261201193100_one_session_a_day extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "attendance" add column "voucher_id" uuid null;`);
    this.addSql(`update attendance a set voucher_id = e.voucher_id from enrollment e where e.id = a.enrollment_id;`);
    this.addSql(`do $$
      begin
        if exists (select 1 from attendance where payment_line_id is not null group by voucher_id, program_id, session_date having count(*) > 1) then
          raise exception 'attendance: a child was paid twice for one program and day; resolve these sessions before migrating';
        end if;
      end $$;`);
    this.addSql(`delete from attendance a using (
        select id, row_number() over (partition by voucher_id, program_id, session_date
                 order by (payment_line_id is not null) desc, (status = 'CONFIRMED') desc, (status <> 'RECORDED') desc, id) as n
          from attendance) d
      where d.id = a.id and d.n > 1;`);
    this.addSql(`alter table "attendance" alter column "voucher_id" set not null;`);
    this.addSql(`alter table "attendance" add constraint "attendance_voucher_id_foreign" foreign key ("voucher_id") references "voucher" ("id") on update cascade on delete restrict;`);
    this.addSql(`alter table "attendance" drop constraint "attendance_one_per_enrollment_and_date";`);
    this.addSql(`alter table "attendance" add constraint "attendance_one_per_voucher_program_day" unique ("voucher_id", "program_id", "session_date");`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "attendance" drop constraint "attendance_one_per_voucher_program_day";`);
    this.addSql(`alter table "attendance" add constraint "attendance_one_per_enrollment_and_date" unique ("enrollment_id", "session_date");`);
    this.addSql(`alter table "attendance" drop column "voucher_id";`);
  }
}
