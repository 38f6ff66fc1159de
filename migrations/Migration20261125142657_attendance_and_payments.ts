import { Migration } from '@mikro-orm/migrations';

export class Migration20261125142657_attendance_and_payments extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "budget" ("id" uuid not null, "city_id" uuid not null, "voucher_type" text check ("voucher_type" in ('TARGETED', 'UNIVERSAL')) not null, "period" text not null, "allocated_tiyn" bigint not null, "committed_tiyn" bigint not null default 0, "paid_tiyn" bigint not null default 0, constraint "budget_pkey" primary key ("id"), constraint budget_period_format check (period ~ '^[0-9]{4}\$'), constraint budget_identity check (committed_tiyn >= 0 and committed_tiyn <= allocated_tiyn and paid_tiyn >= 0 and paid_tiyn <= committed_tiyn));`);
    this.addSql(`alter table "budget" add constraint "budget_city_type_period" unique ("city_id", "voucher_type", "period");`);

    this.addSql(`create table "idempotency_record" ("scope" text not null, "key" text not null, "operation" text not null, "request_hash" text not null, "result_ids" jsonb null, "created_at" timestamptz not null default now(), constraint "idempotency_record_pkey" primary key ("scope", "key"));`);

    this.addSql(`create table "payment" ("id" uuid not null, "provider_id" uuid not null, "city_id" uuid not null, "period" text not null, "sequence" smallint not null, "status" text check ("status" in ('CALCULATED', 'APPROVED', 'PAID', 'FAILED')) not null default 'CALCULATED', "amount_tiyn" bigint not null, "currency" text check ("currency" in ('KZT')) not null default 'KZT', "rules_version" int not null, "bank_reference" text null, "failure_reason" text null, "created_at" timestamptz not null default now(), "approved_at" timestamptz null, "paid_at" timestamptz null, constraint "payment_pkey" primary key ("id"), constraint payment_period_format check (period ~ '^[0-9]{4}-(0[1-9]|1[0-2])\$'), constraint payment_amount_non_negative check (amount_tiyn >= 0));`);
    this.addSql(`create index "payment_provider_id_index" on "payment" ("provider_id");`);
    this.addSql(`create index "payment_city_id_index" on "payment" ("city_id");`);
    this.addSql(`alter table "payment" add constraint "payment_provider_period_sequence" unique ("provider_id", "period", "sequence");`);

    this.addSql(`create table "payment_line" ("id" uuid not null, "payment_id" uuid not null, "enrollment_id" uuid not null, "voucher_id" uuid not null, "voucher_type" text check ("voucher_type" in ('TARGETED', 'UNIVERSAL')) not null, "direction" text check ("direction" in ('EDUCATIONAL', 'CREATIVE', 'SPORTS')) not null, "confirmed_minutes" int not null, "paid_minutes" int not null, "rate_tiyn_per_hour" bigint not null, "gross_tiyn" bigint not null, "amount_tiyn" bigint not null, "held_sessions" int not null, constraint "payment_line_pkey" primary key ("id"), constraint payment_line_amounts check (amount_tiyn >= 0 and amount_tiyn <= gross_tiyn and paid_minutes <= confirmed_minutes));`);
    this.addSql(`create index "payment_line_payment_id_index" on "payment_line" ("payment_id");`);
    this.addSql(`create index "payment_line_enrollment_id_index" on "payment_line" ("enrollment_id");`);
    this.addSql(`create index "payment_line_voucher_id_index" on "payment_line" ("voucher_id");`);
    this.addSql(`alter table "payment_line" add constraint "payment_line_one_per_enrollment" unique ("payment_id", "enrollment_id");`);

    this.addSql(`create table "attendance" ("id" uuid not null, "enrollment_id" uuid not null, "program_id" uuid not null, "session_date" date not null, "minutes" int not null, "status" text check ("status" in ('RECORDED', 'CONFIRMED', 'DISPUTED', 'UNCONFIRMED')) not null default 'RECORDED', "dispute_reason" text null, "recorded_at" timestamptz not null default now(), "decided_at" timestamptz null, "payment_line_id" uuid null, constraint "attendance_pkey" primary key ("id"), constraint attendance_minutes_range check (minutes > 0 and minutes <= 600));`);
    this.addSql(`create index "attendance_payment_line_id_index" on "attendance" ("payment_line_id");`);
    this.addSql(`create index "attendance_open" on "attendance" ("session_date") where "status" = 'RECORDED';`);
    this.addSql(`create index "attendance_program_date" on "attendance" ("program_id", "session_date");`);
    this.addSql(`alter table "attendance" add constraint "attendance_one_per_enrollment_and_date" unique ("enrollment_id", "session_date");`);

    this.addSql(`alter table "budget" add constraint "budget_city_id_foreign" foreign key ("city_id") references "city" ("id") on update cascade on delete restrict;`);

    this.addSql(`alter table "payment" add constraint "payment_provider_id_foreign" foreign key ("provider_id") references "provider" ("id") on update cascade on delete restrict;`);
    this.addSql(`alter table "payment" add constraint "payment_city_id_foreign" foreign key ("city_id") references "city" ("id") on update cascade on delete restrict;`);

    this.addSql(`alter table "payment_line" add constraint "payment_line_payment_id_foreign" foreign key ("payment_id") references "payment" ("id") on update cascade on delete restrict;`);
    this.addSql(`alter table "payment_line" add constraint "payment_line_enrollment_id_foreign" foreign key ("enrollment_id") references "enrollment" ("id") on update cascade on delete restrict;`);

    this.addSql(`alter table "attendance" add constraint "attendance_enrollment_id_foreign" foreign key ("enrollment_id") references "enrollment" ("id") on update cascade on delete restrict;`);
    this.addSql(`alter table "attendance" add constraint "attendance_program_id_foreign" foreign key ("program_id") references "program" ("id") on update cascade on delete restrict;`);

    this.addSql(`alter table "city_rules" add column "confirmation_window_days" int not null default 10, add column "rates_tiyn_per_hour" jsonb not null default '{"EDUCATIONAL":150000,"CREATIVE":150000,"SPORTS":150000}', add column "monthly_cap_minutes" int null default 1440, add column "monthly_cap_tiyn" bigint null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "payment_line" drop constraint "payment_line_payment_id_foreign";`);

    this.addSql(`drop table if exists "budget" cascade;`);

    this.addSql(`drop table if exists "idempotency_record" cascade;`);

    this.addSql(`drop table if exists "payment" cascade;`);

    this.addSql(`drop table if exists "payment_line" cascade;`);

    this.addSql(`drop table if exists "attendance" cascade;`);

    this.addSql(`alter table "city_rules" drop column "confirmation_window_days", drop column "rates_tiyn_per_hour", drop column "monthly_cap_minutes", drop column "monthly_cap_tiyn";`);
  }

}
