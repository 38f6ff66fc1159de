import { Migration } from '@mikro-orm/migrations';

export class Migration20261125142907_domain_events extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "domain_event" ("id" bigserial primary key, "occurred_at" timestamptz not null default clock_timestamp(), "kind" text not null, "city_id" uuid null, "voucher_type" text null, "payload" jsonb not null);`);
    this.addSql(`create index "domain_event_occurred_at" on "domain_event" ("occurred_at");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "domain_event" cascade;`);
  }

}
