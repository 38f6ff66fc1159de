import { Migration } from '@mikro-orm/migrations';

export class Migration20261125134344_voucher_lifecycle extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "audit_event" ("id" uuid not null, "occurred_at" timestamptz not null default clock_timestamp(), "actor_role" text not null, "actor_id" text null, "action" text not null, "entity_type" text not null, "entity_id" uuid not null, "city_code" text null, "before" jsonb null, "after" jsonb null, "rules_version" int null, "reason" text null, constraint "audit_event_pkey" primary key ("id"));`);
    this.addSql(`create index "audit_event_entity" on "audit_event" ("entity_id", "id");`);
    this.addSql(`create index "audit_event_city" on "audit_event" ("city_code", "id");`);

    this.addSql(`create table "application" ("id" uuid not null, "child_id" uuid not null, "applicant_id" uuid not null, "city_id" uuid not null, "voucher_type" text check ("voucher_type" in ('TARGETED', 'UNIVERSAL')) not null, "status" text check ("status" in ('QUEUED', 'OFFERED', 'ACCEPTED', 'WITHDRAWN', 'CANCELLED')) not null default 'QUEUED', "priority_category" text check ("priority_category" in ('NONE', 'ORPHAN', 'DISABILITY', 'LARGE_FAMILY', 'LOW_INCOME', 'SINGLE_PARENT', 'MILITARY_FAMILY')) not null, "priority_rank" smallint not null, "submitted_at" timestamptz(6) not null default clock_timestamp(), "rules_version" int not null, "restore_count" smallint not null default 0, "closed_at" timestamptz null, "updated_at" timestamptz not null default now(), constraint "application_pkey" primary key ("id"));`);
    this.addSql(`create index "application_child_id_index" on "application" ("child_id");`);
    this.addSql(`create index "application_applicant_id_index" on "application" ("applicant_id");`);
    this.addSql(`create index "application_queue_order" on "application" ("city_id", "voucher_type", "priority_rank", "submitted_at", "id") where "status" = 'QUEUED';`);
    this.addSql(`create unique index "application_one_open_per_child_and_type" on "application" ("child_id", "voucher_type") where "status" in ('QUEUED', 'OFFERED');`);

    this.addSql(`create table "city_rules" ("id" uuid not null, "city_id" uuid not null, "version" int not null, "effective_at" timestamptz not null, "created_by" text not null, "created_at" timestamptz not null default now(), "offer_deadline_hours" int not null, "reminder_hours_before_deadline" int not null, "on_decline" text check ("on_decline" in ('REQUEUE', 'CANCEL')) not null, "on_expiry" text check ("on_expiry" in ('REQUEUE', 'CANCEL')) not null, "max_restores" int not null, "restore_window_days" int not null, "priority_order" jsonb not null, "auto_issue_types" jsonb not null, constraint "city_rules_pkey" primary key ("id"));`);
    this.addSql(`alter table "city_rules" add constraint "city_rules_version_unique" unique ("city_id", "version");`);

    this.addSql(`create table "notification" ("id" uuid not null, "applicant_id" uuid not null, "phone" text not null, "language" text check ("language" in ('KK', 'RU')) not null, "kind" text check ("kind" in ('OFFER_MADE', 'OFFER_EXPIRING', 'OFFER_EXPIRED', 'ENROLLED')) not null, "body" text not null, "idempotency_key" text not null, "status" text check ("status" in ('PENDING', 'SENT', 'FAILED')) not null default 'PENDING', "attempts" int not null default 0, "next_attempt_at" timestamptz not null default now(), "last_error" text null, "created_at" timestamptz not null default now(), "sent_at" timestamptz null, constraint "notification_pkey" primary key ("id"));`);
    this.addSql(`create index "notification_applicant_id_index" on "notification" ("applicant_id");`);
    this.addSql(`alter table "notification" add constraint "notification_idempotency_key_unique" unique ("idempotency_key");`);
    this.addSql(`create index "notification_due" on "notification" ("next_attempt_at") where "status" = 'PENDING';`);

    this.addSql(`create table "quota" ("id" uuid not null, "city_id" uuid not null, "voucher_type" text check ("voucher_type" in ('TARGETED', 'UNIVERSAL')) not null, "period" text not null, "count" int not null, "used" int not null default 0, "updated_at" timestamptz not null default now(), constraint "quota_pkey" primary key ("id"), constraint quota_period_format check (period ~ '^[0-9]{4}\$'), constraint quota_used_within_count check (used >= 0 and used <= count));`);
    this.addSql(`alter table "quota" add constraint "quota_city_type_period_unique" unique ("city_id", "voucher_type", "period");`);

    this.addSql(`create table "voucher" ("id" uuid not null, "child_id" uuid not null, "application_id" uuid not null, "city_id" uuid not null, "quota_id" uuid not null, "type" text check ("type" in ('TARGETED', 'UNIVERSAL')) not null, "status" text check ("status" in ('RESERVED', 'ACTIVE', 'SUSPENDED', 'CLOSED', 'REVOKED', 'RELEASED')) not null default 'RESERVED', "status_reason" text null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), constraint "voucher_pkey" primary key ("id"));`);
    this.addSql(`create index "voucher_child_id_index" on "voucher" ("child_id");`);
    this.addSql(`create index "voucher_application_id_index" on "voucher" ("application_id");`);
    this.addSql(`create index "voucher_quota_id_index" on "voucher" ("quota_id");`);
    this.addSql(`create unique index "voucher_one_active_per_child" on "voucher" ("child_id") where "status" in ('ACTIVE', 'SUSPENDED');`);

    this.addSql(`create table "offer" ("id" uuid not null, "application_id" uuid not null, "voucher_id" uuid not null, "status" text check ("status" in ('PENDING', 'ACCEPTED', 'DECLINED', 'EXPIRED')) not null default 'PENDING', "deadline" timestamptz not null, "rules_version" int not null, "reminded_at" timestamptz null, "created_at" timestamptz not null default now(), "decided_at" timestamptz null, constraint "offer_pkey" primary key ("id"));`);
    this.addSql(`create index "offer_application_id_index" on "offer" ("application_id");`);
    this.addSql(`alter table "offer" add constraint "offer_voucher_unique" unique ("voucher_id");`);
    this.addSql(`create index "offer_pending_deadline" on "offer" ("deadline") where "status" = 'PENDING';`);
    this.addSql(`create unique index "offer_one_pending_per_application" on "offer" ("application_id") where "status" = 'PENDING';`);

    this.addSql(`create table "enrollment" ("id" uuid not null, "voucher_id" uuid not null, "program_id" uuid not null, "status" text check ("status" in ('ACTIVE', 'TRANSFERRED', 'ENDED')) not null default 'ACTIVE', "previous_id" uuid null, "started_at" timestamptz not null default now(), "ended_at" timestamptz null, constraint "enrollment_pkey" primary key ("id"));`);
    this.addSql(`create index "enrollment_voucher_id_index" on "enrollment" ("voucher_id");`);
    this.addSql(`create index "enrollment_program_id_index" on "enrollment" ("program_id");`);
    this.addSql(`create unique index "enrollment_one_active_per_voucher" on "enrollment" ("voucher_id") where "status" = 'ACTIVE';`);

    this.addSql(`alter table "application" add constraint "application_child_id_foreign" foreign key ("child_id") references "child" ("id") on update cascade on delete restrict;`);
    this.addSql(`alter table "application" add constraint "application_applicant_id_foreign" foreign key ("applicant_id") references "applicant" ("id") on update cascade on delete restrict;`);
    this.addSql(`alter table "application" add constraint "application_city_id_foreign" foreign key ("city_id") references "city" ("id") on update cascade on delete restrict;`);

    this.addSql(`alter table "city_rules" add constraint "city_rules_city_id_foreign" foreign key ("city_id") references "city" ("id") on update cascade on delete restrict;`);

    this.addSql(`alter table "notification" add constraint "notification_applicant_id_foreign" foreign key ("applicant_id") references "applicant" ("id") on update cascade on delete restrict;`);

    this.addSql(`alter table "quota" add constraint "quota_city_id_foreign" foreign key ("city_id") references "city" ("id") on update cascade on delete restrict;`);

    this.addSql(`alter table "voucher" add constraint "voucher_child_id_foreign" foreign key ("child_id") references "child" ("id") on update cascade on delete restrict;`);
    this.addSql(`alter table "voucher" add constraint "voucher_application_id_foreign" foreign key ("application_id") references "application" ("id") on update cascade on delete restrict;`);
    this.addSql(`alter table "voucher" add constraint "voucher_city_id_foreign" foreign key ("city_id") references "city" ("id") on update cascade on delete restrict;`);
    this.addSql(`alter table "voucher" add constraint "voucher_quota_id_foreign" foreign key ("quota_id") references "quota" ("id") on update cascade on delete restrict;`);

    this.addSql(`alter table "offer" add constraint "offer_application_id_foreign" foreign key ("application_id") references "application" ("id") on update cascade on delete restrict;`);
    this.addSql(`alter table "offer" add constraint "offer_voucher_id_foreign" foreign key ("voucher_id") references "voucher" ("id") on update cascade on delete restrict;`);

    this.addSql(`alter table "enrollment" add constraint "enrollment_voucher_id_foreign" foreign key ("voucher_id") references "voucher" ("id") on update cascade on delete restrict;`);
    this.addSql(`alter table "enrollment" add constraint "enrollment_program_id_foreign" foreign key ("program_id") references "program" ("id") on update cascade on delete restrict;`);
    this.addSql(`alter table "enrollment" add constraint "enrollment_previous_id_foreign" foreign key ("previous_id") references "enrollment" ("id") on update cascade on delete restrict;`);

    // History that must never be rewritten (DESIGN §6: a queue was once wiped): rules versions and
    // audit events can only be added to, whoever connects.
    this.addSql(`create function "kezek_append_only"() returns trigger language plpgsql as $$
      begin
        raise exception '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP using errcode = 'insufficient_privilege';
      end $$;`);
    for (const table of ['audit_event', 'city_rules']) {
      this.addSql(`create trigger "${table}_no_update_or_delete" before update or delete on "${table}" for each row execute function "kezek_append_only"();`);
      this.addSql(`create trigger "${table}_no_truncate" before truncate on "${table}" for each statement execute function "kezek_append_only"();`);
    }

    // Version 1 of every city's rules: the defaults DESIGN §6 reports from comparable programmes,
    // in force from the pilot's start. Operators change them with updateCityRules.
    this.addSql(`insert into "city_rules" ("id", "city_id", "version", "effective_at", "created_by", "offer_deadline_hours",
        "reminder_hours_before_deadline", "on_decline", "on_expiry", "max_restores", "restore_window_days", "priority_order", "auto_issue_types")
      select gen_random_uuid(), "id", 1, '2025-06-01T00:00:00+05:00', 'SYSTEM:migration', 120, 24, 'CANCEL', 'CANCEL', 1, 28,
        '["ORPHAN","DISABILITY","MILITARY_FAMILY","LARGE_FAMILY","LOW_INCOME","SINGLE_PARENT"]'::jsonb, '["TARGETED"]'::jsonb
      from "city";`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger if exists "audit_event_no_update_or_delete" on "audit_event";`);
    this.addSql(`drop trigger if exists "city_rules_no_update_or_delete" on "city_rules";`);
    this.addSql(`alter table "voucher" drop constraint "voucher_application_id_foreign";`);

    this.addSql(`alter table "offer" drop constraint "offer_application_id_foreign";`);

    this.addSql(`alter table "voucher" drop constraint "voucher_quota_id_foreign";`);

    this.addSql(`alter table "offer" drop constraint "offer_voucher_id_foreign";`);

    this.addSql(`alter table "enrollment" drop constraint "enrollment_voucher_id_foreign";`);

    this.addSql(`alter table "enrollment" drop constraint "enrollment_previous_id_foreign";`);

    this.addSql(`drop table if exists "audit_event" cascade;`);

    this.addSql(`drop table if exists "application" cascade;`);

    this.addSql(`drop table if exists "city_rules" cascade;`);

    this.addSql(`drop table if exists "notification" cascade;`);

    this.addSql(`drop table if exists "quota" cascade;`);

    this.addSql(`drop table if exists "voucher" cascade;`);

    this.addSql(`drop table if exists "offer" cascade;`);

    this.addSql(`drop table if exists "enrollment" cascade;`);

    this.addSql(`drop function if exists "kezek_append_only"();`);
  }

}
