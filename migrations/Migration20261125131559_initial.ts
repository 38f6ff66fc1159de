import { Migration } from '@mikro-orm/migrations';

export class Migration20261125131559_initial extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "api_key" ("id" uuid not null, "name" text not null, "prefix" text not null, "secret_hash" text not null, "created_at" timestamptz not null default now(), "revoked_at" timestamptz null, "last_used_at" timestamptz null, constraint "api_key_pkey" primary key ("id"));`);
    this.addSql(`alter table "api_key" add constraint "api_key_prefix_unique" unique ("prefix");`);

    this.addSql(`create table "applicant" ("id" uuid not null, "iin" char(12) not null, "full_name" text not null, "phone" text not null, "language" text check ("language" in ('KK', 'RU')) not null, "created_at" timestamptz not null default now(), constraint "applicant_pkey" primary key ("id"), constraint applicant_phone_format check (phone ~ '^\\+77[0-9]{9}\$'), constraint applicant_iin_format check (iin ~ '^[0-9]{12}\$'));`);
    this.addSql(`alter table "applicant" add constraint "applicant_iin_unique" unique ("iin");`);

    this.addSql(`create table "child" ("id" uuid not null, "iin" char(12) not null, "full_name" text not null, "birth_date" date not null, "sex" text check ("sex" in ('MALE', 'FEMALE')) not null, "priority_category" text check ("priority_category" in ('NONE', 'ORPHAN', 'DISABILITY', 'LARGE_FAMILY', 'LOW_INCOME', 'SINGLE_PARENT', 'MILITARY_FAMILY')) not null default 'NONE', "created_at" timestamptz not null default now(), constraint "child_pkey" primary key ("id"), constraint child_iin_format check (iin ~ '^[0-9]{12}\$'));`);
    this.addSql(`alter table "child" add constraint "child_iin_unique" unique ("iin");`);

    this.addSql(`create table "city" ("id" uuid not null, "code" text not null, "name_kk" text not null, "name_ru" text not null, "name_en" text null, "timezone" text not null, constraint "city_pkey" primary key ("id"));`);
    this.addSql(`alter table "city" add constraint "city_code_unique" unique ("code");`);

    this.addSql(`create table "guardianship" ("id" uuid not null, "applicant_id" uuid not null, "child_id" uuid not null, "relationship" text check ("relationship" in ('MOTHER', 'FATHER', 'GUARDIAN', 'TRUSTEE', 'FOSTER_PARENT')) not null, "created_at" timestamptz not null default now(), constraint "guardianship_pkey" primary key ("id"));`);
    this.addSql(`create index "guardianship_applicant_id_index" on "guardianship" ("applicant_id");`);
    this.addSql(`alter table "guardianship" add constraint "guardianship_child_unique" unique ("child_id");`);

    this.addSql(`create table "provider" ("id" uuid not null, "bin" char(12) not null, "name" text not null, "kind" text check ("kind" in ('SCHOOL', 'STATE_INSTITUTION', 'PRIVATE')) not null, "city_id" uuid not null, "status" text check ("status" in ('PENDING', 'APPROVED', 'SUSPENDED')) not null default 'PENDING', "approved_at" timestamptz null, "created_at" timestamptz not null default now(), constraint "provider_pkey" primary key ("id"), constraint provider_bin_format check (bin ~ '^[0-9]{12}\$'));`);
    this.addSql(`alter table "provider" add constraint "provider_bin_unique" unique ("bin");`);
    this.addSql(`create index "provider_city_id_index" on "provider" ("city_id");`);

    this.addSql(`create table "program" ("id" uuid not null, "provider_id" uuid not null, "title_kk" text not null, "title_ru" text not null, "title_en" text null, "direction" text check ("direction" in ('EDUCATIONAL', 'CREATIVE', 'SPORTS')) not null, "min_age" smallint not null, "max_age" smallint not null, "seats" int not null, "seats_taken" int not null default 0, "free_seats" int generated always as (seats - seats_taken) stored null, "schedule" jsonb not null, "language" text check ("language" in ('KK', 'RU', 'KK_RU', 'EN')) not null, "active" boolean not null default true, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), constraint "program_pkey" primary key ("id"), constraint program_seats_taken_range check (seats_taken >= 0 and seats_taken <= seats), constraint program_seats_positive check (seats > 0), constraint program_age_range check (min_age >= 0 and min_age <= max_age and max_age <= 18));`);
    this.addSql(`create index "program_provider_id_index" on "program" ("provider_id");`);

    this.addSql(`alter table "guardianship" add constraint "guardianship_applicant_id_foreign" foreign key ("applicant_id") references "applicant" ("id") on update cascade on delete restrict;`);
    this.addSql(`alter table "guardianship" add constraint "guardianship_child_id_foreign" foreign key ("child_id") references "child" ("id") on update cascade on delete restrict;`);

    this.addSql(`alter table "provider" add constraint "provider_city_id_foreign" foreign key ("city_id") references "city" ("id") on update cascade on delete restrict;`);

    this.addSql(`alter table "program" add constraint "program_provider_id_foreign" foreign key ("provider_id") references "provider" ("id") on update cascade on delete restrict;`);

    // The six pilot cities (article claim 2). Reference data, so it lives in the migration and
    // exists in every database, not only in the demo data set.
    this.addSql(`insert into "city" ("id", "code", "name_kk", "name_ru", "name_en", "timezone") values
      (gen_random_uuid(), 'ASTANA', 'Астана', 'Астана', 'Astana', 'Asia/Almaty'),
      (gen_random_uuid(), 'SHYMKENT', 'Шымкент', 'Шымкент', 'Shymkent', 'Asia/Almaty'),
      (gen_random_uuid(), 'ATYRAU', 'Атырау', 'Атырау', 'Atyrau', 'Asia/Atyrau'),
      (gen_random_uuid(), 'AKTOBE', 'Ақтөбе', 'Актобе', 'Aktobe', 'Asia/Aqtobe'),
      (gen_random_uuid(), 'KYZYLORDA', 'Қызылорда', 'Кызылорда', 'Kyzylorda', 'Asia/Qyzylorda'),
      (gen_random_uuid(), 'KARAGANDA', 'Қарағанды', 'Караганда', 'Karaganda', 'Asia/Almaty');`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "guardianship" drop constraint "guardianship_applicant_id_foreign";`);

    this.addSql(`alter table "guardianship" drop constraint "guardianship_child_id_foreign";`);

    this.addSql(`alter table "provider" drop constraint "provider_city_id_foreign";`);

    this.addSql(`alter table "program" drop constraint "program_provider_id_foreign";`);

    this.addSql(`drop table if exists "api_key" cascade;`);

    this.addSql(`drop table if exists "applicant" cascade;`);

    this.addSql(`drop table if exists "child" cascade;`);

    this.addSql(`drop table if exists "city" cascade;`);

    this.addSql(`drop table if exists "guardianship" cascade;`);

    this.addSql(`drop table if exists "provider" cascade;`);

    this.addSql(`drop table if exists "program" cascade;`);
  }

}
