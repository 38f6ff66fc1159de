import { Migration } from '@mikro-orm/migrations';

const CATEGORIES = `'NONE', 'ORPHAN', 'DISABILITY', 'LARGE_FAMILY', 'LOW_INCOME', 'SINGLE_PARENT', 'MILITARY_FAMILY'`;
const CLAIM = `'CLAIMED', 'VERIFIED', 'REJECTED'`;

/**
 * Links and priority categories become claims that count only once verified (issue 10 §3).
 *
 * - guardianship: no longer unique per child (the first family to type an IIN locked the real one
 *   out); unique per (child, applicant), and at most one VERIFIED link per child. It carries the
 *   claim's status, the name and category the family declared, the city whose operators handle
 *   it, the registry's answer and when to ask it again, and who decided on what evidence.
 * - Existing links become CLAIMED and are sent to the registry by the claim verifier. Existing
 *   self-declared categories become CLAIMED categories: the children count as NONE, and their
 *   applications rank as ordinary (keeping their submission time, so verification later puts them
 *   back exactly where they were). The queue_block triggers follow the rank change.
 * - A trigger refuses to offer a voucher to an application whose family's link is not VERIFIED.
 */
export class Migration20261201190500_verified_links extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "guardianship" drop constraint "guardianship_child_unique";`);
    this.addSql(`alter table "guardianship"
      add column "status" text check ("status" in (${CLAIM})) not null default 'CLAIMED',
      add column "full_name" text null,
      add column "claimed_category" text check ("claimed_category" in (${CATEGORIES})) null,
      add column "category_status" text check ("category_status" in (${CLAIM})) null,
      add column "city_id" uuid null,
      add column "registry_answer" text check ("registry_answer" in ('CONFIRMED', 'DENIED', 'UNKNOWN')) null,
      add column "registry_attempts" smallint not null default 0,
      add column "registry_due_at" timestamptz null default now(),
      add column "decided_by" text null,
      add column "evidence_reference" text null,
      add column "decided_at" timestamptz null,
      add column "category_decided_by" text null,
      add column "category_evidence_reference" text null,
      add column "category_decided_at" timestamptz null,
      add constraint "guardianship_category_claimed_together" check ((claimed_category is null) = (category_status is null));`);
    this.addSql(`alter table "guardianship" add constraint "guardianship_city_id_foreign" foreign key ("city_id") references "city" ("id") on update cascade on delete restrict;`);
    this.addSql(`update "guardianship" g set "full_name" = c."full_name" from "child" c where c."id" = g."child_id";`);
    this.addSql(`alter table "guardianship" alter column "full_name" set not null;`);
    this.addSql(`update "guardianship" g set "claimed_category" = c."priority_category", "category_status" = 'CLAIMED'
                   from "child" c where c."id" = g."child_id" and c."priority_category" <> 'NONE';`);
    this.addSql(`update "child" set "priority_category" = 'NONE' where "priority_category" <> 'NONE';`);
    this.addSql(`update "application" a set "priority_category" = 'NONE',
                   "priority_rank" = (select jsonb_array_length(r."priority_order") from "city_rules" r where r."city_id" = a."city_id" order by r."version" desc limit 1)
                 where a."priority_category" <> 'NONE' and a."status" in ('QUEUED', 'OFFERED', 'CANCELLED');`);
    this.addSql(`create index "guardianship_child_id_index" on "guardianship" ("child_id");`);
    this.addSql(`alter table "guardianship" add constraint "guardianship_child_applicant_unique" unique ("child_id", "applicant_id");`);
    this.addSql(`create unique index "guardianship_one_verified_per_child" on "guardianship" ("child_id") where "status" = 'VERIFIED';`);
    this.addSql(`create index "guardianship_registry_due" on "guardianship" ("registry_due_at") where "registry_due_at" is not null;`);
    this.addSql(`create index "guardianship_open_cases" on "guardianship" ("city_id", "id") where "status" = 'CLAIMED' or "category_status" = 'CLAIMED';`);
    this.addSql(`create function application_offer_needs_verified_link() returns trigger language plpgsql as $$
      begin
        if not exists (select 1 from guardianship g where g.child_id = new.child_id and g.applicant_id = new.applicant_id and g.status = 'VERIFIED') then
          raise exception 'application % cannot be offered: the family''s link to the child is not verified', new.id
            using errcode = 'check_violation', constraint = 'application_offer_needs_verified_link';
        end if;
        return new;
      end $$;`);
    this.addSql(`create trigger "application_offer_needs_verified_link" before update of "status" on "application"
      for each row when (new.status = 'OFFERED' and old.status is distinct from 'OFFERED') execute function application_offer_needs_verified_link();`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger "application_offer_needs_verified_link" on "application";`);
    this.addSql(`drop function application_offer_needs_verified_link();`);
    this.addSql(`update "child" c set "priority_category" = g."claimed_category" from "guardianship" g
                   where g."child_id" = c."id" and g."claimed_category" is not null and c."priority_category" = 'NONE';`);
    this.addSql(`delete from "guardianship" g where g."status" = 'REJECTED'
                    or exists (select 1 from "guardianship" o where o."child_id" = g."child_id" and o."id" < g."id" and o."status" <> 'REJECTED');`);
    this.addSql(`drop index "guardianship_open_cases";`);
    this.addSql(`drop index "guardianship_registry_due";`);
    this.addSql(`drop index "guardianship_one_verified_per_child";`);
    this.addSql(`alter table "guardianship" drop constraint "guardianship_child_applicant_unique";`);
    this.addSql(`drop index "guardianship_child_id_index";`);
    this.addSql(`alter table "guardianship" drop constraint "guardianship_city_id_foreign";`);
    this.addSql(`alter table "guardianship" drop constraint "guardianship_category_claimed_together",
      drop column "status", drop column "full_name", drop column "claimed_category", drop column "category_status", drop column "city_id",
      drop column "registry_answer", drop column "registry_attempts", drop column "registry_due_at", drop column "decided_by",
      drop column "evidence_reference", drop column "decided_at", drop column "category_decided_by", drop column "category_evidence_reference",
      drop column "category_decided_at";`);
    this.addSql(`alter table "guardianship" add constraint "guardianship_child_unique" unique ("child_id");`);
  }
}
