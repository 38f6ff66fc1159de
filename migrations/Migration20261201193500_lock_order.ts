import { Migration } from '@mikro-orm/migrations';

/**
 * The lock order of issue 11 (see src/services/locks.ts) and the rule "a child holding a voucher
 * waits for no other" as a constraint.
 *
 * - city_queue_lock_key / child_lock_key: the advisory lock keys of the city queue lock (shared
 *   by queue writers, exclusive by rules changes) and of the per-child lock, named in SQL like
 *   queue_block_lock_key so every statement that takes them spells them the same way.
 * - Triggers refuse an open (QUEUED or OFFERED) application for a child who holds an ACTIVE or
 *   SUSPENDED voucher, and a voucher becoming held while the child still has another open
 *   application. The services never get here (they close the other applications first, under
 *   the child lock); this is the database's backstop.
 */
export class Migration20261201193500_lock_order extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create function city_queue_lock_key(city uuid) returns bigint language sql immutable
      as $$ select hashtextextended('city-queue:' || city, 0) $$;`);
    this.addSql(`create function child_lock_key(child uuid) returns bigint language sql immutable
      as $$ select hashtextextended('child:' || child, 0) $$;`);
    this.addSql(`create function application_open_needs_no_held_voucher() returns trigger language plpgsql as $$
      begin
        if (tg_op = 'INSERT' or old.status is distinct from new.status)
           and exists (select 1 from voucher v where v.child_id = new.child_id and v.status in ('ACTIVE', 'SUSPENDED')) then
          raise exception 'application % cannot be open: the child already holds a voucher', new.id
            using errcode = 'check_violation', constraint = 'child_with_voucher_has_no_open_application';
        end if;
        return new;
      end $$;`);
    this.addSql(`create trigger "application_open_needs_no_held_voucher" before insert or update of "status" on "application"
      for each row when (new.status in ('QUEUED', 'OFFERED')) execute function application_open_needs_no_held_voucher();`);
    this.addSql(`create function voucher_held_needs_no_open_application() returns trigger language plpgsql as $$
      begin
        if (tg_op = 'INSERT' or old.status is distinct from new.status)
           and exists (select 1 from application a where a.child_id = new.child_id and a.id <> new.application_id and a.status in ('QUEUED', 'OFFERED')) then
          raise exception 'voucher % cannot be held: the child still has another open application', new.id
            using errcode = 'check_violation', constraint = 'child_with_voucher_has_no_open_application';
        end if;
        return new;
      end $$;`);
    this.addSql(`create trigger "voucher_held_needs_no_open_application" before insert or update of "status" on "voucher"
      for each row when (new.status in ('ACTIVE', 'SUSPENDED')) execute function voucher_held_needs_no_open_application();`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger "voucher_held_needs_no_open_application" on "voucher";`);
    this.addSql(`drop function voucher_held_needs_no_open_application();`);
    this.addSql(`drop trigger "application_open_needs_no_held_voucher" on "application";`);
    this.addSql(`drop function application_open_needs_no_held_voucher();`);
    this.addSql(`drop function child_lock_key(uuid);`);
    this.addSql(`drop function city_queue_lock_key(uuid);`);
  }
}
