import { Migration } from '@mikro-orm/migrations';

/**
 * Payments a treasury can execute (issue 13 §4).
 *
 * - bank_details: a provider's IBAN and BIK (format checks here; the IBAN check digits in the
 *   service), proposed by the provider and confirmed or rejected by an operator; at most one
 *   confirmed and one proposed set per provider.
 * - payment.bank_details_id: the confirmed set when the payment was approved; an approved, paid
 *   or failed payment must name one, except payments calculated before due dates existed (due_date null).
 * - payment.due_date (from city_rules.payment_due_day, default the 18th of the following month)
 *   and payment.reissued_as_id (a FAILED payment re-issued once).
 * - bank_statement: imported statements, unique per city by checksum, so a statement applies once.
 */
export class Migration20261201230200_treasury extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "bank_details" ("id" uuid not null, "provider_id" uuid not null, "iban" text not null, "bik" text not null, "status" text check ("status" in ('PROPOSED', 'CONFIRMED', 'REJECTED', 'SUPERSEDED')) not null default 'PROPOSED', "proposed_at" timestamptz not null, "decided_at" timestamptz null, "rejection_reason" text null, constraint "bank_details_pkey" primary key ("id"), constraint bank_details_iban_format check (iban ~ '^KZ[0-9]{2}[0-9]{3}[0-9A-Z]{13}$'), constraint bank_details_bik_format check (bik ~ '^[A-Z]{4}KZ[0-9A-Z]{2}([0-9A-Z]{3})?$'));`);
    this.addSql(`create index "bank_details_provider" on "bank_details" ("provider_id", "proposed_at");`);
    this.addSql(`create unique index "bank_details_one_confirmed_per_provider" on "bank_details" ("provider_id") where "status" = 'CONFIRMED';`);
    this.addSql(`create unique index "bank_details_one_proposed_per_provider" on "bank_details" ("provider_id") where "status" = 'PROPOSED';`);
    this.addSql(`alter table "bank_details" add constraint "bank_details_provider_id_foreign" foreign key ("provider_id") references "provider" ("id") on update cascade on delete restrict;`);

    this.addSql(`create table "bank_statement" ("id" uuid not null, "city_id" uuid not null, "checksum" text not null, "imported_at" timestamptz not null, "imported_by" text not null, "line_count" int not null, "paid_payment_ids" jsonb not null, "failed_payment_ids" jsonb not null, "problems" jsonb not null, constraint "bank_statement_pkey" primary key ("id"));`);
    this.addSql(`alter table "bank_statement" add constraint "bank_statement_city_checksum" unique ("city_id", "checksum");`);
    this.addSql(`alter table "bank_statement" add constraint "bank_statement_city_id_foreign" foreign key ("city_id") references "city" ("id") on update cascade on delete restrict;`);

    this.addSql(`alter table "payment" add column "due_date" date null, add column "bank_details_id" uuid null, add column "reissued_as_id" uuid null;`);
    this.addSql(`alter table "payment" add constraint "payment_bank_details_id_foreign" foreign key ("bank_details_id") references "bank_details" ("id") on update cascade on delete restrict;`);
    this.addSql(`create index "payment_bank_details_id_index" on "payment" ("bank_details_id");`);
    this.addSql(`alter table "payment" add constraint "payment_reissued_as_unique" unique ("reissued_as_id");`);
    this.addSql(`alter table "payment" add constraint "payment_approved_names_bank_details" check (status = 'CALCULATED' or bank_details_id is not null or due_date is null);`);
    this.addSql(`alter table "payment" add constraint "payment_reissued_only_failed" check (reissued_as_id is null or status = 'FAILED');`);

    this.addSql(`alter table "city_rules" add column "payment_due_day" smallint not null default 18, add constraint city_rules_payment_due_day check (payment_due_day >= 1 and payment_due_day <= 28);`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "city_rules" drop constraint city_rules_payment_due_day, drop column "payment_due_day";`);
    this.addSql(`alter table "payment" drop constraint "payment_reissued_only_failed", drop constraint "payment_approved_names_bank_details", drop constraint "payment_reissued_as_unique", drop constraint "payment_bank_details_id_foreign";`);
    this.addSql(`alter table "payment" drop column "due_date", drop column "bank_details_id", drop column "reissued_as_id";`);
    this.addSql(`drop table "bank_statement";`);
    this.addSql(`drop table "bank_details";`);
  }
}
