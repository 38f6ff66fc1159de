import { Check, Entity, Enum, ManyToOne, PrimaryKey, Property, type Ref, Unique } from '@mikro-orm/core';
import { VoucherType } from '../domain/enums.js';
import { uuidv7 } from '../ids.js';
import { City } from './city.entity.js';

/**
 * How many vouchers a city may hold out per type and period. `used` counts reserved and issued
 * vouchers; the check constraint makes exceeding the cap impossible, whatever the code does.
 */
@Entity({ tableName: 'quota' })
@Unique({ name: 'quota_city_type_period_unique', properties: ['city', 'voucherType', 'period'] })
@Check({ name: 'quota_used_within_count', expression: 'used >= 0 and used <= count' })
@Check({ name: 'quota_period_format', expression: "period ~ '^[0-9]{4}$'" })
export class Quota {
  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  @ManyToOne({ entity: () => City, ref: true, deleteRule: 'restrict' })
  city: Ref<City>;

  @Enum({ items: () => VoucherType, type: 'text' })
  voucherType: VoucherType;

  /** The programme year, e.g. "2026". */
  @Property({ type: 'text' })
  period: string;

  @Property({ type: 'integer' })
  count: number;

  @Property({ type: 'integer', default: 0 })
  used: number = 0;

  @Property({ type: 'datetime', defaultRaw: 'now()', onUpdate: () => new Date() })
  updatedAt: Date = new Date();

  constructor(city: Ref<City>, voucherType: VoucherType, period: string, count: number) {
    this.city = city;
    this.voucherType = voucherType;
    this.period = period;
    this.count = count;
  }
}
