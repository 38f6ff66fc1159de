import { Enum, ManyToOne, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { VoucherType } from '../domain/enums.js';
import { uuidv7 } from '../ids.js';
import { City } from './city.entity.js';

/**
 * What quotas (vouchers) and budgets (money) share: one row per city, voucher type and programme
 * year. Each subclass declares its own table, unique key and checks.
 */
export abstract class YearlyAllowance {
  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  @ManyToOne({ entity: () => City, ref: true, deleteRule: 'restrict' })
  city: Ref<City>;

  @Enum({ items: () => VoucherType, type: 'text' })
  voucherType: VoucherType;

  /** The programme year, "YYYY". */
  @Property({ type: 'text' })
  period: string;

  constructor(city: Ref<City>, voucherType: VoucherType, period: string) {
    this.city = city;
    this.voucherType = voucherType;
    this.period = period;
  }
}
