import { Migration } from '@mikro-orm/migrations';

/**
 * Queue order without ties, and positions that stay fast at a million waiting.
 *
 * - application.submission_seq: arrival order from a sequence. Two opening-day applications can
 *   share a submitted_at microsecond; the queue order becomes (priority_rank, submitted_at,
 *   submission_seq) instead of breaking such ties by a UUID's random part. Existing rows are
 *   numbered in (submitted_at, id) order, which is the order they already had.
 * - queue_block: per-queue counters over stretches of the queue (see QueueBlock). The statement
 *   triggers below keep `waiting` exact for every closed block, in the same transaction as the
 *   change; the open tail has no counter. Each trigger takes the queue's block lock shared;
 *   closing or rebuilding blocks (QueueBlockService) takes it exclusively, so a block is never
 *   closed over a row whose transaction has not counted it yet.
 * - domain_event.tx: the writing transaction, taken before the event id (see EventBus).
 */
export class Migration20261125161750_queue_order extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "queue_block" ("id" bigserial primary key, "city_id" uuid not null, "voucher_type" text check ("voucher_type" in ('TARGETED', 'UNIVERSAL')) not null, "upper_rank" smallint not null, "upper_at" timestamptz(6) not null, "upper_seq" bigint not null, "waiting" int not null, constraint queue_block_waiting_not_negative check (waiting >= 0));`);
    this.addSql(`alter table "queue_block" add constraint "queue_block_upper_key" unique ("city_id", "voucher_type", "upper_rank", "upper_at", "upper_seq");`);
    this.addSql(`alter table "queue_block" add constraint "queue_block_city_id_foreign" foreign key ("city_id") references "city" ("id") on update cascade on delete restrict;`);

    this.addSql(`create sequence "application_submission_seq" as bigint;`);
    this.addSql(`alter table "application" add column "submission_seq" bigint;`);
    this.addSql(`with o as (select id, row_number() over (order by submitted_at, id) as n from application)
                 update application a set submission_seq = o.n from o where a.id = o.id;`);
    this.addSql(`select setval('application_submission_seq', coalesce(max(submission_seq), 0) + 1, false) from application;`);
    this.addSql(`alter table "application" alter column "submission_seq" set default nextval('application_submission_seq'), alter column "submission_seq" set not null;`);
    this.addSql(`alter sequence "application_submission_seq" owned by "application"."submission_seq";`);
    this.addSql(`alter table "application" add constraint "application_submission_seq_unique" unique ("submission_seq");`);
    this.addSql(`drop index "application_queue_order";`);
    this.addSql(`create index "application_queue_order" on "application" ("city_id", "voucher_type", "priority_rank", "submitted_at", "submission_seq") where "status" = 'QUEUED';`);

    this.addSql(`alter table "domain_event" add column "tx" xid8 null;`);

    // One waiting application entering (+1) or leaving (-1) a queue position.
    this.addSql(`create type queue_block_change as (city_id uuid, voucher_type text, r smallint, t timestamptz, s bigint, d int);`);
    this.addSql(`create function queue_block_lock_key(city uuid, voucher_type text) returns bigint language sql immutable
      as $$ select hashtextextended('queue-blocks:' || city || ':' || voucher_type, 0) $$;`);
    this.addSql(`create function queue_block_apply(changes queue_block_change[]) returns void language plpgsql as $$
      declare q record;
      begin
        -- Shared: any number of writers at once; closing blocks waits for them to commit.
        for q in select distinct c.city_id, c.voucher_type from unnest(changes) c order by 1, 2 loop
          perform pg_advisory_xact_lock_shared(queue_block_lock_key(q.city_id, q.voucher_type));
        end loop;
        -- After the lock, so the block layout read here is the one in force (read committed).
        update queue_block b set waiting = b.waiting + x.d
          from (select blk.id, sum(c.d)::int as d
                  from unnest(changes) c
                  cross join lateral (select qb.id from queue_block qb
                                       where qb.city_id = c.city_id and qb.voucher_type = c.voucher_type
                                         and (qb.upper_rank, qb.upper_at, qb.upper_seq) > (c.r, c.t, c.s)
                                       order by qb.upper_rank, qb.upper_at, qb.upper_seq limit 1) blk
                 group by blk.id) x
         where b.id = x.id and x.d <> 0;
      end $$;`);
    this.addSql(`create function queue_block_track() returns trigger language plpgsql as $$
      declare changes queue_block_change[];
      begin
        if tg_op = 'INSERT' then
          select array_agg(row(n.city_id, n.voucher_type, n.priority_rank, n.submitted_at, n.submission_seq, 1)::queue_block_change)
            into changes from new_rows n where n.status = 'QUEUED';
        elsif tg_op = 'DELETE' then
          select array_agg(row(o.city_id, o.voucher_type, o.priority_rank, o.submitted_at, o.submission_seq, -1)::queue_block_change)
            into changes from old_rows o where o.status = 'QUEUED';
        else
          -- A row that stays waiting with an unchanged key changes nothing; one whose key moved
          -- (a new priority rank) leaves its old place and takes its new one.
          select array_agg(c) into changes from (
            select row(o.city_id, o.voucher_type, o.priority_rank, o.submitted_at, o.submission_seq, -1)::queue_block_change as c
              from old_rows o join new_rows n on n.id = o.id
             where o.status = 'QUEUED' and (n.status <> 'QUEUED' or (n.city_id, n.voucher_type, n.priority_rank, n.submitted_at, n.submission_seq)
                                                                     is distinct from (o.city_id, o.voucher_type, o.priority_rank, o.submitted_at, o.submission_seq))
            union all
            select row(n.city_id, n.voucher_type, n.priority_rank, n.submitted_at, n.submission_seq, 1)::queue_block_change
              from old_rows o join new_rows n on n.id = o.id
             where n.status = 'QUEUED' and (o.status <> 'QUEUED' or (n.city_id, n.voucher_type, n.priority_rank, n.submitted_at, n.submission_seq)
                                                                     is distinct from (o.city_id, o.voucher_type, o.priority_rank, o.submitted_at, o.submission_seq))
          ) x;
        end if;
        if changes is not null then perform queue_block_apply(changes); end if;
        return null;
      end $$;`);
    // A position: the blocks wholly ahead, plus a count inside the key's own block. In PL/pgSQL so
    // each connection plans these statements once, not on every lookup (planning the equivalent
    // inline SQL cost as much as running it).
    this.addSql(`create function queue_position(city uuid, vtype text, r smallint, t timestamptz, s bigint) returns int
      language plpgsql stable as $$
      declare
        before bigint;
        lr smallint; lt timestamptz; ls bigint;
        inside bigint;
      begin
        select coalesce(sum(qb.waiting), 0) into before from queue_block qb
         where qb.city_id = city and qb.voucher_type = vtype and (qb.upper_rank, qb.upper_at, qb.upper_seq) <= (r, t, s);
        select qb.upper_rank, qb.upper_at, qb.upper_seq into lr, lt, ls from queue_block qb
         where qb.city_id = city and qb.voucher_type = vtype and (qb.upper_rank, qb.upper_at, qb.upper_seq) <= (r, t, s)
         order by qb.upper_rank desc, qb.upper_at desc, qb.upper_seq desc limit 1;
        if not found then lr := -1; lt := '-infinity'; ls := 0; end if;
        select count(*) into inside from application a
         where a.city_id = city and a.voucher_type = vtype and a.status = 'QUEUED'
           and (a.priority_rank, a.submitted_at, a.submission_seq) >= (lr, lt, ls)
           and (a.priority_rank, a.submitted_at, a.submission_seq) < (r, t, s);
        return (before + inside + 1)::int;
      end $$;`);
    // Transition tables allow one event per trigger, hence three.
    this.addSql(`create trigger application_queue_block_insert after insert on application referencing new table as new_rows for each statement execute function queue_block_track();`);
    this.addSql(`create trigger application_queue_block_update after update on application referencing old table as old_rows new table as new_rows for each statement execute function queue_block_track();`);
    this.addSql(`create trigger application_queue_block_delete after delete on application referencing old table as old_rows for each statement execute function queue_block_track();`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger application_queue_block_insert on application;`);
    this.addSql(`drop trigger application_queue_block_update on application;`);
    this.addSql(`drop trigger application_queue_block_delete on application;`);
    this.addSql(`drop function queue_position(uuid, text, smallint, timestamptz, bigint);`);
    this.addSql(`drop function queue_block_track();`);
    this.addSql(`drop function queue_block_apply(queue_block_change[]);`);
    this.addSql(`drop function queue_block_lock_key(uuid, text);`);
    this.addSql(`drop type queue_block_change;`);
    this.addSql(`drop table if exists "queue_block" cascade;`);
    this.addSql(`drop index "application_queue_order";`);
    this.addSql(`create index "application_queue_order" on "application" ("city_id", "voucher_type", "priority_rank", "submitted_at", "id") where "status" = 'QUEUED';`);
    this.addSql(`alter table "application" drop column "submission_seq";`);
    this.addSql(`alter table "domain_event" drop column "tx";`);
  }

}
