import { Migration } from '@mikro-orm/migrations';

/**
 * Suspension periods of vouchers, providers and programs, so settlement can tell whether a
 * session's date fell in one. What is suspended (or inactive) when this runs gets a period from
 * now on: when it began is not recorded anywhere but the audit log, and from now is the safe side.
 */
export class Migration20261201190000_suspensions extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "suspension" ("id" uuid not null, "subject_type" text check ("subject_type" in ('VOUCHER', 'PROVIDER', 'PROGRAM')) not null, "subject_id" uuid not null, "starts_at" timestamptz not null, "ends_at" timestamptz null, constraint "suspension_pkey" primary key ("id"), constraint suspension_period_order check (ends_at is null or ends_at >= starts_at));`);
    this.addSql(`create index "suspension_subject" on "suspension" ("subject_id", "starts_at");`);
    this.addSql(`create unique index "suspension_one_open_per_subject" on "suspension" ("subject_id") where "ends_at" is null;`);
    this.addSql(`insert into suspension (id, subject_type, subject_id, starts_at)
      select gen_random_uuid(), 'VOUCHER', id, now() from voucher where status = 'SUSPENDED'
      union all select gen_random_uuid(), 'PROVIDER', id, now() from provider where status = 'SUSPENDED'
      union all select gen_random_uuid(), 'PROGRAM', id, now() from program where not active;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "suspension";`);
  }
}
