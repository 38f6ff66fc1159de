import { Check, Entity, Enum, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { PriorityCategory, Sex } from '../domain/enums.js';
import { uuidv7 } from '../ids.js';

/** The voucher holder. Birth date and sex are read from the IIN, so they can never disagree with it. */
@Entity({ tableName: 'child' })
@Check({ name: 'child_iin_format', expression: "iin ~ '^[0-9]{12}$'" })
export class Child {
  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  @Property({ type: 'character', length: 12 })
  @Unique()
  iin: string;

  @Property({ type: 'text' })
  fullName: string;

  @Property({ type: 'date' })
  birthDate: string;

  @Enum({ items: () => Sex, type: 'text' })
  sex: Sex;

  /** Declared by the parent; its rank in the queue is a per-city rule. */
  @Enum({ items: () => PriorityCategory, type: 'text', default: PriorityCategory.NONE })
  priorityCategory: PriorityCategory = PriorityCategory.NONE;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  constructor(iin: string, fullName: string, birthDate: string, sex: Sex) {
    this.iin = iin;
    this.fullName = fullName;
    this.birthDate = birthDate;
    this.sex = sex;
  }
}
