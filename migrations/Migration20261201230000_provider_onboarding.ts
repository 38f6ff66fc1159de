import { Migration } from '@mikro-orm/migrations';

/**
 * Issue 13 §1, joining the programme.
 *
 * - provider: what a provider files when it applies itself (address, licence, contacts), the
 *   latest decision's reason and time, and the REJECTED status (a rejection always has a reason).
 * - program: the review lifecycle (DRAFT → IN_REVIEW → PUBLISHED | RETURNED), its comments and
 *   times; address, district, description and teacher; `weekly_schedule` (jsonb, a list of
 *   { weekday 1–7, start "HH:MM", minutes }), the same meetings as `schedule` in the form sessions
 *   are checked against. Programs that exist are the catalogue parents already choose from: they
 *   are PUBLISHED as of their creation, and their weekly schedule is computed from `schedule`.
 * - contract_terms: the programme's standard offer-contract and personal-data consent, versioned
 *   (version 1 here); enrollment records the version accepted and when, terms and consent together.
 */
export class Migration20261201230000_provider_onboarding extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "provider" drop constraint if exists "provider_status_check";`);
    this.addSql(`alter table "provider" add constraint "provider_status_check" check ("status" in ('PENDING', 'APPROVED', 'REJECTED', 'SUSPENDED'));`);
    this.addSql(`alter table "provider" add column "status_reason" text null, add column "decided_at" timestamptz null, add column "address" text null, add column "licence_reference" text null, add column "contact_name" text null, add column "contact_phone" text null, add column "contact_email" text null, add column "applied_at" timestamptz null;`);
    this.addSql(`alter table "provider" add constraint provider_rejected_reason check (status <> 'REJECTED' or status_reason is not null);`);

    this.addSql(`alter table "program" add column "weekly_schedule" jsonb not null default '[]', add column "status" text check ("status" in ('DRAFT', 'IN_REVIEW', 'PUBLISHED', 'RETURNED')) not null default 'DRAFT', add column "description" text null, add column "address" text null, add column "district" text null, add column "teacher_name" text null, add column "review_comment" text null, add column "submitted_at" timestamptz null, add column "published_at" timestamptz null;`);
    this.addSql(`update program p set status = 'PUBLISHED', published_at = p.created_at,
        weekly_schedule = coalesce((select jsonb_agg(jsonb_build_object(
            'weekday', (s->>'weekday')::int,
            'start', s->>'startsAt',
            'minutes', (extract(epoch from ((s->>'endsAt')::time - (s->>'startsAt')::time)) / 60)::int) order by n)
          from jsonb_array_elements(p.schedule) with ordinality as e(s, n)), '[]'::jsonb);`);
    this.addSql(`alter table "program" add constraint program_published_at check ((status = 'PUBLISHED') = (published_at is not null));`);
    this.addSql(`alter table "program" add constraint program_weekly_schedule_array check (jsonb_typeof(weekly_schedule) = 'array');`);

    this.addSql(`create table "contract_terms" ("version" int not null, "terms_kk" text not null, "terms_ru" text not null, "consent_kk" text not null, "consent_ru" text not null, "effective_from" timestamptz not null, constraint "contract_terms_pkey" primary key ("version"), constraint contract_terms_version_positive check (version > 0));`);
    this.addSql(`insert into contract_terms (version, terms_kk, terms_ru, consent_kk, consent_ru, effective_from) values (1,
      'Қосымша білім беру қызметтерін көрсетуге арналған үлгілік шарт-оферта (1-нұсқа). Жеткізуші баланы таңдалған үйірмеге кестеге сәйкес қабылдайды; қызмет ақысын ата-ана растаған сабақтар үшін ваучер бойынша мемлекет төлейді; ата-ана қатысуды растау мерзімінде растайды немесе даулайды; тараптардың кез келгені шартты балалар үйірмесінен шыққан кезде тоқтата алады.',
      'Типовой договор-оферта на оказание услуг дополнительного образования (версия 1). Поставщик принимает ребёнка в выбранный кружок по расписанию; услуги оплачивает государство по ваучеру за занятия, подтверждённые родителем; родитель подтверждает или оспаривает посещение в срок подтверждения; любая сторона может прекратить договор при выходе ребёнка из кружка.',
      'Баланың дербес деректерін (аты-жөні, жасы, қатысуы) ваучерлік бағдарлама мақсатында жеткізушіге және қаланың білім басқармасына өңдеуге келісемін.',
      'Согласен на обработку персональных данных ребёнка (ФИО, возраст, посещаемость) поставщиком и управлением образования города в целях ваучерной программы.',
      '2025-01-01T00:00:00Z');`);

    this.addSql(`alter table "enrollment" add column "terms_version" int null, add column "terms_accepted_at" timestamptz null, add column "consent_given_at" timestamptz null;`);
    this.addSql(`alter table "enrollment" add constraint "enrollment_terms_version_foreign" foreign key ("terms_version") references "contract_terms" ("version") on update cascade on delete restrict;`);
    this.addSql(`alter table "enrollment" add constraint enrollment_contract_whole check ((terms_version is null) = (terms_accepted_at is null) and (terms_version is null) = (consent_given_at is null));`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "enrollment" drop constraint enrollment_contract_whole;`);
    this.addSql(`alter table "enrollment" drop constraint "enrollment_terms_version_foreign";`);
    this.addSql(`alter table "enrollment" drop column "terms_version", drop column "terms_accepted_at", drop column "consent_given_at";`);
    this.addSql(`drop table if exists "contract_terms" cascade;`);
    this.addSql(`alter table "program" drop constraint program_published_at, drop constraint program_weekly_schedule_array;`);
    this.addSql(`alter table "program" drop column "weekly_schedule", drop column "status", drop column "description", drop column "address", drop column "district", drop column "teacher_name", drop column "review_comment", drop column "submitted_at", drop column "published_at";`);
    this.addSql(`alter table "provider" drop constraint provider_rejected_reason;`);
    this.addSql(`alter table "provider" drop column "status_reason", drop column "decided_at", drop column "address", drop column "licence_reference", drop column "contact_name", drop column "contact_phone", drop column "contact_email", drop column "applied_at";`);
    this.addSql(`alter table "provider" drop constraint if exists "provider_status_check";`);
    this.addSql(`alter table "provider" add constraint "provider_status_check" check ("status" in ('PENDING', 'APPROVED', 'SUSPENDED'));`);
  }
}
