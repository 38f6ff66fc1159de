import { Check, Entity, Enum, ManyToOne, PrimaryKey, Property, type Ref, Unique } from '@mikro-orm/core';
import { VoucherType } from '../domain/enums.js';
import { uuidv7 } from '../ids.js';
import { City } from './city.entity.js';

/**
 * Money a city may spend per voucher type and year, in tiyn. Settlement commits to it and payment
 * pays from it; the checks keep allocated = committed + remaining with nothing negative, whatever
 * runs at once.
 */
@Entity({ tableName: 'budget' })
@Unique({ name: 'budget_city_type_period', properties: ['city', 'voucherType', 'period'] })
@Check({ name: 'budget_identity', expression: 'committed_tiyn >= 0 and committed_tiyn <= allocated_tiyn and paid_tiyn >= 0 and paid_tiyn <= committed_tiyn' })
@Check({ name: 'budget_period_format', expression: "period ~ '^[0-9]{4}$'" })
export class Budget {
  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  @ManyToOne({ entity: () => City, ref: true, deleteRule: 'restrict' })
  city: Ref<City>;

  @Enum({ items: () => VoucherType, type: 'text' })
  voucherType: VoucherType;

  /** Year, "YYYY". */
  @Property({ type: 'text' })
  period: string;

  @Property({ type: 'bigint' })
  allocatedTiyn: string;

  @Property({ type: 'bigint', default: 0 })
  committedTiyn: string = '0';

  @Property({ type: 'bigint', default: 0 })
  paidTiyn: string = '0';

  constructor(city: Ref<City>, voucherType: VoucherType, period: string, allocatedTiyn: string) {
    this.city = city;
    this.voucherType = voucherType;
    this.period = period;
    this.allocatedTiyn = allocatedTiyn;
  }
}
