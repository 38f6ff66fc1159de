import { Migration } from '@mikro-orm/migrations';

/**
 * Issue 13 §2, the provider's working month: timesheets, the city's holiday calendar, the city's
 * timesheet checks, and flagged sessions.
 *
 * - timesheet: one sheet per program and month (unique), its version and content hash, so a
 *   resubmitted sheet is recognised and two submissions at once make one sheet.
 * - city_holiday: a city's public holidays, one row per city and date, managed per year by the
 *   city's operator.
 * - city_rules.timesheet_checks: per check (HOLIDAY, OFF_SCHEDULE, OVER_SLOT, OVERLAP, SUSPENDED)
 *   whether a session failing it is REFUSED or FLAGGED (existing versions get the default by the
 *   column's default, no UPDATE: rules versions are immutable).
 * - attendance.flags: the checks a session failed (flagged, not refused); such a session is not
 *   payable until the operator clears the flags (flags_cleared_at).
 * - program.weekly_schedule: the schedule the "join" part adds (list of {weekday, start, minutes});
 *   added here only if it is not there yet, so the two migrations merge in either order.
 */
export class Migration20261201230100_timesheets extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "program" add column if not exists "weekly_schedule" jsonb null;`);

    this.addSql(`create table "timesheet" (
      "id" uuid not null primary key,
      "program_id" uuid not null,
      "month" text not null,
      "version" integer not null default 1,
      "content_hash" text not null,
      "submitted_by" text not null,
      "submitted_at" timestamptz not null,
      "created_at" timestamptz not null default now(),
      constraint "timesheet_month_format" check ("month" ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
      constraint "timesheet_one_per_program_month" unique ("program_id", "month"));`);
    this.addSql(`alter table "timesheet" add constraint "timesheet_program_id_foreign" foreign key ("program_id") references "program" ("id") on update cascade on delete restrict;`);

    this.addSql(`create table "city_holiday" (
      "id" uuid not null primary key,
      "city_id" uuid not null,
      "date" date not null,
      "name" text not null,
      "created_by" text not null,
      "created_at" timestamptz not null default now(),
      constraint "city_holiday_one_per_day" unique ("city_id", "date"),
      constraint "city_holiday_name_length" check (length("name") >= 1 and length("name") <= 200));`);
    this.addSql(`alter table "city_holiday" add constraint "city_holiday_city_id_foreign" foreign key ("city_id") references "city" ("id") on update cascade on delete restrict;`);

    this.addSql(`alter table "city_rules" add column "timesheet_checks" jsonb not null
      default '{"HOLIDAY":"FLAG","OFF_SCHEDULE":"FLAG","OVER_SLOT":"FLAG","OVERLAP":"FLAG","SUSPENDED":"REFUSE"}';`);

    this.addSql(`alter table "attendance" add column "flags" text[] not null default '{}';`);
    this.addSql(`alter table "attendance" add column "flags_cleared_at" timestamptz null;`);
    this.addSql(`alter table "attendance" add column "flags_cleared_by" text null;`);
    this.addSql(`alter table "attendance" add column "timesheet_id" uuid null;`);
    this.addSql(`alter table "attendance" add constraint "attendance_timesheet_id_foreign" foreign key ("timesheet_id") references "timesheet" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "attendance" add constraint "attendance_flags_known" check ("flags" <@ array['HOLIDAY','OFF_SCHEDULE','OVER_SLOT','OVERLAP','SUSPENDED']::text[]);`);
    // The operator's review list: flagged sessions not yet cleared.
    this.addSql(`create index "attendance_flagged_open" on "attendance" ("program_id", "session_date") where "flags" <> '{}' and "flags_cleared_at" is null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "attendance_flagged_open";`);
    this.addSql(`alter table "attendance" drop constraint "attendance_flags_known";`);
    this.addSql(`alter table "attendance" drop column "timesheet_id", drop column "flags_cleared_by", drop column "flags_cleared_at", drop column "flags";`);
    this.addSql(`alter table "city_rules" drop column "timesheet_checks";`);
    this.addSql(`drop table "city_holiday";`);
    this.addSql(`drop table "timesheet";`);
  }
}
