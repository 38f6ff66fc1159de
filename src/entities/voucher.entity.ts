import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { VoucherStatus, VoucherType } from '../domain/enums.js';
import { uuidv7 } from '../ids.js';
import { Application } from './application.entity.js';
import { Child } from './child.entity.js';
import { City } from './city.entity.js';
import { Quota } from './quota.entity.js';

/** A child's electronic voucher. At most one per child is ACTIVE or SUSPENDED (a partial unique index). */
@Entity({ tableName: 'voucher' })
@Index({
  name: 'voucher_one_active_per_child',
  expression: `create unique index "voucher_one_active_per_child" on "voucher" ("child_id") where "status" in ('ACTIVE', 'SUSPENDED')`,
})
export class Voucher {
  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  @ManyToOne({ entity: () => Child, ref: true, deleteRule: 'restrict', index: true })
  child: Ref<Child>;

  /** The application it was reserved for. An application offered again (after a lapse) gets a new voucher. */
  @ManyToOne({ entity: () => Application, ref: true, deleteRule: 'restrict', index: true })
  application: Ref<Application>;

  @ManyToOne({ entity: () => City, ref: true, deleteRule: 'restrict' })
  city: Ref<City>;

  @ManyToOne({ entity: () => Quota, ref: true, deleteRule: 'restrict', index: true })
  quota: Ref<Quota>;

  @Enum({ items: () => VoucherType, type: 'text' })
  type: VoucherType;

  /** Changed only through VOUCHER_TRANSITIONS. */
  @Enum({ items: () => VoucherStatus, type: 'text', default: VoucherStatus.RESERVED })
  status: VoucherStatus = VoucherStatus.RESERVED;

  /** Why an operator last suspended or revoked it. */
  @Property({ type: 'text', nullable: true })
  statusReason?: string | null = null;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', defaultRaw: 'now()', onUpdate: () => new Date() })
  updatedAt: Date = new Date();

  constructor(init: { child: Ref<Child>; application: Ref<Application>; city: Ref<City>; quota: Ref<Quota>; type: VoucherType }) {
    this.child = init.child;
    this.application = init.application;
    this.city = init.city;
    this.quota = init.quota;
    this.type = init.type;
  }
}
