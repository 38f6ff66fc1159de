import { Check, Entity, Property, type Ref, Unique } from '@mikro-orm/core';
import type { VoucherType } from '../domain/enums.js';
import type { City } from './city.entity.js';
import { YearlyAllowance } from './yearly-allowance.js';
import { bigintString } from './types/bigint-string.type.js';

/**
 * Money a city may spend per voucher type and year, in tiyn. Settlement commits to it and payment
 * pays from it; the checks keep allocated = committed + remaining with nothing negative, whatever
 * runs at once.
 */
@Entity({ tableName: 'budget' })
@Unique({ name: 'budget_city_type_period', properties: ['city', 'voucherType', 'period'] })
@Check({ name: 'budget_identity', expression: 'committed_tiyn >= 0 and committed_tiyn <= allocated_tiyn and paid_tiyn >= 0 and paid_tiyn <= committed_tiyn' })
@Check({ name: 'budget_period_format', expression: "period ~ '^[0-9]{4}$'" })
export class Budget extends YearlyAllowance {
  @Property({ type: bigintString() })
  allocatedTiyn: string;

  @Property({ type: bigintString(), default: 0 })
  committedTiyn: string = '0';

  @Property({ type: bigintString(), default: 0 })
  paidTiyn: string = '0';

  constructor(city: Ref<City>, voucherType: VoucherType, period: string, allocatedTiyn: string) {
    super(city, voucherType, period);
    this.allocatedTiyn = allocatedTiyn;
  }
}
