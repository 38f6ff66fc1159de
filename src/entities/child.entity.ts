import { Check, Entity, Enum, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { PriorityCategory, Sex } from '../domain/enums.js';
import { randomUUID } from 'node:crypto';

/** The voucher holder. Birth date and sex are read from the IIN, so they can never disagree with it. */
@Entity({ tableName: 'child' })
@Check({ name: 'child_iin_format', expression: "iin ~ '^[0-9]{12}$'" })
export class Child {
  // Random, not time-ordered like other ids: a child's id is shown to every family that claims the
  // child, and a timestamp in it would tell a second claimant that the child was registered before.
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'character', length: 12 })
  @Unique()
  iin: string;

  @Property({ type: 'text' })
  fullName: string;

  @Property({ type: 'date' })
  birthDate: string;

  @Enum({ items: () => Sex, type: 'text' })
  sex: Sex;

  /**
   * The priority category that counts: NONE until an operator (or the registry) verifies a category
   * a family declared (Guardianship.claimedCategory). Its rank in the queue is a per-city rule.
   */
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
