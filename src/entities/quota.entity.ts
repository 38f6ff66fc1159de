import { Check, Entity, Property, type Ref, Unique } from '@mikro-orm/core';
import type { VoucherType } from '../domain/enums.js';
import type { City } from './city.entity.js';
import { YearlyAllowance } from './yearly-allowance.js';

/**
 * How many vouchers a city may hold out per type and period. `used` counts reserved and issued
 * vouchers; the check constraint makes exceeding the cap impossible, whatever the code does.
 */
@Entity({ tableName: 'quota' })
@Unique({ name: 'quota_city_type_period_unique', properties: ['city', 'voucherType', 'period'] })
@Check({ name: 'quota_used_within_count', expression: 'used >= 0 and used <= count' })
@Check({ name: 'quota_period_format', expression: "period ~ '^[0-9]{4}$'" })
export class Quota extends YearlyAllowance {
  @Property({ type: 'integer' })
  count: number;

  @Property({ type: 'integer', default: 0 })
  used: number = 0;

  @Property({ type: 'datetime', defaultRaw: 'now()', onUpdate: () => new Date() })
  updatedAt: Date = new Date();

  constructor(city: Ref<City>, voucherType: VoucherType, period: string, count: number) {
    super(city, voucherType, period);
    this.count = count;
  }
}
