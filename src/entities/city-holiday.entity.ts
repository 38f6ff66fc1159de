import { Check, Entity, ManyToOne, PrimaryKey, Property, type Ref, Unique } from '@mikro-orm/core';
import { uuidv7 } from '../ids.js';
import { City } from './city.entity.js';

/** A public holiday in a city: sessions on it are refused or flagged, per the city's timesheet checks. */
@Entity({ tableName: 'city_holiday' })
@Unique({ name: 'city_holiday_one_per_day', properties: ['city', 'date'] })
@Check({ name: 'city_holiday_name_length', expression: 'length(name) >= 1 and length(name) <= 200' })
export class CityHoliday {
  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  @ManyToOne({ entity: () => City, ref: true, deleteRule: 'restrict' })
  city: Ref<City>;

  @Property({ type: 'date' })
  date: string;

  @Property({ type: 'text' })
  name: string;

  /** Who set the year's calendar (role:id). */
  @Property({ type: 'text' })
  createdBy: string;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  constructor(city: Ref<City>, date: string, name: string, createdBy: string) {
    this.city = city;
    this.date = date;
    this.name = name;
    this.createdBy = createdBy;
  }
}
