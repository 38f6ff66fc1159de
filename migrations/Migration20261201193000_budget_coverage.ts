import { Migration } from '@mikro-orm/migrations';

/**
 * Issue 11, finding 5: what a budget covers.
 *
 * payment_line.budget_id is the budget a line's amount is committed to. A budget covers every
 * unfailed payment of its city, voucher type and year: settlement commits a line to the budget
 * that exists then; setBudget creating a budget takes in the year's lines settled before it.
 * Paying and failing move money only in the budget the line names, so allocated = committed +
 * remaining holds in every order. Existing lines are assigned to their budget and each budget's
 * committed and paid are recomputed from them; where that exceeds the allocation (payments settled
 * before the budget existed were never counted), the allocation is raised to what is committed:
 * that money is already spent.
 */
export class Migration20261201193000_budget_coverage extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "payment_line" add column "budget_id" uuid null;`);
    this.addSql(`alter table "payment_line" add constraint "payment_line_budget_id_foreign" foreign key ("budget_id") references "budget" ("id") on update cascade on delete restrict;`);
    this.addSql(`create index "payment_line_budget_id_index" on "payment_line" ("budget_id");`);
    this.addSql(`update payment_line pl set budget_id = b.id
      from payment x join budget b on b.city_id = x.city_id and b.period = left(x.period, 4)
     where x.id = pl.payment_id and b.voucher_type = pl.voucher_type;`);
    this.addSql(`update budget b set committed_tiyn = s.committed, paid_tiyn = s.paid, allocated_tiyn = greatest(b.allocated_tiyn, s.committed)
      from (select b2.id,
                   coalesce(sum(pl.amount_tiyn) filter (where x.status <> 'FAILED'), 0) as committed,
                   coalesce(sum(pl.amount_tiyn) filter (where x.status = 'PAID'), 0) as paid
              from budget b2 left join payment_line pl on pl.budget_id = b2.id left join payment x on x.id = pl.payment_id
             group by b2.id) s
     where s.id = b.id;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "payment_line" drop column "budget_id";`);
  }
}
