import { Entity, Enum, ManyToOne, PrimaryKey, Property, type Ref, Unique } from '@mikro-orm/core';
import { Relationship } from '../domain/enums.js';
import { uuidv7 } from '../ids.js';
import { Applicant } from './applicant.entity.js';
import { Child } from './child.entity.js';

/**
 * The link between an applicant and a child they represent. A child has one representative in
 * Kezek (unique child): linking a child someone else already registered would hand a stranger the
 * child's data, so that case goes to an operator instead.
 */
@Entity({ tableName: 'guardianship' })
export class Guardianship {
  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  @ManyToOne({ entity: () => Applicant, ref: true, deleteRule: 'restrict', index: true })
  applicant: Ref<Applicant>;

  @ManyToOne({ entity: () => Child, ref: true, deleteRule: 'restrict' })
  @Unique({ name: 'guardianship_child_unique' })
  child: Ref<Child>;

  @Enum({ items: () => Relationship, type: 'text' })
  relationship: Relationship;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  constructor(applicant: Ref<Applicant>, child: Ref<Child>, relationship: Relationship) {
    this.applicant = applicant;
    this.child = child;
    this.relationship = relationship;
  }
}
